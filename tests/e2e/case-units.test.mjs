// Unit checks (no browser, no server) of web/src/utils/cases.js: the request bodies the
// case and inquiry forms send, which buttons the server's `actions` list turns into, and
// how the remaining time reads.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const c = await import(pathToFileURL(path.resolve(here, '../../web/src/utils/cases.js')))

test('the registration body: person or organisation, agent, modes, materials; empty optional members left out', () => {
  const base = {
    versionId: 12,
    itemCode: 'X-1',
    ticketId: 7,
    applicant: { kind: 'person', name: ' 张三 ', phone: '138 0013 8000', idNumber: '11010519491231002x', orgCode: 'ignored' },
    hasAgent: false,
    agent: { name: '李四', phone: '13900000000', idNumber: '' },
    modes: [],
    receivedDay: '2026-11-27',
    materials: [3, 4],
    completeNow: false,
    note: '  ',
  }
  assert.deepEqual(c.registerBody(base), {
    version_id: 12,
    ticket_id: 7,
    applicant: { kind: 'person', name: '张三', phone: '13800138000', id_number: '11010519491231002X' },
    received_day: '2026-11-27',
    materials: [3, 4],
  })
  const org = c.registerBody({
    ...base,
    versionId: null,
    ticketId: null,
    applicant: { kind: 'org', name: '某公司', phone: '010-12345678', idNumber: '110105194912310021', orgCode: '91350100m000100y43' },
    hasAgent: true,
    modes: ['full_agency', 'home_visit'],
    completeNow: true,
    note: '加急',
  })
  assert.deepEqual(org, {
    item_code: 'X-1',
    applicant: { kind: 'org', name: '某公司', phone: '010-12345678', org_code: '91350100M000100Y43' },
    agent: { name: '李四', phone: '13900000000' },
    modes: ['full_agency', 'home_visit'],
    received_day: '2026-11-27',
    materials: [3, 4],
    complete_now: true,
    note: '加急',
  })
})

test('the buttons follow the server’s actions list, in a fixed order, whatever the spelling', () => {
  const names = (actions) => c.caseButtons(actions).map((a) => a.name)
  assert.deepEqual(names([]), [])
  assert.deepEqual(names(['withdraw', 'accept', 'supplement_request', 'nonsense']), ['supplement_request', 'accept', 'withdraw'])
  assert.deepEqual(names(['supplement-request', 'query-code', 'extension_request']), ['supplement_request', 'extension', 'query_code'])
  assert.equal(c.caseButtons(['supplement_request'])[0].path, 'supplement-request')
  assert.equal(c.caseButtons(['extension'])[0].path, 'extensions')
  assert.deepEqual(c.inquiryButtons(['case', 'answer', 'convert', 'hand-over']).map((a) => a.name), ['answer', 'handover', 'case'])
})

test('action bodies carry what the contract asks for', () => {
  assert.deepEqual(c.actionBody('supplement_request', { materials: [5], note: ' 缺签字 ' }), { materials: [5], note: '缺签字' })
  assert.deepEqual(c.actionBody('supplement_request', { materials: [5], note: '' }), { materials: [5] })
  assert.deepEqual(c.actionBody('supplement', { materials: [5, 6], note: 'x' }), { materials: [5, 6] })
  assert.deepEqual(c.actionBody('pause', { kind: 'expert', note: '专家评审' }), { kind: 'expert', note: '专家评审' })
  assert.deepEqual(c.actionBody('decide', { decision: 'deny', note: '' }), { decision: 'deny' })
  assert.deepEqual(c.actionBody('complete', {}), {})
  assert.deepEqual(c.actionBody('return', { note: '不属于受理范围' }), { note: '不属于受理范围' })
  assert.deepEqual(c.actionBody('transfer', { staffId: 9, note: '' }), { staff_id: 9 })
  assert.deepEqual(c.actionBody('extension', { days: '5', reason: ' 需现场核查 ' }), { days: 5, reason: '需现场核查' })
  assert.deepEqual(c.actionBody('accept', { note: 'ignored' }), {})
  // which actions open a form, which only ask to confirm
  for (const name of ['accept', 'start', 'resume', 'query_code']) assert.deepEqual(c.actionNeeds(name), {}, name)
  assert.equal(c.actionNeeds('withdraw').note, 'required')
  assert.deepEqual(c.inquiryBody('handover', { target: 'node', nodeId: 4, staffId: 8, note: '' }), { node_id: 4 })
  assert.deepEqual(c.inquiryBody('handover', { target: 'staff', nodeId: 4, staffId: 8, note: '请协助' }), { staff_id: 8, note: '请协助' })
  assert.deepEqual(c.inquiryBody('refer', { department: ' 市公安局 ', note: '' }), { department: '市公安局' })
  assert.deepEqual(c.inquiryRecordBody({ citizenName: ' 王五 ', phone: '139 0000 0000', question: ' 问 ', itemCode: '', channel: 'phone' }), {
    citizen_name: '王五',
    phone: '13900000000',
    question: '问',
    channel: 'phone',
  })
})

test('the remaining time reads by the clock: left, due today, overdue, paused, none', () => {
  const clock = (o) => ({ has_clock: true, unit: 'workdays', remaining: 3, paused: false, level: 'none', ...o })
  assert.deepEqual(c.remainingText(clock({})), { key: 'cases.clock.left', n: 3, unit: 'workdays' })
  assert.deepEqual(c.remainingText(clock({ remaining: 0, level: 'red' })), { key: 'cases.clock.dueToday' })
  assert.deepEqual(c.remainingText(clock({ remaining: -2, level: 'overdue' })), { key: 'cases.clock.overdueBy', n: 2, unit: 'workdays' })
  assert.deepEqual(c.remainingText(clock({ paused: true, remaining: 2, level: 'paused' })), { key: 'cases.clock.pausedLeft', n: 2, unit: 'workdays' })
  assert.deepEqual(c.remainingText(clock({ level: 'done' })), { key: 'cases.clock.done' })
  assert.deepEqual(c.remainingText({ has_clock: false }), { key: 'cases.clock.noClock' })
  assert.deepEqual(c.remainingText(null), { key: 'cases.clock.noClock' })
  assert.equal(c.levelShown('yellow'), true)
  assert.equal(c.levelShown('none'), false)
  assert.equal(c.levelShown('done'), false)
})

test('the receipt’s status address and the backdating limit', () => {
  assert.equal(c.caseStatusUrl('https://hall.example/', '2026-1129-000123'), 'https://hall.example/#/portal/case?number=2026-1129-000123')
  assert.equal(c.daysBefore('2026-03-01', 30), '2026-01-30')
})

test('event details read in words: where a case came from, the pause’s reason, extension days, warnings', () => {
  assert.deepEqual(c.eventDetailParts('registered', 'ticket'), [{ key: 'cases.detail.from.ticket' }])
  assert.deepEqual(c.eventDetailParts('registered', 'inquiry: 加急'), [{ key: 'cases.detail.from.inquiry' }, { text: '加急' }])
  assert.deepEqual(c.eventDetailParts('registered', ''), [])
  assert.deepEqual(c.eventDetailParts('registered', '直接登记'), [{ text: '直接登记' }])
  assert.deepEqual(c.eventDetailParts('pause', 'expert: 需专家论证'), [{ key: 'cases.pauseKind.expert' }, { text: '需专家论证' }])
  assert.deepEqual(c.eventDetailParts('pause', 'other: x'), [{ text: 'other: x' }])
  assert.deepEqual(c.eventDetailParts('extension_request', '+5: 需现场核查'), [
    { key: 'cases.detail.extension.workdays', params: { n: 5 } },
    { text: '需现场核查' },
  ])
  assert.deepEqual(c.eventDetailParts('extension_approved', '+3', 'days'), [{ key: 'cases.detail.extension.days', params: { n: 3 } }])
  assert.deepEqual(c.eventDetailParts('warning', 'red'), [{ key: 'cases.level.red' }])
  assert.deepEqual(c.eventDetailParts('decide', 'deny'), [{ key: 'cases.decision.deny' }])
  assert.deepEqual(c.eventDetailParts('decide', '材料真实有效'), [{ text: '材料真实有效' }])
  assert.deepEqual(c.eventDetailParts('query_code', 'a new query code was printed'), [{ key: 'cases.detail.queryCode' }])
  assert.deepEqual(c.eventDetailParts('transfer', '王芳 → 李娜: 请协办'), [{ text: '王芳 → 李娜: 请协办' }])
})
