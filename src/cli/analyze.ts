/**
 * `bodylens analyze <api> <file>`: any row of Baidu's endpoint table, computed in this process
 * (no server), printing exactly the JSON the HTTP API answers. The API list, its options and the
 * usage text are derived from the endpoint table and the capability registry.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { CAPABILITY_NAMES, capability, isCapabilityName } from '../capabilities/index.js';
import type { Capability } from '../capabilities/capability.js';
import { BAIDU_ENDPOINTS, baiduEndpoint, type Form } from '../api/baidu/endpoints.js';
import { errorResponse } from '../api/baidu/errors.js';
import { base64 } from '../api/baidu/seg-format.js';
import { newLogId } from '../api/baidu/log-id.js';
import { toServiceError } from '../errors.js';
import { refuseMissingInput } from './input-file.js';
import { BAIDU_INTAKE, decodeImage, sniffFormat } from '../intake/index.js';
import { createInProcessEngine } from '../engine/in-process.js';
import { runPoseCommand } from './pose.js';
import { analyzeCaseVideo } from './tracking-video.js';

/** Writes a rendered PNG to `path`, re-encoded as JPEG when the name ends in .jpg/.jpeg. */
async function writeRender(path: string, png: Buffer): Promise<void> {
  await writeFile(path, /\.jpe?g$/i.test(path) ? await sharp(png).jpeg({ quality: 90 }).toBuffer() : png);
}

/** Every form field some endpoint reads, as a CLI flag of the same name. */
const FIELDS = [...new Map(BAIDU_ENDPOINTS.flatMap((e) => e.fields).map((f) => [f.name, f])).values()];

function usage(): string {
  const lines = BAIDU_ENDPOINTS.map((row) => {
    const cap = capability(row.capability);
    const flags = [
      ...row.fields.map((f) => `[--${f.name} ...]`),
      ...(cap.render ? ['[--render out.png]'] : []),
      ...(cap.files ? ['[--out-dir DIR]'] : []),
    ];
    return `  ${row.name} <image> ${flags.join(' ')}\n      ${row.summary ?? cap.summary}`;
  });
  return `usage: bodylens analyze <api> <file> [options]

Runs the analysis in this process (no server) and prints the same JSON the HTTP API returns.
${lines.join('\n')}
  body_tracking <video> --area ... [--render out.mp4]
      the video's frames as one tracking case: each frame's answer and the case's totals
  pose <image|video> [--render out.png|out.mp4] [--no-smoothing]
      Kakao Pose: the POST /pose array for a photo, the job result for a video (pose --help)
Options:
${FIELDS.map((f) => `  --${f.name}  ${f.description}`).join('\n')}
  --capability NAME <image> [--render out.png]
      any capability of the registry (${CAPABILITY_NAMES.join(', ')}), its neutral result as JSON
      (e.g. body_detection, the person finder, which no API serves yet)
  --render FILE   the photo with the result drawn on it (PNG; JPEG when FILE ends in .jpg)
  --out-dir DIR   write the result's images there; the JSON shows their paths instead of base64`;
}

/**
 * Writes each image as <name>.png or <name>.jpg in outDir; returns base64 → the paths of the
 * files with those bytes, in file order (two images can be byte-identical: the labelmap and
 * scoremap of an empty mask).
 */
async function writeImages(outDir: string, files: Record<string, Uint8Array>): Promise<Map<string, string[]>> {
  await mkdir(outDir, { recursive: true });
  const paths = new Map<string, string[]>();
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(outDir, `${name}.${sniffFormat(bytes) === 'jpeg' ? 'jpg' : 'png'}`);
    await writeFile(path, bytes);
    const key = base64(bytes);
    paths.set(key, [...(paths.get(key) ?? []), path]);
  }
  return paths;
}

/**
 * The JSON with every string that is the base64 of a written image replaced by its path; equal
 * images take their paths in order (the response lists them in the order the result holds them).
 */
function withPaths(value: unknown, paths: Map<string, string[]>): unknown {
  if (typeof value === 'string') {
    const queue = paths.get(value);
    return queue && queue.length ? (queue.length > 1 ? queue.shift()! : queue[0]) : value;
  }
  if (Array.isArray(value)) return value.map((v) => withPaths(v, paths));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPaths(v, paths)]));
  return value;
}

/** `bodylens analyze <api> <file>`: returns the process exit code. */
export async function runAnalyzeCommand(argv: string[]): Promise<number> {
  if (argv[0] === 'pose') return runPoseCommand(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        render: { type: 'string' },
        'out-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        capability: { type: 'string' },
        ...Object.fromEntries(FIELDS.map((f) => [f.name, { type: 'string' as const }])),
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage()}`);
    return 2;
  }
  const { positionals } = parsed;
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (typeof values.capability === 'string') return runCapability(values.capability, positionals[0], values.render as string | undefined);
  const [api, file] = positionals;
  if (values.help || !api || !file) {
    console.error(usage());
    return values.help ? 0 : 2;
  }
  const row = baiduEndpoint(api);
  if (!row) {
    console.error(`unknown API "${api}"; available: ${BAIDU_ENDPOINTS.map((e) => e.name).join(', ')}, pose`);
    return 2;
  }
  const missing = refuseMissingInput(file);
  if (missing !== undefined) return missing;
  // The row and the capability agree by construction; the general type is enough here.
  const cap: Capability = capability(row.capability as string);
  const logId = newLogId();
  const engine = createInProcessEngine({ capabilities: [row.capability], threads: availableParallelism() });
  try {
    const form: Form = Object.fromEntries(row.fields.map((f) => [f.name, values[f.name] as string | undefined]));
    const bytes = await readFile(file);
    // A video given to an API with cases (body_tracking): its frames, in order, as one case.
    if (row.case && sniffFormat(bytes) === undefined) {
      console.log(JSON.stringify(await analyzeCaseVideo(engine, row, form, file, logId, values.render as string | undefined)));
      return 0;
    }
    // Same intake rules as the HTTP API, so the CLI answers exactly what a client would get.
    const image = await decodeImage(bytes, BAIDU_INTAKE);
    const result = await engine.run(row.capability, { image }, row.options(form) as never);
    let json: unknown = row.shape(logId, result);
    const outDir = values['out-dir'] as string | undefined;
    if (outDir && cap.files) json = withPaths(json, await writeImages(outDir, cap.files(result)));
    const render = values.render as string | undefined;
    if (render && cap.render) await writeRender(render, await cap.render(image, result));
    console.log(JSON.stringify(json, null, 2));
    return 0;
  } catch (err) {
    const error = toServiceError(err);
    console.log(JSON.stringify(errorResponse(logId, error), null, 2));
    if (error.detail) console.error(error.detail);
    return 1;
  } finally {
    await engine.close();
  }
}

/** JSON of a neutral result: encoded images as base64. */
const neutralJson = (result: unknown) =>
  JSON.stringify(result, (_k, v) => (v instanceof Uint8Array ? base64(v) : v), 2);

/** `bodylens analyze --capability <name> <image>`: the capability's own result, no dialect. */
async function runCapability(name: string, file: string | undefined, render: string | undefined): Promise<number> {
  if (!isCapabilityName(name) || !file) {
    console.error(isCapabilityName(name) ? usage() : `unknown capability "${name}"; valid capabilities: ${CAPABILITY_NAMES.join(', ')}`);
    return 2;
  }
  const missing = refuseMissingInput(file);
  if (missing !== undefined) return missing;
  const cap: Capability = capability(name as string);
  const engine = createInProcessEngine({ capabilities: [name], threads: availableParallelism() });
  try {
    const image = await decodeImage(await readFile(file), BAIDU_INTAKE);
    const result = await engine.run(name, { image });
    if (render && cap.render) await writeRender(render, await cap.render(image, result));
    console.log(neutralJson(result));
    return 0;
  } catch (err) {
    const error = toServiceError(err);
    console.error(`bodylens: ${error.message}`);
    return 1;
  } finally {
    await engine.close();
  }
}
