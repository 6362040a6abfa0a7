/**
 * Reading Kakao request bodies: multipart/form-data with a `file` part, or urlencoded fields
 * (`image_url` / `video_url` and options). Uploaded files are capped while streaming.
 */
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { ServiceError, type ErrorKind } from '../../errors.js';

export interface KakaoInput<F> {
  /** The uploaded `file` part, if any. */
  file?: F;
  /** Every non-file field, first value wins. */
  fields: Record<string, string>;
}

interface FileLimit {
  maxBytes: number;
  /** Catalogue kind for an upload over maxBytes. */
  tooLarge: ErrorKind;
}

const MULTIPART_LIMITS = { files: 1, fields: 20, fieldSize: 64 * 1024, parts: 24 };

function formFields(body: unknown): Record<string, string> {
  if (body === undefined || body === null) return {};
  if (typeof body === 'string') return Object.fromEntries(new URLSearchParams(body));
  if (typeof body !== 'object' || Array.isArray(body)) throw new ServiceError('invalid_param', 'body must be multipart/form-data or form-urlencoded');
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) fields[key] = Array.isArray(value) ? String(value[0]) : String(value);
  return fields;
}

/**
 * Walks the multipart parts; `onFile` consumes the `file` part's stream. Any other file part,
 * or a second `file`, is refused.
 */
async function readMultipart<F>(
  request: FastifyRequest,
  limit: FileLimit,
  onFile: (stream: NodeJS.ReadableStream & { truncated?: boolean }) => Promise<F>,
): Promise<KakaoInput<F>> {
  const fields: Record<string, string> = {};
  let file: F | undefined;
  try {
    const parts = request.parts({ limits: { ...MULTIPART_LIMITS, fileSize: limit.maxBytes } });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (!(part.fieldname in fields)) fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file' || file !== undefined) {
        part.file.resume();
        throw new ServiceError('invalid_param', `unexpected file part "${part.fieldname}" (send one part named "file")`);
      }
      file = await onFile(part.file);
      if (part.file.truncated) throw new ServiceError(limit.tooLarge, `file is over ${limit.maxBytes} bytes`);
    }
  } catch (err) {
    throw multipartFailure(err, limit);
  }
  return { file, fields };
}

/**
 * Errors while reading a multipart body are the sender's: a file over the limit, a dropped
 * connection (left for the route's error handler), or a malformed body (no boundary, cut off).
 */
function multipartFailure(err: unknown, limit: FileLimit): unknown {
  if (err instanceof ServiceError) return err;
  const { code, message } = err as { code?: string; message?: string };
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new ServiceError(limit.tooLarge, `file is over ${limit.maxBytes} bytes`);
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') return err;
  return new ServiceError('invalid_param', `malformed multipart body: ${message ?? String(err)}`);
}

/** Image requests: the uploaded file in memory. */
export async function readImageInput(request: FastifyRequest, maxBytes: number): Promise<KakaoInput<Buffer>> {
  if (!request.isMultipart()) return { fields: formFields(request.body) };
  return readMultipart(request, { maxBytes, tooLarge: 'image_size' }, async (stream) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  });
}

/** Video requests: the uploaded file streamed to `destPath` (removed again on any failure). */
export async function readVideoInput(request: FastifyRequest, maxBytes: number, destPath: string): Promise<KakaoInput<string>> {
  if (!request.isMultipart()) return { fields: formFields(request.body) };
  try {
    return await readMultipart(request, { maxBytes, tooLarge: 'video_size' }, async (stream) => {
      await pipeline(stream, createWriteStream(destPath, { mode: 0o600 }));
      return destPath;
    });
  } catch (err) {
    await unlink(destPath).catch(() => undefined);
    throw err;
  }
}

/** Exactly one of the upload and the URL field; a 400 otherwise. */
export function exactlyOneSource<F>(input: KakaoInput<F>, urlField: string): { file: F } | { url: string } {
  const url = input.fields[urlField];
  const hasUrl = url !== undefined && url !== '';
  if (input.file !== undefined && hasUrl) throw new ServiceError('invalid_param', `send either file or ${urlField}, not both`);
  if (input.file !== undefined) return { file: input.file };
  if (hasUrl) return { url };
  throw new ServiceError('missing_param', `file or ${urlField} is required`);
}

/** Kakao booleans: "true"/"false" (any case); absent → fallback. */
export function booleanField(fields: Record<string, string>, name: string, fallback: boolean): boolean {
  const raw = fields[name];
  if (raw === undefined || raw === '') return fallback;
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new ServiceError('invalid_param', `${name} must be true or false`);
}
