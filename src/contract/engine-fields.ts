import { Type, type TProperties } from '@sinclair/typebox';

/**
 * Each engine type's own fields in a routing-file entry, on top of ENGINE_COMMON_FIELDS
 * (routing-config.ts). One export per type; the type's factory names it.
 */

export const LUMA_FIELDS = {
  model_map: Type.Optional(
    Type.Record(Type.String(), Type.String(), { description: 'Our model name → the upstream model name (default: the same name)' }),
  ),
} satisfies TProperties;
