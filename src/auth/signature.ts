/**
 * Baidu auth method 2: requests signed with the app's AK/SK in an `Authorization` header,
 *
 *   bce-auth-v1/{accessKeyId}/{timestamp}/{expirationSeconds}/{signedHeaders}/{signature}
 *
 *   signingKey      = hex(HMAC-SHA256(SK, "bce-auth-v1/{ak}/{timestamp}/{expirationSeconds}"))
 *   signature       = hex(HMAC-SHA256(signingKey, CanonicalRequest))
 *   CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders
 *
 * CanonicalURI is the decoded path re-encoded with '/' kept; CanonicalQueryString is every
 * `enc(key)=enc(value)` except `authorization`, sorted; CanonicalHeaders is every signed header as
 * `enc(lowercase name):enc(trimmed value)`, sorted, joined by '\n'. `enc` is encodeURIComponent
 * plus escaping of `!'()*`. When the header names no signed headers, host, content-length,
 * content-type, content-md5 and all x-bce-* headers present are used. This matches the signer
 * shipped in the official SDKs (baidu-aip-sdk's src/auth/bceAuth/auth.js).
 *
 * Every failure is `iam_failed` (Baidu error 14); the detail says why, for logs only.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ServiceError } from '../errors.js';
import type { App } from './apps.js';

export const BCE_AUTH_VERSION = 'bce-auth-v1';
/** How far in the future a signature's timestamp may lie (client clocks run fast). */
export const DEFAULT_CLOCK_SKEW_SECONDS = 300;
/** Expiration the official SDKs put in their signatures. */
export const DEFAULT_SIGNATURE_EXPIRATION_SECONDS = 1800;

const DEFAULT_SIGNED_HEADERS = ['host', 'content-length', 'content-type', 'content-md5'];

export interface ParsedAuthorization {
  accessKeyId: string;
  /** As written in the header, e.g. 2015-03-24T13:02:00Z. */
  timestamp: string;
  /** Parsed timestamp, unix ms. */
  timestampMs: number;
  expirationSeconds: number;
  /** Lowercase names; empty when the client left the list out. */
  signedHeaders: string[];
  signature: string;
}

export interface SignableRequest {
  method: string;
  /** Path plus optional query string, as received (percent-encoded). */
  url: string;
  headers: Record<string, string | string[] | number | undefined>;
}

function fail(detail: string): never {
  throw new ServiceError('iam_failed', detail);
}

/** Percent-encodes like Baidu's signers: RFC 3986 unreserved characters stay, all else is %XX. */
export function bceEncode(value: string, keepSlash = false): string {
  let out = encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  if (keepSlash) out = out.replace(/%2F/g, '/');
  return out;
}

function hmacHex(key: string, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Splits a `bce-auth-v1/...` header; throws `iam_failed` when it is not one. */
export function parseAuthorization(header: string): ParsedAuthorization {
  const parts = header.trim().split('/');
  if (parts.length !== 6 || parts[0] !== BCE_AUTH_VERSION) fail('authorization is not bce-auth-v1/ak/timestamp/expiration/headers/signature');
  const [, accessKeyId, timestamp, expiration, signedHeaders, signature] = parts;
  if (!accessKeyId) fail('empty access key id');
  if (!TIMESTAMP_RE.test(timestamp)) fail(`bad timestamp "${timestamp}"`);
  const timestampMs = Date.parse(timestamp);
  if (Number.isNaN(timestampMs)) fail(`bad timestamp "${timestamp}"`);
  if (!/^[1-9]\d{0,9}$/.test(expiration)) fail(`bad expiration "${expiration}"`);
  if (!/^[0-9a-f]{64}$/i.test(signature)) fail('signature is not 64 hex characters');
  return {
    accessKeyId,
    timestamp,
    timestampMs,
    expirationSeconds: Number(expiration),
    signedHeaders: signedHeaders ? signedHeaders.split(';').map((h) => h.trim().toLowerCase()).filter(Boolean) : [],
    signature: signature.toLowerCase(),
  };
}

function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    fail('malformed percent-encoding in the URL');
  }
}

export function canonicalUri(rawPath: string): string {
  const path = rawPath === '' ? '/' : rawPath;
  return bceEncode(decode(path), true);
}

/**
 * Canonical form of a raw query string. '+' is taken literally (RFC 3986), since Baidu signers
 * encode a space as %20.
 */
export function canonicalQueryString(rawQuery: string): string {
  const pairs: string[] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const key = decode(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? '' : decode(piece.slice(eq + 1));
    if (key.toLowerCase() === 'authorization') continue;
    pairs.push(`${bceEncode(key)}=${bceEncode(value)}`);
  }
  return pairs.sort().join('&');
}

function headerValue(headers: SignableRequest['headers'], name: string): string | undefined {
  let value: string | string[] | number | undefined = headers[name];
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value.join(',') : String(value)).trim();
}

/**
 * Canonical headers and the names actually signed. With an explicit list, every listed header
 * present (non-empty) is used; without one, the default set plus every x-bce-* header.
 */
export function canonicalHeaders(
  headers: SignableRequest['headers'],
  signedHeaders: readonly string[],
): { canonical: string; names: string[] } {
  let names: string[];
  if (signedHeaders.length) {
    names = [...new Set(signedHeaders.map((h) => h.toLowerCase()))];
  } else {
    names = [
      ...new Set([
        ...DEFAULT_SIGNED_HEADERS,
        ...Object.keys(headers).map((k) => k.toLowerCase()).filter((k) => k.startsWith('x-bce-')),
      ]),
    ];
  }
  const lines: string[] = [];
  for (const name of names) {
    const value = headerValue(headers, name);
    if (value === undefined || value === '') continue;
    lines.push(`${bceEncode(name)}:${bceEncode(value)}`);
  }
  lines.sort();
  return { canonical: lines.join('\n'), names: lines.map((l) => l.slice(0, l.indexOf(':'))) };
}

export function canonicalRequest(req: SignableRequest, signedHeaders: readonly string[]): string {
  const { path, query } = splitUrl(req.url);
  const { canonical } = canonicalHeaders(req.headers, signedHeaders);
  return [req.method.toUpperCase(), canonicalUri(path), canonicalQueryString(query), canonical].join('\n');
}

function formatTimestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface SignOptions {
  /** Unix ms (default now). */
  timestamp?: number;
  expirationSeconds?: number;
  /** Headers to sign (default: host, content-length, content-type, content-md5 and x-bce-* present). */
  headersToSign?: readonly string[];
}

/** Builds a bce-auth-v1 Authorization value for a request (for clients, tools and tests). */
export function signRequest(ak: string, sk: string, req: SignableRequest, options: SignOptions = {}): string {
  const timestamp = formatTimestamp(options.timestamp ?? Date.now());
  const prefix = `${BCE_AUTH_VERSION}/${ak}/${timestamp}/${options.expirationSeconds ?? DEFAULT_SIGNATURE_EXPIRATION_SECONDS}`;
  const { names } = canonicalHeaders(req.headers, options.headersToSign ?? []);
  const signature = hmacHex(hmacHex(sk, prefix), canonicalRequest(req, names));
  return `${prefix}/${names.join(';')}/${signature}`;
}

export interface VerifyOptions {
  /** Unix ms (default now). */
  now?: number;
  clockSkewSeconds?: number;
}

/**
 * Checks a signed request and returns the app whose AK signed it. `findApp` looks an AK up.
 * Rejects (iam_failed, 14): malformed header, unknown or revoked AK, timestamp more than the
 * allowed skew in the future, `now` past timestamp + expiration, signature mismatch.
 */
export function verifySignature(
  req: SignableRequest,
  authorization: string,
  findApp: (accessKeyId: string) => App | undefined,
  options: VerifyOptions = {},
): App {
  const parsed = parseAuthorization(authorization);
  const now = options.now ?? Date.now();
  const skewMs = (options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000;
  if (parsed.timestampMs - skewMs > now) fail('signature timestamp is in the future');
  if (now > parsed.timestampMs + parsed.expirationSeconds * 1000) fail('signature has expired');

  const app = findApp(parsed.accessKeyId);
  if (!app) fail('unknown access key id');
  if (app.revokedAt != null) fail('app is revoked');

  const prefix = `${BCE_AUTH_VERSION}/${parsed.accessKeyId}/${parsed.timestamp}/${parsed.expirationSeconds}`;
  const expected = hmacHex(hmacHex(app.secretKey, prefix), canonicalRequest(req, parsed.signedHeaders));
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(parsed.signature, 'hex'))) fail('signature mismatch');
  return app;
}

/** Whether an Authorization header value claims to be a bce-auth-v1 signature. */
export function isBceAuthorization(value: string | undefined): value is string {
  return typeof value === 'string' && value.trimStart().startsWith(BCE_AUTH_VERSION + '/');
}
