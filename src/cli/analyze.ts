import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createBodyAnalyzer } from '../analysis/body.js';
import { createHandAnalyzer, type HandAnalyzer } from '../analysis/hands.js';
import { bodyAnalysisResponse, errorResponse } from '../api/baidu/format.js';
import { fingertipResponse, gestureResponse, handAnalysisResponse } from '../api/baidu/hands-format.js';
import { newLogId } from '../api/baidu/log-id.js';
import { toServiceError } from '../errors.js';
import { BAIDU_INTAKE, decodeImage } from '../intake/index.js';
import type { RgbImage } from '../types.js';
import { renderPersons } from '../render/skeleton.js';
import { renderGestures, renderHands } from '../render/hands.js';
import { SEG_USAGE, runBodySegCommand, runIdPhotoCommand, type SegCommandOptions } from './analyze-seg.js';
import { runPoseCommand } from './pose.js';

/** One Baidu API in the CLI: the JSON the HTTP API would answer (files written as options say). */
type CliApi = (file: string, logId: number, opts: SegCommandOptions) => Promise<object>;

interface Rendered {
  json: object;
  render(): Promise<Buffer>;
}

const size = (image: RgbImage) => ({ width: image.width, height: image.height });

/** An API that analyses one decoded image and can draw its result (`--render`). */
function imageApi<A extends { close(): Promise<void> }>(open: () => Promise<A>, run: (analyzer: A, image: RgbImage, logId: number) => Promise<Rendered>): CliApi {
  return async (file, logId, opts) => {
    const analyzer = await open();
    try {
      // Same intake rules as the HTTP API, so the CLI answers exactly what a client would get.
      const image = await decodeImage(await readFile(file), BAIDU_INTAKE);
      const result = await run(analyzer, image, logId);
      if (opts.render) await writeFile(opts.render, await result.render());
      return result.json;
    } finally {
      await analyzer.close();
    }
  };
}

const handApi = (format: typeof handAnalysisResponse): CliApi =>
  imageApi(() => createHandAnalyzer(), async (analyzer: HandAnalyzer, image, logId) => {
    const hands = await analyzer.analyzeImage(image);
    return { json: format(logId, { image: size(image), hands }), render: () => renderHands(image, hands) };
  });

const CLI_APIS: Record<string, CliApi> = {
  body_analysis: imageApi(() => createBodyAnalyzer(), async (analyzer, image, logId) => {
    const persons = await analyzer.analyzeImage(image);
    return { json: bodyAnalysisResponse(logId, { image: size(image), persons }), render: () => renderPersons(image, persons) };
  }),
  hand_analysis: handApi(handAnalysisResponse),
  fingertip: handApi(fingertipResponse),
  gesture: imageApi(() => createHandAnalyzer(), async (analyzer, image, logId) => {
    const analysis = await analyzer.gestureImage(image);
    return { json: gestureResponse(logId, analysis), render: () => renderGestures(image, analysis.hands, analysis.gestures) };
  }),
  body_seg: runBodySegCommand,
  body_seg_photo: runIdPhotoCommand,
};

const USAGE = `usage: bodylens analyze <api> <file> [options]

Runs the analysis in this process (no server) and prints the same JSON the HTTP API returns.
  body_analysis|hand_analysis|fingertip|gesture <image> [--render out.png]
      --render writes the photo with the result drawn on it (PNG): skeletons and boxes for
      people, a skeleton per hand, labelled boxes for gestures and faces
${SEG_USAGE}
  pose <image|video> [--render out.png|out.mp4] [--no-smoothing]
      Kakao Pose: the POST /pose array for a photo, the job result for a video (pose --help)`;

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
        type: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [api, file] = positionals;
  if (values.help || !api || !file) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const run = CLI_APIS[api];
  if (!run) {
    console.error(`unknown API "${api}"; available: ${Object.keys(CLI_APIS).join(', ')}, pose`);
    return 2;
  }
  const logId = newLogId();
  try {
    const json = await run(file, logId, { outDir: values['out-dir'], render: values.render, type: values.type });
    console.log(JSON.stringify(json, null, 2));
    return 0;
  } catch (err) {
    const error = toServiceError(err);
    console.log(JSON.stringify(errorResponse(logId, error), null, 2));
    if (error.detail) console.error(error.detail);
    return 1;
  }
}
