/**
 * The SDK's generated types are current (scripts/gen-client-types.ts), and the client files
 * compile for browsers: DOM and ES2022 libraries only, no @types/node, no imports but each other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { clientTypesSource } from '../../../src/api/client-types.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const clientDir = join(root, 'src', 'client');

test('src/client/types.ts is what the schemas generate (else: node dist/scripts/gen-client-types.js)', () => {
  assert.equal(readFileSync(join(clientDir, 'types.ts'), 'utf8'), clientTypesSource());
});

test('the client imports only its own files', () => {
  for (const file of readdirSync(clientDir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(clientDir, file), 'utf8');
    const imports = [...text.matchAll(/^(?:import|export)\b[^;]*? from '([^']+)'/gm)].map((m) => m[1]);
    assert.deepEqual(imports.filter((i) => !i.startsWith('./')), [], `${file} imports`);
    assert.doesNotMatch(text, /\bBuffer\b|\bprocess\./, `${file} uses no Node globals`);
  }
});

test('the client type-checks with the DOM library and without Node types (tsconfig.client.json)', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.client.json'), '--noEmit'], { cwd: root, stdio: 'pipe' });
});
