// 好差评 configuration and figures: a region's 差评 reasons (admin at the root
// writes; code rules; duplicates 409; labels and sort patched), indicator set
// versions (a publish keeps the old versions and moves `current`; weights are
// not part of a set), the metrics (period and grouping checks, scope, the
// rates with their null cases, dimension averages, drill-down filters) and
// the month's window ranking. The figures are read from the rollups, which
// the test writes with SQL in 2019 (a period nothing else touches).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, createNode, createStaff, deviceClient,
  recordSecret, shanghaiNow, DB, BACKEND,
} from './helpers.mjs';

const anon = new Client('anon');
let admin; // t_admin, admin at /dist (the region's root)
let adminB; // t_admin_b, admin at /dist/town/hall-t
let leaderT; // t_leader_t, leader at /dist/town
let staffA; // t_staff_a, staff at /dist/hall-d
let nodes;
let items; // two catalogue items {id, code}
let setsBefore; // the region's current sets, restored at the end

function sql(text) {
  const r = BACKEND === 'sqlite'
    ? spawnSync('sqlite3', ['-batch', DB.replace(/^sqlite:(\/\/)?/, ''), text], { encoding: 'utf8' })
    : spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', DB, '-c', text], { encoding: 'utf8' });
  assert.equal(r.status, 0, `sql failed: ${r.stderr}`);
  return r.stdout.trim();
}

const COLS = 'n1, n2, n3, n4, n5, active, active_good, defaulted, unrated, bad, excluded, bad_replied, bad_rectified, bad_satisfied';

function rollup(day, windowId, staffId, itemId, channel, setId, counts, dims = []) {
  const d = [...dims, 0, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 9);
  sql(`INSERT INTO eval_rollup (day, window_id, staff_id, item_id, channel, set_id, ${COLS},`
    + ' dim_n, dim1, dim2, dim3, dim4, dim5, dim6, dim7, dim8)'
    + ` VALUES ('${day}', ${windowId}, ${staffId}, ${itemId}, '${channel}', ${setId}, ${counts.join(', ')}, ${d.join(', ')})`);
}

function monthRow(month, windowId, counts) {
  sql(`INSERT INTO eval_month_window (month, window_id, ${COLS}) VALUES ('${month}', ${windowId}, ${counts.join(', ')})`);
}

const code = (p = 't') => `${p}_${randomBytes(4).toString('hex')}`;

let offlineSet; // a stored offline set id with speed, attitude (for the dims)

before(async () => {
  admin = await loginAs('t_admin');
  adminB = await loginAs('t_admin_b');
  leaderT = await loginAs('t_leader_t');
  staffA = await loginAs('t_staff_a');
  nodes = await demoNodes(admin);
  items = sql('SELECT id, code FROM catalog_item ORDER BY id LIMIT 2').split('\n').map((l) => {
    const [id, c] = l.split('|');
    return { id: Number(id), code: c };
  });
  const r = await admin.get('/api/eval-indicator-sets', { query: { region_id: nodes.dist.id } });
  assertStatus(r, 200, 'sets before');
  setsBefore = r.json.items.filter((s) => s.current);
  // a set for the rollups' dimension sums, stored directly under the town (no
  // root region, so no suite evaluates with it)
  offlineSet = Number(sql(`INSERT INTO eval_indicator_set (region_id, kind, version, current, published_at)
    VALUES (${nodes.town.id}, 'offline', 900, 0, 1) RETURNING id`).split('\n')[0]);
  sql(`INSERT INTO eval_indicator (set_id, pos, code, name_zh, name_en) VALUES
    (${offlineSet}, 1, 'speed', '服务效率', 'Efficiency'), (${offlineSet}, 2, 'attitude', '服务态度', 'Attitude')`);

  const sA = staffA.user.id;
  const [i1, i2] = items;
  // winA, 2019-03-04, tablet: levels 5,5,4,1 (the 1 replied, rectified, satisfied); 2 unrated
  rollup('2019-03-04', nodes.winA.id, sA, i1.id, 'tablet', offlineSet, [1, 0, 0, 1, 2, 4, 3, 0, 2, 1, 0, 1, 1, 1], [4, 18, 16]);
  // winA, 2019-03-05, qr: one 2 (not replied yet) and one excluded 1
  rollup('2019-03-05', nodes.winA.id, sA, i2.id, 'qr', 0, [1, 1, 0, 0, 0, 2, 0, 0, 0, 1, 1, 0, 0, 0]);
  // winA2, another staff member (0 = none), 2019-03-05: one defaulted 3
  rollup('2019-03-05', nodes.winA2.id, 0, i1.id, 'system', 0, [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  // winB (the town), 2019-04-01: 5,5
  rollup('2019-04-01', nodes.winB.id, 0, i1.id, 'web', 0, [0, 0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0]);
  monthRow('2019-03', nodes.winA.id, [2, 1, 0, 1, 2, 6, 3, 0, 2, 2, 1, 1, 1, 1]);
  monthRow('2019-03', nodes.winA2.id, [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  monthRow('2019-03', nodes.winB.id, [0, 0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0]);
});

after(async () => {
  // what the suite published as current goes back to the sets it found
  for (const s of setsBefore || []) {
    const r = await admin.get('/api/eval-indicator-sets', { query: { region_id: nodes.dist.id, kind: s.kind } });
    const cur = r.json.items.find((x) => x.current);
    const same = cur && JSON.stringify(cur.items) === JSON.stringify(s.items);
    if (!same && cur && !cur.builtin) {
      await admin.post('/api/eval-indicator-sets', {
        region_id: nodes.dist.id,
        kind: s.kind,
        items: s.items.map(({ code: c, name_zh, name_en }) => ({ code: c, name_zh, name_en })),
      });
    }
  }
});

// ---------------------------------------------------------------- reasons

test('reasons: any staff of the region reads; the built-in list shows until one is stored', async () => {
  for (const c of [admin, adminB, leaderT, staffA]) {
    const r = await c.get('/api/eval-reasons');
    assertStatus(r, 200, `GET reasons as ${c.name}`);
    assert.ok(r.json.items.length > 0, 'a region always has reasons');
    for (const x of r.json.items) {
      assert.equal(x.region_id, nodes.dist.id);
      assert.match(x.code, /^[a-z0-9_]{1,32}$/);
      assert.equal(typeof x.label_zh, 'string');
      assert.equal(typeof x.label_en, 'string');
      assert.equal(typeof x.sort, 'number');
      assert.equal(typeof x.active, 'boolean');
      assert.equal(x.builtin, x.id === null);
    }
  }
  assertError(await anon.get('/api/eval-reasons'), 401, 'unauthorized');
  assertError(await admin.get('/api/eval-reasons', { query: { region_id: nodes.town.id } }), 400, 'invalid', 'region_id');
  assertError(await admin.get('/api/eval-reasons', { query: { region_id: 'x' } }), 400, 'invalid', 'region_id');
});

test('reasons: create, duplicate 409, bad code 400, rights, patch', async () => {
  const before = (await admin.get('/api/eval-reasons')).json.items;
  const c1 = code('q');
  let r = await admin.post('/api/eval-reasons', { code: c1, label_zh: '排队时间长', label_en: 'Long queue', sort: 7 });
  assertStatus(r, 201, 'create');
  assert.equal(r.json.code, c1);
  assert.equal(r.json.sort, 7);
  assert.equal(r.json.active, true);
  assert.equal(r.json.builtin, false);
  assert.equal(r.json.region_id, nodes.dist.id);
  const id = r.json.id;
  assert.equal(typeof id, 'number');
  const list = (await staffA.get('/api/eval-reasons')).json.items;
  assert.ok(list.every((x) => x.id !== null), 'stored now, the built-in ones too');
  for (const b of before) assert.ok(list.some((x) => x.code === b.code), `${b.code} kept`);
  assert.ok(list.some((x) => x.id === id));

  assertError(await admin.post('/api/eval-reasons', { code: c1, label_zh: '重复', label_en: 'Dup' }), 409, 'conflict', 'code');
  assertError(await admin.post('/api/eval-reasons', { code: before[0].code, label_zh: '重复', label_en: 'Dup' }), 409, 'conflict', 'code');
  for (const bad of ['Queue', 'a-b', '', 'a'.repeat(33), '排队']) {
    assertError(await admin.post('/api/eval-reasons', { code: bad, label_zh: '甲', label_en: 'A' }), 400, 'invalid', 'code');
  }
  assertError(await admin.post('/api/eval-reasons', { code: code(), label_zh: '', label_en: 'A' }), 400, 'invalid', 'label_zh');
  assertError(await admin.post('/api/eval-reasons', { code: code(), label_zh: '甲'.repeat(41), label_en: 'A' }), 400, 'invalid', 'label_zh');
  assertError(await admin.post('/api/eval-reasons', { code: code(), label_zh: '甲' }), 400, 'invalid', 'label_en');
  assertError(await admin.post('/api/eval-reasons', { code: code(), label_zh: '甲', label_en: 'A', weight: 2 }), 400, 'invalid', 'weight');
  assertError(await admin.post('/api/eval-reasons', { region_id: nodes.hallA.id, code: code(), label_zh: '甲', label_en: 'A' }), 400, 'invalid', 'region_id');
  assertError(await adminB.post('/api/eval-reasons', { region_id: nodes.dist.id, code: code(), label_zh: '甲', label_en: 'A' }), 403, 'forbidden');
  assertError(await leaderT.post('/api/eval-reasons', { code: code(), label_zh: '甲', label_en: 'A' }), 403, 'forbidden');
  assertError(await staffA.post('/api/eval-reasons', { code: code(), label_zh: '甲', label_en: 'A' }), 403, 'forbidden');

  r = await admin.patch(`/api/eval-reasons/${id}`, { label_zh: '排队等候时间过长', sort: 2, active: false });
  assertStatus(r, 200, 'patch');
  assert.equal(r.json.label_zh, '排队等候时间过长');
  assert.equal(r.json.label_en, 'Long queue');
  assert.equal(r.json.sort, 2);
  assert.equal(r.json.active, false);
  assert.equal(r.json.code, c1, 'a code never changes');
  r = await admin.patch(`/api/eval-reasons/${id}`, { active: true });
  assertStatus(r, 200, 'reactivate');
  assert.equal(r.json.active, true);
  assert.equal(r.json.sort, 2);
  assertError(await admin.patch(`/api/eval-reasons/${id}`, { code: 'other' }), 400, 'invalid', 'code');
  assertError(await admin.patch(`/api/eval-reasons/${id}`, { label_en: '' }), 400, 'invalid', 'label_en');
  assertError(await admin.patch(`/api/eval-reasons/${id}`, { sort: 'x' }), 400, 'invalid', 'sort');
  assertError(await admin.patch('/api/eval-reasons/99999999', { sort: 1 }), 404, 'not_found');
  assertError(await adminB.patch(`/api/eval-reasons/${id}`, { sort: 1 }), 403, 'forbidden');

  const audit = await admin.get('/api/audit', { query: { entity: 'eval_reason', entity_id: id } });
  assertStatus(audit, 200, 'audit');
  const actions = audit.json.items.map((x) => x.action);
  assert.ok(actions.includes('eval_reason.create'), actions.join());
  assert.equal(actions.filter((a) => a === 'eval_reason.update').length, 2);
});

// ---------------------------------------------------------------- indicator sets

test('indicator sets: a publish makes a new current version and keeps the old ones', async () => {
  let r = await staffA.get('/api/eval-indicator-sets', { query: { kind: 'online' } });
  assertStatus(r, 200, 'GET sets');
  assert.ok(r.json.items.length >= 1);
  assert.ok(r.json.items.every((s) => s.kind === 'online'));
  assert.equal(r.json.items.filter((s) => s.current).length, 1, 'one current version');
  const before = r.json.items.filter((s) => !s.builtin);
  const body = {
    kind: 'online',
    items: [
      { code: 'efficiency', name_zh: '办事效率', name_en: 'Efficiency' },
      { code: 'guide', name_zh: '办事指南精确度', name_en: 'Guide accuracy' },
      { code: 'ease', name_zh: '办事便捷度', name_en: 'Convenience' },
    ],
  };
  r = await admin.post('/api/eval-indicator-sets', body);
  assertStatus(r, 201, 'publish');
  const v1 = r.json;
  assert.equal(v1.current, true);
  assert.equal(v1.kind, 'online');
  assert.equal(v1.region_id, nodes.dist.id);
  assert.equal(v1.version, (before[0]?.version ?? 0) + 1);
  assert.deepEqual(v1.items.map((x) => [x.pos, x.code]), [[1, 'efficiency'], [2, 'guide'], [3, 'ease']]);
  assert.equal(typeof v1.published_at, 'number');
  assert.equal(v1.published_by, admin.user.id);

  r = await admin.post('/api/eval-indicator-sets', { ...body, items: body.items.slice(0, 2) });
  assertStatus(r, 201, 'publish again');
  const v2 = r.json;
  assert.equal(v2.version, v1.version + 1);
  r = await admin.get('/api/eval-indicator-sets', { query: { kind: 'online' } });
  const all = r.json.items;
  assert.equal(all[0].id, v2.id, 'newest first');
  assert.equal(all.filter((s) => s.current).map((s) => s.id).join(), String(v2.id));
  const old = all.find((s) => s.id === v1.id);
  assert.equal(old.current, false);
  assert.equal(old.items.length, 3, 'the old version is never edited');
  r = await admin.get('/api/eval-indicator-sets');
  assert.ok(r.json.items.some((s) => s.kind === 'offline' && s.current), 'the offline kind keeps its own');
});

test('indicator sets: bad bodies and rights', async () => {
  const item = (c) => ({ code: c, name_zh: '指标', name_en: 'Indicator' });
  const nine = 'abcdefghi'.split('').map(item);
  assertError(await admin.post('/api/eval-indicator-sets', { kind: 'online', items: nine }), 400, 'invalid', 'items');
  assertError(await admin.post('/api/eval-indicator-sets', { kind: 'online', items: [] }), 400, 'invalid', 'items');
  assertError(await admin.post('/api/eval-indicator-sets', { kind: 'online' }), 400, 'invalid', 'items');
  assertError(await admin.post('/api/eval-indicator-sets', { kind: 'online', items: {} }), 400, 'invalid', 'items');
  assertError(await admin.post('/api/eval-indicator-sets', { kind: 'phone', items: [item('a')] }), 400, 'invalid', 'kind');
  assertError(await admin.post('/api/eval-indicator-sets', { kind: 'online', items: [item('a'), item('a')] }), 400, 'invalid', 'items[1].code');
  assertError(await admin.post('/api/eval-indicator-sets', { kind: 'online', items: [item('A')] }), 400, 'invalid', 'items[0].code');
  assertError(await admin.post('/api/eval-indicator-sets', { kind: 'online', items: ['a'] }), 400, 'invalid', 'items[0]');
  // weights are not part of an indicator set
  assertError(await admin.post('/api/eval-indicator-sets', { kind: 'online', items: [{ ...item('a'), weight: 30 }] }), 400, 'invalid', 'items[0].weight');
  assertError(await admin.post('/api/eval-indicator-sets', { kind: 'online', items: [{ code: 'a', name_zh: '指标' }] }), 400, 'invalid', 'items[0].name_en');
  assertError(await adminB.post('/api/eval-indicator-sets', { region_id: nodes.dist.id, kind: 'online', items: [item('a')] }), 403, 'forbidden');
  assertError(await leaderT.post('/api/eval-indicator-sets', { kind: 'online', items: [item('a')] }), 403, 'forbidden');
  assertError(await admin.get('/api/eval-indicator-sets', { query: { kind: 'phone' } }), 400, 'invalid', 'kind');
});

// ---------------------------------------------------------------- metrics

const M = '/api/evaluations/metrics';

test('metrics: period, grouping and filter checks', async () => {
  const q = (extra) => ({ from: '2019-03-01', to: '2019-03-31', by: 'window', ...extra });
  assertError(await admin.get(M, { query: q({ from: '2019-3-1' }) }), 400, 'invalid', 'from');
  assertError(await admin.get(M, { query: q({ from: undefined }) }), 400, 'invalid', 'from');
  assertError(await admin.get(M, { query: q({ to: '2019-02-30' }) }), 400, 'invalid', 'to');
  assertError(await admin.get(M, { query: q({ to: '2019-02-28' }) }), 400, 'invalid', 'to');
  assertError(await admin.get(M, { query: q({ from: '2018-03-01', to: '2019-03-02' }) }), 400, 'invalid', 'to');
  assertStatus(await admin.get(M, { query: q({ from: '2018-03-01', to: '2019-03-01' }) }), 200, '366 days');
  assertError(await admin.get(M, { query: q({ by: 'year' }) }), 400, 'invalid', 'by');
  assertError(await admin.get(M, { query: q({ channel: 'fax' }) }), 400, 'invalid', 'channel');
  assertError(await admin.get(M, { query: q({ item_id: 99999999 }) }), 400, 'invalid', 'item_id');
  assertError(await admin.get(M, { query: q({ staff_id: 99999999 }) }), 400, 'invalid', 'staff_id');
  assertError(await admin.get(M, { query: q({ node_id: 99999999 }) }), 400, 'invalid', 'node_id');
  assertError(await admin.get(M, { query: q({ group: 'window' }) }), 400, 'invalid', 'group');
  assertError(await leaderT.get(M, { query: q({ node_id: nodes.hallA.id }) }), 403, 'forbidden');
  assertError(await staffA.get(M, { query: q({ staff_id: 1 }) }), 403, 'forbidden');
  assertError(await anon.get(M, { query: q() }), 401, 'unauthorized');
});

test('metrics by window: levels, rates (null without a base), dims, drill-down, total', async () => {
  const r = await admin.get(M, { query: { from: '2019-03-01', to: '2019-04-30', by: 'window' } });
  assertStatus(r, 200, 'metrics');
  assert.equal(r.json.by, 'window');
  assert.equal(r.json.from, '2019-03-01');
  assert.equal(r.json.node_id, null);
  const rows = new Map(r.json.rows.map((x) => [x.key, x]));
  assert.equal(r.json.rows.length, 3);
  const a = rows.get(nodes.winA.id);
  assert.equal(a.label, nodes.winA.name);
  assert.deepEqual(a.levels, { 1: 2, 2: 1, 3: 0, 4: 1, 5: 2 });
  assert.equal(a.total, 6);
  assert.equal(a.active, 6);
  assert.equal(a.unrated, 2);
  assert.equal(a.services, 8);
  assert.equal(a.bad, 2);
  assert.equal(a.excluded, 1);
  assert.equal(a.good_rate, Math.round((3 / 5) * 1e6) / 1e6, 'the excluded 差评 leaves the base');
  assert.equal(a.active_good_rate, Math.round((3 / 5) * 1e6) / 1e6);
  assert.equal(a.unrated_rate, Math.round((2 / 7) * 1e6) / 1e6);
  assert.equal(a.bad_reply_rate, 0.5);
  assert.equal(a.rectify_rate, 0.5);
  assert.equal(a.rectify_satisfaction_rate, 1);
  assert.deepEqual(a.dims, [
    { code: 'speed', name_zh: '服务效率', name_en: 'Efficiency', average: 4.5 },
    { code: 'attitude', name_zh: '服务态度', name_en: 'Attitude', average: 4 },
  ]);
  assert.deepEqual(a.drill, { window_id: nodes.winA.id, from: '2019-03-01', to: '2019-04-30' });
  const a2 = rows.get(nodes.winA2.id);
  assert.equal(a2.total, 1);
  assert.equal(a2.defaulted, 1);
  assert.equal(a2.good_rate, 0);
  assert.equal(a2.active_good_rate, null, 'no active evaluation');
  assert.equal(a2.bad_reply_rate, null, 'no 差评');
  assert.equal(a2.rectify_satisfaction_rate, null);
  assert.deepEqual(a2.dims, []);
  const t = r.json.total;
  assert.equal(t.key, null);
  assert.equal(t.total, 9);
  assert.equal(t.services, 11);
  assert.equal(t.good_rate, Math.round((5 / 8) * 1e6) / 1e6);
  assert.deepEqual(t.drill, { from: '2019-03-01', to: '2019-04-30' });
  assert.equal(r.json.truncated, false);
  // the same through the listed filter names of GET /api/evaluations
  for (const k of Object.keys(a.drill)) assert.ok(['staff_id', 'window_id', 'node_id', 'item_id', 'channel', 'from', 'to'].includes(k));
});

test('metrics by every grouping, and the filters', async () => {
  const get = async (by, extra = {}) => {
    const r = await admin.get(M, { query: { from: '2019-03-01', to: '2019-04-30', by, ...extra } });
    assertStatus(r, 200, `by ${by}`);
    return r.json;
  };
  let j = await get('hall');
  const halls = new Map(j.rows.map((x) => [x.key, x]));
  assert.equal(j.rows.length, 2);
  assert.equal(halls.get(nodes.hallA.id).total, 7);
  assert.equal(halls.get(nodes.hallA.id).label, nodes.hallA.name);
  assert.equal(halls.get(nodes.hallA.id).drill.node_id, nodes.hallA.id);
  assert.equal(halls.get(nodes.hallB.id).total, 2);
  j = await get('region');
  assert.deepEqual(j.rows.map((x) => [x.key, x.total]), [[nodes.dist.id, 7], [nodes.town.id, 2]]);
  j = await get('unit');
  assert.deepEqual(j.rows.map((x) => [x.key, x.total]), [[null, 9]], 'no unit above these windows');
  j = await get('staff');
  const mine = j.rows.find((x) => x.key === staffA.user.id);
  assert.equal(mine.total, 6);
  assert.equal(mine.drill.staff_id, staffA.user.id);
  assert.equal(j.rows.at(-1).key, null, 'no staff member last');
  j = await get('item');
  assert.equal(j.rows.length, 2);
  const it = j.rows.find((x) => x.key === items[1].id);
  assert.equal(it.code, items[1].code);
  assert.equal(it.total, 2);
  assert.ok(it.label.length > 0, 'the current version\'s name');
  assert.equal(it.drill.item_id, items[1].id);
  j = await get('channel');
  assert.deepEqual(j.rows.map((x) => [x.key, x.total]), [['qr', 2], ['system', 1], ['tablet', 4], ['web', 2]]);
  assert.equal(j.rows[0].drill.channel, 'qr');
  j = await get('day');
  assert.deepEqual(j.rows.map((x) => x.key), ['2019-03-04', '2019-03-05', '2019-04-01']);
  assert.deepEqual(j.rows[1].drill, { from: '2019-03-05', to: '2019-03-05' });
  j = await get('month');
  assert.deepEqual(j.rows.map((x) => [x.key, x.total]), [['2019-03', 7], ['2019-04', 2]]);
  assert.deepEqual(j.rows[0].drill, { from: '2019-03-01', to: '2019-03-31' });
  j = await get('window', { channel: 'tablet', item_id: items[0].id });
  assert.equal(j.total.total, 4);
  assert.deepEqual(j.rows[0].drill, { window_id: nodes.winA.id, item_id: items[0].id, channel: 'tablet', from: '2019-03-01', to: '2019-04-30' });
  j = await get('day', { node_id: nodes.town.id });
  assert.deepEqual(j.rows.map((x) => x.key), ['2019-04-01']);
  assert.equal(j.node_id, nodes.town.id);
  assert.equal(j.rows[0].drill.node_id, nodes.town.id);
});

test('metrics: a leader sees the subtree; a staff member only their own figures', async () => {
  let r = await leaderT.get(M, { query: { from: '2019-03-01', to: '2019-04-30', by: 'window' } });
  assertStatus(r, 200, 'leader');
  assert.deepEqual(r.json.rows.map((x) => x.key), [nodes.winB.id]);
  r = await staffA.get(M, { query: { from: '2019-03-01', to: '2019-04-30', by: 'day' } });
  assertStatus(r, 200, 'staff');
  assert.equal(r.json.total.total, 6, 'the windows\' other staff left out');
  assert.equal(r.json.rows[0].drill.staff_id, staffA.user.id);
  r = await staffA.get(M, { query: { from: '2019-03-01', to: '2019-04-30', staff_id: staffA.user.id } });
  assertStatus(r, 200, 'staff, own id');
  assert.equal(r.json.by, 'window', 'window by default');
});

// ---------------------------------------------------------------- ranking

const R = '/api/evaluations/ranking';

test('ranking: by 好评率 then count, in scope, limited', async () => {
  let r = await admin.get(R, { query: { month: '2019-03' } });
  assertStatus(r, 200, 'ranking');
  assert.equal(r.json.month, '2019-03');
  const got = r.json.items.map((x) => [x.rank, x.window_id]);
  assert.deepEqual(got, [[1, nodes.winB.id], [2, nodes.winA.id], [3, nodes.winA2.id]], 'B 2 of 2, A 3 of 5, A2 0 of 1');
  const a = r.json.items[1];
  assert.equal(a.window_name, nodes.winA.name);
  assert.equal(a.hall_name, nodes.hallA.name);
  assert.equal(a.hall_id, nodes.hallA.id);
  assert.equal(a.total, 6);
  assert.equal(a.good_rate, 0.6);
  assert.equal(a.bad, 2);
  assert.equal(a.unrated_rate, Math.round((2 / 7) * 1e6) / 1e6);
  r = await admin.get(R, { query: { month: '2019-03', limit: 1 } });
  assert.equal(r.json.items.length, 1);
  r = await leaderT.get(R, { query: { month: '2019-03' } });
  assert.deepEqual(r.json.items.map((x) => x.window_id), [nodes.winB.id]);
  r = await admin.get(R, { query: { month: '2019-03', node_id: nodes.hallA.id } });
  assert.deepEqual(r.json.items.map((x) => x.window_id), [nodes.winA.id, nodes.winA2.id]);
  r = await admin.get(R, { query: { month: '2019-05' } });
  assertStatus(r, 200, 'empty month');
  assert.deepEqual(r.json.items, []);
  r = await admin.get(R);
  assertStatus(r, 200, 'this month by default');
  assert.match(r.json.month, /^\d{4}-\d{2}$/);
  assertError(await admin.get(R, { query: { month: '2019-13' } }), 400, 'invalid', 'month');
  assertError(await admin.get(R, { query: { month: '2019-03-01' } }), 400, 'invalid', 'month');
  assertError(await admin.get(R, { query: { month: '2019-03', limit: 0 } }), 400, 'invalid', 'limit');
  assertError(await admin.get(R, { query: { month: '2019-03', limit: 10001 } }), 400, 'invalid', 'limit');
  assertError(await leaderT.get(R, { query: { month: '2019-03', node_id: nodes.hallA.id } }), 403, 'forbidden');
  assertError(await anon.get(R, { query: { month: '2019-03' } }), 401, 'unauthorized');
});

// ---------------------------------------------------------------- end to end

test('evaluations taken at a window show in the metrics and the ranking; reason changes count at once', async () => {
  const ITEM = 'RS-YL-001'; // 即办件
  const hall = await createNode(admin, nodes.dist, 'hall', { name: '统计测试厅' });
  const win = await createNode(admin, hall, 'window', { code: 's1', name: '统计1号窗口' });
  const series = await admin.post(`/api/halls/${hall.id}/series`, { prefix: 'S', name: '统计', item_codes: [ITEM] });
  assertStatus(series, 201, 'series');
  assertStatus(await admin.put(`/api/windows/${win.id}/profile`, { json: { series_ids: [series.json.id], mode: 'longest_wait' } }), 200);
  const s = await createStaff(admin, hall.id, { name: '统计员' });
  assertStatus(await admin.post(`/api/staff/${s.staff.id}/assignments`, { window_id: win.id }), 201, 'assign');
  const clerk = await loginAs(s.login, s.password);
  assertStatus(await clerk.post(`/api/windows/${win.id}/open`, {}), 200, 'open');
  const d = await admin.post('/api/devices', { kind: 'evaluator', name: '统计评价器', node_id: win.id });
  assertStatus(d, 201, 'device');
  recordSecret(d.json.token);
  const tablet = deviceClient(d.json.token);
  const served = async () => {
    const t = await clerk.post(`/api/halls/${hall.id}/tickets`, { item_code: ITEM });
    assertStatus(t, 201, 'issue');
    recordSecret(t.json.eval_token);
    assertStatus(await clerk.post(`/api/windows/${win.id}/call`, { code: t.json.code }), 200, 'call');
    assertStatus(await clerk.post(`/api/tickets/${t.json.id}/start`, {}), 200, 'start');
    assertStatus(await clerk.post(`/api/tickets/${t.json.id}/finish`, {}), 200, 'finish');
    const st = await tablet.get('/api/evaluator/state');
    assertStatus(st, 200, 'state');
    return st.json.pending;
  };

  // a reason added now is accepted by the very next evaluation
  const c = code('e2e');
  const made = await admin.post('/api/eval-reasons', { code: c, label_zh: '材料退回多次', label_en: 'Papers sent back' });
  assertStatus(made, 201, 'reason');
  let ev = await served();
  assert.ok(ev.reasons.some((x) => x.code === c), 'the event offers the new reason');
  const bad = await tablet.post('/api/evaluator/evaluations', { event_id: ev.id, level: 2, reasons: [c] });
  assertStatus(bad, 201, 'a 差评 with the new reason');
  ev = await served();
  const dims = Object.fromEntries(ev.indicators.items.map((x, i) => [x.code, 5 - (i % 2)]));
  assertStatus(await tablet.post('/api/evaluator/evaluations', { event_id: ev.id, level: 5, dims }), 201, 'a 5 with dims');
  // deactivated: refused at once
  assertStatus(await admin.patch(`/api/eval-reasons/${made.json.id}`, { active: false }), 200, 'deactivate');
  ev = await served();
  assert.ok(!ev.reasons.some((x) => x.code === c), 'no longer offered');
  assertError(await tablet.post('/api/evaluator/evaluations', { event_id: ev.id, level: 1, reasons: [c] }), 400, 'invalid', 'reasons[0]');

  const today = shanghaiNow().day;
  const r = await admin.get(M, { query: { from: today, to: today, by: 'window', node_id: hall.id } });
  assertStatus(r, 200, 'metrics');
  assert.equal(r.json.rows.length, 1);
  const row = r.json.rows[0];
  assert.equal(row.key, win.id);
  assert.equal(row.label, '统计1号窗口');
  assert.deepEqual(row.levels, { 1: 0, 2: 1, 3: 0, 4: 0, 5: 1 });
  assert.equal(row.active, 2);
  assert.equal(row.bad, 1);
  assert.equal(row.good_rate, 0.5);
  assert.equal(row.bad_reply_rate, 0, 'no reply yet');
  assert.deepEqual(row.dims.map((x) => [x.code, x.average]), ev.indicators.items.map((x, i) => [x.code, 5 - (i % 2)]));
  const byStaff = await admin.get(M, { query: { from: today, to: today, by: 'staff', node_id: hall.id } });
  assert.deepEqual(byStaff.json.rows.map((x) => [x.key, x.label, x.total]), [[s.staff.id, '统计员', 2]]);
  const mine = await clerk.get(M, { query: { from: today, to: today, by: 'channel' } });
  assertStatus(mine, 200, 'the clerk\'s own');
  assert.deepEqual(mine.json.rows.map((x) => [x.key, x.total]), [['tablet', 2]]);

  const rk = await admin.get(R, { query: { month: today.slice(0, 7), node_id: hall.id } });
  assertStatus(rk, 200, 'ranking');
  assert.equal(rk.json.items.length, 1);
  assert.equal(rk.json.items[0].window_id, win.id);
  assert.equal(rk.json.items[0].hall_name, '统计测试厅');
  assert.equal(rk.json.items[0].total, 2);
  assert.equal(rk.json.items[0].good_rate, 0.5);
});
