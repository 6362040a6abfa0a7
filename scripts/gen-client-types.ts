/**
 * Writes src/client/types.ts, the SDK's option and result types, from the same tables and JSON
 * Schemas the server answers with (endpoint rows, Kakao and token schemas). Its output is
 * committed; test/unit/client/types.test.ts fails when it is stale.
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/gen-client-types.js
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientTypesSource } from '../src/api/client-types.js';

const out = join(fileURLToPath(new URL('../..', import.meta.url)), 'src', 'client', 'types.ts');
writeFileSync(out, clientTypesSource());
console.log(JSON.stringify({ file: out }));
