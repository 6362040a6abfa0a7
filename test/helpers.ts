import { fileURLToPath } from 'node:url';

/** Absolute path of a committed test fixture (works from dist/test as well as test/). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));
}
