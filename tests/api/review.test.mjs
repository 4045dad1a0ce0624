// Review rounds 三评 (docs/api.md "Review rounds 三评 (issue 7)"): a leader's round over a
// subtree with weighted criteria and weighted rater groups (the DOMAIN.md §7 example:
// leaders 20 %, own staff 40 %, cross-unit peers 20 %, cadres 20 %); bad forms (400 naming
// the field); draft → open → closed by the owner only; who may rate whom (nobody rates
// themselves or their own window; same / cross unit; party members of one branch; the
// cadres' role; leaders with a comment); one rating per rater, subject and group; frozen
// results (means, counts, weighted total over the groups present); confidentiality of
// individual ratings; the public vote (one per verified ID number) and the evaluation
// metrics group; the audit trail.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, createStaff, createNode, BACKEND, DB,
} from './helpers.mjs';

const anon = new Client('anon');
let admin; let leaderT; let nodes;
let u1; let u2; let h1; let h2; let w1; let w2;
let ld; let ld2; let a1; let a2; let b1; let sup; let c1;
let ids = {};

function runSql(sql) {
  if (BACKEND === 'sqlite') {
    return execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 5000', DB.replace(/^sqlite:(\/\/)?/, ''), sql]).toString();
  }
  return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', DB, '-c', sql]).toString();
}

/** A resident ID number with its ISO 7064 MOD 11-2 check character. */
function idNumber(body17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(body17[i]) * w[i];
  return body17 + '10X98765432'[s % 11];
}

async function person(node, extra = {}) {
  const s = await createStaff(admin, node.id, extra);
  const client = await loginAs(s.login, s.password);
  return { id: s.staff.id, client, staff: s.staff };
}

const CRITERIA = [
  { code: 'attitude', name: '服务态度', scale_max: 10, weight: 60 },
  { code: 'efficiency', name: '办事效率', scale_max: 100, weight: 40 },
];
// DOMAIN.md §7: leaders 20 %, own staff 40 %, cross-unit peers 20 %, cadres 20 %
const GROUPS = [
  { code: 'leaders', name: '领导点评', kind: 'leader', weight: 20 },
  { code: 'own', name: '本单位互评', kind: 'peer', unit_scope: 'same_unit', weight: 40 },
  { code: 'peers', name: '跨单位互评', kind: 'peer', unit_scope: 'cross_unit', weight: 20 },
  { code: 'cadres', name: '干部评议', kind: 'peer', rater_role: 'supervisor', weight: 20 },
];
const score = (attitude, efficiency) => (60 * attitude) / 10 + (40 * efficiency) / 100;

function rate(who, roundId, group, subject, attitude, efficiency, extra = {}) {
  return who.client.post(`/api/review-rounds/${roundId}/ratings`, {
    group, subject_id: subject.id, scores: { attitude, efficiency }, ...extra,
  });
}

before(async () => {
  admin = await loginAs('t_admin');
  leaderT = await loginAs('t_leader_t');
  nodes = await demoNodes(admin);
  u1 = await createNode(admin, nodes.dist, 'unit', { name: '评议一局' });
  u2 = await createNode(admin, nodes.dist, 'unit', { name: '评议二局' });
  h1 = await createNode(admin, u1, 'hall', { name: '评议一厅' });
  h2 = await createNode(admin, u2, 'hall', { name: '评议二厅' });
  w1 = await createNode(admin, h1, 'window', { name: '评议1号窗口' });
  w2 = await createNode(admin, h1, 'window', { name: '评议2号窗口' });
  ld = await person(nodes.dist, { role: 'leader', name: '评议领导' });
  ld2 = await person(nodes.dist, { role: 'leader', name: '另一领导' });
  a1 = await person(h1, { name: '甲一', party_member: true, party_branch: '第一支部' });
  a2 = await person(h1, { name: '甲二', party_member: true, party_branch: '第一支部' });
  c1 = await person(h1, { name: '甲三', party_member: true, party_branch: '第二支部' });
  b1 = await person(h2, { name: '乙一' });
  sup = await person(u1, { role: 'supervisor', name: '督查干部' });
});

test('party_branch is set through the staff API', async () => {
  assert.equal(a1.staff.party_branch, '第一支部');
  const p = await admin.patch(`/api/staff/${b1.id}`, { party_branch: '第三支部' });
  assertStatus(p, 200, 'patch branch');
  assert.equal(p.json.party_branch, '第三支部');
  const back = await admin.patch(`/api/staff/${b1.id}`, { party_branch: '' });
  assert.equal(back.json.party_branch, '');
  assertError(await admin.patch(`/api/staff/${b1.id}`, { party_branch: 'x'.repeat(101) }), 400, 'invalid', 'party_branch');
});

test('a bad form is refused naming the field, nothing created', async () => {
  const base = { node_id: nodes.dist.id, period: '2031-05', subject_kind: 'staff', title: '五月三评', criteria: CRITERIA, groups: GROUPS };
  const before = (await ld.client.get('/api/review-rounds')).json.total;
  const bad = [
    [{ criteria: [{ ...CRITERIA[0], weight: 50 }, CRITERIA[1]] }, 'criteria'],
    [{ groups: GROUPS.map((g, i) => (i === 0 ? { ...g, weight: 30 } : g)) }, 'groups'],
    [{ groups: [{ ...GROUPS[0], kind: 'crowd' }, ...GROUPS.slice(1)] }, 'groups[0].kind'],
    [{ groups: [{ ...GROUPS[0], unit_scope: 'same_unit' }, ...GROUPS.slice(1)] }, 'groups[0].unit_scope'],
    [{ criteria: [CRITERIA[0], { ...CRITERIA[1], code: 'attitude' }] }, 'criteria[1].code'],
    [{ period: '2031-13' }, 'period'],
    [{ period: '2031-Q5' }, 'period'],
    [{ subject_kind: 'hall' }, 'subject_kind'],
    [{ criteria: [] }, 'criteria'],
    [{ groups: undefined }, 'groups'],
  ];
  for (const [patch, field] of bad) {
    assertError(await ld.client.post('/api/review-rounds', { ...base, ...patch }), 400, 'invalid', field);
  }
  // window rounds have no party_only peers
  assertError(await ld.client.post('/api/review-rounds', {
    ...base, subject_kind: 'window',
    groups: [{ code: 'p', name: 'p', kind: 'peer', party_only: true, weight: 100 }],
  }), 400, 'invalid', 'groups[0].party_only');
  assertError(await a1.client.post('/api/review-rounds', base), 403, 'forbidden');
  assertError(await leaderT.post('/api/review-rounds', base), 403, 'forbidden');
  assert.equal((await ld.client.get('/api/review-rounds')).json.total, before);
});

test('the weighted round: states, who rates whom, results and confidentiality', async () => {
  const created = await ld.client.post('/api/review-rounds', {
    node_id: nodes.dist.id, period: '2031-05', subject_kind: 'staff', title: '五月三评', criteria: CRITERIA, groups: GROUPS,
  });
  assertStatus(created, 201, 'create');
  const round = created.json;
  ids.main = round.id;
  assert.equal(round.state, 'draft');
  assert.equal(round.can_manage, true);
  assert.deepEqual(round.groups.map((g) => [g.code, g.weight]), [['leaders', 20], ['own', 40], ['peers', 20], ['cadres', 20]]);

  // draft: no ratings; the form may change; only the owner opens
  assertError(await rate(a1, round.id, 'own', a2, 8, 90), 409, 'conflict', 'state');
  const edit = await ld.client.patch(`/api/review-rounds/${round.id}`, { title: '五月三评（修订）', period: '2031-05', criteria: CRITERIA, groups: GROUPS });
  assertStatus(edit, 200, 'edit draft');
  assert.equal(edit.json.title, '五月三评（修订）');
  assertError(await ld2.client.post(`/api/review-rounds/${round.id}/open`), 403, 'forbidden');
  assertError(await leaderT.post(`/api/review-rounds/${round.id}/open`), 403, 'forbidden');
  // a town leader inside the district sees the round, may not run it
  assertStatus(await leaderT.get(`/api/review-rounds/${round.id}`), 200, 'town leader sees');
  const opened = await ld.client.post(`/api/review-rounds/${round.id}/open`);
  assertStatus(opened, 200, 'open');
  assert.equal(opened.json.state, 'open');
  assertError(await ld.client.post(`/api/review-rounds/${round.id}/open`), 409, 'conflict', 'state');
  assertError(await ld.client.patch(`/api/review-rounds/${round.id}`, { title: 'x', period: '2031-05', criteria: CRITERIA, groups: GROUPS }), 409, 'conflict', 'state');

  // a staff member inside the subtree sees the round
  const seen = await a1.client.get(`/api/review-rounds/${round.id}`);
  assertStatus(seen, 200, 'staff sees round');
  assert.equal(seen.json.can_manage, false);

  // nobody rates themselves
  const self = await rate(a1, round.id, 'own', a1, 8, 90);
  assertError(self, 403, 'forbidden');
  assert.match(self.json.error.message, /yourself/);
  assertError(await rate(ld, round.id, 'leaders', ld, 9, 90, { comment: '自评' }), 403, 'forbidden');

  // own staff: same unit only; cross-unit peers: other units only
  assertStatus(await rate(a1, round.id, 'own', a2, 8, 90), 201, 'a1 → a2 own');
  assertError(await rate(a1, round.id, 'own', a2, 5, 50), 409, 'conflict', 'subject_id');
  assertError(await rate(a1, round.id, 'own', b1, 8, 90), 403, 'forbidden');
  assertError(await rate(a1, round.id, 'peers', a2, 8, 90), 403, 'forbidden');
  assertStatus(await rate(a1, round.id, 'peers', b1, 6, 50), 201, 'a1 → b1 peers');
  assertStatus(await rate(b1, round.id, 'peers', a1, 9, 90), 201, 'b1 → a1 peers');
  assertStatus(await rate(b1, round.id, 'peers', a2, 7, 70), 201, 'b1 → a2 peers');

  // leaders: a written comment; staff may not rate as leaders
  assertError(await rate(ld, round.id, 'leaders', a2, 9, 80), 400, 'invalid', 'comment');
  assertError(await rate(ld, round.id, 'leaders', a2, 9, 80, { comment: '' }), 400, 'invalid', 'comment');
  assertError(await rate(a1, round.id, 'leaders', a2, 9, 80, { comment: '好' }), 403, 'forbidden');
  assertStatus(await rate(ld, round.id, 'leaders', a2, 9, 80, { comment: '服务热情，效率高' }), 201, 'leader → a2');

  // cadres: supervisors only
  assertError(await rate(a1, round.id, 'cadres', b1, 10, 100), 403, 'forbidden');
  assertStatus(await rate(sup, round.id, 'cadres', a2, 10, 100), 201, 'sup → a2 cadres');

  // bad scores and groups
  const r0 = await a2.client.post(`/api/review-rounds/${round.id}/ratings`, { group: 'own', subject_id: a1.id, scores: { attitude: 8 } });
  assertError(r0, 400, 'invalid', 'scores.efficiency');
  assertError(await rate(a2, round.id, 'own', a1, 11, 90), 400, 'invalid', 'scores.attitude');
  assertError(await rate(a2, round.id, 'own', a1, 8, -1), 400, 'invalid', 'scores.efficiency');
  const r1 = await a2.client.post(`/api/review-rounds/${round.id}/ratings`, { group: 'own', subject_id: a1.id, scores: { attitude: 8, efficiency: 90, speed: 3 } });
  assertError(r1, 400, 'invalid', 'scores.speed');
  assertError(await rate(a2, round.id, 'nope', a1, 8, 90), 400, 'invalid', 'group');
  assertError(await rate(a2, round.id, 'own', { id: 987654321 }, 8, 90), 400, 'invalid', 'subject_id');

  // the to-do list of a1: own (a2 rated, not a1 itself), peers (b1 rated)
  const todo = await a1.client.get(`/api/review-rounds/${round.id}/todo`);
  assertStatus(todo, 200, 'todo');
  const own = todo.json.groups.find((g) => g.code === 'own');
  assert.ok(own, 'own group listed');
  assert.ok(!own.subjects.some((s) => s.id === a1.id), 'not oneself');
  assert.equal(own.subjects.find((s) => s.id === a2.id).rated, true);
  assert.ok(!own.subjects.some((s) => s.id === b1.id), 'no other unit in own');
  const peers = todo.json.groups.find((g) => g.code === 'peers');
  assert.equal(peers.subjects.find((s) => s.id === b1.id).rated, true);
  assert.ok(!todo.json.groups.some((g) => g.code === 'leaders' || g.code === 'cadres'));

  // results wait for the close; only the owner closes
  assertError(await ld.client.get(`/api/review-rounds/${round.id}/results`), 409, 'conflict', 'state');
  assertError(await ld2.client.post(`/api/review-rounds/${round.id}/close`), 403, 'forbidden');
  const closed = await ld.client.post(`/api/review-rounds/${round.id}/close`);
  assertStatus(closed, 200, 'close');
  assert.equal(closed.json.state, 'closed');
  assertError(await rate(a2, round.id, 'own', a1, 8, 90), 409, 'conflict', 'state');
  assertError(await ld.client.post(`/api/review-rounds/${round.id}/close`), 409, 'conflict', 'state');

  const res = await ld.client.get(`/api/review-rounds/${round.id}/results`);
  assertStatus(res, 200, 'results');
  const ra2 = res.json.items.find((x) => x.subject_id === a2.id);
  const means = Object.fromEntries(ra2.groups.map((g) => [g.code, [g.mean, g.n]]));
  assert.deepEqual(means, {
    leaders: [score(9, 80), 1], own: [score(8, 90), 1], peers: [score(7, 70), 1], cadres: [score(10, 100), 1],
  });
  const expect = 0.2 * score(9, 80) + 0.4 * score(8, 90) + 0.2 * score(7, 70) + 0.2 * score(10, 100);
  assert.equal(ra2.total, Math.round(expect * 100) / 100);
  assert.equal(ra2.raters, 4);
  // b1: only the cross-unit peers group present → its weight renormalised to the whole
  const rb1 = res.json.items.find((x) => x.subject_id === b1.id);
  assert.equal(rb1.total, score(6, 50));
  assert.deepEqual(rb1.groups.map((g) => g.code), ['peers']);
  assert.ok(!res.json.items.some((x) => x.subject_id === c1.id), 'no ratings → no result');
  // aggregates carry counts, never raters
  assert.ok(!JSON.stringify(res.json).includes('rater_id'));

  // individual ratings: the owner only
  const mine = await ld.client.get(`/api/review-rounds/${round.id}/ratings`);
  assertStatus(mine, 200, 'owner ratings');
  const byA1 = mine.json.items.find((x) => x.rater_id === a1.id && x.subject_id === a2.id);
  assert.equal(byA1.group, 'own');
  assert.equal(byA1.score, score(8, 90));
  assert.deepEqual(byA1.scores, { attitude: 8, efficiency: 90 });
  assert.equal(mine.json.items.find((x) => x.group === 'leaders').comment, '服务热情，效率高');
  assertError(await ld2.client.get(`/api/review-rounds/${round.id}/ratings`), 403, 'forbidden');
  assertError(await a1.client.get(`/api/review-rounds/${round.id}/ratings`), 403, 'forbidden');
  assertError(await sup.client.get(`/api/review-rounds/${round.id}/ratings`), 403, 'forbidden');
  assertStatus(await admin.get(`/api/review-rounds/${round.id}/ratings`), 200, 'admin ratings');

  // another leader sees every aggregate; a subject only their own
  const other = await ld2.client.get(`/api/review-rounds/${round.id}/results`);
  assert.ok(other.json.items.some((x) => x.subject_id === a2.id) && other.json.items.some((x) => x.subject_id === b1.id));
  const subj = await a1.client.get(`/api/review-rounds/${round.id}/results`);
  assertStatus(subj, 200, 'subject results');
  assert.deepEqual(subj.json.items.map((x) => x.subject_id), [a1.id]);
  assert.equal(subj.json.items[0].total, score(9, 90));
  // the town leader: aggregates of the town only (none of these subjects)
  const town = await leaderT.get(`/api/review-rounds/${round.id}/results`);
  assertStatus(town, 200, 'town results');
  assert.ok(!town.json.items.some((x) => [a1.id, a2.id, b1.id].includes(x.subject_id)));

  // the lifecycle is audited
  const audit = await admin.get('/api/audit', { query: { entity: 'review_round', entity_id: round.id } });
  assertStatus(audit, 200, 'audit');
  assert.deepEqual(audit.json.items.map((x) => x.action).sort(), ['review.close', 'review.create', 'review.open', 'review.update']);

  // lists
  const list = await a1.client.get('/api/review-rounds', { query: { state: 'closed', period: '2031-05' } });
  assert.ok(list.json.items.some((x) => x.id === round.id));
  assertError(await a1.client.get('/api/review-rounds', { query: { state: 'done' } }), 400, 'invalid', 'state');
});

test('self, party branch, public vote and evaluation metrics', async () => {
  const created = await admin.post('/api/review-rounds', {
    node_id: u1.id, period: '2031-Q2', subject_kind: 'staff', title: '党员评议',
    criteria: [{ code: 'overall', name: '综合', scale_max: 100, weight: 100 }],
    groups: [
      { code: 'self', name: '自评', kind: 'self', weight: 20 },
      { code: 'party', name: '党员互评', kind: 'peer', party_only: true, weight: 30 },
      { code: 'vote', name: '群众投票', kind: 'public_vote', weight: 30 },
      { code: 'metrics', name: '群众评议', kind: 'public_metrics', weight: 20 },
    ],
  });
  assertStatus(created, 201, 'create');
  const id = created.json.id;
  assertError(await anon.get(`/api/public/review-votes/${id}`), 404, 'not_found');
  // outside the unit: neither seen nor listed
  assertError(await leaderT.get(`/api/review-rounds/${id}`), 403, 'forbidden');
  const t = await leaderT.get('/api/review-rounds', { query: { period: '2031-Q2' } });
  assert.ok(!t.json.items.some((x) => x.id === id), 'a town leader does not see a unit\'s round');
  assertStatus(await admin.post(`/api/review-rounds/${id}/open`), 200, 'open');
  const overall = (who, group, subject, v) => who.client.post(`/api/review-rounds/${id}/ratings`, { group, subject_id: subject.id, scores: { overall: v } });

  assertStatus(await overall(a1, 'self', a1, 90), 201, 'self');
  assertError(await overall(a1, 'self', a2, 90), 403, 'forbidden');
  assertStatus(await overall(a1, 'party', a2, 80), 201, 'same branch');
  const branch = await overall(c1, 'party', a2, 10);
  assertError(branch, 403, 'forbidden');
  assert.match(branch.json.error.message, /branch/);
  assertError(await overall(a1, 'party', a1, 80), 403, 'forbidden');
  assertError(await overall(a1, 'metrics', a2, 80), 400, 'invalid', 'group');
  assertError(await overall(a1, 'vote', a2, 80), 400, 'invalid', 'group');

  // the portal: listed, its subjects, one vote per ID number
  const open = await anon.get('/api/public/review-votes');
  assertStatus(open, 200, 'public list');
  assert.ok(open.json.items.some((x) => x.id === id));
  const page = await anon.get(`/api/public/review-votes/${id}`);
  assertStatus(page, 200, 'public round');
  assert.ok(page.json.subjects.some((s) => s.id === a1.id) && page.json.subjects.some((s) => s.id === a2.id));
  const idA = idNumber('11010119900307123');
  const idB = idNumber('44030519851212004');
  const vote = (body) => anon.post(`/api/public/review-votes/${id}`, body);
  const good = { name: '张三', id_number: idA, phone: '13800138000', votes: [{ subject_id: a1.id, choice: 'satisfied' }, { subject_id: a2.id, choice: 'basic' }] };
  const wrongCheck = idA.slice(0, 17) + (idA[17] === '0' ? '1' : '0');
  assertError(await vote({ ...good, id_number: wrongCheck }), 400, 'invalid', 'id_number');
  assertError(await vote({ ...good, phone: '12345' }), 400, 'invalid', 'phone');
  assertError(await vote({ ...good, name: '' }), 400, 'invalid', 'name');
  assertError(await vote({ ...good, votes: [] }), 400, 'invalid', 'votes');
  assertError(await vote({ ...good, votes: [{ subject_id: a1.id, choice: 'great' }] }), 400, 'invalid', 'votes[0].choice');
  assertError(await vote({ ...good, votes: [{ subject_id: b1.id, choice: 'basic' }] }), 400, 'invalid', 'votes[0].subject_id');
  assertError(await vote({ ...good, votes: [{ subject_id: a1.id, choice: 'basic' }, { subject_id: a1.id, choice: 'basic' }] }), 400, 'invalid', 'votes');
  assertStatus(await vote(good), 201, 'vote');
  assertError(await vote({ ...good, id_number: idA.toLowerCase(), phone: '13900139000' }), 409, 'conflict', 'id_number');
  assertStatus(await vote({ ...good, id_number: idB, votes: [{ subject_id: a2.id, choice: 'unsatisfied' }] }), 201, 'second voter');
  // only the keyed hash of the ID number is stored
  const stored = runSql(`SELECT id_hash || name_enc || phone_enc FROM review_vote WHERE round_id = ${id}`);
  assert.ok(stored.length > 0 && !stored.includes(idA.slice(0, 17)) && !stored.includes('13800138000') && !stored.includes(idB.slice(0, 17)));

  // 群众评议 from the evaluation rollups: a2 6 of 8 active satisfied in the quarter (one excluded)
  runSql(`INSERT INTO eval_rollup (day, window_id, staff_id, item_id, channel, set_id, active, active_good, excluded) VALUES ('2031-05-10', 0, ${a2.id}, 0, 'test', 0, 9, 6, 1)`);
  runSql(`INSERT INTO eval_rollup (day, window_id, staff_id, item_id, channel, set_id, active, active_good) VALUES ('2031-07-01', 0, ${a2.id}, 0, 'test', 0, 50, 0)`);

  assertStatus(await admin.post(`/api/review-rounds/${id}/close`), 200, 'close');
  assertError(await vote({ ...good, id_number: idNumber('11010119800101001') }), 409, 'conflict', 'state');
  const res = await admin.get(`/api/review-rounds/${id}/results`);
  const ra2 = res.json.items.find((x) => x.subject_id === a2.id);
  const g2 = Object.fromEntries(ra2.groups.map((g) => [g.code, [g.mean, g.n]]));
  assert.deepEqual(g2, { party: [80, 1], vote: [30, 2], metrics: [75, 8] });
  assert.equal(ra2.total, Math.round(((30 * 80 + 30 * 30 + 20 * 75) / 80) * 100) / 100);
  assert.equal(ra2.raters, 3);
  const ra1 = res.json.items.find((x) => x.subject_id === a1.id);
  assert.equal(ra1.total, (20 * 90 + 30 * 100) / 50);
  // the owner's view of votes shows no names
  const ratings = await admin.get(`/api/review-rounds/${id}/ratings`);
  const votes = ratings.json.items.filter((x) => x.public_vote);
  assert.equal(votes.length, 3);
  assert.ok(votes.every((x) => x.rater_name === null && x.rater_id === null));
  assert.ok(!JSON.stringify(ratings.json).includes('张三'));
});

test('window rounds: self by the assigned staff, no peer rating of one\'s own window', async () => {
  assertStatus(await admin.post(`/api/staff/${a1.id}/assignments`, { window_id: w1.id, is_chief: true }), 201, 'assign');
  const created = await ld.client.post('/api/review-rounds', {
    node_id: h1.id, period: '2031', subject_kind: 'window', title: '窗口年度评议',
    criteria: [{ code: 'overall', name: '综合', scale_max: 10, weight: 100 }],
    groups: [
      { code: 'self', name: '自评', kind: 'self', weight: 30 },
      { code: 'peer', name: '互评', kind: 'peer', weight: 50 },
      { code: 'public', name: '群众评议', kind: 'public_metrics', weight: 20 },
    ],
  });
  assertStatus(created, 201, 'create');
  const id = created.json.id;
  assertStatus(await ld.client.post(`/api/review-rounds/${id}/open`), 200, 'open');
  const r = (who, group, w, v) => who.client.post(`/api/review-rounds/${id}/ratings`, { group, subject_id: w.id, scores: { overall: v } });
  const own = await r(a1, 'peer', w1, 10);
  assertError(own, 403, 'forbidden');
  assert.match(own.json.error.message, /own window/);
  assertError(await r(a1, 'self', w2, 10), 403, 'forbidden');
  assertStatus(await r(a1, 'self', w1, 9), 201, 'self');
  assertStatus(await r(a2, 'peer', w1, 7), 201, 'peer');
  assertStatus(await r(a1, 'peer', w2, 6), 201, 'peer other window');
  assertError(await r(b1, 'peer', w1, 7), 403, 'forbidden'); // outside the hall
  runSql(`INSERT INTO eval_month_window (month, window_id, active, active_good) VALUES ('2031-03', ${w1.id}, 10, 9)`);
  runSql(`INSERT INTO eval_month_window (month, window_id, active, active_good) VALUES ('2031-11', ${w1.id}, 10, 7)`);
  assertStatus(await ld.client.post(`/api/review-rounds/${id}/close`), 200, 'close');
  const res = await ld.client.get(`/api/review-rounds/${id}/results`);
  const x = res.json.items.find((i) => i.subject_id === w1.id);
  assert.deepEqual(Object.fromEntries(x.groups.map((g) => [g.code, [g.mean, g.n]])), { self: [90, 1], peer: [70, 1], public: [80, 20] });
  assert.equal(x.total, (30 * 90 + 50 * 70 + 20 * 80) / 100);
  // a1 serves w1: sees w1's aggregate (and not w2's)
  const mine = await a1.client.get(`/api/review-rounds/${id}/results`);
  assert.deepEqual(mine.json.items.map((i) => i.subject_id), [w1.id]);
});

test('the demo holds one closed round with results', async () => {
  const list = await admin.get('/api/review-rounds', { query: { state: 'closed', per_page: 500 } });
  const demo = list.json.items.find((x) => x.title === '区政务服务中心窗口人员月度三评');
  assert.ok(demo, 'demo round');
  const res = await admin.get(`/api/review-rounds/${demo.id}/results`);
  assertStatus(res, 200, 'demo results');
  assert.ok(res.json.items.length >= 2);
  for (const x of res.json.items) {
    assert.ok(x.total > 0 && x.total <= 100 && x.raters >= 3, JSON.stringify(x));
    assert.ok(x.groups.some((g) => g.code === 'leaders'));
  }
});
