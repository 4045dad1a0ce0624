// Shared helpers for the black-box API tests (node:test, global fetch).
//
// Environment (set by tests/api/run.sh):
//   CK_BASE          http://127.0.0.1:PORT of a running `chuangkou serve`
//   CK_DB            the database URL the server uses (sqlite:/path or postgres://…)
//   CK_BACKEND       sqlite | pg
//   CK_SECRETS_FILE  optional; every password and session/device token the tests
//                    use is appended here (one per line) so run.sh can check that
//                    none of them leaked into the server's log.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';

export const BASE = (process.env.CK_BASE || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const DB = process.env.CK_DB || '';
export const BACKEND = process.env.CK_BACKEND || (DB.startsWith('sqlite:') ? 'sqlite' : 'pg');

// The accounts run.sh creates with `chuangkou user add` (keep in sync with run.sh).
export const ACCOUNTS = {
  t_admin: 'Adm1n-pass!',
  t_staff_a: 'Staff-A-pass1!',
  t_leader_t: 'Leader-T-pass1!',
  t_admin_b: 'Adm1n-B-pass!',
};

export function recordSecret(s) {
  if (!s || !process.env.CK_SECRETS_FILE) return;
  appendFileSync(process.env.CK_SECRETS_FILE, `${s}\n`);
}
for (const pw of Object.values(ACCOUNTS)) recordSecret(pw);

/** A unique suffix for codes/logins so tests never collide with each other. */
export function uniq(prefix = 'x') {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A strong password for accounts created by a test (recorded as a secret). */
export function newPassword() {
  const pw = `Pw-${randomBytes(6).toString('hex')}-9!`;
  recordSecret(pw);
  return pw;
}

function parseSetCookie(headers) {
  const list = typeof headers.getSetCookie === 'function' ? headers.getSetCookie() : [];
  return list.map((raw) => {
    const parts = raw.split(';').map((s) => s.trim());
    const [nv, ...attrs] = parts;
    const eq = nv.indexOf('=');
    const attrMap = {};
    for (const a of attrs) {
      const i = a.indexOf('=');
      if (i < 0) attrMap[a.toLowerCase()] = true;
      else attrMap[a.slice(0, i).toLowerCase()] = a.slice(i + 1);
    }
    return { raw, name: nv.slice(0, eq), value: nv.slice(eq + 1), attrs: attrMap };
  });
}

/**
 * One HTTP response, read fully: status, headers, raw bytes, text, parsed JSON
 * (or undefined when the body is not JSON) and the elapsed time in ms.
 */
async function readResponse(res, t0) {
  const buf = Buffer.from(await res.arrayBuffer());
  const text = buf.toString('utf8');
  let json;
  const ct = res.headers.get('content-type') || '';
  if (ct.includes('json') && text.length) {
    try { json = JSON.parse(text); } catch { json = undefined; }
  }
  return { status: res.status, headers: res.headers, buf, text, json, ms: Date.now() - t0 };
}

/**
 * A client that keeps the ck_session cookie and the CSRF token, like a browser
 * tab. `req(method, path, opts)`:
 *   opts.json     value sent as the JSON body
 *   opts.body     raw body (string/Buffer) instead of json
 *   opts.headers  extra headers
 *   opts.csrf     false → do not send X-CSRF-Token; a string → send that value
 *   opts.cookie   false → do not send the cookie
 *   opts.query    object appended as the query string
 */
export class Client {
  constructor(name = 'anon') {
    this.name = name;
    this.session = null;
    this.csrf = null;
    this.user = null;
    this.deviceToken = null;
  }

  async req(method, path, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    let body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = 'application/json';
      }
    } else if (opts.body !== undefined) {
      body = opts.body;
    }
    if (this.session && opts.cookie !== false) headers.Cookie = `ck_session=${this.session}`;
    if (this.deviceToken && !headers.Authorization) headers.Authorization = `Device ${this.deviceToken}`;
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method);
    if (unsafe && opts.csrf !== false) {
      if (typeof opts.csrf === 'string') headers['X-CSRF-Token'] = opts.csrf;
      else if (this.csrf) headers['X-CSRF-Token'] = this.csrf;
    }
    let url = BASE + path;
    if (opts.query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.query)) if (v !== undefined) qs.set(k, String(v));
      const s = qs.toString();
      if (s) url += (url.includes('?') ? '&' : '?') + s;
    }
    const t0 = Date.now();
    const res = await fetch(url, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeout ?? 30000),
    });
    const r = await readResponse(res, t0);
    r.cookies = parseSetCookie(res.headers);
    return r;
  }

  get(path, opts) { return this.req('GET', path, opts); }
  post(path, json, opts = {}) { return this.req('POST', path, { ...opts, json }); }
  patch(path, json, opts = {}) { return this.req('PATCH', path, { ...opts, json }); }
  put(path, opts) { return this.req('PUT', path, opts); }

  /** Log in; returns the raw response. On 200 keeps the cookie and csrf token. */
  async login(login, password) {
    const r = await this.req('POST', '/api/auth/login', { json: { login, password }, cookie: false, csrf: false });
    if (r.status === 200) {
      const c = r.cookies.find((x) => x.name === 'ck_session');
      if (c) {
        this.session = c.value;
        recordSecret(c.value);
      }
      this.csrf = r.json?.csrf_token ?? null;
      this.user = r.json?.user ?? null;
    }
    return r;
  }
}

/** A logged-in client for one of the run.sh accounts (asserts success). */
export async function loginAs(login, password = ACCOUNTS[login]) {
  const c = new Client(login);
  const r = await c.login(login, password);
  assert.equal(r.status, 200, `login ${login}: ${r.status} ${r.text}`);
  assert.ok(c.session, `login ${login}: no ck_session cookie`);
  assert.equal(typeof c.csrf, 'string', `login ${login}: no csrf_token`);
  return c;
}

/** A client authenticating as a device. */
export function deviceClient(token) {
  const c = new Client('device');
  c.deviceToken = token;
  recordSecret(token);
  return c;
}

/** Assert the JSON error envelope: status, code and (optionally) field. */
export function assertError(r, status, code, field) {
  const what = `${r.status} ${r.text.slice(0, 300)}`;
  assert.equal(r.status, status, `expected ${status} ${code}, got ${what}`);
  assert.match(r.headers.get('content-type') || '', /application\/json/, `error content-type: ${what}`);
  assert.ok(r.json && typeof r.json.error === 'object', `error envelope missing: ${what}`);
  assert.equal(r.json.error.code, code, `error code: ${what}`);
  assert.equal(typeof r.json.error.message, 'string', `error message: ${what}`);
  if (field !== undefined) {
    if (Array.isArray(field)) assert.ok(field.includes(r.json.error.field), `error field one of ${field}: ${what}`);
    else assert.equal(r.json.error.field, field, `error field: ${what}`);
  }
}

/** Assert a 2xx status (with the body in the message). */
export function assertStatus(r, status, ctx = '') {
  assert.equal(r.status, status, `${ctx} expected ${status}, got ${r.status} ${r.text.slice(0, 400)}`);
}

/** Fetch every page of a list endpoint. */
export async function listAll(client, path, query = {}) {
  const items = [];
  let total;
  for (let page = 1; page < 1000; page++) {
    const r = await client.get(path, { query: { ...query, page, per_page: 500 } });
    assertStatus(r, 200, `GET ${path}`);
    total = r.json.total;
    items.push(...r.json.items);
    if (r.json.items.length === 0 || items.length >= total) break;
  }
  return { items, total };
}

/** The list total for a query (per_page=1). */
export async function countOf(client, path, query = {}) {
  const r = await client.get(path, { query: { ...query, page: 1, per_page: 1 } });
  assertStatus(r, 200, `GET ${path}`);
  return r.json.total;
}

/**
 * Resolve the visible org tree into a map from code path ("/dist/hall-d/w01")
 * to node, using the client's own scope.
 */
export async function orgTree(client) {
  const { items } = await listAll(client, '/api/org/nodes');
  const byId = new Map(items.map((n) => [n.id, n]));
  const codePath = (n) => {
    const parts = [];
    for (let cur = n; cur; cur = cur.parent_id == null ? null : byId.get(cur.parent_id)) parts.unshift(cur.code);
    return '/' + parts.join('/');
  };
  const byCode = new Map();
  for (const n of items) byCode.set(codePath(n), n);
  return { items, byId, byCode };
}

/** The demo nodes the tests use, looked up as t_admin. */
export async function demoNodes(admin) {
  const { byCode } = await orgTree(admin);
  const need = (p) => {
    const n = byCode.get(p);
    assert.ok(n, `demo node ${p} not found`);
    return n;
  };
  return {
    dist: need('/dist'),
    hallA: need('/dist/hall-d'),
    town: need('/dist/town'),
    hallB: need('/dist/town/hall-t'),
    winA: need('/dist/hall-d/w01'),
    winA2: need('/dist/hall-d/w02'),
    winB: need('/dist/town/hall-t/w01'),
  };
}

/** Create a node as `client`, asserting 201. */
export async function createNode(client, parent, kind, extra = {}) {
  const body = { parent_id: parent.id ?? parent, kind, code: uniq(kind[0]), name: `测试${kind}`, ...extra };
  const r = await client.post('/api/org/nodes', body);
  assertStatus(r, 201, `create ${kind}`);
  return r.json;
}

/** Create a staff account as `client`, asserting 201; returns {staff, login, password}. */
export async function createStaff(client, nodeId, extra = {}) {
  const login = uniq('u');
  const password = newPassword();
  const r = await client.post('/api/staff', { login, name: '测试员', password, role: 'staff', node_id: nodeId, ...extra });
  assertStatus(r, 201, 'create staff');
  return { staff: r.json, login: extra.login ?? login, password: extra.password ?? password };
}

/** Prometheus text → array of {name, labels, value}. */
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/);
    if (!m) continue;
    const labels = {};
    if (m[3]) for (const lm of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

export function metricSum(metrics, name) {
  return metrics.filter((m) => m.name === name).reduce((a, m) => a + m.value, 0);
}

// ---------------------------------------------------------------- PNG bytes

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/**
 * A valid PNG of w×h RGB pixels. With `totalSize`, a private ancillary chunk
 * ("ckPd") pads the file to exactly that many bytes (still a valid PNG).
 */
export function makePng({ w = 2, h = 2, totalSize } = {}) {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc(h * (1 + 3 * w));
  for (let y = 0; y < h; y++) {
    raw[y * (1 + 3 * w)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (1 + 3 * w) + 1 + 3 * x;
      raw[o] = 200; raw[o + 1] = (x * 50) & 0xff; raw[o + 2] = (y * 80) & 0xff;
    }
  }
  const parts = [sig, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))];
  let png = Buffer.concat(parts);
  if (totalSize !== undefined) {
    const pad = totalSize - png.length - 12;
    if (pad < 0) throw new Error('totalSize too small');
    parts.splice(2, 0, pngChunk('ckPd', Buffer.alloc(pad, 0x61)));
    png = Buffer.concat(parts);
  }
  return png;
}

// ------------------------------------------------------------ database locks

/**
 * Hold a write lock on the database for `holdMs` from another process:
 * SQLite – `sqlite3 FILE` with BEGIN EXCLUSIVE; PostgreSQL – psql with
 * LOCK TABLE org_node IN ACCESS EXCLUSIVE MODE. Resolves once the lock is
 * really held; `release()` ends it early; `done` resolves when the process ends.
 */
export async function holdDbLock(holdMs = 4000) {
  let cmd;
  let args;
  let script;
  if (BACKEND === 'sqlite') {
    const file = DB.replace(/^sqlite:(\/\/)?/, '');
    cmd = 'sqlite3';
    args = ['-batch', file];
    script = ".timeout 5000\nBEGIN EXCLUSIVE;\nSELECT 'ck-locked';\n";
  } else {
    cmd = 'psql';
    args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', DB];
    script = "BEGIN;\nLOCK TABLE org_node IN ACCESS EXCLUSIVE MODE;\nSELECT 'ck-locked';\n";
  }
  const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const done = new Promise((resolve) => p.on('exit', (code) => resolve(code)));
  const ready = new Promise((resolve, reject) => {
    p.stdout.on('data', (d) => {
      out += d.toString();
      if (out.includes('ck-locked')) resolve();
    });
    p.stderr.on('data', (d) => { err += d.toString(); });
    p.on('exit', (code) => reject(new Error(`${cmd} exited ${code} before locking: ${err}`)));
    p.on('error', reject);
  });
  p.stdin.write(script);
  await ready;
  let released = false;
  const release = () => {
    if (released) return done;
    released = true;
    clearTimeout(timer);
    p.stdin.write('ROLLBACK;\n');
    if (BACKEND === 'sqlite') p.stdin.write('.quit\n');
    else p.stdin.write('\\q\n');
    p.stdin.end();
    return done;
  };
  const timer = setTimeout(release, holdMs);
  return { release, done, stderr: () => err };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The child of `parentId` with `code` (as seen by `client`), or undefined. */
export async function childByCode(client, parentId, code) {
  const { items } = await listAll(client, '/api/org/nodes', { parent_id: parentId });
  return items.find((n) => n.code === code);
}

/** The date (YYYY-MM-DD) and minute after midnight now in Asia/Shanghai, the halls' clock. */
export function shanghaiNow() {
  const t = new Date(Date.now() + 8 * 3600 * 1000);
  return { day: t.toISOString().slice(0, 10), minute: t.getUTCHours() * 60 + t.getUTCMinutes() };
}

/** A day in the working-day calendar: its exception (if any) and whether it is a working day; null when the year is unknown. */
export async function calendarDay(day) {
  const r = await new Client().get(`/api/calendar/${day.slice(0, 4)}`);
  if (r.status !== 200 || !r.json.known) return null;
  const ex = r.json.days.find((d) => d.date === day);
  const wd = new Date(`${day}T00:00:00Z`).getUTCDay();
  return { ex, workday: ex ? !ex.is_off : wd >= 1 && wd <= 5 };
}

/**
 * Make day a working day for a test (appointments are booked and checked in
 * on working days only). Returns { known: whether the calendar knows the
 * year, restore: an async function that undoes the edit }.
 */
export async function makeWorkday(admin, day) {
  const info = await calendarDay(day);
  if (!info || info.workday) return { known: info !== null, restore: async () => {} };
  if (info.ex) assertStatus(await admin.req('DELETE', `/api/calendar/days/${day}`), 204, 'clear day');
  const wd = new Date(`${day}T00:00:00Z`).getUTCDay();
  if (wd === 0 || wd === 6) {
    assertStatus(await admin.put(`/api/calendar/days/${day}`, { json: { is_off: false, name: '测试补班' } }), 200, 'set day');
  }
  return {
    known: true,
    restore: async () => {
      await admin.req('DELETE', `/api/calendar/days/${day}`);
      if (info.ex) await admin.put(`/api/calendar/days/${day}`, { json: { is_off: info.ex.is_off, name: info.ex.name } });
    },
  };
}

/**
 * Open an event stream (SSE) at path; collects parsed events ({id, event,
 * data}) and comments until closed. waitFor(pred, ms) resolves with the first
 * matching event.
 */
export function openEventStream(path, headers = {}) {
  const ctrl = new AbortController();
  const events = [];
  const comments = [];
  let waiters = [];
  const ready = (async () => {
    const res = await fetch(BASE + path, { headers, signal: ctrl.signal });
    return res;
  })();
  const pump = ready.then(async (res) => {
    if (res.status !== 200) return;
    const dec = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body) {
        buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = { id: null, event: 'message', data: '' };
          let isComment = true;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            isComment = false;
            const c = line.indexOf(':');
            const k = c < 0 ? line : line.slice(0, c);
            const v = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
            if (k === 'id') ev.id = v;
            else if (k === 'event') ev.event = v;
            else if (k === 'data') ev.data += v;
          }
          if (isComment) comments.push(block);
          else if (ev.data || ev.id) events.push(ev);
          waiters = waiters.filter((w) => !w());
        }
      }
    } catch {
      /* aborted */
    }
  });
  return {
    ready,
    events,
    comments,
    close: () => ctrl.abort(),
    done: pump,
    waitFor(pred, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred);
          if (hit) {
            resolve(hit);
            return true;
          }
          return false;
        };
        if (check()) return;
        const t = setTimeout(() => reject(new Error(`no matching event in ${ms} ms; got ${events.map((e) => e.event).join(',')}`)), ms);
        waiters.push(() => {
          if (check()) {
            clearTimeout(t);
            return true;
          }
          return false;
        });
      });
    },
  };
}
