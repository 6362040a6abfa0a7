/**
 * JSON Schema (the 2020-12 subset OpenAPI 3.1 uses) for the dialect tables: small builders so a
 * row's response reads like its shape, and a validator for that subset, which the tests run on
 * real answers so the published document cannot drift from the server (docs/openapi.md).
 */

export interface JsonSchema {
  /** A name for a reused piece: the SDK's generated types declare it once under this name. */
  title?: string;
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null' | Array<'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null'>;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: ReadonlyArray<string | number | boolean | null>;
  const?: string | number | boolean | null;
  minimum?: number;
  maximum?: number;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  /** A string holding an encoded document (JSON Schema 2020-12 content keywords): the private dialect's `result`. */
  contentEncoding?: 'base64';
  contentMediaType?: string;
  contentSchema?: JsonSchema;
  /** A reference to `#/components/schemas/<name>` (used by the document builder only). */
  $ref?: string;
}

type Props = Record<string, JsonSchema>;

/** An object whose listed properties are all required, unless named in `optional`; no others allowed. */
export function obj(properties: Props, optional: readonly string[] = [], description?: string): JsonSchema {
  const required = Object.keys(properties).filter((k) => !optional.includes(k));
  return { type: 'object', ...(description ? { description } : {}), properties, ...(required.length ? { required } : {}), additionalProperties: false };
}
/** An object with any keys, each of `values`. */
/** `schema` named for the generated types. */
export const named = (title: string, schema: JsonSchema): JsonSchema => ({ title, ...schema });
export const map = (values: JsonSchema, description?: string): JsonSchema => ({ type: 'object', ...(description ? { description } : {}), additionalProperties: values });
export const arr = (items: JsonSchema, description?: string, bounds: { minItems?: number; maxItems?: number } = {}): JsonSchema => ({
  type: 'array',
  ...(description ? { description } : {}),
  items,
  ...bounds,
});
export const str = (description?: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'string', ...(description ? { description } : {}), ...extra });
export const num = (description?: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'number', ...(description ? { description } : {}), ...extra });
export const int = (description?: string, extra: Partial<JsonSchema> = {}): JsonSchema => ({ type: 'integer', ...(description ? { description } : {}), ...extra });
export const bool = (description?: string): JsonSchema => ({ type: 'boolean', ...(description ? { description } : {}) });
export const oneOfValues = (values: ReadonlyArray<string | number>, description?: string): JsonSchema => ({
  type: typeof values[0] === 'number' ? 'integer' : 'string',
  ...(description ? { description } : {}),
  enum: values,
});
/** `schema` without one property (the private dialect's shapes are the online ones minus `log_id`). */
export function omitProperty(schema: JsonSchema, name: string): JsonSchema {
  if (schema.anyOf) return { ...schema, anyOf: schema.anyOf.map((s) => omitProperty(s, name)) };
  const { [name]: _drop, ...properties } = schema.properties ?? {};
  return { ...schema, properties, required: schema.required?.filter((k) => k !== name) };
}
export const nullable = (schema: JsonSchema): JsonSchema => ({ ...schema, type: [schema.type as 'string', 'null'] });
/** A base64 string (an encoded image). */
export const base64 = (description: string): JsonSchema => str(description, { format: 'byte' });
/** A score in [0, 1]. */
export const score = (description = 'confidence, 0-1'): JsonSchema => num(description, { minimum: 0, maximum: 1 });

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const typeMatches = (want: string, got: string) => want === got || (want === 'number' && got === 'integer');

/**
 * Where `value` breaks `schema`: a list of "path: problem" lines, empty when it conforms.
 * Covers what the tables use (type, properties, required, additionalProperties, items, bounds,
 * enum, const, minimum/maximum, anyOf/oneOf); `$ref`s are resolved through `refs`.
 */
export function schemaErrors(schema: JsonSchema, value: unknown, path = '$', refs: Record<string, JsonSchema> = {}): string[] {
  if (schema.$ref) {
    const target = refs[schema.$ref.replace('#/components/schemas/', '')];
    return target ? schemaErrors(target, value, path, refs) : [`${path}: unknown $ref ${schema.$ref}`];
  }
  const errors: string[] = [];
  const got = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, got))) return [`${path}: expected ${types.join(' or ')}, got ${got}`];
  }
  if (schema.enum && !schema.enum.includes(value as never)) errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (schema.const !== undefined && value !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: ${value} < ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: ${value} > ${schema.maximum}`);
  }
  if (got === 'string' && schema.contentSchema && schema.contentMediaType === 'application/json') {
    const text = schema.contentEncoding === 'base64' ? Buffer.from(value as string, 'base64').toString('utf8') : (value as string);
    let inner: unknown;
    try {
      inner = JSON.parse(text);
    } catch {
      return [`${path}: not ${schema.contentEncoding ?? ''} JSON text`];
    }
    errors.push(...schemaErrors(schema.contentSchema, inner, `${path}<decoded>`, refs));
  }
  if (got === 'array') {
    const list = value as unknown[];
    if (schema.minItems !== undefined && list.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && list.length > schema.maxItems) errors.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.items) list.forEach((item, i) => errors.push(...schemaErrors(schema.items!, item, `${path}[${i}]`, refs)));
  }
  if (got === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) errors.push(`${path}: missing ${key}`);
    for (const [key, v] of Object.entries(record)) {
      const own = schema.properties?.[key];
      if (own) errors.push(...schemaErrors(own, v, `${path}.${key}`, refs));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${key}`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...schemaErrors(schema.additionalProperties, v, `${path}.${key}`, refs));
    }
  }
  for (const [word, list] of [['anyOf', schema.anyOf], ['oneOf', schema.oneOf]] as const) {
    if (!list) continue;
    const passing = list.filter((s) => schemaErrors(s, value, path, refs).length === 0).length;
    if (passing === 0 || (word === 'oneOf' && passing > 1)) {
      const detail = list.map((s, i) => `#${i}: ${schemaErrors(s, value, path, refs).slice(0, 2).join('; ')}`).join(' | ');
      errors.push(`${path}: ${word} matched ${passing} of ${list.length} (${detail})`);
    }
  }
  return errors;
}
