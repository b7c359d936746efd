import type { TSchema } from '@sinclair/typebox';

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Removes, in place and at every depth, the fields `schema` does not name: unknown fields are
 * ignored, never stored. `value` has passed `schema` already, so of a union (`Nullable(X)`) the
 * object variant is the one an object matched.
 */
export function dropUnknownFields<T>(schema: TSchema, value: T): T {
  prune(schema as SchemaNode, value);
  return value;
}

function prune(schema: SchemaNode, value: unknown): void {
  if (schema.anyOf) {
    const kind = Array.isArray(value) ? 'array' : 'object';
    const variant = schema.anyOf.find((v) => v.type === kind);
    if (variant) prune(variant, value);
    return;
  }
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) prune(schema.items, item);
    return;
  }
  if (!isObject(value) || !schema.properties) return;
  for (const key of Object.keys(value)) {
    const known = Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
    if (known) prune(known, value[key]);
    else delete value[key];
  }
}
