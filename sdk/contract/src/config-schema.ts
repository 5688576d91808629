import { z } from 'zod';

/**
 * The config a guild admin edits is described in the manifest with a small, JSON-serialisable
 * field language rather than arbitrary JSON Schema: it covers what admin forms need (Discord
 * channel/role pickers, bounded numbers and strings, lists) and compiles to one zod schema, so
 * the API, the kernel and the SDK all validate config the same way.
 */
export type ConfigField =
  | { type: 'string'; label?: string; description?: string; minLength?: number; maxLength?: number; default?: string; optional?: boolean }
  | { type: 'integer' | 'number'; label?: string; description?: string; min?: number; max?: number; default?: number; optional?: boolean }
  | { type: 'boolean'; label?: string; description?: string; default?: boolean; optional?: boolean }
  | { type: 'channel' | 'role' | 'user'; label?: string; description?: string; default?: string; optional?: boolean }
  | { type: 'list'; label?: string; description?: string; items: ConfigField; maxItems?: number; default?: unknown[]; optional?: boolean }
  | { type: 'object'; label?: string; description?: string; fields: Record<string, ConfigField>; optional?: boolean };

const Snowflake = z.string().regex(/^\d{15,21}$/, 'a Discord ID (snowflake)');
const FieldKey = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,47}$/, 'a field name: a letter, then letters, digits or _ (max 48)');
const common = { label: z.string().max(80).optional(), description: z.string().max(300).optional(), optional: z.boolean().optional() };

export const ConfigFieldSchema: z.ZodType<ConfigField> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('string'), ...common, minLength: z.int().min(0).optional(), maxLength: z.int().min(1).max(4000).optional(), default: z.string().optional() }),
    z.strictObject({ type: z.enum(['integer', 'number']), ...common, min: z.number().optional(), max: z.number().optional(), default: z.number().optional() }),
    z.strictObject({ type: z.literal('boolean'), ...common, default: z.boolean().optional() }),
    z.strictObject({ type: z.enum(['channel', 'role', 'user']), ...common, default: Snowflake.optional() }),
    z.strictObject({ type: z.literal('list'), ...common, items: ConfigFieldSchema, maxItems: z.int().min(1).max(500).optional(), default: z.array(z.unknown()).optional() }),
    z.strictObject({ type: z.literal('object'), ...common, fields: z.record(FieldKey, ConfigFieldSchema) }),
  ]),
);

export const ConfigSchemaSchema = z.record(FieldKey, ConfigFieldSchema);
export type ConfigSchema = Record<string, ConfigField>;

function fieldToZod(field: ConfigField): z.ZodType {
  let schema: z.ZodType;
  switch (field.type) {
    case 'string': {
      let s = z.string().max(field.maxLength ?? 2000);
      if (field.minLength !== undefined) s = s.min(field.minLength);
      schema = s;
      break;
    }
    case 'integer':
    case 'number': {
      let n = field.type === 'integer' ? z.int() : z.number();
      if (field.min !== undefined) n = n.min(field.min);
      if (field.max !== undefined) n = n.max(field.max);
      schema = n;
      break;
    }
    case 'boolean':
      schema = z.boolean();
      break;
    case 'channel':
    case 'role':
    case 'user':
      schema = Snowflake;
      break;
    case 'list':
      schema = z.array(fieldToZod(field.items)).max(field.maxItems ?? 100);
      break;
    case 'object':
      schema = configSchemaToZod(field.fields);
      break;
  }
  if ('default' in field && field.default !== undefined) return schema.default(field.default as never);
  if (field.type === 'list') return schema.default([] as never);
  return field.optional ? schema.optional() : schema;
}

/** Compile a manifest's config description into the zod schema that validates a guild's config. */
export function configSchemaToZod(schema: ConfigSchema): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema)) shape[key] = fieldToZod(field);
  return z.strictObject(shape);
}
