/** Real answers trimmed to document examples (scripts/openapi-examples.ts, checked by test/e2e/openapi.test.ts). */
import type { Examples } from '../../src/api/openapi.js';
import type { RealCall } from './api-calls.js';

/**
 * Long strings cut (base64 images to a short prefix; base64 or plain JSON text, as the private
 * services' `result`, decoded, trimmed and encoded again), lists of objects cut to 2.
 */
export function trimExample(value: unknown): unknown {
  if (typeof value === 'string') {
    if (value.length <= 120) return value;
    for (const [text, encode] of [
      [value, (s: string) => `${s}\n`],
      [Buffer.from(value, 'base64').toString('utf8'), (s: string) => Buffer.from(s).toString('base64')],
    ] as const) {
      try {
        const inner = JSON.parse(text);
        if (inner && typeof inner === 'object') return encode(JSON.stringify(trimExample(inner)));
      } catch {
        // not JSON text
      }
    }
    return `${value.slice(0, 40)}...`;
  }
  if (Array.isArray(value)) return (value.some((v) => v && typeof v === 'object') ? value.slice(0, 2) : value).map(trimExample);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trimExample(v)]));
  return value;
}

/** Per operation: the first successful call's request and answer, and its first failure. */
export function examplesFrom(calls: readonly RealCall[], isFailure: (c: RealCall) => boolean = callFailed): Examples {
  const out: Examples = {};
  for (const c of calls) {
    const entry = (out[c.operationId] ??= { response: undefined });
    if (isFailure(c)) entry.error ??= trimExample(c.body);
    else if (entry.response === undefined || c.example) {
      entry.response = trimExample(c.body);
      if (c.request !== undefined) entry.request = c.request;
    }
  }
  for (const [k, v] of Object.entries(out)) if (v.response === undefined) out[k] = { response: v.error };
  return out;
}

/** Did the call fail, in its dialect's terms (HTTP status, Baidu error_code, private err_no)? */
export function callFailed(c: Pick<RealCall, 'status' | 'body'>): boolean {
  const body = c.body as Record<string, unknown> | null;
  return c.status >= 400 || (body !== null && typeof body === 'object' && !Array.isArray(body) && ('error_code' in body || (typeof body.err_no === 'number' && body.err_no !== 0)));
}
