import type { Person } from '../types.js';

/** Result of body keypoint analysis on one image, in original-image pixels. */
export interface BodyAnalysis {
  /** Size of the image after EXIF orientation was applied (the frame coordinates refer to). */
  image: { width: number; height: number };
  persons: Person[];
}
