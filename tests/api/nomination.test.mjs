// Nominations 先锋服务窗口 / 明星服务标兵 (docs/api.md "Nominations"): opened by a
// leader over a CLOSED period of a scorecard (frozen results written here with
// SQL, as closing a period leaves them), the top N by score with vetoed
// subjects skipped, a quota as a count or a percent; secret ballots (one each,
// 1..quota distinct candidates, not oneself, counts hidden until closed, the
// owner sees who voted and never for whom); the leader's decision with a
// reason; closing writes score_award; cancelling; the public honour list.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, createStaff, createNode, DB, BACKEND,
} from './helpers.mjs';

const anon = new Client('anon');
let admin; // t_admin, admin at /dist
let outLeader; // t_leader_t, leader at /dist/town: outside the unit
let nodes;
let unit; let hall; const win = [];
let leader; let leaderId;
const staff = []; // {client, id}
let winCard; let staffCard;

/** Run SQL on the server's database from another process; the output, trimmed. */
function runSql(sql) {
  const out = BACKEND === 'sqlite'
    ? execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 5000', DB.replace(/^sqlite:(\/\/)?/, ''), sql])
    : execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', DB, '-c', sql]);
  return out.toString().trim();
}

function insertCard(nodeId, subject) {
  const now = Math.floor(Date.now() / 1000);
  const id = runSql(`INSERT INTO score_card (node_id, subject, name, periods, active, created_at, updated_at)
    VALUES (${nodeId}, '${subject}', '评优测试${subject}', '["year"]', 0, ${now}, ${now}) RETURNING id`);
  return Number(id.split('\n')[0]);
}

function insertPeriod(cardId, period, kind, state) {
  runSql(`INSERT INTO score_period (card_id, period, kind, state, closed_at)
    VALUES (${cardId}, '${period}', '${kind}', '${state}', ${state === 'closed' ? 1 : 'NULL'})`);
}

// rows: [subject_id, score (hundredths), rank, veto]
function insertResults(cardId, period, kind, rows) {
  const now = Math.floor(Date.now() / 1000);
  for (const [id, score, rank, veto] of rows) {
    runSql(`INSERT INTO score_result (card_id, period, kind, subject_id, version_id, score, stars,
      veto, hall_id, unit_id, rank_all, inputs, updated_at) VALUES (${cardId}, '${period}', '${kind}',
      ${id}, 1, ${score}, ${veto ? 0 : 4}, '${veto || ''}', ${hall.id}, ${unit.id}, ${rank}, '{}', ${now})`);
  }
}

before(async () => {
  admin = await loginAs('t_admin');
  outLeader = await loginAs('t_leader_t');
  nodes = await demoNodes(admin);
  unit = await createNode(admin, nodes.dist, 'unit', { name: '评优测试局' });
  hall = await createNode(admin, unit, 'hall', { name: '评优测试厅' });
  for (let i = 1; i <= 4; i++) win.push(await createNode(admin, hall, 'window', { code: `w${i}`, name: `${i}号窗口` }));
  const l = await createStaff(admin, unit.id, { role: 'leader', name: '评优领导' });
  leaderId = l.staff.id;
  leader = await loginAs(l.login, l.password);
  for (let i = 1; i <= 4; i++) {
    const s = await createStaff(admin, hall.id, { name: `标兵${i}` });
    staff.push({ id: s.staff.id, client: await loginAs(s.login, s.password) });
  }
  winCard = insertCard(unit.id, 'window');
  staffCard = insertCard(unit.id, 'staff');
  insertPeriod(winCard, '2025', 'year', 'closed');
  insertPeriod(winCard, '2025-12', 'month', 'open');
  insertPeriod(winCard, '2024', 'year', 'closed');
  insertPeriod(staffCard, '2025', 'year', 'closed');
  insertPeriod(staffCard, '2024', 'year', 'closed');
  insertPeriod(staffCard, '2023', 'year', 'closed');
  insertResults(winCard, '2025', 'window', [
    [win[0].id, 9500, 1], [win[1].id, 9200, 2, 'covert'], [win[2].id, 9000, 3], [win[3].id, 8800, 4]]);
  insertResults(winCard, '2025-12', 'window', [[win[0].id, 9900, 1]]);
  insertResults(winCard, '2024', 'window', [
    [win[0].id, 9100, 1], [win[1].id, 9000, 2], [win[2].id, 8000, 4], [win[3].id, 8500, 3]]);
  insertResults(staffCard, '2025', 'staff', [
    [staff[0].id, 9800, 1], [staff[1].id, 9700, 2], [staff[3].id, 9600, 4], [staff[2].id, 9600, 3]]);
  insertResults(staffCard, '2024', 'staff', [[staff[0].id, 9000, 1], [staff[1].id, 8000, 2]]);
  insertResults(staffCard, '2023', 'staff', [[staff[0].id, 7000, 1, 'covert']]);
});

const cand = (n, id) => n.candidates.find((c) => c.subject_id === id);

test('opening: every bad field named, the period must be closed, scope and role checked, nothing created', async () => {
  const ok = { card_id: winCard, period: '2025', kind: 'model_window', mode: 'vote', top_n: 3, quota: 1 };
  const bad = async (client, body, status, code, field) =>
    assertError(await client.post('/api/nominations', { ...ok, ...body }), status, code, field);
  await bad(leader, { kind: 'best_window' }, 400, 'invalid', 'kind');
  await bad(leader, { kind: 'service_star' }, 400, 'invalid', 'kind');
  await bad(leader, { mode: 'lottery' }, 400, 'invalid', 'mode');
  await bad(leader, { period: '2025-13' }, 400, 'invalid', 'period');
  await bad(leader, { period: '2025-12' }, 409, 'conflict', 'period');
  await bad(leader, { period: '2022' }, 409, 'conflict', 'period');
  await bad(leader, { card_id: 99999999 }, 400, 'invalid', 'card_id');
  await bad(leader, { top_n: 0 }, 400, 'invalid', 'top_n');
  await bad(leader, { top_n: 101 }, 400, 'invalid', 'top_n');
  await bad(leader, { quota: undefined }, 400, 'invalid', 'quota');
  await bad(leader, { quota_percent: 20 }, 400, 'invalid', 'quota');
  await bad(leader, { quota: 4 }, 400, 'invalid', 'quota');
  await bad(leader, { quota: undefined, quota_percent: 101 }, 400, 'invalid', 'quota_percent');
  await bad(leader, { colour: 'red' }, 400, 'invalid', 'colour');
  await bad(staff[0].client, {}, 403, 'forbidden');
  await bad(outLeader, {}, 403, 'forbidden');
  await bad(anon, {}, 401, 'unauthorized');
  // every result of the 2023 staff period is vetoed: nobody to nominate
  await bad(leader, { card_id: staffCard, kind: 'service_star', period: '2023' }, 409, 'conflict', 'period');
  const r = await leader.get('/api/nominations', { query: { card_id: winCard } });
  assertStatus(r, 200, 'list');
  assert.equal(r.json.total, 0);
  assertError(await leader.get('/api/nominations', { query: { kind: 'x' } }), 400, 'invalid', 'kind');
  assertError(await leader.get('/api/nominations', { query: { state: 'x' } }), 400, 'invalid', 'state');
  assertError(await leader.get('/api/nominations', { query: { period: '25' } }), 400, 'invalid', 'period');
});

test('a vote: top N without the vetoed, secret ballots, one each, within the quota; closing awards the most voted', async () => {
  let r = await leader.post('/api/nominations',
    { card_id: winCard, period: '2025', kind: 'model_window', mode: 'vote', top_n: 3, quota_percent: 50 });
  assertStatus(r, 201, 'open');
  const n = r.json;
  assert.equal(n.state, 'open');
  assert.equal(n.quota, 1, '50 % of 3, rounded down');
  assert.equal(n.quota_percent, 50);
  assert.equal(n.subject, 'window');
  assert.deepEqual(n.candidates.map((c) => c.subject_id), [win[0].id, win[2].id, win[3].id], 'the vetoed window skipped');
  assert.deepEqual(n.candidates.map((c) => c.place), [1, 2, 3]);
  assert.equal(cand(n, win[0].id).score, 95);
  assert.equal(cand(n, win[0].id).name, '1号窗口');
  assert.equal(cand(n, win[0].id).hall_name, '评优测试厅');
  assert.equal(cand(n, win[0].id).unit_name, '评优测试局');
  assert.deepEqual(n.actions, ['vote', 'cancel'], 'the owner votes too and manages; nothing to close before a ballot');
  assert.deepEqual(n.voters, []);

  // a second nomination of the kind for the period is refused
  assertError(await leader.post('/api/nominations',
    { card_id: winCard, period: '2025', kind: 'model_window', mode: 'decision', top_n: 2, quota: 1 }), 409, 'conflict', 'period');

  const ballot = (c, ids) => c.post(`/api/nominations/${n.id}/ballot`, { candidate_ids: ids });
  r = await staff[0].client.get(`/api/nominations/${n.id}`);
  assertStatus(r, 200, 'voter reads');
  assert.deepEqual(r.json.actions, ['vote']);
  assert.equal(r.json.voters, null, 'a voter does not see who voted');

  assertError(await ballot(staff[1].client, [win[0].id, win[2].id]), 400, 'invalid', 'candidate_ids');
  assertError(await ballot(staff[1].client, [win[1].id]), 400, 'invalid', 'candidate_ids');
  assertError(await ballot(staff[1].client, []), 400, 'invalid', 'candidate_ids');
  assertError(await ballot(staff[1].client, ['x']), 400, 'invalid', 'candidate_ids');
  assertError(await staff[1].client.post(`/api/nominations/${n.id}/ballot`, {}), 400, 'invalid', 'candidate_ids');
  assertError(await ballot(outLeader, [win[0].id]), 403, 'forbidden');
  assertError(await outLeader.get(`/api/nominations/${n.id}`), 403, 'forbidden');
  assertError(await leader.post(`/api/nominations/${n.id}/decide`, { candidate_ids: [win[0].id], reason: '好' }), 409, 'conflict', 'mode');

  r = await ballot(staff[0].client, [win[2].id]);
  assertStatus(r, 201, 'ballot');
  assert.equal(r.json.ballots, 1);
  assert.equal(r.json.voted, true);
  assert.deepEqual(r.json.actions, []);
  assert.ok(r.json.candidates.every((c) => c.votes === null), 'counts hidden while open');
  assertError(await ballot(staff[0].client, [win[0].id]), 409, 'conflict', 'voter');
  assertStatus(await ballot(staff[1].client, [win[2].id]), 201, 'ballot 2');
  assertStatus(await ballot(leader, [win[0].id]), 201, 'ballot 3 (the leader is a voter too)');

  r = await leader.get(`/api/nominations/${n.id}`);
  assert.equal(r.json.ballots, 3);
  assert.deepEqual(r.json.voters.map((v) => v.staff_id).sort(), [staff[0].id, staff[1].id, leaderId].sort());
  assert.ok(r.json.voters.every((v) => Object.keys(v).sort().join() === 'cast_at,name,staff_id'), 'who voted, not for whom');
  assert.ok(r.json.candidates.every((c) => c.votes === null));
  assert.deepEqual(r.json.actions, ['close', 'cancel']);
  // the ballot's audit record holds no choice
  const audit = `FROM audit_log WHERE action = 'nomination.ballot' AND entity_id = ${n.id}`;
  assert.equal(runSql(`SELECT COUNT(*) ${audit}`), '3');
  assert.equal(runSql(`SELECT COUNT(*) ${audit} AND (after_json LIKE '%${win[2].id}%' OR after_json LIKE '%candidate%')`), '0');

  assertError(await staff[0].client.post(`/api/nominations/${n.id}/close`, {}), 403, 'forbidden');
  r = await leader.post(`/api/nominations/${n.id}/close`, {});
  assertStatus(r, 200, 'close');
  assert.equal(r.json.state, 'closed');
  assert.equal(cand(r.json, win[2].id).won, 1);
  assert.equal(cand(r.json, win[0].id).won, null);
  assert.equal(cand(r.json, win[2].id).votes, 2);
  assert.equal(cand(r.json, win[0].id).votes, 1);
  assert.equal(cand(r.json, win[3].id).votes, 0);
  assert.equal(runSql(`SELECT award || ',' || kind || ',' || subject_id || ',' || rank || ',' || score
    FROM score_award WHERE nomination_id = ${n.id}`), `model_window,window,${win[2].id},1,9000`);

  assertError(await ballot(staff[2].client, [win[0].id]), 409, 'conflict', 'state');
  assertError(await leader.post(`/api/nominations/${n.id}/close`, {}), 409, 'conflict', 'state');
  assertError(await leader.post(`/api/nominations/${n.id}/cancel`, { reason: '迟了' }), 409, 'conflict', 'state');

  // the public honour list: names, window and unit, period; no votes or voters
  r = await anon.get('/api/public/nominations', { query: { node_id: unit.id } });
  assertStatus(r, 200, 'public');
  const pub = r.json.items.find((x) => x.id === n.id);
  assert.ok(pub, 'listed');
  assert.equal(pub.period, '2025');
  assert.equal(pub.kind, 'model_window');
  assert.deepEqual(pub.winners.map((w) => [w.place, w.name, w.hall_name, w.unit_name]), [[1, '3号窗口', '评优测试厅', '评优测试局']]);
  assert.ok(!/votes|voter|ballot/.test(r.text), 'no voting data on the portal');
  r = await anon.get('/api/public/nominations', { query: { node_id: hall.id, kind: 'model_window' } });
  assert.ok(r.json.items.some((x) => x.id === n.id), 'a hall under the card node sees it');
  r = await anon.get('/api/public/nominations', { query: { node_id: nodes.town.id } });
  assert.ok(!r.json.items.some((x) => x.id === n.id), 'another branch does not');
  assertError(await anon.get('/api/public/nominations', { query: { kind: 'x' } }), 400, 'invalid', 'kind');
  assertError(await anon.get('/api/public/nominations', { query: { n: 0 } }), 400, 'invalid', 'n');
  assertError(await anon.get('/api/public/nominations', { query: { node_id: 99999999 } }), 400, 'invalid', 'node_id');

  // lists: the unit's staff see it, another branch does not
  r = await staff[3].client.get('/api/nominations', { query: { card_id: winCard, state: 'closed', kind: 'model_window', period: '2025' } });
  assert.deepEqual(r.json.items.map((x) => x.id), [n.id]);
  r = await outLeader.get('/api/nominations', { query: { card_id: winCard } });
  assert.equal(r.json.total, 0);
  r = await admin.get('/api/nominations', { query: { card_id: winCard } });
  assert.equal(r.json.total, 1);
});

test('service stars: 20 % of 10, nobody votes for themselves, ties broken by score then rank', async () => {
  let r = await leader.post('/api/nominations',
    { card_id: staffCard, period: '2025', kind: 'service_star', mode: 'vote', top_n: 10, quota_percent: 20 });
  assertStatus(r, 201, 'open');
  const n = r.json;
  assert.equal(n.quota, 2);
  // staff 3 and 4 share 96.00: rank 3 before rank 4
  assert.deepEqual(n.candidates.map((c) => c.subject_id), [staff[0].id, staff[1].id, staff[2].id, staff[3].id]);
  assert.equal(cand(n, staff[0].id).name, '标兵1');
  const ballot = (i, ids) => staff[i].client.post(`/api/nominations/${n.id}/ballot`, { candidate_ids: ids });
  assertError(await ballot(0, [staff[0].id]), 400, 'invalid', 'candidate_ids');
  assertError(await ballot(0, [staff[1].id, staff[1].id]), 400, 'invalid', 'candidate_ids');
  assertStatus(await ballot(0, [staff[1].id, staff[3].id]), 201, 'ballot 1');
  assertStatus(await ballot(1, [staff[2].id, staff[3].id]), 201, 'ballot 2');
  // staff 4: 2 votes; staff 2 and 3: 1 each, staff 2 has the higher score
  r = await admin.post(`/api/nominations/${n.id}/close`, {});
  assertStatus(r, 200, 'an admin closes');
  assert.deepEqual(r.json.candidates.filter((c) => c.won).sort((a, b) => a.won - b.won).map((c) => c.subject_id),
    [staff[3].id, staff[1].id]);
  assert.equal(r.json.closed_by_name, '测试管理员');
  assert.equal(runSql(`SELECT COUNT(*) FROM score_award WHERE nomination_id = ${n.id} AND award = 'service_star' AND kind = 'staff'`), '2');
  assert.equal(runSql(`SELECT COUNT(*) FROM audit_log WHERE action = 'nomination.close' AND entity_id = ${n.id}`), '1');
});

test('a decision: the owner picks within the quota with a reason, then closes', async () => {
  let r = await leader.post('/api/nominations',
    { card_id: winCard, period: '2024', kind: 'model_window', mode: 'decision', top_n: 3, quota: 2 });
  assertStatus(r, 201, 'open');
  const n = r.json;
  assert.deepEqual(n.candidates.map((c) => c.subject_id), [win[0].id, win[1].id, win[3].id], 'by score');
  assert.deepEqual(n.actions, ['decide', 'cancel']);
  const decide = (c, body) => c.post(`/api/nominations/${n.id}/decide`, body);
  assertError(await staff[0].client.post(`/api/nominations/${n.id}/ballot`, { candidate_ids: [win[0].id] }), 409, 'conflict', 'mode');
  assertError(await leader.post(`/api/nominations/${n.id}/close`, {}), 409, 'conflict', 'decision');
  assertError(await decide(staff[0].client, { candidate_ids: [win[0].id], reason: '好' }), 403, 'forbidden');
  assertError(await decide(leader, { candidate_ids: [win[0].id, win[1].id, win[3].id], reason: '好' }), 400, 'invalid', 'candidate_ids');
  assertError(await decide(leader, { candidate_ids: [win[2].id], reason: '好' }), 400, 'invalid', 'candidate_ids');
  assertError(await decide(leader, { candidate_ids: [win[0].id] }), 400, 'invalid', 'reason');
  assertError(await decide(leader, { candidate_ids: [win[0].id], reason: '' }), 400, 'invalid', 'reason');
  r = await decide(leader, { candidate_ids: [win[1].id], reason: '先定一个' });
  assertStatus(r, 200, 'decide');
  r = await decide(leader, { candidate_ids: [win[3].id, win[0].id], reason: '服务规范，群众满意' });
  assertStatus(r, 200, 'decide again');
  assert.deepEqual(r.json.candidates.filter((c) => c.chosen).map((c) => c.subject_id), [win[0].id, win[3].id], 'the new decision replaces the old');
  assert.equal(r.json.decision.reason, '服务规范，群众满意');
  assert.equal(r.json.decision.decided_by_name, '评优领导');
  r = await leader.post(`/api/nominations/${n.id}/close`, {});
  assertStatus(r, 200, 'close');
  assert.equal(cand(r.json, win[0].id).won, 1);
  assert.equal(cand(r.json, win[3].id).won, 2);
  assert.equal(cand(r.json, win[1].id).won, null);
  assert.ok(r.json.candidates.every((c) => c.votes === null), 'a decision has no votes');
  assert.equal(runSql(`SELECT COUNT(*) FROM score_award WHERE nomination_id = ${n.id}`), '2');
});

test('cancelling: a reason, only while open, and the period may be nominated again', async () => {
  let r = await leader.post('/api/nominations',
    { card_id: staffCard, period: '2024', kind: 'service_star', mode: 'vote', top_n: 5, quota: 1 });
  assertStatus(r, 201, 'open');
  const id = r.json.id;
  assert.equal(r.json.candidates.length, 2, 'fewer results than top_n');
  assertError(await leader.post(`/api/nominations/${id}/close`, {}), 409, 'conflict', 'ballots');
  assertError(await leader.post(`/api/nominations/${id}/cancel`, {}), 400, 'invalid', 'reason');
  assertError(await staff[0].client.post(`/api/nominations/${id}/cancel`, { reason: 'x' }), 403, 'forbidden');
  r = await leader.post(`/api/nominations/${id}/cancel`, { reason: '范围有误' });
  assertStatus(r, 200, 'cancel');
  assert.equal(r.json.state, 'cancelled');
  assert.equal(r.json.cancel_reason, '范围有误');
  assertError(await staff[0].client.post(`/api/nominations/${id}/ballot`, { candidate_ids: [staff[1].id] }), 409, 'conflict', 'state');
  r = await leader.post('/api/nominations',
    { card_id: staffCard, period: '2024', kind: 'service_star', mode: 'vote', top_n: 5, quota: 1 });
  assertStatus(r, 201, 'open again after the cancellation');
  assertStatus(await leader.post(`/api/nominations/${r.json.id}/cancel`, { reason: '测试结束' }), 200, 'cancel');
  assertError(await leader.get('/api/nominations/99999999'), 404, 'not_found');
  assertError(await leader.post('/api/nominations/99999999/close', {}), 404, 'not_found');
  r = await anon.get('/api/public/nominations', { query: { node_id: unit.id } });
  assert.ok(!r.json.items.some((x) => x.id === id), 'cancelled ones are not published');
});
