// bodylens console (docs/console.md): Try, Video and Apps views over the service's own routes.
// Plain ES modules, no framework, nothing fetched from elsewhere.
import { STRINGS, initialLanguage } from './i18n.js';
import { AreaDrawing, drawKakaoPersons } from './draw.js';
import { usageChart } from './chart.js';
import { snippet } from './snippets.js';

const $ = (sel) => document.querySelector(sel);
const store = {
  get: (k, where = localStorage) => { try { return where.getItem(`bodylens.${k}`); } catch { return null; } },
  set: (k, v, where = localStorage) => { try { where.setItem(`bodylens.${k}`, v); } catch { /* private mode */ } },
};

// --- language ---------------------------------------------------------------------------------
let lang = initialLanguage(store.get('lang'), navigator.languages?.length ? navigator.languages : [navigator.language]);
const t = (key, vars = {}) => (STRINGS[lang][key] ?? STRINGS.en[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
const relabel = [];
function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const b of document.querySelectorAll('#lang button')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  for (const f of relabel) f();
}
for (const b of document.querySelectorAll('#lang button')) {
  b.addEventListener('click', () => { lang = b.dataset.lang; store.set('lang', lang); applyLanguage(); });
}

function status(el, text, kind = '') {
  delete el.say;
  el.textContent = text;
  el.className = `status ${kind}`;
}
/** A status line from the string table: written again in the other language on a switch. */
function say(el, key, vars = {}, kind = '') {
  status(el, t(key, vars), kind);
  el.say = { key, vars };
}
relabel.push(() => { for (const el of document.querySelectorAll('.status')) if (el.say) el.textContent = t(el.say.key, el.say.vars); });

// --- views ------------------------------------------------------------------------------------
const VIEWS = ['try', 'video', 'apps'];
function show(view) {
  if (!VIEWS.includes(view)) view = 'try';
  for (const v of VIEWS) $(`#view-${v}`).hidden = v !== view;
  $('#creds').hidden = view === 'apps';
  for (const b of document.querySelectorAll('#nav button')) b.setAttribute('aria-pressed', String(b.dataset.view === view));
  document.body.dataset.view = view;
}
for (const b of document.querySelectorAll('#nav button')) b.addEventListener('click', () => { location.hash = b.dataset.view; });
window.addEventListener('hashchange', () => show(location.hash.slice(1)));

// --- credentials --------------------------------------------------------------------------------
const apiKey = $('#api-key'), secretKey = $('#secret-key'), accessToken = $('#access-token');
// Credentials last for the tab only (a Kakao API Key is the whole credential; tokens live 30 days).
apiKey.value = store.get('apiKey', sessionStorage) ?? '';
accessToken.value = store.get('token', sessionStorage) ?? '';
apiKey.addEventListener('change', () => store.set('apiKey', apiKey.value.trim(), sessionStorage));
accessToken.addEventListener('change', () => store.set('token', accessToken.value.trim(), sessionStorage));
$('#get-token').addEventListener('click', async () => {
  const q = new URLSearchParams({ grant_type: 'client_credentials', client_id: apiKey.value.trim(), client_secret: secretKey.value.trim() });
  const answer = await (await fetch(`/oauth/2.0/token?${q}`, { method: 'POST' })).json();
  if (!answer.access_token) return status($('#token-status'), `${answer.error ?? ''} ${answer.error_description ?? JSON.stringify(answer)}`, 'bad');
  accessToken.value = answer.access_token;
  store.set('token', answer.access_token, sessionStorage);
  store.set('apiKey', apiKey.value.trim(), sessionStorage);
  say($('#token-status'), 'token_ok', { s: answer.expires_in }, 'good');
});

/** Long strings (base64 pictures) shortened for reading; the request and response are unchanged. */
const readable = (json) => JSON.stringify(json, (_k, v) => (typeof v === 'string' && v.length > 160 ? `${v.slice(0, 60)}… (${v.length} chars)` : v), 2);

// --- the API list (from the dialect tables) --------------------------------------------------------
const apis = (await (await fetch('/console/api/apis')).json()).apis;
const apiSelect = $('#api');
function fillApiSelect() {
  const previous = apiSelect.value;
  apiSelect.textContent = '';
  for (const dialect of ['baidu', 'kakao']) {
    const group = document.createElement('optgroup');
    group.label = dialect === 'baidu' ? 'Baidu BODY' : 'Kakao Pose';
    for (const a of apis.filter((x) => x.dialect === dialect && x.name !== 'pose_job')) {
      const o = document.createElement('option');
      o.value = `${a.dialect}:${a.name}`;
      o.textContent = a.name + (a.planned ? ` (${t('planned')})` : !a.served ? ` (${t('not_served')})` : '');
      o.disabled = !a.served;
      group.append(o);
    }
    apiSelect.append(group);
  }
  apiSelect.value = previous || store.get('api') || 'baidu:body_analysis';
  if (!apiSelect.value || apiSelect.selectedOptions[0]?.disabled) apiSelect.value = [...apiSelect.options].find((o) => !o.disabled)?.value ?? '';
}
relabel.push(fillApiSelect);
const currentApi = () => apis.find((a) => `${a.dialect}:${a.name}` === apiSelect.value);

// --- Try ------------------------------------------------------------------------------------------
const preview = $('#preview');
const fieldValues = {};
let photo = null; // { base64, blob, image }
const tryArea = new AreaDrawing(preview, (text) => {
  const input = document.querySelector('#fields [name="area"]');
  if (input) { input.value = text; fieldValues.area = text; }
});

function buildFields() {
  const api = currentApi();
  const box = $('#fields');
  box.textContent = '';
  const summary = api && (lang === 'zh' ? api.summary_zh : api.summary);
  $('#api-summary').textContent = api ? summary + (api.dialect === 'kakao' ? ` ${t('kakao_uses_key')}` : '') : '';
  for (const f of api?.fields ?? []) {
    const label = document.createElement('label');
    const name = document.createElement('code');
    name.textContent = f.name;
    const input = document.createElement('input');
    input.name = f.name;
    input.spellcheck = false;
    input.value = fieldValues[f.name] ?? '';
    input.addEventListener('input', () => { fieldValues[f.name] = input.value; });
    const hint = document.createElement('span');
    hint.className = 'hint';
    hint.textContent = lang === 'zh' ? f.zh : f.description;
    label.append(name, input, hint);
    box.append(label);
  }
  const hasArea = Boolean(api?.fields.some((f) => f.name === 'area'));
  $('#area-tools').hidden = !hasArea;
  tryArea.enabled = hasArea;
  tryArea.redraw();
}
apiSelect.addEventListener('change', () => { store.set('api', apiSelect.value); buildFields(); });
relabel.push(buildFields);
$('#area-close').addEventListener('click', () => tryArea.close());
$('#area-clear').addEventListener('click', () => tryArea.clear());

async function usePhoto(blob) {
  const base64 = await new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
  const image = await createImageBitmap(blob).catch(() => null);
  photo = { base64, blob, image };
  tryArea.setImage(image);
  $('#result').removeAttribute('src');
  // How many photos have been read (tests and the bench wait for it before pressing Run).
  document.body.dataset.photos = String(Number(document.body.dataset.photos ?? 0) + 1);
}
$('#file').addEventListener('change', () => { const f = $('#file').files[0]; if (f) void usePhoto(f); });

let stream = null;
$('#camera').addEventListener('click', async () => {
  const video = $('#camera-video');
  try {
    stream ??= await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  } catch (err) {
    return say($('#try-status'), 'no_camera', { msg: err.message }, 'bad');
  }
  video.srcObject = stream;
  video.hidden = false;
  $('#snap').hidden = false;
  await video.play();
});
$('#snap').addEventListener('click', async () => {
  const video = $('#camera-video');
  const c = document.createElement('canvas');
  c.width = video.videoWidth;
  c.height = video.videoHeight;
  c.getContext('2d').drawImage(video, 0, 0);
  await usePhoto(await new Promise((resolve) => c.toBlob(resolve, 'image/jpeg', 0.92)));
});

/** The form fields of the selected API that have a value (the image apart). */
function filledFields(api) {
  const out = {};
  for (const f of api.fields) {
    const v = (fieldValues[f.name] ?? '').trim();
    if (v) out[f.name] = v;
  }
  return out;
}

let lastRequest = null;
let snippetKind = store.get('snippet') ?? 'curl';
function showSnippet() {
  for (const b of document.querySelectorAll('[data-snippet]')) b.setAttribute('aria-pressed', String(b.dataset.snippet === snippetKind));
  $('#snippet').textContent = lastRequest ? snippet(snippetKind, lastRequest, { origin: location.origin, apiKey: apiKey.value.trim() }) : '';
}
for (const b of document.querySelectorAll('[data-snippet]')) {
  b.addEventListener('click', () => { snippetKind = b.dataset.snippet; store.set('snippet', snippetKind); showSnippet(); });
}
$('#copy').addEventListener('click', async () => {
  await navigator.clipboard?.writeText($('#snippet').textContent).catch(() => undefined);
  say($('#try-status'), 'copied', {}, 'good');
});

/** The images the answer carries (masks, cut-outs), each with its name. */
function showFiles(files) {
  const list = $('#file-list');
  list.textContent = '';
  for (const f of files) {
    const fig = document.createElement('figure');
    const img = document.createElement('img');
    img.src = f.src;
    img.alt = f.name;
    const cap = document.createElement('figcaption');
    cap.textContent = f.name;
    fig.append(img, cap);
    list.append(fig);
  }
  $('#files').hidden = files.length === 0;
}

/** One call of a Baidu API through the console route: {response, render, files, ms}. */
async function tryBaidu(name, fields) {
  const token = accessToken.value.trim();
  const res = await fetch(`/console/api/try/${name}?access_token=${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return res.json();
}

$('#try-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const api = currentApi();
  const out = $('#try-status');
  if (!api) return;
  if (!photo) return say(out, 'need_image', {}, 'bad');
  if (api.dialect === 'baidu' && !accessToken.value.trim()) return say(out, 'need_token', {}, 'bad');
  if (api.dialect === 'kakao' && !apiKey.value.trim()) return say(out, 'need_token', {}, 'bad');
  const fields = filledFields(api);
  say(out, 'running', {});
  $('#run').disabled = true;
  const started = performance.now();
  try {
    let response;
    if (api.dialect === 'baidu') {
      const answer = await tryBaidu(api.name, { image: photo.base64, ...fields });
      response = answer.response ?? answer;
      if (answer.render) $('#result').src = answer.render;
      else $('#result').removeAttribute('src');
      if (answer.render_error) status(out, answer.render_error, 'bad');
      showFiles(answer.files ?? []);
    } else {
      const form = new FormData();
      form.append('file', photo.blob, 'photo.jpg');
      const res = await fetch(api.path, { method: 'POST', headers: { authorization: `KakaoAK ${apiKey.value.trim()}` }, body: form });
      response = await res.json();
      showFiles([]);
      if (res.ok && photo.image) $('#result').src = drawKakaoPersons(photo.image, response).toDataURL('image/png');
      else $('#result').removeAttribute('src');
    }
    $('#json').textContent = readable(response);
    const failed = response.error_code !== undefined ? { code: response.error_code, msg: response.error_msg } : response.code !== undefined && response.msg ? { code: response.code, msg: response.msg } : null;
    if (failed) say(out, 'error_code', failed, 'bad');
    else if (!out.classList.contains('bad')) say(out, 'done_in', { ms: Math.round(performance.now() - started) }, 'good');
    lastRequest = { dialect: api.dialect, name: api.name, path: api.path, fields };
    showSnippet();
  } catch (err) {
    status(out, err.message, 'bad');
  } finally {
    $('#run').disabled = false;
  }
});

// --- Video ------------------------------------------------------------------------------------------
const videoCanvas = $('#video-canvas');
const player = $('#video-player');
const videoArea = new AreaDrawing(videoCanvas, (text) => { $('#video-area').value = text; });
videoArea.enabled = true;
const seek = (time) => new Promise((resolve) => { player.addEventListener('seeked', resolve, { once: true }); player.currentTime = time; });
const frameCanvas = document.createElement('canvas');

$('#video-mode').addEventListener('change', () => { $('#tracking-options').hidden = $('#video-mode').value !== 'tracking'; videoArea.enabled = $('#video-mode').value === 'tracking'; });
$('#video-file').addEventListener('change', async () => {
  const f = $('#video-file').files[0];
  if (!f) return;
  player.src = URL.createObjectURL(f);
  await new Promise((resolve, reject) => { player.onloadeddata = resolve; player.onerror = () => reject(new Error('the browser cannot play this video')); }).catch((err) => status($('#video-status'), err.message, 'bad'));
  await seek(0);
  frameCanvas.width = player.videoWidth;
  frameCanvas.height = player.videoHeight;
  frameCanvas.getContext('2d').drawImage(player, 0, 0);
  videoArea.setImage(await createImageBitmap(frameCanvas));
});

function showCounters(pairs) {
  const dl = $('#counters');
  dl.textContent = '';
  for (const [k, v] of pairs) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = String(v);
    dd.dataset.counter = k;
    dl.append(dt, dd);
  }
}

async function runTracking() {
  const fps = Math.max(0.5, Number($('#video-fps').value) || 2);
  const max = Math.max(1, Number($('#video-max').value) || 40);
  const n = Math.min(max, Math.floor(player.duration * fps) + 1);
  const caseId = 1 + Math.floor(Math.random() * 2 ** 30);
  const area = $('#video-area').value.trim() || `1,1,${player.videoWidth},1,${player.videoWidth},${player.videoHeight},1,${player.videoHeight}`;
  const line = $('#video-line').value.trim();
  const progress = $('#video-progress');
  const ids = new Set();
  for (let i = 0; i < n; i++) {
    await seek(Math.min(i / fps, Math.max(0, player.duration - 0.001)));
    frameCanvas.getContext('2d').drawImage(player, 0, 0);
    const base64 = frameCanvas.toDataURL('image/jpeg', 0.9).replace(/^data:[^,]*,/, '');
    const fields = { image: base64, dynamic: 'true', case_id: String(caseId), case_init: i === 0 ? 'true' : 'false', area, show: 'true', totals: 'true', ...(line ? { line } : {}) };
    const answer = await tryBaidu('body_tracking', fields);
    const r = answer.response ?? answer;
    $('#video-json').textContent = readable(r);
    if (r.error_code !== undefined) return say($('#video-status'), 'error_code', { code: r.error_code, msg: r.error_msg }, 'bad');
    for (const p of r.person_info ?? []) ids.add(p.ID);
    if (answer.render) {
      const img = new Image();
      img.src = answer.render;
      await img.decode();
      videoCanvas.width = img.naturalWidth;
      videoCanvas.height = img.naturalHeight;
      videoCanvas.getContext('2d').drawImage(img, 0, 0);
    }
    progress.value = (i + 1) / n;
    say($('#video-status'), 'frames_sent', { i: i + 1, n });
    showCounters([[t('case_id'), caseId], [t('frames'), i + 1], [t('people'), r.person_num], [t('counted_in'), r.person_count?.in ?? 0], [t('counted_out'), r.person_count?.out ?? 0], ['IDs', [...ids].join(', ') || '–']]);
    const { image: _, ...sent } = fields;
    lastRequest = { dialect: 'baidu', name: 'body_tracking', path: '/rest/2.0/image-classify/v1/body_tracking', fields: sent };
  }
  say($('#video-status'), 'finished', {}, 'good');
}

async function runKakaoJob() {
  const file = $('#video-file').files[0];
  const key = apiKey.value.trim();
  if (!key) return say($('#video-status'), 'need_token', {}, 'bad');
  const form = new FormData();
  form.append('file', file, file.name);
  say($('#video-status'), 'uploading', {});
  const auth = { authorization: `KakaoAK ${key}` };
  const submitted = await (await fetch('/pose/job', { method: 'POST', headers: auth, body: form })).json();
  $('#video-json').textContent = readable(submitted);
  if (!submitted.job_id) return say($('#video-status'), 'error_code', { code: submitted.code, msg: submitted.msg }, 'bad');
  const progress = $('#video-progress');
  for (;;) {
    await new Promise((r) => setTimeout(r, 800));
    const res = await fetch(`/pose/job/${submitted.job_id}`, { headers: auth });
    const view = await res.json().catch(() => ({}));
    // An error answer (a key revoked meanwhile, 429, a restart) has no status: stop and show it.
    if (!res.ok || typeof view.status !== 'string') {
      $('#video-json').textContent = readable(view);
      return say($('#video-status'), 'error_code', { code: view.code ?? res.status, msg: view.msg ?? res.statusText }, 'bad');
    }
    progress.value = view.status === 'success' ? 1 : view.progress ?? 0;
    say($('#video-status'), 'job_state', { id: submitted.job_id.slice(0, 8), state: view.status, p: Math.round(progress.value * 100) }, view.status === 'failed' ? 'bad' : '');
    if (view.status === 'failed' || view.status === 'not found') { $('#video-json').textContent = readable(view); return; }
    if (view.status === 'success') { $('#video-json').textContent = readable(view); return playWithSkeletons(view); }
  }
}

/** The uploaded video played with each analysed frame's skeletons drawn over it. */
async function playWithSkeletons(result) {
  const byFrame = result.annotations ?? [];
  const fps = result.video?.fps || 30;
  showCounters([[t('frames'), byFrame.length], [t('people'), Math.max(0, ...byFrame.map((a) => a.objects.length))]]);
  videoCanvas.width = player.videoWidth;
  videoCanvas.height = player.videoHeight;
  const draw = () => {
    const n = Math.round(player.currentTime * fps);
    let best = byFrame[0];
    for (const a of byFrame) if (a.frame_num <= n) best = a;
    drawKakaoPersons(player, best ? best.objects : [], videoCanvas);
    if (!player.paused && !player.ended) requestAnimationFrame(draw);
  };
  await seek(0);
  draw();
  player.onplay = () => requestAnimationFrame(draw);
  player.onseeked = draw;
  await player.play().catch(() => undefined);
}

$('#video-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!$('#video-file').files[0] || !player.videoWidth) return say($('#video-status'), 'need_video', {}, 'bad');
  const mode = $('#video-mode').value;
  if (mode === 'tracking' && !accessToken.value.trim()) return say($('#video-status'), 'need_token', {}, 'bad');
  $('#video-run').disabled = true;
  $('#video-progress').value = 0;
  try {
    await (mode === 'tracking' ? runTracking() : runKakaoJob());
  } catch (err) {
    status($('#video-status'), err.message, 'bad');
  } finally {
    $('#video-run').disabled = false;
  }
});

// --- Apps (the /admin API) --------------------------------------------------------------------------
const adminKey = $('#admin-key');
adminKey.value = store.get('adminKey', sessionStorage) ?? '';
let apps = [];
let editing = null;
let usageApp = null;

async function admin(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { authorization: `Bearer ${adminKey.value.trim()}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${res.status} ${body.message ?? body.error ?? ''}`);
  return body;
}

const limitText = (v) => (v == null ? '∞' : String(v));
function renderApps() {
  const body = $('#apps-table tbody');
  body.textContent = '';
  for (const a of apps) {
    const tr = document.createElement('tr');
    tr.dataset.app = a.app_id;
    if (a.revoked_at) tr.className = 'revoked';
    if (usageApp === a.app_id) tr.classList.add('selected');
    const cells = [a.app_id, a.name, a.api_key, Array.isArray(a.apis) ? a.apis.join(', ') : a.apis, `${limitText(a.qps_limit)} / ${limitText(a.daily_limit)} / ${limitText(a.total_limit)}`, a.requests_today, a.revoked_at ? t('revoked') : t('active')];
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = String(c ?? '');
      tr.append(td);
    }
    const actions = document.createElement('td');
    actions.className = 'actions';
    const button = (label, action) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = t(label);
      b.dataset.action = label;
      b.addEventListener('click', () => void action().catch((err) => status($('#apps-status'), err.message, 'bad')));
      actions.append(b);
    };
    button('edit', async () => startEdit(a));
    button('show_usage', async () => showUsage(a.app_id));
    if (a.revoked_at) button('reinstate', async () => { await admin(`/admin/apps/${a.app_id}`, { method: 'PATCH', body: JSON.stringify({ revoked: false }) }); await loadApps(); });
    else button('revoke', async () => { if (confirm(t('confirm_revoke', { id: a.app_id }))) { await admin(`/admin/apps/${a.app_id}/revoke`, { method: 'POST' }); await loadApps(); } });
    button('rotate', async () => {
      if (!confirm(t('confirm_rotate', { id: a.app_id }))) return;
      const r = await admin(`/admin/apps/${a.app_id}/rotate-secret`, { method: 'POST' });
      say($('#secret-once'), 'secret_once', { sk: r.secret_key }, 'good');
      await loadApps();
    });
    tr.append(actions);
    body.append(tr);
  }
}
relabel.push(renderApps);

async function loadApps() {
  if (!adminKey.value.trim()) return say($('#apps-status'), 'need_admin', {}, 'bad');
  store.set('adminKey', adminKey.value.trim(), sessionStorage);
  apps = (await admin(`/admin/apps${$('#show-revoked').checked ? '?all=1' : ''}`)).apps;
  status($('#apps-status'), `${apps.length}`, 'good');
  renderApps();
}
$('#admin-load').addEventListener('click', () => void loadApps().catch((err) => status($('#apps-status'), err.message, 'bad')));
$('#show-revoked').addEventListener('change', () => void loadApps().catch((err) => status($('#apps-status'), err.message, 'bad')));

const appForm = $('#app-form');
function startEdit(a) {
  editing = a ? a.app_id : null;
  $('#app-form-title').dataset.i18n = a ? 'edit_app' : 'new_app';
  $('#app-save').dataset.i18n = a ? 'save' : 'create';
  applyLanguage();
  for (const name of ['name', 'apis', 'qps_limit', 'daily_limit', 'total_limit']) {
    const v = a?.[name];
    appForm.elements[name].value = v == null || v === 'all' ? '' : Array.isArray(v) ? v.join(',') : String(v);
  }
  status($('#secret-once'), a ? a.app_id : '');
}
$('#app-new').addEventListener('click', () => startEdit(null));
appForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const v = (name) => appForm.elements[name].value.trim();
  const limit = (name) => (v(name) ? Number(v(name)) : null);
  const input = { name: v('name') || undefined, apis: v('apis') || null, qps_limit: limit('qps_limit'), daily_limit: limit('daily_limit'), total_limit: limit('total_limit') };
  try {
    if (editing) {
      await admin(`/admin/apps/${editing}`, { method: 'PATCH', body: JSON.stringify(input) });
      status($('#secret-once'), editing, 'good');
    } else {
      const created = await admin('/admin/apps', { method: 'POST', body: JSON.stringify(Object.fromEntries(Object.entries(input).filter(([, x]) => x != null))) });
      status($('#secret-once'), `${created.app_id} · API Key ${created.api_key} · ${t('secret_once', { sk: created.secret_key })}`, 'good');
    }
    await loadApps();
  } catch (err) {
    status($('#secret-once'), err.message, 'bad');
  }
});

let usageRows = [];
async function showUsage(appId) {
  usageApp = appId;
  const from = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
  usageRows = (await admin(`/admin/apps/${appId}/usage?from=${from}`)).usage;
  $('#usage-app').textContent = appId;
  drawUsage();
  renderApps();
}
function drawUsage() {
  if (!usageApp) return;
  const to = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
  $('#usage-chart').innerHTML = usageChart(usageRows, { by: $('#usage-by').value, from, to, empty: t('no_usage'), yLabel: t('requests') });
}
$('#usage-by').addEventListener('change', drawUsage);
relabel.push(drawUsage);

// --- start ------------------------------------------------------------------------------------------
fillApiSelect();
buildFields();
show(location.hash.slice(1));
applyLanguage();
showSnippet();
document.body.dataset.ready = 'true';
performance.mark('bodylens-console-ready');
