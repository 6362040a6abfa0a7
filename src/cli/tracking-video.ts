/**
 * `bodylens analyze body_tracking clip.mp4 --area ... [--render out.mp4]`: a video fed to a
 * stateful API (body_tracking) as one case, frame by frame in order (timestamps from the video,
 * BODYLENS_VIDEO_MAX_SECONDS and BODYLENS_VIDEO_FRAME_STRIDE apply), printing each frame's
 * answer as the API gives it and the case's totals; `--render` writes the frames as `show`
 * draws them (IDs, areas, running totals) to an MP4.
 */
import type { BaiduEndpoint, Form } from '../api/baidu/endpoints.js';
import { frameDrawing, type BodyTrackingFrame, type BodyTrackingOptions } from '../capabilities/body_tracking/index.js';
import type { FrameCapabilityName } from '../capabilities/index.js';
import { loadVideoSettings } from '../config.js';
import type { Engine } from '../engine/engine.js';
import { renderTracking } from '../render/tracking.js';
import { FrameReader, probeVideo } from '../video/decode.js';
import { VideoWriter } from '../video/render.js';
import { expectedAnalysedFrames } from '../video/analyze.js';
import { Progress } from './progress.js';

export async function analyzeCaseVideo(engine: Engine, row: BaiduEndpoint, form: Form, file: string, logId: number, render?: string): Promise<object> {
  const settings = loadVideoSettings();
  const info = await probeVideo(file);
  const caseForm: Form = { ...form, dynamic: 'true' };
  const options = row.options(caseForm) as Partial<BodyTrackingOptions> & Pick<BodyTrackingOptions, 'areas' | 'lines'>;
  const frames: object[] = [];
  let state: unknown;
  let last: BodyTrackingFrame | undefined;
  let writer: VideoWriter | undefined;
  const progress = new Progress('body_tracking', expectedAnalysedFrames(info, settings.maxSeconds, settings.frameStride));
  try {
    for await (const { index, image } of new FrameReader(file, { stride: settings.frameStride, maxSeconds: settings.maxSeconds }).frames()) {
      const t = index / info.fps;
      const out = await engine.frame(row.capability as FrameCapabilityName, image, state as never, t, options as never);
      state = out.state;
      last = out.result as BodyTrackingFrame;
      frames.push({ frame: index, t: Number(t.toFixed(3)), ...row.shapeFrame!(logId, out.result as never, caseForm) });
      if (render) {
        writer ??= new VideoWriter(render, { width: image.width, height: image.height, fps: info.fps / settings.frameStride });
        await writer.write(await renderTracking(image, frameDrawing(options, last), 'raw'));
      }
      progress.update(frames.length);
    }
    progress.finish();
    await writer?.close();
    writer = undefined;
  } finally {
    writer?.abort();
  }
  return { log_id: logId, video: { fps: info.fps, width: info.width, height: info.height, frames: frames.length }, totals: last?.totals ?? { areas: [], lines: [] }, frames };
}
