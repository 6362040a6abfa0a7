import { loadConfig, type Config } from '../src/config.js';
import { fileURLToPath } from 'node:url';

/** Absolute path of a committed test fixture (works from dist/test as well as test/). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));
}

/** A service config for end-to-end tests: loopback, an ephemeral port, one worker, quiet logs. */
export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    BODYLENS_DATA_DIR: dataDir,
    BODYLENS_WORKERS: '1',
    BODYLENS_LOG_LEVEL: 'warn',
    ...env,
  });
}
