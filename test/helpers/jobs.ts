import type { Engine } from '../../src/engine/engine.js';
import type { Db } from '../../src/store/db.js';
import { DEFAULT_VIDEO_SETTINGS } from '../../src/config.js';
import { PoseJobs } from '../../src/video/jobs.js';

/** Video pose jobs on `engine` for app tests that never fetch a URL (a download fails). */
export function offlineJobs(db: Db, dataDir: string, engine: Engine): PoseJobs {
  return new PoseJobs({
    db,
    dataDir,
    settings: DEFAULT_VIDEO_SETTINGS,
    frame: (image, state, t, options) => engine.frame('body_analysis', image, state, t, options),
    download: async () => {
      throw new Error('no downloads here');
    },
  });
}
