/**
 * The SDK's types as TypeScript source, generated from the dialect tables' JSON Schemas
 * (`scripts/gen-client-types.ts` writes it to src/client/types.ts; a test fails when that file
 * is stale). Kept beside the schemas so a new endpoint row gets its SDK types by re-running it.
 */
import { BAIDU_ENDPOINTS, type FieldDoc } from './baidu/endpoints.js';
import { BAIDU_ERROR_SCHEMA, TOKEN_SCHEMA } from './baidu/schemas.js';
import { KAKAO_ERROR_SCHEMA, KAKAO_JOB_SCHEMA, KAKAO_JOB_SUBMITTED_SCHEMA, KAKAO_POSE_SCHEMA } from './kakao/spec.js';
import type { JsonSchema } from './schema.js';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k: string) => (IDENT.test(k) ? k : JSON.stringify(k));
const pascal = (name: string) => name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
const comment = (text: string | undefined, indent: string) => (text ? `${indent}/** ${text.replace(/\*\//g, '* /')} */\n` : '');

/** Named pieces met while generating: title → [schema text, type source]. */
type Named = Map<string, { schema: string; source: string; body?: string }>;

/** A JSON Schema as a TypeScript type expression; titled pieces become references to a type declared once in `named`. */
export function tsType(s: JsonSchema, indent = '', named?: Named): string {
  if (s.title && named) {
    const { title, ...rest } = s;
    const text = JSON.stringify(rest);
    const known = named.get(title);
    if (known && known.schema !== text) throw new Error(`schema title ${title} names two different schemas`);
    if (!known && title === 'Attributes') {
      // 29 entries of one shape: a mapped type over the vocabulary instead of 29 copies.
      const values = Object.entries(rest.properties ?? {}).map(([k, v]) => `  ${key(k)}: ${tsType(v.properties!.name, '  ', named)};`);
      named.set(title, {
        schema: text,
        source: `/** Each attribute's value names. */\nexport interface AttributeValues {\n${values.join('\n')}\n}\n\n${comment(rest.description, '')}export type Attributes = { [A in keyof AttributeValues]?: { score: number; name: AttributeValues[A] } };\n`,
      });
    } else if (!known) {
      named.set(title, { schema: text, source: '' });
      const body = tsType(rest, '', named);
      // The same TypeScript shape as a piece already declared (integer and float points): an alias.
      const bare = (t: string) => t.replace(/^\s*\/\*\*.*\*\/\n/gm, '');
      const twin = [...named.entries()].find(([t, n]) => t !== title && n.body !== undefined && bare(n.body) === bare(body));
      const notes = (t: string) => [...t.matchAll(/\/\*\* (.*) \*\//g)].map((m) => m[1]);
      const own = twin ? notes(body).filter((n) => !notes(twin[1].body!).includes(n)) : [];
      const doc = twin ? [rest.description, ...own].filter(Boolean).join('; ') || undefined : rest.description;
      named.set(title, { schema: text, body, source: `${comment(doc, '')}export type ${title} = ${twin ? twin[0] : body};\n` });
    }
    return title;
  }
  return inline(s, indent, named);
}


function inline(s: JsonSchema, indent: string, named?: Named): string {  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return s.anyOf.map((x) => (x.properties ? tsType(x, indent, named) : `(${tsType(x, indent, named)})`)).join(' | ');
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) return types.map((t) => inline({ ...s, type: t }, indent, named)).join(' | ');
  switch (types[0]) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      const item = s.items ? tsType(s.items, indent, named) : 'unknown';
      return /^[\w.]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'object': {
      if (!s.properties) return typeof s.additionalProperties === 'object' ? `Record<string, ${tsType(s.additionalProperties, indent, named)}>` : 'Record<string, unknown>';
      const inner = `${indent}  `;
      const required = new Set(s.required ?? []);
      // Many required keys of one type (named points): a Record over the key names.
      const values = Object.values(s.properties);
      if (values.length >= 5 && required.size === values.length && values.every((v) => JSON.stringify(v) === JSON.stringify(values[0]))) {
        return `Record<${Object.keys(s.properties).map((k) => JSON.stringify(k)).join(' | ')}, ${tsType(values[0], indent, named)}>`;
      }
      const lines = Object.entries(s.properties).map(([k, v]) => `${comment(v.description, inner)}${inner}${key(k)}${required.has(k) ? '' : '?'}: ${tsType(v, inner, named)};`);
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
    default:
      return 'unknown';
  }
}

function optionType(f: FieldDoc): string {
  if (f.type === 'boolean') return 'boolean | "true" | "false"';
  if (f.type === 'integer') return 'number | string';
  if (f.enum && !f.list) return f.enum.map((v) => JSON.stringify(v)).join(' | ');
  return 'string';
}

export function clientTypesSource(): string {
  const named: Named = new Map();
  const typeOf = (schema: JsonSchema) => tsType(schema, '', named);
  const parts = [
    '// Generated by scripts/gen-client-types.ts from the server\'s dialect tables and JSON Schemas. Do not edit.',
    '// Re-run after a schema or endpoint change: npx tsc -p tsconfig.json && node dist/scripts/gen-client-types.js',
    '',
  ];
  for (const row of BAIDU_ENDPOINTS) {
    const name = pascal(row.name);
    parts.push(`/** ${row.name}: a success answer. */`, `export type ${name}Result = ${typeOf(row.response)};`, '');
    const fields = row.fields.map((f) => `${comment(f.description, '  ')}  ${key(f.name)}${f.required ? '' : '?'}: ${optionType(f)};`);
    parts.push(`/** ${row.name}: form fields besides image. */`, `export interface ${name}Options {${fields.length ? `\n${fields.join('\n')}\n` : ''}}`, '');
  }
  parts.push(
    '/** Result type per online API name. */',
    `export interface BaiduResults {\n${BAIDU_ENDPOINTS.map((r) => `  ${r.name}: ${pascal(r.name)}Result;`).join('\n')}\n}`,
    '',
    '/** Options type per online API name. */',
    `export interface BaiduOptions {\n${BAIDU_ENDPOINTS.map((r) => `  ${r.name}: ${pascal(r.name)}Options;`).join('\n')}\n}`,
    '',
    `export const BAIDU_API_NAMES = ${JSON.stringify(BAIDU_ENDPOINTS.map((r) => r.name))} as const;`,
    '',
    `/** A failed online call (HTTP 200). */\nexport type BaiduErrorBody = ${typeOf(BAIDU_ERROR_SCHEMA)};`,
    '',
    `/** POST /oauth/2.0/token. */\nexport type TokenResult = ${typeOf(TOKEN_SCHEMA)};`,
    '',
    `/** Kakao's POST /pose: one person each. */\nexport type KakaoPoseResult = ${typeOf(KAKAO_POSE_SCHEMA)};`,
    '',
    `/** POST /pose/job. */\nexport type KakaoJobSubmitted = ${typeOf(KAKAO_JOB_SUBMITTED_SCHEMA)};`,
    '',
    `/** GET /pose/job/{job_id}. */\nexport type KakaoJobView = ${typeOf(KAKAO_JOB_SCHEMA)};`,
    '',
    `/** A failed Kakao call (HTTP 4xx/5xx). */\nexport type KakaoErrorBody = ${typeOf(KAKAO_ERROR_SCHEMA)};`,
    '',
  );
  const declared = [...named.values()].map((n) => n.source);
  return [...parts.slice(0, 3), '// Pieces the answers share.', '', ...declared.map((d) => `${d}`), ...parts.slice(3)].join('\n');
}

