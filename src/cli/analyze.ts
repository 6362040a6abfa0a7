import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createBodyAnalyzer } from '../analysis/body.js';
import { bodyAnalysisResponse, errorResponse } from '../api/baidu/format.js';
import { newLogId } from '../api/baidu/log-id.js';
import { ServiceError, toServiceError } from '../errors.js';
import { BAIDU_INTAKE, decodeImage } from '../intake/index.js';
import { renderPersons } from '../render/skeleton.js';
import { runPoseCommand } from './pose.js';
import { SEG_USAGE, runBodySegCommand, runIdPhotoCommand } from './analyze-seg.js';

const USAGE = `usage: bodylens analyze <api> <file> [options]

Runs the analysis in this process (no server) and prints the same JSON the HTTP API returns.
  body_analysis <image> [--render out.png]
      --render writes the photo with boxes and skeletons drawn on it (PNG)
  pose <image|video> [--render out.png|out.mp4] [--no-smoothing]
      Kakao Pose: the POST /pose array for a photo, the job result for a video (pose --help)
${SEG_USAGE}`;

/** `bodylens analyze <api> <image>`: returns the process exit code. */
export async function runAnalyzeCommand(argv: string[]): Promise<number> {
  if (argv[0] === 'pose') return runPoseCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      render: { type: 'string' },
      'out-dir': { type: 'string' },
      type: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [api, file] = positionals;
  if (values.help || !api || !file) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const segApis: Record<string, typeof runBodySegCommand> = { body_seg: runBodySegCommand, body_seg_photo: runIdPhotoCommand };
  if (api !== 'body_analysis' && !segApis[api]) {
    console.error(`unknown API "${api}"; available: body_analysis, pose, ${Object.keys(segApis).join(', ')}`);
    return 2;
  }
  const logId = newLogId();
  if (segApis[api]) {
    try {
      console.log(JSON.stringify(await segApis[api](file, logId, { outDir: values['out-dir'], render: values.render, type: values.type }), null, 2));
      return 0;
    } catch (err) {
      const error = toServiceError(err);
      console.log(JSON.stringify(errorResponse(logId, error), null, 2));
      if (error.detail) console.error(error.detail);
      return 1;
    }
  }
  const analyzer = await createBodyAnalyzer();
  try {
    const bytes = await readFile(file);
    // Same intake rules as the HTTP API, so the CLI answers exactly what a client would get.
    const image = await decodeImage(bytes, BAIDU_INTAKE);
    const persons = await analyzer.analyzeImage(image);
    console.log(JSON.stringify(bodyAnalysisResponse(logId, { image: { width: image.width, height: image.height }, persons }), null, 2));
    if (values.render) await writeFile(values.render, await renderPersons(image, persons));
    return 0;
  } catch (err) {
    const error = err instanceof ServiceError ? err : toServiceError(err);
    console.log(JSON.stringify(errorResponse(logId, error), null, 2));
    if (error.detail) console.error(error.detail);
    return 1;
  } finally {
    await analyzer.close();
  }
}
