// 三比 scoring (docs/api.md "Scorecards 量化考核…"): a window card and a staff card on a
// unit of their own; definitions checked (weights, inputs, events, red flag) with nothing
// stored on a refusal; manual events need evidence and a second person; live scores follow
// a confirmed event; a month closes only after it ended and with no unconfirmed input;
// closing ranks, awards the red flag, counts bottom streaks (约谈); the next month moves the
// flag and the arrows; drill-down totals recompute; reopen is the admin's, audited; the
// chief representative loses half the window's deduction; the public board; scope.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, createStaff, createNode, shanghaiNow, sleep,
} from './helpers.mjs';

const anon = new Client('anon');
let admin; let leader; let sup; let supLogin; let outsider;
let unit; let hall; const win = [];
let chief; let chiefC;
let windowCard; let staffCard;
let m1; let m2; let thisMonth;

function monthsBack(day, n) {
  let [y, m] = day.split('-').map(Number);
  m -= n;
  while (m < 1) { m += 12; y -= 1; }
  return `${y}-${String(m).padStart(2, '0')}`;
}

const WINDOW_DEF = {
  base: 100,
  cap: 110,
  items: [
    { code: 'attendance', name: '考勤', points: 20, rules: [{ input: 'event:absent_half_day', per: -3 }] },
    { code: 'timelimit', name: '时限承诺', points: 15, rules: [{ input: 'case_overdue', per: -5 }] },
    { code: 'public', name: '群众评价', points: 10, input: 'satisfaction', zero: 0.8, full: 1, empty: 'full' },
    { code: 'bonus', name: '加分', points: 0, bonus: 10, rules: [{ input: 'event:praise_letter', per: 2 }] },
    { code: 'covert', name: '暗访', points: 15, veto: 'year', rules: [{ input: 'event:covert_negative', per: -15 }] },
  ],
  events: [
    { code: 'absent_half_day', name: '缺勤(半天)' },
    { code: 'praise_letter', name: '表扬信' },
    { code: 'covert_negative', name: '暗访负面' },
  ],
  stars: [100, 95, 90, 80],
  red_flag: { month: 1, quarter: 1, year: 1 },
  summons: { group: 'all', bottom: 1, streak: 2 },
};

const STAFF_DEF = {
  base: 100,
  items: [
    { code: 'attendance', name: '考勤', points: 30, rules: [{ input: 'event:absent_half_day', per: -3 }] },
    { code: 'discipline', name: '纪律', points: 30, rules: [] },
    { code: 'business', name: '业务', points: 30, rules: [{ input: 'chief_loss', per: -0.5 }] },
    { code: 'full', name: '全勤', points: 10, rules: [{ input: 'event:absent_half_day', per: -10 }] },
  ],
  events: [{ code: 'absent_half_day', name: '缺勤(半天)' }],
};

async function event(client, kind, subjectId, type, day, qty = 1, evidence = '考勤记录第3页') {
  return client.post('/api/score-events', { kind, subject_id: subjectId, type, day, qty, evidence });
}

async function confirmedEvent(kind, subjectId, type, day, qty) {
  const r = await event(sup, kind, subjectId, type, day, qty);
  assertStatus(r, 201, 'enter event');
  assertStatus(await leader.post(`/api/score-events/${r.json.id}/confirm`, {}), 200, 'confirm');
  return r.json.id;
}

async function ranking(card, period, query = {}) {
  const r = await leader.get('/api/scores', { query: { card_id: card.id, period, ...query } });
  assertStatus(r, 200, 'ranking');
  return r.json;
}

const byId = (rows) => new Map(rows.map((x) => [x.subject_id, x]));

before(async () => {
  admin = await loginAs('t_admin');
  const nodes = await demoNodes(admin);
  thisMonth = shanghaiNow().day.slice(0, 7);
  m1 = monthsBack(shanghaiNow().day, 1);
  m2 = monthsBack(shanghaiNow().day, 2);
  unit = await createNode(admin, nodes.dist, 'unit', { name: '考核测试局' });
  const ind = await admin.patch(`/api/org/nodes/${unit.id}`, { industry: '税务' });
  assertStatus(ind, 200, 'industry');
  assert.equal(ind.json.industry, '税务');
  hall = await createNode(admin, unit, 'hall', { name: '考核测试厅' });
  for (let i = 1; i <= 3; i += 1) win.push(await createNode(admin, hall, 'window', { code: `s${i}`, name: `${i}号窗口` }));
  const l = await createStaff(admin, unit.id, { role: 'leader' });
  leader = await loginAs(l.login, l.password);
  const s = await createStaff(admin, unit.id, { role: 'supervisor' });
  supLogin = s;
  sup = await loginAs(s.login, s.password);
  const c = await createStaff(admin, hall.id, { role: 'staff' });
  chief = c.staff;
  chiefC = await loginAs(c.login, c.password);
  assertStatus(await admin.post(`/api/staff/${chief.id}/assignments`, { window_id: win[2].id, is_chief: true }), 201, 'assign chief');
  const o = await createStaff(admin, nodes.hallB.id, { role: 'leader' });
  outsider = await loginAs(o.login, o.password);
});

test('a definition is checked field by field and nothing is stored on a refusal', async () => {
  const bad = [
    [{ ...WINDOW_DEF, weighted: true }, 'items[0].weight'],
    [{ weighted: true, items: [{ code: 'a', name: 'A', weight: 60 }, { code: 'b', name: 'B', weight: 30 }] }, 'weights'],
    [{ items: [{ code: 'a', name: 'A', points: 10, rules: [{ input: 'nonsense', per: -1 }] }] }, 'items[0].rules[0].input'],
    [{ items: [{ code: 'a', name: 'A', points: 10, rules: [{ input: 'event:late', per: -1 }] }] }, 'items[0].rules[0].input'],
    [{ items: [{ code: 'a', name: 'A', points: 120 }] }, 'items'],
    [{ items: [{ code: 'a', name: 'A', points: 10 }], stars: [80, 90] }, 'stars'],
    [{ items: [{ code: 'a', name: 'A', points: 10 }], colour: 'red' }, 'colour'],
  ];
  for (const [def, field] of bad) {
    const r = await leader.post('/api/scorecards', { node_id: unit.id, subject: 'window', name: '窗口月度考核', periods: ['month'], def });
    assertError(r, 400, 'invalid', field);
  }
  const flagOnStaff = await leader.post('/api/scorecards', { node_id: unit.id, subject: 'staff', name: 'x', def: { ...STAFF_DEF, red_flag: { month: 1 } } });
  assertError(flagOnStaff, 400, 'invalid', 'red_flag');
  const list = await leader.get('/api/scorecards', { query: { node_id: unit.id } });
  assertStatus(list, 200);
  assert.equal(list.json.items.length, 0, 'no card stored');
  // staff may not define cards
  const clerk = await createStaff(admin, hall.id, { role: 'staff' });
  const clerkC = await loginAs(clerk.login, clerk.password);
  assertError(await clerkC.post('/api/scorecards', { node_id: unit.id, subject: 'window', name: 'x', def: WINDOW_DEF }), 403, 'forbidden');
});

test('cards are created once per node and subject, versioned', async () => {
  let r = await leader.post('/api/scorecards', { node_id: unit.id, subject: 'window', name: '窗口月度考核', periods: ['month', 'quarter', 'year'], def: WINDOW_DEF, note: 'DOMAIN §7' });
  assertStatus(r, 201, 'window card');
  windowCard = r.json;
  assert.equal(windowCard.version, 1);
  assert.deepEqual(windowCard.periods, ['month', 'quarter', 'year']);
  r = await leader.post('/api/scorecards', { node_id: unit.id, subject: 'window', name: 'dup', def: WINDOW_DEF });
  assertError(r, 409, 'conflict', 'node_id');
  r = await leader.post('/api/scorecards', { node_id: unit.id, subject: 'staff', name: '个人月度考核', periods: ['month'], def: STAFF_DEF });
  assertStatus(r, 201, 'staff card');
  staffCard = r.json;
  r = await leader.post(`/api/scorecards/${windowCard.id}/versions`, { def: WINDOW_DEF, note: 'same rules, v2' });
  assertStatus(r, 201, 'version 2');
  assert.equal(r.json.version, 2);
  assert.equal(r.json.versions.length, 2);
  r = await leader.get(`/api/scorecards/${windowCard.id}/versions/1`);
  assertStatus(r, 200);
  assert.equal(r.json.def.items.length, WINDOW_DEF.items.length);
  // outside the subtree: 403
  assertError(await outsider.get(`/api/scorecards/${windowCard.id}`), 403, 'forbidden');
  assertError(await outsider.get('/api/scores', { query: { card_id: windowCard.id } }), 403, 'forbidden');
});

test('manual events: evidence required, a second person confirms, live score follows', async () => {
  const today = shanghaiNow().day;
  assertError(await event(sup, 'window', win[0].id, 'absent_half_day', today, 1, ''), 400, 'invalid', 'evidence');
  assertError(await event(sup, 'window', win[0].id, 'no_such_type', today), 400, 'invalid', 'type');
  assertError(await event(sup, 'window', win[0].id, 'absent_half_day', '2999-01-01'), 400, 'invalid', 'day');
  assertError(await outsider.post('/api/score-events', { kind: 'window', subject_id: win[0].id, type: 'absent_half_day', day: today, evidence: 'x' }), 403, 'forbidden');
  const list0 = await leader.get('/api/score-events', { query: { subject_id: win[0].id } });
  assert.equal(list0.json.total, 0, 'nothing stored by the refusals');
  const r = await event(leader, 'window', win[0].id, 'absent_half_day', today, 2);
  assertStatus(r, 201);
  assert.equal(r.json.state, 'pending');
  assertError(await leader.post(`/api/score-events/${r.json.id}/confirm`, {}), 403, 'forbidden');
  // a new card's subjects are scored by the rescoring thread, in the background
  let before;
  for (let i = 0; i < 100; i += 1) {
    before = await leader.get('/api/scores/subject', { query: { kind: 'window', id: win[0].id } });
    assertStatus(before, 200);
    if (before.json.live) break;
    await sleep(50);
  }
  assert.equal(before.json.live.score, 100, 'pending events do not count');
  assertStatus(await admin.post(`/api/score-events/${r.json.id}/confirm`, {}), 200, 'confirm by another');
  assertError(await admin.post(`/api/score-events/${r.json.id}/confirm`, {}), 409, 'conflict', 'state');
  let live;
  for (let i = 0; i < 100; i += 1) {
    live = await leader.get('/api/scores/subject', { query: { kind: 'window', id: win[0].id } });
    if (live.json.live && live.json.live.score === 94) break;
    await sleep(50);
  }
  assert.equal(live.json.live.score, 94, 'live score after the confirmed deduction (100 − 2 × 3)');
  assert.equal(live.json.live.rank, 3, 'ranked below the two untouched windows');
  assert.equal(live.json.live.of, 3);
  // void it: the score comes back
  assertError(await leader.post(`/api/score-events/${r.json.id}/void`, {}), 400, 'invalid', 'reason');
  assertStatus(await leader.post(`/api/score-events/${r.json.id}/void`, { reason: '录入错误' }), 200);
  for (let i = 0; i < 100; i += 1) {
    live = await leader.get('/api/scores/subject', { query: { kind: 'window', id: win[0].id } });
    if (live.json.live.score === 100) break;
    await sleep(50);
  }
  assert.equal(live.json.live.score, 100);
});

test('closing a month: not before it ends, not with unconfirmed inputs; ranks, flag, drill-down', async () => {
  assertError(await leader.post(`/api/scorecards/${windowCard.id}/periods/${thisMonth}/close`, {}), 409, 'conflict', 'period');
  assertError(await leader.post(`/api/scorecards/${windowCard.id}/periods/2026-13/close`, {}), 400, 'invalid', 'period');
  const d2 = `${m2}-10`;
  await confirmedEvent('window', win[1].id, 'absent_half_day', d2, 1); // 97
  await confirmedEvent('window', win[2].id, 'absent_half_day', d2, 2); // 94
  const pending = await event(sup, 'window', win[0].id, 'praise_letter', d2, 1);
  assertStatus(pending, 201);
  const refused = await leader.post(`/api/scorecards/${windowCard.id}/periods/${m2}/close`, {});
  assertError(refused, 409, 'conflict', 'inputs');
  assert.equal(refused.json.error.details.events, 1);
  const periods0 = await leader.get(`/api/scorecards/${windowCard.id}/periods`);
  assert.ok(!periods0.json.items.some((p) => p.period === m2 && p.state === 'closed'), 'still open');
  assertStatus(await leader.post(`/api/score-events/${pending.json.id}/void`, { reason: '重复' }), 200);
  const closed = await leader.post(`/api/scorecards/${windowCard.id}/periods/${m2}/close`, {});
  assertStatus(closed, 200, 'close m-2');
  assert.equal(closed.json.state, 'closed');
  assert.equal(closed.json.subjects, 3);
  assertError(await leader.post(`/api/scorecards/${windowCard.id}/periods/${m2}/close`, {}), 409, 'conflict', 'state');
  const rk = await ranking(windowCard, m2);
  assert.equal(rk.state, 'closed');
  assert.deepEqual(rk.items.map((x) => [x.subject_id, x.score, x.rank]),
    [[win[0].id, 100, 1], [win[1].id, 97, 2], [win[2].id, 94, 3]]);
  assert.deepEqual(rk.items.map((x) => x.stars), [5, 4, 3]);
  assert.deepEqual(rk.items.map((x) => x.flag), [true, false, false], 'the red flag on the top window');
  assert.equal(rk.items[2].bottom_streak, 1);
  // events in a closed month are refused
  assertError(await event(sup, 'window', win[0].id, 'absent_half_day', d2), 409, 'conflict', 'day');
  // drill-down: every number that made the score
  const dd = await leader.get('/api/scores/detail', { query: { card_id: windowCard.id, period: m2, kind: 'window', subject_id: win[2].id } });
  assertStatus(dd, 200);
  assert.equal(dd.json.total, 94);
  assert.equal(dd.json.stored_total, 94);
  const att = dd.json.items.find((x) => x.code === 'attendance');
  assert.deepEqual(att.rules, [{ input: 'event:absent_half_day', count: 2, per: -3, amount: -6 }]);
  assert.equal(att.value, 14);
  assert.equal(dd.json.events.filter((x) => x.state === 'confirmed').length, 1);
  const recomputed = dd.json.base - dd.json.items.reduce((a, x) => a + (x.points - x.value) - x.added, 0);
  assert.equal(recomputed, dd.json.total, 'base − Σ(points − value) + Σ added');
});

test('the next month moves the flag and the arrows; two months at the bottom → 约谈', async () => {
  const d1 = `${m1}-05`;
  await confirmedEvent('window', win[0].id, 'absent_half_day', d1, 1); // 97
  await confirmedEvent('window', win[2].id, 'absent_half_day', d1, 3); // 91
  assertStatus(await leader.post(`/api/scorecards/${staffCard.id}/periods/${m1}/close`, {}), 200, 'staff m-1');
  assertStatus(await leader.post(`/api/scorecards/${windowCard.id}/periods/${m1}/close`, {}), 200, 'window m-1');
  const rk = await ranking(windowCard, m1);
  const rows = byId(rk.items);
  assert.equal(rows.get(win[1].id).rank, 1);
  assert.equal(rows.get(win[1].id).flag, true, 'the flag moved');
  assert.equal(rows.get(win[0].id).flag, false);
  assert.equal(rows.get(win[0].id).movement, -1);
  assert.equal(rows.get(win[1].id).movement, 1);
  assert.equal(rows.get(win[2].id).movement, 0);
  // the same ranking within the hall and within the industry; an unknown industry is empty
  for (const q of [{ group: 'hall', group_id: hall.id }, { group: 'industry', industry: '税务' }]) {
    const g = await ranking(windowCard, m1, q);
    assert.deepEqual(g.items.map((x) => x.subject_id), rk.items.map((x) => x.subject_id));
    assert.equal(g.items[0].industry, '税务');
  }
  assert.equal((await ranking(windowCard, m1, { group: 'industry', industry: '银行' })).items.length, 0);
  assertError(await leader.get('/api/scores', { query: { card_id: windowCard.id, group: 'hall' } }), 400, 'invalid', 'group_id');
  const flags = await leader.get('/api/scores/flags', { query: { card_id: windowCard.id } });
  assertStatus(flags, 200);
  assert.deepEqual(flags.json.items.filter((f) => f.kind === 'month').map((f) => [f.period, f.subject_id]),
    [[m1, win[1].id], [m2, win[0].id]]);
  assert.deepEqual(flags.json.current.map((f) => f.subject_id), [win[1].id]);
  const summons = await leader.get('/api/scores/summons', { query: { card_id: windowCard.id } });
  assertStatus(summons, 200);
  assert.deepEqual(summons.json.items.map((x) => [x.subject_id, x.bottom_streak]), [[win[2].id, 2]]);
  // the chief representative pays half of the window's event deductions, for the days
  // they were chief: assigned today, last month's 9 points are not theirs
  const srk = await ranking(staffCard, m1);
  assert.equal(srk.items.find((x) => x.subject_id === chief.id).score, 100);
  const today = shanghaiNow().day;
  const ev = await confirmedEvent('window', win[2].id, 'absent_half_day', today, 3); // −9 today
  let live;
  for (let i = 0; i < 100; i += 1) {
    live = await leader.get('/api/scores/subject', { query: { kind: 'staff', id: chief.id } });
    if (live.json.live && live.json.live.score === 95.5) break;
    await sleep(50);
  }
  assert.equal(live.json.live.score, 95.5, 'half of the 9 points');
  assertStatus(await leader.post(`/api/score-events/${ev}/void`, { reason: '测试结束' }), 200);
  for (let i = 0; i < 100; i += 1) {
    live = await leader.get('/api/scores/subject', { query: { kind: 'staff', id: chief.id } });
    if (live.json.live.score === 100) break;
    await sleep(50);
  }
  assert.equal(live.json.live.score, 100, 'voided: nothing to pay');
  const trend = await leader.get('/api/scores/trend', { query: { card_id: windowCard.id, kind: 'window', subject_id: win[2].id } });
  assertStatus(trend, 200);
  assert.deepEqual(trend.json.items.filter((x) => x.state === 'closed').map((x) => [x.period, x.score, x.rank]), [[m2, 94, 3], [m1, 91, 3]]);
  // the public board shows the last closed month and the flag holder
  const pub = await anon.get('/api/public/scores', { query: { node_id: unit.id } });
  assertStatus(pub, 200);
  assert.equal(pub.json.period, m1);
  assert.deepEqual(pub.json.flags.map((f) => f.subject_id), [win[1].id]);
  assert.ok(!JSON.stringify(pub.json).includes('evidence'));
});

test('preview applies a changed definition to last period without writing', async () => {
  const harsher = { ...WINDOW_DEF, items: WINDOW_DEF.items.map((x) => (x.code === 'attendance' ? { ...x, rules: [{ input: 'event:absent_half_day', per: -5 }] } : x)) };
  const r = await leader.post('/api/scorecards/preview', { card_id: windowCard.id, def: harsher });
  assertStatus(r, 200);
  assert.equal(r.json.period, m1, 'the last closed period');
  const rows = byId(r.json.rows);
  assert.equal(rows.get(win[2].id).score, 85);
  assert.equal(rows.get(win[2].id).current_score, 91);
  assert.equal(r.json.stats.n, 3);
  const bad = await leader.post('/api/scorecards/preview', { card_id: windowCard.id, def: { items: [] } });
  assertError(bad, 400, 'invalid', 'items');
  const still = await ranking(windowCard, m1);
  assert.equal(byId(still.items).get(win[2].id).score, 91, 'nothing written');
});

test('reopening is the admin\'s, with a reason, and revokes the flag until it closes again', async () => {
  assertError(await leader.post(`/api/scorecards/${windowCard.id}/periods/${m1}/reopen`, { reason: 'x' }), 403, 'forbidden');
  assertError(await admin.post(`/api/scorecards/${windowCard.id}/periods/${m1}/reopen`, {}), 400, 'invalid', 'reason');
  const r = await admin.post(`/api/scorecards/${windowCard.id}/periods/${m1}/reopen`, { reason: '复核考勤记录' });
  assertStatus(r, 200);
  assert.equal(r.json.state, 'open');
  assert.equal(r.json.reopen_reason, '复核考勤记录');
  let rk = await ranking(windowCard, m1);
  assert.ok(rk.items.every((x) => !x.flag), 'no flag while reopened');
  const audit = await admin.get('/api/audit', { query: { entity: 'score_card' } });
  assertStatus(audit, 200);
  assert.ok(audit.json.items.some((a) => a.action === 'score.reopen' && a.entity_id === windowCard.id));
  assertStatus(await leader.post(`/api/scorecards/${windowCard.id}/periods/${m1}/close`, {}), 200);
  rk = await ranking(windowCard, m1);
  assert.equal(byId(rk.items).get(win[1].id).flag, true);
});

test('commitments (践诺) and review rounds (三评) feed the staff card; open inputs block the close', async () => {
  const def = {
    base: 100,
    items: [
      { code: 'attendance', name: '考勤', points: 20, rules: [{ input: 'event:absent_half_day', per: -3 }] },
      { code: 'discipline', name: '纪律', points: 30, rules: [{ input: 'chief_loss', per: -0.5 }] },
      { code: 'review', name: '三评', points: 20, input: 'review', zero: 0, full: 100 },
      { code: 'commit', name: '践诺', points: 20, input: 'commit_rate', zero: 0, full: 1 },
      { code: 'full', name: '全勤', points: 10, rules: [{ input: 'event:absent_half_day', per: -10 }] },
    ],
    events: [{ code: 'absent_half_day', name: '缺勤(半天)' }],
  };
  assertStatus(await leader.post(`/api/scorecards/${staffCard.id}/versions`, { def, note: '三评与践诺' }), 201);
  const today = shanghaiNow().day;
  const live = async () => {
    const r = await leader.get('/api/scores/subject', { query: { kind: 'staff', id: chief.id } });
    assertStatus(r, 200);
    return r.json.live;
  };
  const until = async (want) => {
    let got;
    for (let i = 0; i < 100; i += 1) {
      got = await live();
      if (got && got.score === want) return got;
      await sleep(50);
    }
    assert.equal(got && got.score, want);
    return got;
  };
  await until(100); // no data: both scaled items full
  // a commitment due today, reported, judged missed → 践诺率 0 → the item's 20 points go
  const cm = await leader.post('/api/commitments', { owner_kind: 'staff', owner_id: chief.id, text: '本月零差错', category: 'service', due_day: today });
  assertStatus(cm, 201, 'commitment');
  assertStatus(await chiefC.post(`/api/commitments/${cm.json.id}/report`, { evidence: '台账见附件' }), 200, 'report');
  assertStatus(await leader.post(`/api/commitments/${cm.json.id}/confirm`, { result: 'missed', note: '出现一次差错' }), 200, 'confirm');
  await until(80);
  // a review round of the hall's staff: the leader rates the chief 70 → the item gives 14 of 20
  const round = await leader.post('/api/review-rounds', {
    node_id: hall.id,
    period: thisMonth,
    subject_kind: 'staff',
    title: '本月领导点评',
    criteria: [{ code: 'work', name: '工作实绩', scale_max: 100, weight: 100 }],
    groups: [{ code: 'lead', name: '领导点评', kind: 'leader', weight: 100 }],
  });
  assertStatus(round, 201, 'round');
  assertStatus(await leader.post(`/api/review-rounds/${round.json.id}/open`, {}), 200, 'open');
  assertStatus(await leader.post(`/api/review-rounds/${round.json.id}/ratings`, { group: 'lead', subject_id: chief.id, scores: { work: 70 }, comment: '认真负责' }), 201, 'rate');
  await until(80); // an open round counts nothing yet
  assertStatus(await leader.post(`/api/review-rounds/${round.json.id}/close`, {}), 200, 'close round');
  const got = await until(74);
  const dd = await leader.get('/api/scores/detail', { query: { card_id: staffCard.id, period: thisMonth, kind: 'staff', subject_id: chief.id } });
  assertStatus(dd, 200);
  assert.equal(dd.json.inputs.review, 70);
  assert.equal(dd.json.inputs.commit_rate, 0);
  assert.equal(dd.json.items.find((x) => x.code === 'review').value, 14);
  assert.equal(got.state, 'open');
  // a review round of a past month still open blocks that month's close, then lets it pass
  const m3 = monthsBack(today, 3);
  const old = await leader.post('/api/review-rounds', {
    node_id: hall.id, period: m3, subject_kind: 'staff', title: '补评',
    criteria: [{ code: 'work', name: '工作实绩', scale_max: 10, weight: 100 }],
    groups: [{ code: 'lead', name: '领导点评', kind: 'leader', weight: 100 }],
  });
  assertStatus(old, 201);
  assertStatus(await leader.post(`/api/review-rounds/${old.json.id}/open`, {}), 200);
  const refused = await leader.post(`/api/scorecards/${staffCard.id}/periods/${m3}/close`, {});
  assertError(refused, 409, 'conflict', 'inputs');
  assert.deepEqual(refused.json.error.details, { events: 0, commitments: 0, reviews: 1 });
  assertStatus(await leader.post(`/api/review-rounds/${old.json.id}/close`, {}), 200);
  assertStatus(await leader.post(`/api/scorecards/${staffCard.id}/periods/${m3}/close`, {}), 200);
});

test('a ranking lists only the rows in the reader\'s scope, with their ranks in the whole group', async () => {
  const hall2 = await createNode(admin, unit, 'hall', { name: '考核测试二厅' });
  const w4 = await createNode(admin, hall2, 'window', { code: 's4', name: '4号窗口' });
  const clerk = await createStaff(admin, hall2.id, { role: 'staff' });
  const clerkC = await loginAs(clerk.login, clerk.password);
  // the new window is scored in the background (100, tied first)
  let rk;
  for (let i = 0; i < 100; i += 1) {
    rk = await ranking(windowCard, thisMonth);
    if (rk.items.some((x) => x.subject_id === w4.id)) break;
    await sleep(50);
  }
  const all = byId(rk.items);
  assert.ok(all.has(w4.id) && all.has(win[0].id), 'the leader sees both halls');
  const mine = await clerkC.get('/api/scores', { query: { card_id: windowCard.id, period: thisMonth } });
  assertStatus(mine, 200);
  assert.deepEqual(mine.json.items.map((x) => x.subject_id), [w4.id], 'the clerk sees the own hall only');
  assert.equal(mine.json.items[0].rank, all.get(w4.id).rank, 'the rank in the whole card');
  assertError(await clerkC.get('/api/scores/summons', { query: { card_id: windowCard.id } }), 403, 'forbidden');
});
