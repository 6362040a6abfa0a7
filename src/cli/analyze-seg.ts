/** `bodylens analyze body_seg|body_seg_photo`: in-process segmentation, images written to files. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SEG_IMAGE_TYPES, encodeSegImages } from '../analysis/body-seg.js';
import { runIdPhoto } from '../analysis/id-photo.js';
import { createSegmenter } from '../analysis/segmentation.js';
import { bodySegResponse, idPhotoResponse, parseSegTypes } from '../api/baidu/seg-format.js';
import { BAIDU_INTAKE, decodeImage, sniffFormat } from '../intake/index.js';
import { renderMask } from '../render/seg-overlay.js';
import { loadModel } from '../runtime/session.js';

export interface SegCommandOptions {
  outDir?: string;
  render?: string;
  type?: string;
}

/** Writes each image as <name>.png or <name>.jpg in outDir; returns name → path. */
async function writeImages(outDir: string, files: Record<string, Uint8Array>): Promise<Record<string, string>> {
  await mkdir(outDir, { recursive: true });
  const paths: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(files)) {
    const ext = sniffFormat(bytes) === 'jpeg' ? 'jpg' : 'png';
    paths[name] = join(outDir, `${name}.${ext}`);
    await writeFile(paths[name], bytes);
  }
  return paths;
}

export async function runBodySegCommand(file: string, logId: number, opts: SegCommandOptions): Promise<object> {
  const types = parseSegTypes(opts.type);
  const segmenter = await createSegmenter();
  try {
    const image = await decodeImage(await readFile(file), BAIDU_INTAKE);
    const seg = await segmenter.segmentImage(image);
    const images = await encodeSegImages(image, seg.mask, types);
    const response: Record<string, unknown> = bodySegResponse(logId, { image, persons: seg.persons, images });
    if (opts.outDir) Object.assign(response, await writeImages(opts.outDir, images as Record<string, Uint8Array>));
    if (opts.render) await writeFile(opts.render, await renderMask(image, seg.mask, seg.persons.map((p) => p.box)));
    return response;
  } finally {
    await segmenter.close();
  }
}

export async function runIdPhotoCommand(file: string, logId: number, opts: SegCommandOptions): Promise<object> {
  const [segmenter, face] = await Promise.all([createSegmenter(), loadModel('blazeface', { threads: 1 })]);
  try {
    const result = await runIdPhoto(segmenter, face, { bytes: await readFile(file), intake: BAIDU_INTAKE });
    const response = idPhotoResponse(logId, result);
    if (opts.outDir) {
      const paths = await writeImages(opts.outDir, { cut: result.cut, demo: result.demo, scoremap: result.scoremap });
      response.seg_info = paths as typeof response.seg_info;
    }
    return response;
  } finally {
    await Promise.all([segmenter.close(), face.release()]);
  }
}

export const SEG_USAGE = `  body_seg <image> [--type ${SEG_IMAGE_TYPES.join(',')}] [--out-dir DIR] [--render out.png]
      --out-dir writes labelmap.png / scoremap.png / foreground.png there (the JSON then shows
      their paths instead of base64); --render writes the photo with the mask drawn over it
  body_seg_photo <image> [--out-dir DIR]   writes cut.jpg / demo.jpg / scoremap.png`;
