/**
 * Keeps the capability registry honest: every capability is documented, measured (or says why
 * not), benchmarked, exposed by a dialect and names only real models; the engine refuses what it
 * does not serve; and the folders keep their layering (no import cycles, vision/ knows no
 * capability, dialect or engine).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CAPABILITIES, capability, modelsFor, parseCapabilityList } from '../../../src/capabilities/index.js';
import { BAIDU_ENDPOINTS, BAIDU_PLANNED, baiduScopes } from '../../../src/api/baidu/endpoints.js';
import { MODELS, packageRoot } from '../../../src/runtime/models.js';
import { registeredSuites } from '../../../eval/run.js';
import { benchCaseNames } from '../../../bench/run.js';

const root = packageRoot();

const CJK = /[\u4e00-\u9fff]/;

describe('capability registry', () => {
  for (const cap of CAPABILITIES) {
    test(`${cap.name}: docs page, eval suite, bench case, a dialect row, known models`, () => {
      assert.ok(existsSync(join(root, cap.docs)), `${cap.docs} exists`);
      if (Array.isArray(cap.eval)) {
        assert.ok(cap.eval.length > 0, 'names at least one eval suite');
        const suites = registeredSuites().map((s) => s.name);
        for (const name of cap.eval) assert.ok(suites.includes(name), `eval suite ${name} is registered (have ${suites.join(', ')})`);
      } else {
        assert.ok((cap.eval as { unmeasured: string }).unmeasured.length > 20, 'says why it is not measured');
      }
      assert.ok(cap.bench.length > 0, 'has a bench case');
      for (const name of cap.bench) assert.ok(benchCaseNames().includes(name), `bench case ${name} exists`);
      const exposed = BAIDU_ENDPOINTS.some((e) => e.capability === cap.name);
      assert.ok(exposed || (cap.exposure?.length ?? 0) > 20, 'some dialect row calls it, or it says why none does yet');
      if (exposed) assert.equal(cap.exposure, undefined, 'a capability a dialect calls does not claim to be unexposed');
      for (const model of cap.models) assert.ok(MODELS.some((m) => m.name === model), `model ${model} is in the model registry`);
      const unfrozen = (v: unknown, at: string): string[] =>
        v && typeof v === 'object' && !ArrayBuffer.isView(v) ? [...(Object.isFrozen(v) ? [] : [at]), ...Object.entries(v).flatMap(([k, x]) => unfrozen(x, `${at}.${k}`))] : [];
      assert.deepEqual(unfrozen(cap.defaults, 'defaults'), [], 'defaults are frozen all the way down');
      assert.match(cap.summaryZh, CJK, 'a Chinese summary for the console');
    });
  }

  test('every endpoint field and summary has its Chinese for the console', () => {
    for (const row of BAIDU_ENDPOINTS) {
      for (const f of row.fields) assert.match(f.zh, CJK, `${row.name}.${f.name}`);
      if (row.summary !== undefined) assert.match(row.summaryZh ?? '', CJK, `${row.name} summary`);
    }
  });

  test('an unknown name fails with the list of valid ones', () => {
    assert.throws(() => capability('body_magic'), /unknown capability "body_magic"; valid capabilities: body_analysis, hand_analysis, gesture, body_seg, body_seg_photo, body_detection/);
    assert.throws(() => parseCapabilityList('body_analysis, nope'), /unknown capability "nope"; valid capabilities: .*gesture/);
    assert.deepEqual(parseCapabilityList(''), CAPABILITIES.map((c) => c.name));
    assert.deepEqual(parseCapabilityList(' gesture ,body_analysis,gesture'), ['gesture', 'body_analysis']);
  });

  test('a process serving one capability loads only its models; models shared by capabilities load once', () => {
    assert.deepEqual(modelsFor(['body_analysis']), ['movenet-multipose', 'movenet-thunder', 'centernet', 'movenet-lightning', 'blazepose-heavy']);
    const all = modelsFor(CAPABILITIES.map((c) => c.name));
    assert.equal(new Set(all).size, all.length);
    assert.ok(all.length < MODELS.filter((m) => !m.quantize).length, 'models no capability uses are not loaded (nor converted at install)');
  });

  test('endpoint rows: unique names, known capabilities, scopes derived for served and planned APIs', () => {
    const names = [...BAIDU_ENDPOINTS, ...BAIDU_PLANNED].map((e) => e.name);
    assert.equal(new Set(names).size, names.length);
    for (const row of BAIDU_ENDPOINTS) assert.doesNotThrow(() => capability(row.capability));
    const scopes = new Map(baiduScopes());
    assert.equal(scopes.get('body_analysis'), 'brain_body_analysis');
    assert.equal(scopes.get('body_tracking'), 'brain_body_tracking');
    assert.equal(scopes.has('fingertip'), false, 'fingertip has no scope of its own');
  });
});

/** Every relative import of every .ts file under src/, as folder → folder edges. */
function importGraph(): { files: Map<string, string[]> } {
  const src = join(root, 'src');
  const files = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => relative(src, resolve(dirname(path), m[1])));
        files.set(relative(src, path), targets);
      }
    }
  };
  walk(src);
  return { files };
}

/** The top folder of a path under src/ ('vision/crop.js' → 'vision'; 'config.js' → 'config'). */
const folderOf = (p: string) => p.split('/')[0].replace(/\.(js|ts)$/, '');

describe('layering (src/)', () => {
  const skipNoSource = !existsSync(join(root, 'src')) ? 'no src/ in this install' : false;

  test('vision/ imports nothing from capabilities/, api/, engine/', { skip: skipNoSource }, () => {
    const { files } = importGraph();
    const bad = [...files].filter(([f]) => folderOf(f) === 'vision').flatMap(([f, ts]) => ts.filter((t) => ['capabilities', 'api', 'engine'].includes(folderOf(t))).map((t) => `${f} → ${t}`));
    assert.deepEqual(bad, []);
  });

  test('no import cycle between folders', { skip: skipNoSource }, () => {
    const { files } = importGraph();
    const edges = new Map<string, Set<string>>();
    for (const [f, ts] of files) {
      for (const t of ts) {
        const a = folderOf(f), b = folderOf(t);
        if (a === b) continue;
        if (!edges.has(a)) edges.set(a, new Set());
        edges.get(a)!.add(b);
      }
    }
    // Depth-first search for a back edge; reports the first cycle found.
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    let cycle: string[] | undefined;
    const visit = (n: string) => {
      if (cycle) return;
      state.set(n, 'open');
      stack.push(n);
      for (const m of edges.get(n) ?? []) {
        if (state.get(m) === 'open') { cycle = [...stack.slice(stack.indexOf(m)), m]; return; }
        if (!state.has(m)) visit(m);
      }
      stack.pop();
      state.set(n, 'done');
    };
    for (const n of edges.keys()) if (!state.has(n)) visit(n);
    assert.equal(cycle?.join(' → '), undefined);
  });

  test('settings are read only in config.ts', { skip: skipNoSource }, () => {
    const { files } = importGraph();
    const readers = [...files.keys()].filter((f) => f !== 'config.ts' && /process\.env\b/.test(readFileSync(join(root, 'src', f), 'utf8')));
    assert.deepEqual(readers, []);
  });
});
