/** hand_analysis: every hand with its box and 21 keypoints (also behind `fingertip`); docs/hands.md. */
import { defineCapability } from '../capability.js';
import { DEFAULT_HAND_OPTIONS, HAND_MODELS, analyzeHands, handModels, type Hand, type HandOptions } from '../../vision/hands.js';
import { renderHands } from '../../render/hands.js';

export type HandAnalysisOptions = HandOptions;
export const DEFAULT_HAND_ANALYSIS_OPTIONS: Readonly<HandAnalysisOptions> = DEFAULT_HAND_OPTIONS;

export interface HandAnalysis {
  image: { width: number; height: number };
  hands: Hand[];
}

export const handAnalysis = defineCapability({
  name: 'hand_analysis',
  summary: 'every hand: box and 21 hand keypoints',
  summaryZh: '每只手：手部框和 21 个手部关键点',
  models: HAND_MODELS,
  defaults: DEFAULT_HAND_ANALYSIS_OPTIONS,
  async run(models, image, options): Promise<HandAnalysis> {
    return { image: { width: image.width, height: image.height }, hands: await analyzeHands(handModels(models), image, options) };
  },
  render: (image, result) => renderHands(image, result.hands),
  docs: 'docs/hands.md',
  eval: ['hands'],
  bench: ['hand_analysis_1hand', 'hand_analysis_4hands'],
});
