import { PLACEHOLDERS, type PlaceholderValues } from '../backend/request-values.js';

const TOKEN = /\{\{\s*([a-z0-9_]+)\s*\}\}/g;
const WHOLE = /^\{\{\s*([a-z0-9_]+)\s*\}\}$/;

/** Placeholders an input mapping names that no request can fill; empty when it is sound. */
export function unknownPlaceholders(mapping: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const visit = (value: unknown) => {
    if (typeof value === 'string') for (const m of value.matchAll(TOKEN)) names.add(m[1]);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(mapping);
  return [...names].filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
}

/**
 * The prediction input for one request: literals as they are, `"{{name}}"` replaced by the
 * typed value (a number stays a number), placeholders inside longer strings interpolated.
 * A key whose placeholder this request has no value for is left out, so the model's own
 * default applies (an `image` input only an edit gives, say).
 */
export function fillInput(mapping: Record<string, unknown>, values: PlaceholderValues): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(mapping)) {
    if (typeof value !== 'string') {
      input[key] = value;
      continue;
    }
    const whole = WHOLE.exec(value);
    if (whole) {
      const filled = values[whole[1] as keyof PlaceholderValues];
      if (filled !== undefined) input[key] = filled;
      continue;
    }
    let missing = false;
    const text = value.replace(TOKEN, (_m, name: string) => {
      const filled = values[name as keyof PlaceholderValues];
      if (filled === undefined) missing = true;
      return String(filled ?? '');
    });
    if (!missing) input[key] = text;
  }
  return input;
}
