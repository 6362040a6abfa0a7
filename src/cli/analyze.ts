import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createBodyAnalyzer } from '../analysis/body.js';
import { createHandAnalyzer } from '../analysis/hands.js';
import { bodyAnalysisResponse, errorResponse } from '../api/baidu/format.js';
import { fingertipResponse, gestureResponse, handAnalysisResponse } from '../api/baidu/hands-format.js';
import { newLogId } from '../api/baidu/log-id.js';
import { ServiceError, toServiceError } from '../errors.js';
import { BAIDU_INTAKE, decodeImage } from '../intake/index.js';
import type { RgbImage } from '../types.js';
import { renderPersons } from '../render/skeleton.js';
import { renderGestures, renderHands } from '../render/hands.js';

/** What one API does in the CLI: the JSON the HTTP API would answer, and a picture of it. */
interface CliApi {
  open(): Promise<{ run(image: RgbImage, logId: number): Promise<{ json: object; render(): Promise<Buffer> }>; close(): Promise<void> }>;
}

const size = (image: RgbImage) => ({ width: image.width, height: image.height });

const handApi = (format: typeof handAnalysisResponse): CliApi => ({
  async open() {
    const analyzer = await createHandAnalyzer();
    return {
      async run(image, logId) {
        const hands = await analyzer.analyzeImage(image);
        return { json: format(logId, { image: size(image), hands }), render: () => renderHands(image, hands) };
      },
      close: () => analyzer.close(),
    };
  },
});

const CLI_APIS: Record<string, CliApi> = {
  body_analysis: {
    async open() {
      const analyzer = await createBodyAnalyzer();
      return {
        async run(image, logId) {
          const persons = await analyzer.analyzeImage(image);
          return { json: bodyAnalysisResponse(logId, { image: size(image), persons }), render: () => renderPersons(image, persons) };
        },
        close: () => analyzer.close(),
      };
    },
  },
  hand_analysis: handApi(handAnalysisResponse),
  fingertip: handApi(fingertipResponse),
  gesture: {
    async open() {
      const analyzer = await createHandAnalyzer();
      return {
        async run(image, logId) {
          const analysis = await analyzer.gestureImage(image);
          return { json: gestureResponse(logId, analysis), render: () => renderGestures(image, analysis.hands, analysis.gestures) };
        },
        close: () => analyzer.close(),
      };
    },
  },
};

const USAGE = `usage: bodylens analyze ${Object.keys(CLI_APIS).join('|')} <image> [--render out.png]

Runs the analysis in this process (no server) and prints the same JSON the HTTP API returns.
  --render <file>   also write the photo with the result drawn on it (PNG): skeletons and boxes
                    for people, a skeleton per hand, labelled boxes for gestures and faces`;

/** `bodylens analyze <api> <image>`: returns the process exit code. */
export async function runAnalyzeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { render: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [api, file] = positionals;
  if (values.help || !api || !file) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const entry = CLI_APIS[api];
  if (!entry) {
    console.error(`unknown API "${api}"; available: ${Object.keys(CLI_APIS).join(', ')}`);
    return 2;
  }
  const logId = newLogId();
  const analyzer = await entry.open();
  try {
    const bytes = await readFile(file);
    // Same intake rules as the HTTP API, so the CLI answers exactly what a client would get.
    const image = await decodeImage(bytes, BAIDU_INTAKE);
    const result = await analyzer.run(image, logId);
    console.log(JSON.stringify(result.json, null, 2));
    if (values.render) await writeFile(values.render, await result.render());
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
