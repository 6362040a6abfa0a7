/**
 * Fetching caller-supplied URLs without becoming a proxy into the server's own network.
 *
 * - http and https only; credentials in URLs refused.
 * - Every connection's address is checked by the AddressPolicy *at connect time*: the check runs
 *   inside the socket's DNS lookup, so a name cannot resolve to a public address for the check
 *   and a private one for the connection (DNS rebinding). IP-literal hosts are checked directly.
 * - Redirects are followed by hand (at most `maxRedirects`), each hop under the same rules.
 * - A total deadline covers DNS, connect, headers and body; the body is capped at `maxBytes`,
 *   checked against Content-Length first and then while streaming.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { AddressPolicy } from './address-policy.js';

export interface FetchLimits {
  maxBytes: number;
  /** Whole request, redirects included. */
  timeoutMs: number;
  maxRedirects?: number;
}

export type FetchFailure = 'refused' | 'unreachable' | 'too_large';

/** Why a URL could not be fetched; `reason` tells refused (policy), unreachable and too_large apart. */
export class FetchError extends Error {
  constructor(readonly reason: FetchFailure, message: string) {
    super(message);
    this.name = 'FetchError';
  }
}

/** Parses and checks the parts of a URL that need no network: scheme, credentials, literal IPs. */
export function checkUrl(raw: string, policy: AddressPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchError('refused', 'not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchError('refused', `scheme ${url.protocol} is not allowed`);
  if (url.username || url.password) throw new FetchError('refused', 'credentials in URLs are not allowed');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !policy.allows(host)) throw new FetchError('refused', `address ${host} is not allowed`);
  return url;
}

function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      const usable = list.filter((a) => policy.allows(a.address));
      if (usable.length === 0) {
        const refused = new FetchError('refused', `${hostname} resolves to a disallowed address (${list.map((a) => a.address).join(', ')})`);
        return callback(refused as NodeJS.ErrnoException, '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      callback(null, usable[0].address, usable[0].family);
    });
  };
}

/** One GET under the policy (the address check runs in the socket's own lookup). */
function get(url: URL, policy: AddressPolicy, signal: AbortSignal): Promise<http.IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method: 'GET', lookup: guardedLookup(policy), signal, headers: { 'user-agent': 'bodylens' } });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
}

/** GETs `raw`, following redirects under the same rules, up to a 200 answer within the size cap. */
async function open(raw: string, policy: AddressPolicy, limits: FetchLimits, signal: AbortSignal): Promise<http.IncomingMessage> {
  let url = checkUrl(raw, policy);
  for (let hop = 0; ; hop++) {
    let response: http.IncomingMessage;
    try {
      response = await get(url, policy, signal);
    } catch (err) {
      if (err instanceof FetchError) throw err;
      if (signal.aborted) throw new FetchError('unreachable', `no answer within ${limits.timeoutMs} ms`);
      throw new FetchError('unreachable', `cannot reach ${url.host}: ${(err as Error).message}`);
    }
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= (limits.maxRedirects ?? 5)) throw new FetchError('unreachable', 'too many redirects');
      url = checkUrl(new URL(response.headers.location, url).href, policy);
      continue;
    }
    if (status !== 200) {
      response.resume();
      throw new FetchError('unreachable', `${url.host} answered HTTP ${status}`);
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      response.destroy();
      throw new FetchError('too_large', `${declared} bytes is over the ${limits.maxBytes}-byte limit`);
    }
    return response;
  }
}

function byteCap(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new FetchError('too_large', `more than ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
}

async function withDeadline<T>(limits: FetchLimits, work: (signal: AbortSignal) => Promise<T>, cancel?: AbortSignal): Promise<T> {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const signal = cancel ? AbortSignal.any([deadline, cancel]) : deadline;
  try {
    return await work(signal);
  } catch (err) {
    if (cancel?.aborted) throw cancel.reason ?? err;
    if (err instanceof FetchError) throw err;
    if (deadline.aborted) throw new FetchError('unreachable', `not finished within ${limits.timeoutMs} ms`);
    throw new FetchError('unreachable', (err as Error).message);
  }
}

/** GET a URL into memory under the policy and limits. */
export function fetchBytes(raw: string, policy: AddressPolicy, limits: FetchLimits): Promise<Buffer> {
  return withDeadline(limits, async (signal) => {
    const response = await open(raw, policy, limits, signal);
    const chunks: Buffer[] = [];
    await pipeline(response, byteCap(limits.maxBytes), async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) chunks.push(chunk);
    });
    return Buffer.concat(chunks);
  });
}

/**
 * GET a URL into a file under the policy and limits; no partial file is left on failure.
 * `cancel` aborts it early (e.g. on shutdown) and rejects with its reason.
 */
export function fetchToFile(raw: string, destPath: string, policy: AddressPolicy, limits: FetchLimits, cancel?: AbortSignal): Promise<void> {
  return withDeadline(limits, async (signal) => {
    const response = await open(raw, policy, limits, signal);
    const file = createWriteStream(destPath, { mode: 0o600 });
    try {
      await pipeline(response, byteCap(limits.maxBytes), file);
    } catch (err) {
      // The file opens asynchronously: a failure can come before the open has finished, and
      // unlinking then would leave the file it goes on to create. Remove it once it has closed.
      if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
      await unlink(destPath).catch(() => undefined);
      throw err;
    }
  }, cancel);
}

/** A single GET whose answer is ignored (completion callbacks); resolves to the HTTP status. */
export function ping(raw: string, policy: AddressPolicy, timeoutMs: number): Promise<number> {
  return withDeadline({ maxBytes: 0, timeoutMs, maxRedirects: 0 }, async (signal) => {
    const url = checkUrl(raw, policy);
    const response = await get(url, policy, signal);
    response.resume();
    return response.statusCode ?? 0;
  });
}
