/**
 * `/docs`: the OpenAPI document as one readable HTML page, rendered here from the same object
 * `/openapi.json` serves (no CDN, no script, no framework): a contents list, then per operation
 * its parameters, request fields, response fields (a schema outline), its error table and its
 * real example.
 */
import { escapeXml as esc } from '../render/svg.js';
import type { ErrorDoc } from './openapi.js';
import type { JsonSchema } from './schema.js';

type Operation = {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  parameters?: Array<{ name: string; in: string; description: string; required: boolean }>;
  requestBody?: { content: Record<string, { schema: JsonSchema; example?: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema; example?: unknown; examples?: Record<string, { value: unknown }> }> }>;
  'x-bodylens-errors': ErrorDoc[];
};

const typeName = (s: JsonSchema): string => {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.anyOf) return s.anyOf.map(typeName).join(' or ');
  if (s.type === 'array') return `array of ${s.items ? typeName(s.items) : 'any'}`;
  const t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
  return s.format ? `${t} (${s.format})` : t;
};

/** A schema as nested lists of fields, `depth` levels deep. */
function outline(schema: JsonSchema, depth = 0): string {
  if (depth > 6) return '';
  if (schema.anyOf) return `<ol class="alt">${schema.anyOf.map((s) => `<li>${s.description ? `<em>${esc(s.description)}</em>` : esc(typeName(s))}${outline(s, depth + 1)}</li>`).join('')}</ol>`;
  if (schema.type === 'array' && schema.items && (schema.items.properties || schema.items.anyOf)) return outline(schema.items, depth + 1);
  if (schema.contentSchema) return `<div class="note">decoded:</div>${outline(schema.contentSchema, depth + 1)}`;
  if (!schema.properties) return '';
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties);
  // Many keys of one schema (named points): one line for all of them.
  if (entries.length >= 5 && entries.every(([, s]) => JSON.stringify(s) === JSON.stringify(entries[0][1]))) {
    const s = entries[0][1];
    return `<ul><li>${entries.map(([k]) => `<code>${esc(k)}</code>`).join(', ')}: each <span class="type">${esc(s.properties ? 'object' : typeName(s))}</span>${outline(s, depth + 1)}</li></ul>`;
  }
  const rows = entries.map(([name, s]) => {
    const nested = s.properties || s.anyOf || s.contentSchema || (s.type === 'array' && s.items && (s.items.properties || s.items.anyOf)) ? outline(s, depth + 1) : '';
    const kind = s.properties ? 'object' : typeName(s);
    return `<li><code>${esc(name)}</code>${required.has(name) ? '' : ' <span class="opt">optional</span>'} <span class="type">${esc(kind.length > 160 ? `${kind.slice(0, 160)}…` : kind)}</span>${s.description ? ` — ${esc(s.description)}` : ''}${nested}</li>`;
  });
  return `<ul>${rows.join('')}</ul>`;
}

/** Long strings (base64 images) and long arrays cut, so an example stays readable. */
function shorten(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 60)}… (${value.length} chars)` : value;
  if (Array.isArray(value)) return value.length > 6 && value.every((v) => typeof v === 'number') ? [...value.slice(0, 6), `… ${value.length} numbers`] : value.slice(0, 3).map(shorten);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v)]));
  return value;
}

const example = (title: string, value: unknown) => `<details><summary>${esc(title)}</summary><pre>${esc(JSON.stringify(shorten(value), null, 2))}</pre></details>`;

function operationHtml(method: string, path: string, op: Operation): string {
  const parts = [`<section id="${esc(op.operationId)}"><h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>`, `<p>${esc(op.summary)}</p>`];
  const notes = (op.description ?? '').split('Errors:')[0].trim();
  if (notes) parts.push(`<p class="note">${esc(notes)}</p>`);
  if (op.parameters?.length) {
    parts.push('<h4>Parameters</h4><ul>', ...op.parameters.map((p) => `<li><code>${esc(p.name)}</code> <span class="type">${esc(p.in)}</span>${p.required ? ' <b>required</b>' : ''} — ${esc(p.description)}</li>`), '</ul>');
  }
  for (const [media, body] of Object.entries(op.requestBody?.content ?? {})) {
    parts.push(`<h4>Request body <span class="type">${esc(media)}</span></h4>`, outline(body.schema));
    if (body.example !== undefined) parts.push(example('example request', body.example));
  }
  for (const [status, response] of Object.entries(op.responses)) {
    for (const [media, content] of Object.entries(response.content ?? {})) {
      parts.push(`<h4>Response ${esc(status)} <span class="type">${esc(media)}</span></h4>`, outline(content.schema));
      if (content.example !== undefined) parts.push(example('example response', content.example));
      for (const [name, ex] of Object.entries(content.examples ?? {})) parts.push(example(`example: ${name}`, ex.value));
    }
  }
  const errors = op['x-bodylens-errors'];
  if (errors.length) {
    parts.push(
      '<h4>Errors</h4><table><tr><th>HTTP</th><th>code</th><th>message</th><th>from</th></tr>',
      ...errors.map((e) => `<tr><td>${e.status}</td><td><code>${esc(String(e.code))}</code></td><td>${esc(e.message)}</td><td>${esc(e.kinds.join(', '))}</td></tr>`),
      '</table>',
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:0 auto;padding:1em 2em;color:#222}
code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f5;padding:.6em;overflow:auto;max-height:28em}
section{border-top:1px solid #ddd;padding:.4em 0}h3{margin:.6em 0 .2em}h4{margin:.8em 0 .2em;font-size:14px}
.method{display:inline-block;min-width:3.6em;text-align:center;color:#fff;border-radius:3px;padding:0 .3em;font-size:13px}
.get{background:#2f7d32}.post{background:#1565c0}.patch{background:#8e5a00}.type{color:#666;font-size:13px}.opt{color:#999;font-size:12px}
.note{color:#555}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}
ul,ol{margin:.2em 0 .2em 1.2em;padding-left:.6em}nav li{list-style:none}`;

/** The page for `doc` (an openApiDocument()). */
export function docsPage(doc: Record<string, any>): string {
  const tags: Array<{ name: string; description: string }> = doc.tags;
  const ops: Array<[string, string, Operation]> = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => [m, path, op] as [string, string, Operation]));
  const nav = tags
    .map((t) => `<li><b>${esc(t.name)}</b><ul>${ops.filter(([, , op]) => op.tags[0] === t.name).map(([m, p, op]) => `<li><a href="#${esc(op.operationId)}">${m.toUpperCase()} ${esc(p)}</a></li>`).join('')}</ul></li>`)
    .join('');
  const body = tags
    .map((t) => `<h2 id="tag-${esc(t.name.replace(/\W+/g, '-'))}">${esc(t.name)}</h2><p>${esc(t.description)}</p>${ops.filter(([, , op]) => op.tags[0] === t.name).map(([m, p, op]) => operationHtml(m, p, op)).join('\n')}`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(doc.info.title)} ${esc(doc.info.version)} API</title><style>${STYLE}</style></head>
<body><h1>${esc(doc.info.title)} ${esc(doc.info.version)}</h1><p>${esc(doc.info.description)} The machine-readable form: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p>
<nav><ul>${nav}</ul></nav>${body}</body></html>`;
}
