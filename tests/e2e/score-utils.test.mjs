// Unit check (no browser, no server) of web/src/utils/score.js: the scorecard editor's
// form ⇄ definition and live checks, the DOMAIN.md §7 templates, period keys, the
// ranking's movement, the distributions and the drill-down's arithmetic.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const S = await import(pathToFileURL(path.join(here, '../../web/src/utils/score.js')))

test('every template passes the editor checks and survives form ⇄ definition', () => {
  assert.deepEqual(
    S.TEMPLATES.map((t) => t.key),
    ['window_monthly', 'staff', 'window', 'red_flag'],
  )
  for (const tpl of S.TEMPLATES) {
    const def = S.templateDef(tpl.key)
    const form = S.defToForm(def, tpl.subject)
    assert.deepEqual(S.checkForm(form, tpl.subject), [], `${tpl.key} is valid`)
    assert.deepEqual(S.formToDef(form), def, `${tpl.key} round-trips`)
  }
  // a copy: changing it leaves the template alone
  const a = S.templateDef('window_monthly')
  a.items.pop()
  assert.equal(S.templateDef('window_monthly').items.length, 9)
})

test('the schemes of DOMAIN.md §7 as written', () => {
  const monthly = S.templateDef('window_monthly')
  assert.equal(monthly.base, 100)
  assert.equal(monthly.cap, 110)
  const pts = Object.fromEntries(monthly.items.map((i) => [i.code, i.points]))
  assert.deepEqual(pts, { attendance: 20, intake: 15, fees: 10, timelimit: 15, accuracy: 15, archives: 3, hygiene: 2, covert: 15, bonus: 0 })
  assert.deepEqual(monthly.items[0].rules, [{ input: 'event:absent_half_day', per: -3 }])
  assert.equal(monthly.items.find((i) => i.code === 'covert').veto, 'year')

  const staff = S.templateDef('staff')
  assert.deepEqual(staff.items.map((i) => i.points), [30, 30, 30, 10])
  assert.ok(staff.items[1].rules.some((r) => r.input === 'chief_loss' && r.per === -0.5), 'the chief pays half')
  assert.equal(staff.red_flag, undefined, 'staff cards have no red flag')

  const win = S.templateDef('window')
  assert.deepEqual(win.items.map((i) => i.points), [20, 20, 10, 10, 30, 10])
  assert.equal(win.items[4].input, 'staff_avg')

  const flag = S.templateDef('red_flag')
  assert.equal(flag.weighted, true)
  assert.deepEqual(flag.items.map((i) => i.weight), [30, 30, 20, 20])
  assert.equal(S.weightSum(flag.items), 100)
  assert.deepEqual({ m: flag.red_flag.month, q: flag.red_flag.quarter, y: flag.red_flag.year }, { m: 5, q: 2, y: 1 })
})

test('the editor checks name the server field paths', () => {
  const form = S.defToForm(S.templateDef('red_flag'), 'window')
  form.items[0].weight = 25
  const errs = S.checkForm(form, 'window')
  assert.deepEqual(errs.map((e) => e.field), ['weights'])
  assert.equal(errs[0].params.sum, 95)

  const f2 = S.defToForm(S.templateDef('window_monthly'), 'window')
  f2.items[0].rules[0].input = 'event:nope'
  f2.items[1].rules[0].per = 0
  f2.items[2].code = 'Fees!'
  f2.items[3].input = 'chief_loss'
  f2.items[3].zero = 0
  f2.items[3].full = 1
  f2.stars = [90, 95, 80, 70]
  const fields = S.checkForm(f2, 'window').map((e) => `${e.field}:${e.code}`)
  assert.deepEqual(fields, [
    'items[0].rules[0].input:input_event',
    'items[1].rules[0].per:per',
    'items[2].code:code',
    'items[3].input:input_subject',
    'stars:starsOrder',
  ])
  const staffForm = S.defToForm(S.templateDef('staff'), 'staff')
  staffForm.redFlagOn = true
  assert.deepEqual(S.checkForm(staffForm, 'staff').map((e) => e.field), ['red_flag'])
  assert.equal(S.defToForm(S.templateDef('window'), 'staff').redFlagOn, false, 'a staff card drops the red flag')
})

test('inputs: one list, subjects and declared events', () => {
  const names = S.INPUTS.map((i) => i.name)
  for (const n of ['eval_active', 'satisfaction', 'case_overdue', 'ontime_rate', 'svc_timeout', 'noshow_rate', 'commit_rate', 'review', 'staff_avg', 'chief_loss']) {
    assert.ok(names.includes(n), n)
  }
  assert.equal(S.checkInput('staff_avg', 'staff'), 'subject')
  assert.equal(S.checkInput('chief_loss', 'staff'), '')
  assert.equal(S.checkInput('review:duty', 'window'), '')
  assert.equal(S.checkInput('event:praise', 'window', ['praise']), '')
  assert.equal(S.checkInput('event:praise', 'window', []), 'event')
  assert.equal(S.checkInput('bogus', 'window'), 'unknown')
  const opts = S.inputsFor('window', [{ code: 'praise', name: '表扬' }])
  assert.ok(opts.some((o) => o.value === 'event:praise' && o.label === '表扬'))
  assert.ok(!opts.some((o) => o.value === 'chief_loss'))
  assert.equal(S.inputKind('satisfaction'), 'rate')
  assert.equal(S.inputValue('satisfaction', 0.9512), '95.1%')
  assert.equal(S.inputValue('case_overdue', 3), '3')
})

test('period keys', () => {
  const d = new Date('2026-03-31T17:00:00Z') // 2026-04-01 01:00 in Shanghai
  assert.equal(S.periodOf('month', d), '2026-04')
  assert.equal(S.periodOf('quarter', d), '2026-Q2')
  assert.equal(S.periodOf('year', d), '2026')
  assert.equal(S.periodShift('2026-01', 1), '2025-12')
  assert.equal(S.periodShift('2026-01', 2), '2025-11')
  assert.equal(S.periodShift('2025-12', -1), '2026-01')
  assert.equal(S.periodShift('2026-Q1', 1), '2025-Q4')
  assert.equal(S.periodShift('2026', 1), '2025')
  assert.deepEqual(S.periodDays('2024-02'), { from: '2024-02-01', to: '2024-02-29' })
  assert.deepEqual(S.periodDays('2026-Q4'), { from: '2026-10-01', to: '2026-12-31' })
  assert.equal(S.periodKind('2026-13'), '')
  const items = [
    { period: '2026-02', kind: 'month', state: 'closed' },
    { period: '2026-01', kind: 'month', state: 'closed' },
  ]
  const choices = S.periodChoices(items, ['month', 'year'], d)
  assert.deepEqual(choices.map((c) => c.period), ['2026-04', '2026-02', '2026-01', '2026'])
  assert.equal(choices[0].current, true)
  assert.deepEqual(
    S.periodChoices(items, ['month'], d, 3, '2025-06').map((c) => `${c.period}:${c.state}`),
    ['2026-04:open', '2026-03:open', '2026-02:closed', '2026-01:closed', '2025-06:open'],
  )
  assert.equal(S.periodChoices([], ['month'], d, 0, '2026-Q1').length, 1, 'a key of another kind is not offered')
  assert.equal(S.defaultPeriod(items, ['month'], d), '2026-02')
  assert.equal(S.defaultPeriod([], ['month'], d), '2026-04')
})

test('movement, stars and the histogram', () => {
  assert.deepEqual(S.movement({ rank: 1, prev_rank: 4, movement: 3 }), { dir: 'up', n: 3, text: '↑3' })
  assert.deepEqual(S.movement({ rank: 5, prev_rank: 3, movement: -2 }), { dir: 'down', n: 2, text: '↓2' })
  assert.equal(S.movement({ rank: 2, prev_rank: 2, movement: 0 }).dir, 'same')
  assert.equal(S.movement({ rank: 2, prev_rank: null, movement: null }).dir, 'new')
  assert.deepEqual(S.starsDistribution([{ stars: 5 }, { stars: 5 }, { stars: 0 }, { stars: 3 }]), [1, 0, 0, 1, 0, 2])
  const h = S.histogram([62, 75, 75.5, 99, 100], { width: 10 })
  assert.deepEqual(h.map((b) => [b.from, b.n]), [[60, 1], [70, 2], [80, 0], [90, 2]])
  assert.deepEqual(S.histogram([]), [])
  assert.equal(S.fmtScore(88.256), '88.26')
  assert.equal(S.fmtScore(null), '—')
})

test('the drill-down recomputes by hand', () => {
  const detail = {
    base: 100,
    cap: 110,
    floor: 0,
    items: [
      { code: 'attendance', points: 20, start: 20, rules: [{ input: 'event:absent_half_day', count: 2, per: -3, amount: -6 }], deducted: 6, added: 0, value: 14 },
      { code: 'public', points: 10, start: 5, input: 'satisfaction', scale: 0.5, rules: [], deducted: 0, added: 0, value: 5 },
      { code: 'covert', points: 15, start: 15, rules: [{ input: 'event:covert_negative', count: 2, per: -15, amount: -15 }], deducted: 15, added: 0, value: 0 },
      { code: 'bonus', points: 0, start: 0, rules: [{ input: 'event:praise_letter', count: 3, per: 1, amount: 3 }], deducted: 0, added: 3, value: 0 },
    ],
    total_before_clamp: 77,
    total: 77,
  }
  const r = S.recompute(detail)
  assert.deepEqual({ lost: r.lost, added: r.added, before: r.before, total: r.total, agrees: r.agrees }, { lost: 26, added: 3, before: 77, total: 77, agrees: true })
  assert.equal(S.recompute({ ...detail, total: 78 }).agrees, false)
  assert.equal(S.recompute({ ...detail, cap: 70, total_before_clamp: 77, total: 70 }).total, 70)
  assert.equal(S.ruleLine(detail.items[0].rules[0]), '2 × (-3) = -6')
  assert.equal(S.ruleLine(detail.items[2].rules[0]), '2 × (-15) = -15', 'the capped amount as the server gives it')
  assert.equal(S.startLine(detail.items[1]), '10 × 0.5 = 5')
  assert.equal(S.signed(-3), '−3')
})

test('the card that applies to a subject is the nearest up its path', () => {
  const cards = [
    { id: 1, node_id: 1, subject: 'window', active: true },
    { id: 2, node_id: 5, subject: 'window', active: true },
    { id: 3, node_id: 7, subject: 'staff', active: true },
    { id: 4, node_id: 9, subject: 'window', active: false },
  ]
  assert.equal(S.nearestCard(cards, 'window', '/1/5/9/12/').id, 2)
  assert.equal(S.nearestCard(cards, 'window', '/1/6/').id, 1)
  assert.equal(S.nearestCard(cards, 'staff', '/1/5/'), null)
  assert.equal(S.today(new Date('2026-03-31T17:00:00Z')), '2026-04-01')
})
