// Fraud flags, the upstream push and the evaluation QR codes (issue 6):
// a burst from one browser and a streak of fast top marks are flagged by the
// sweep for the supervisor in scope (never deleted), with evidence and masked
// evaluations, and decided once with a note; the push writes every evaluation
// to the default file target, and a second server on the same database pushes
// to a small HTTP server here that refuses first (logged, backed off, retried on
// request) and then accepts; QR codes for tokens, windows and staff members.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, get as httpGet } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  BASE, Client, DB, loginAs, assertError, assertStatus, demoNodes, createStaff, createNode, recordSecret, sleep,
} from './helpers.mjs';

const anon = new Client('anon');
const ITEM = 'RS-YL-001'; // 即办件

let admin; // t_admin: admin at /dist, the root
let adminB; // t_admin_b: admin below the root
let leaderT; // t_leader_t: leader of /dist/town
let staffA; // t_staff_a
let supervisor; // supervisor at /dist
let nodes;
let hall;
let win;
let clerk; // works at win
let clerkId;
let settingsBefore;
const mine = []; // the evaluations this file made

async function until(what, fn, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

/** A ticket served at win and evaluated on the public page; returns the evaluation. */
async function evaluated(level, device) {
  const t = await clerk.post(`/api/halls/${hall.id}/tickets`, { item_code: ITEM });
  assertStatus(t, 201, 'issue');
  recordSecret(t.json.eval_token);
  assertStatus(await clerk.post(`/api/windows/${win.id}/call`, { code: t.json.code }), 200, 'call');
  assertStatus(await clerk.post(`/api/tickets/${t.json.id}/start`, {}), 200, 'start');
  assertStatus(await clerk.post(`/api/tickets/${t.json.id}/finish`, {}), 200, 'finish');
  const body = { token: t.json.eval_token, level, device };
  if (level <= 2) body.reasons = ['slow'];
  const r = await anon.post('/api/public/evaluations', body);
  assertStatus(r, 201, 'evaluate');
  mine.push(r.json.id);
  return r.json;
}

async function flagsOf(client, query) {
  const r = await client.get('/api/eval-flags', { query: { per_page: 500, ...query } });
  assertStatus(r, 200, 'flags');
  return r.json;
}

before(async () => {
  admin = await loginAs('t_admin');
  adminB = await loginAs('t_admin_b');
  leaderT = await loginAs('t_leader_t');
  staffA = await loginAs('t_staff_a');
  nodes = await demoNodes(admin);
  const sup = await createStaff(admin, nodes.dist.id, { role: 'supervisor', name: '督查员' });
  supervisor = await loginAs(sup.login, sup.password);
  hall = await createNode(admin, nodes.dist, 'hall', { name: '防刷测试厅' });
  win = await createNode(admin, hall, 'window', { code: 'f1', name: '防刷1号窗口' });
  const series = await admin.post(`/api/halls/${hall.id}/series`, { prefix: 'F', name: '防刷', item_codes: [ITEM] });
  assertStatus(series, 201, 'series');
  assertStatus(await admin.put(`/api/windows/${win.id}/profile`, { json: { series_ids: [series.json.id], mode: 'longest_wait' } }), 200);
  const s = await createStaff(admin, hall.id, { name: '防刷窗口员', badge_no: 'FS-001' });
  clerkId = s.staff.id;
  assertStatus(await admin.post(`/api/staff/${clerkId}/assignments`, { window_id: win.id }), 201, 'assign');
  clerk = await loginAs(s.login, s.password);
  assertStatus(await clerk.post(`/api/windows/${win.id}/open`, {}), 200, 'open');
  const g = await admin.get('/api/eval-settings');
  assertStatus(g, 200, 'settings');
  settingsBefore = g.json;
  // small thresholds: 3 from one browser within 10 minutes; 5 fast top marks in a row
  const p = await admin.put('/api/eval-settings', { json: { ...g.json, burst_n: 3, burst_s: 600, fast_s: 20, streak_n: 5 } });
  assertStatus(p, 200, 'settings');
});

after(async () => {
  if (settingsBefore) await admin.put('/api/eval-settings', { json: settingsBefore });
});

test('fraud flags: a burst from one browser is flagged, with evidence, for the supervisor in scope', async () => {
  const device = `api-burst-${randomBytes(6).toString('hex')}`;
  const evs = [];
  for (let i = 0; i < 3; i++) evs.push(await evaluated(4, device));
  const ids = evs.map((v) => v.id).sort((a, b) => a - b);
  const got = await until('three burst_device flags', async () => {
    const f = await flagsOf(supervisor, { kind: 'burst_device', node_id: win.id });
    const ours = f.items.filter((x) => ids.includes(x.evaluation_id));
    return ours.length === 3 ? ours : null;
  });
  for (const f of got) {
    assert.equal(f.kind, 'burst_device');
    assert.equal(f.status, 'open');
    assert.equal(f.node_id, win.id);
    assert.equal(f.node_name, '防刷1号窗口');
    assert.equal(f.staff_id, clerkId);
    assert.equal(f.staff_name, '防刷窗口员');
    assert.equal(f.region_id, nodes.dist.id);
    assert.equal(f.evaluation.level, 4);
    assert.equal(f.evaluation.channel, 'qr');
    assert.equal(f.evaluation.window_name, '防刷1号窗口');
    assert.equal(f.evidence.device, `${device.slice(0, 8)}…`, 'the device id is shortened');
    assert.equal(f.evidence.threshold, 3);
    assert.equal(f.evidence.window_s, 600);
    assert.ok(f.evidence.count >= 3);
    assert.ok(!JSON.stringify(f).includes(device), 'the whole device id is never shown');
  }
  // the address: every public evaluation here came from 127.0.0.1 (kept whole)
  const byIp = await flagsOf(supervisor, { kind: 'burst_ip', node_id: win.id });
  const ipFlag = byIp.items.find((x) => ids.includes(x.evaluation_id));
  assert.ok(ipFlag, 'the same address within the window is flagged too');
  assert.equal(ipFlag.evidence.ip, '127.0.0.1');

  // one flag with its evaluations, masked
  const one = await supervisor.get(`/api/eval-flags/${got[0].id}`);
  assertStatus(one, 200, 'flag');
  const listed = one.json.evaluations.map((v) => v.id);
  for (const id of ids) assert.ok(listed.includes(id), `evaluation ${id} is on the flag's page`);
  for (const v of one.json.evaluations) {
    if (!ids.includes(v.id)) continue;
    assert.equal(v.device, `${device.slice(0, 8)}…`);
    assert.equal(v.ip, '127.0.0.1');
    assert.equal(v.staff_id, clerkId);
    assert.ok(v.flags >= 1);
    assert.equal(v.evaluator, '');
    assert.equal(v.phone, undefined);
  }
  // filters
  assertError(await supervisor.get('/api/eval-flags', { query: { status: 'deleted' } }), 400, 'invalid', 'status');
  assertError(await supervisor.get('/api/eval-flags', { query: { kind: 'spam' } }), 400, 'invalid', 'kind');
  assertError(await supervisor.get('/api/eval-flags', { query: { node_id: 999999999 } }), 400, 'invalid', 'node_id');
  const confirmed = await flagsOf(supervisor, { status: 'confirmed', node_id: win.id });
  assert.equal(confirmed.total, 0);
  // who sees them: staff and devices never; a leader of another subtree not these
  assertError(await staffA.get('/api/eval-flags'), 403, 'forbidden');
  assertError(await clerk.get(`/api/eval-flags/${got[0].id}`), 403, 'forbidden');
  assertError(await leaderT.get(`/api/eval-flags/${got[0].id}`), 403, 'forbidden');
  assertError(await leaderT.get('/api/eval-flags', { query: { node_id: win.id } }), 403, 'forbidden', 'node_id');
  const theirs = await flagsOf(leaderT, {});
  assert.ok(!theirs.items.some((x) => ids.includes(x.evaluation_id)));
  assertError(await supervisor.get('/api/eval-flags/999999999'), 404, 'not_found');
  // the evaluation's own page counts its open flags; nothing was deleted
  const ev = await admin.get(`/api/evaluations/${ids[0]}`);
  assertStatus(ev, 200, 'evaluation');
  assert.ok(ev.json.flags >= 2);
});

test('fraud flags: a decision needs a note, is made once, is audited, and deletes nothing', async () => {
  const f = (await flagsOf(supervisor, { kind: 'burst_device', node_id: win.id, status: 'open' })).items[0];
  assert.ok(f, 'a flag to decide');
  const path = `/api/eval-flags/${f.id}/decide`;
  assertError(await supervisor.post(path, { status: 'confirmed' }), 400, 'invalid', 'note');
  assertError(await supervisor.post(path, { status: 'confirmed', note: '' }), 400, 'invalid', 'note');
  assertError(await supervisor.post(path, { status: 'deleted', note: 'x' }), 400, 'invalid', 'status');
  assertError(await supervisor.post(path, { status: 'confirmed', note: 'x', extra: 1 }), 400, 'invalid', 'extra');
  assertError(await clerk.post(path, { status: 'dismissed', note: '不是我' }), 403, 'forbidden');
  assertError(await leaderT.post(path, { status: 'dismissed', note: 'x' }), 403, 'forbidden');
  const ok = await supervisor.post(path, { status: 'confirmed', note: '同一浏览器连续评价，已核实' });
  assertStatus(ok, 200, 'decide');
  assert.equal(ok.json.status, 'confirmed');
  assert.equal(ok.json.note, '同一浏览器连续评价，已核实');
  assert.equal(ok.json.decided_by_name, '督查员');
  assert.ok(ok.json.decided_at > 0);
  assertError(await supervisor.post(path, { status: 'dismissed', note: 'again' }), 409, 'conflict', 'status');
  const confirmed = await flagsOf(supervisor, { status: 'confirmed', node_id: win.id });
  assert.ok(confirmed.items.some((x) => x.id === f.id));
  const audit = await admin.get('/api/audit', { query: { entity: 'eval_flag', entity_id: f.id } });
  assertStatus(audit, 200, 'audit');
  assert.ok(audit.json.items.some((a) => a.action === 'eval_flag.decide'));
  // the evaluation stays as it was
  const ev = await admin.get(`/api/evaluations/${f.evaluation_id}`);
  assertStatus(ev, 200, 'still there');
  assert.equal(ev.json.level, 4);
  assert.equal(ev.json.excluded, false);
});

test('fraud flags: five fast top marks in a row for one staff member are a streak', async () => {
  // a 3 first: whatever run was going ends here
  await evaluated(3, `api-s-${randomBytes(4).toString('hex')}`);
  const evs = [];
  for (let i = 0; i < 5; i++) evs.push(await evaluated(5, `api-s-${randomBytes(4).toString('hex')}`));
  const ids = evs.map((v) => v.id);
  const got = await until('five streak flags', async () => {
    const f = await flagsOf(supervisor, { kind: 'streak', node_id: win.id });
    const ours = f.items.filter((x) => ids.includes(x.evaluation_id));
    return ours.length === 5 ? ours : null;
  });
  const f = got.find((x) => x.evaluation_id === ids[4]);
  assert.equal(f.staff_id, clerkId);
  assert.equal(f.evidence.threshold, 5);
  assert.equal(f.evidence.within_s, 80);
  assert.equal(f.evidence.count, 5);
  assert.deepEqual(f.evidence.evaluations.map((v) => v.id), ids);
  for (const v of f.evidence.evaluations) assert.ok(v.after_s >= 0 && v.after_s <= 80);
  // the supervisor of the region sees them all on one list, newest first
  const all = await flagsOf(supervisor, { node_id: hall.id });
  for (let i = 1; i < all.items.length; i++) assert.ok(all.items[i - 1].id > all.items[i].id);
});

test('QR codes: a token, a window or a staff member as SVG; bad or unknown ones refused', async () => {
  const w = await anon.get('/api/public/evaluations/qr', { query: { window_id: win.id } });
  assertStatus(w, 200, 'window QR');
  assert.match(w.headers.get('content-type'), /^image\/svg\+xml/);
  assert.match(w.headers.get('cache-control'), /^public, max-age=\d+/);
  assert.match(w.text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="256" height="256" viewBox="0 0 (\d+) \1"/);
  assert.match(w.text, /<path fill="#000" d="(M\d+ \d+h\d+v1h-\d+z)+"\/><\/svg>\n$/);
  const s = await anon.get('/api/public/evaluations/qr', { query: { staff_id: clerkId, size: 512 } });
  assertStatus(s, 200, 'staff QR');
  assert.match(s.text, /width="512" height="512"/);
  // a longer link (another host) needs at least as large a symbol
  const viewBox = (t) => Number(/viewBox="0 0 (\d+)/.exec(t)[1]);
  const long = await withHost(`/api/public/evaluations/qr?window_id=${win.id}`,
    'zwfw.a-rather-long-host-name-for-this-hall.example.gov.cn');
  assert.equal(long.status, 200, 'window QR with a long host');
  assert.ok(viewBox(long.text) > viewBox(w.text), 'the link follows the Host');
  assert.equal(long.headers.vary, 'Host, X-Forwarded-Proto');
  // a Host that is no host name is not put into a link
  const odd = await withHost(`/api/public/evaluations/qr?window_id=${win.id}`, 'x"><script>');
  assert.equal(odd.status, 200);
  assert.ok(!odd.text.includes('script'));
  const tok = await anon.get('/api/public/evaluations/qr', { query: { token: 'AbCdEfGhIjKlMnOpQrStUv_-' } });
  assertStatus(tok, 200, 'token QR');
  assert.match(tok.headers.get('cache-control'), /^private/);
  assertError(await anon.get('/api/public/evaluations/qr', { query: { token: 'short' } }), 400, 'invalid', 'token');
  assertError(await anon.get('/api/public/evaluations/qr', { query: { token: 'AbCdEfGhIjKlMnOpQrStUv_!' } }), 400, 'invalid', 'token');
  assertError(await anon.get('/api/public/evaluations/qr'), 400, 'invalid', 'token');
  assertError(await anon.get('/api/public/evaluations/qr', { query: { window_id: win.id, staff_id: clerkId } }), 400, 'invalid');
  assertError(await anon.get('/api/public/evaluations/qr', { query: { window_id: hall.id } }), 404, 'not_found', 'window_id');
  assertError(await anon.get('/api/public/evaluations/qr', { query: { window_id: 999999999 } }), 404, 'not_found', 'window_id');
  assertError(await anon.get('/api/public/evaluations/qr', { query: { staff_id: 999999999 } }), 404, 'not_found', 'staff_id');
  assertError(await anon.get('/api/public/evaluations/qr', { query: { window_id: win.id, size: 10 } }), 400, 'invalid', 'size');
  assertError(await anon.get('/api/public/evaluations/qr', { query: { window_id: win.id, colour: 'red' } }), 400, 'invalid', 'colour');
  // a deactivated window has no code
  const gone = await createNode(admin, hall, 'window', { code: 'f9', name: '停用窗口' });
  assertStatus(await admin.patch(`/api/org/nodes/${gone.id}`, { active: false }), 200, 'deactivate');
  assertError(await anon.get('/api/public/evaluations/qr', { query: { window_id: gone.id } }), 404, 'not_found', 'window_id');
});

test('upstream push: the default target is a JSON-lines file beside the data key; admins at the root see it', async () => {
  assertError(await adminB.get('/api/eval-push'), 403, 'forbidden');
  assertError(await staffA.get('/api/eval-push'), 403, 'forbidden');
  assertError(await supervisor.get('/api/eval-push'), 403, 'forbidden');
  assertError(await adminB.post('/api/eval-push/retry', {}), 403, 'forbidden');
  const keyFile = process.env.CHUANGKOU_KEY_FILE;
  assert.ok(keyFile, 'run.sh sets the data key file');
  const dir = join(dirname(keyFile), 'upstream');
  const st = await until('the backlog to drain', async () => {
    const r = await admin.get('/api/eval-push');
    assertStatus(r, 200, 'status');
    return r.json.backlog === 0 && r.json.cursor >= Math.max(...mine) ? r.json : null;
  });
  assert.equal(st.kind, 'file');
  assert.equal(st.enabled, true);
  assert.equal(st.target, `file:${dir}`);
  assert.ok(st.pushed >= mine.length);
  assert.ok(st.last_success_at > 0);
  assert.equal(st.attempt, 0);
  assert.deepEqual(st.failures, []);
  const records = new Map();
  for (const f of readdirSync(dir)) {
    assert.match(f, /^evaluations-\d{8}\.jsonl$/);
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line) continue;
      const rec = JSON.parse(line);
      records.set(rec.evaluationId, rec);
    }
  }
  for (const id of mine) assert.ok(records.has(id), `evaluation ${id} is in the file`);
  const rec = records.get(mine[0]);
  const ev = await admin.get(`/api/evaluations/${mine[0]}`);
  assert.equal(rec.recordId, ev.json.hash, 'the record id is the chain hash');
  assert.equal(rec.pushVersion, 1);
  assert.equal(rec.serviceCode, ITEM);
  assert.match(rec.projNo, /^\d{8}-.+-F\d{3,4}$/);
  assert.equal(rec.areaCode, 'dist');
  assert.equal(rec.windowCode, 'f1');
  assert.equal(rec.handleState, 'finished');
  assert.equal(rec.channel, 'qr');
  assert.equal(rec.channelCode, 2);
  assert.match(rec.evaluateTime, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  assert.deepEqual(rec.evaluatedStaff, [{ staffId: clerkId, name: '防刷窗口员', badgeNo: 'FS-001' }]);
  assert.equal(rec.applicantPhone, undefined, 'no phone unless the installation asks');
  // retry with nothing waiting: the same figures
  const r = await admin.post('/api/eval-push/retry', {});
  assertStatus(r, 200, 'retry');
  assert.equal(r.json.backlog, 0);
});

/** GET path from the server under test with a Host header of our choosing
 * (fetch does not let one set it). */
function withHost(path, host) {
  const { hostname, port } = new URL(BASE);
  return new Promise((resolve, reject) => {
    const req = httpGet({ hostname, port, path, headers: { Host: host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

test('upstream push over HTTP (a second server on the same database): refused, logged, retried on request, accepted', async (t) => {
  const bin = process.env.CK_BIN;
  assert.ok(bin && existsSync(bin), 'run.sh names the binary in CK_BIN');
  // the province's end: 503 first, then 200
  const seen = [];
  const province = createHttpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body });
      if (seen.length === 1) {
        res.writeHead(503, { 'Content-Type': 'text/plain' });
        res.end('busy: come back later');
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"accepted":true}');
      }
    });
  });
  await new Promise((r) => province.listen(0, '127.0.0.1', r));
  const upPort = province.address().port;
  const token = `up-${randomBytes(12).toString('hex')}`;
  const password = `pw${randomBytes(8).toString('hex')}`;
  const key = `k${randomBytes(8).toString('hex')}`;
  recordSecret(token);
  recordSecret(password);
  const port = await freePort();
  const tmp = mkdtempSync(join(tmpdir(), 'ck-push-'));
  writeFileSync(join(tmp, 'index.html'), '<!doctype html><title>x</title>\n');
  const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--db', DB, '--web', tmp], {
    env: {
      ...process.env,
      CHUANGKOU_UPSTREAM_TARGET: `http://ck:${password}@127.0.0.1:${upPort}/collect?key=${key}`,
      CHUANGKOU_UPSTREAM_TOKEN: token,
      CHUANGKOU_UPSTREAM_INTERVAL: '1',
      CHUANGKOU_UPSTREAM_BATCH: '1000',
      CHUANGKOU_UPSTREAM_RETRY_MIN: '3600',
      CHUANGKOU_UPSTREAM_RETRY_MAX: '3600',
      CHUANGKOU_EVAL_SWEEP_MS: '3600000',
      CHUANGKOU_CASE_SWEEP_MS: '3600000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => { log += d.toString(); });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    province.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const headers = { Cookie: `ck_session=${admin.session}` };
    if (method !== 'GET') {
      headers['X-CSRF-Token'] = admin.csrf;
      headers['Content-Type'] = 'application/json';
    }
    const r = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, json: await r.json() };
  };
  await until('the second server', async () => {
    try {
      return (await fetch(`${base}/healthz`)).ok;
    } catch {
      return false;
    }
  });
  // refused: one failure logged, the cursor stays, the next try is an hour away
  const failed = await until('the first attempt to fail', async () => {
    const r = await call('GET', '/api/eval-push');
    assert.equal(r.status, 200);
    return r.json.attempt === 1 ? r.json : null;
  });
  assert.equal(failed.kind, 'http');
  assert.equal(failed.target, `http://127.0.0.1:${upPort}/collect`, 'no credentials, no query');
  assert.equal(failed.cursor, 0, 'a new target starts from the first evaluation');
  assert.ok(failed.backlog >= mine.length);
  assert.equal(failed.failures.length, 1);
  assert.equal(failed.failures[0].attempt, 1);
  assert.equal(failed.failures[0].error, 'HTTP 503: busy: come back later');
  assert.ok(failed.failures[0].evaluation_id >= 1);
  assert.ok(failed.next_attempt_at - Date.now() / 1000 > 3000, 'backed off');
  await sleep(1500);
  assert.equal(seen.length, 1, 'nothing is sent again before the delay');
  // retried on request, then accepted
  const retry = await call('POST', '/api/eval-push/retry', {});
  assert.equal(retry.status, 200);
  const done = await until('the backlog to drain', async () => {
    const r = await call('GET', '/api/eval-push');
    return r.json.backlog === 0 ? r.json : null;
  });
  assert.equal(done.cursor, done.last_evaluation_id);
  assert.equal(done.attempt, 0);
  assert.ok(done.last_success_at > 0);
  assert.ok(done.pushed >= mine.length);
  assert.equal(done.failures.length, 1, 'the failure stays in the log');
  assert.ok(seen.length >= 2);
  for (const s of seen) {
    assert.equal(s.method, 'POST');
    assert.equal(s.url, `/collect?key=${key}`);
    assert.equal(s.auth, `Bearer ${token}`);
    assert.equal(s.type, 'application/json; charset=utf-8');
  }
  assert.equal(seen[1].body, seen[0].body, 'the refused batch is sent again as it was');
  const records = seen.slice(1).flatMap((s) => JSON.parse(s.body));
  const byId = new Map(records.map((r) => [r.evaluationId, r]));
  for (const id of mine) assert.ok(byId.has(id), `evaluation ${id} went out`);
  const rec = byId.get(mine[mine.length - 1]);
  assert.match(rec.recordId, /^[0-9a-f]{64}$/);
  assert.equal(rec.levelName, '非常满意');
  assert.ok(!seen.some((s) => /applicantPhone|applicantId/.test(s.body)));
  // the main server's own file target did not move because of this one
  const main = await admin.get('/api/eval-push');
  assert.equal(main.json.kind, 'file');
  // stop it; it logged no credential and no sanitizer report
  child.kill('SIGTERM');
  const { code } = await exited;
  assert.equal(code, 0, 'the second server stops cleanly');
  for (const secret of [token, password, key]) assert.ok(!log.includes(secret), 'a credential in the log');
  assert.ok(!/ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/.test(log), log.slice(-2000));
  assert.match(log, /comp=upstream msg="push failed"/);
});
