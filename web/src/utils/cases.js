// Cases (办件) and first inquiries (首问登记) in the staff console: the names the API
// uses (docs/api.md "Cases 办件, first inquiries 首问登记 …") and how the pages show
// them. Pure module (no Vue, no DOM), so it can be checked outside the browser.

export const CASE_STATES = [
  'received',
  'supplement_requested',
  'supplemented',
  'accepted',
  'in_progress',
  'decided',
  'completed',
  'returned',
  'withdrawn',
]
export const OPEN_STATES = CASE_STATES.slice(0, 6)

// 全程代办, 上门服务, 委托, 延时服务, 预约
export const CASE_MODES = ['full_agency', 'home_visit', 'entrusted', 'extended_hours', 'appointment']

// excluded periods (hearing, testing, inspection, appraisal, expert review)
export const PAUSE_KINDS = ['hearing', 'testing', 'inspection', 'appraisal', 'expert']

export const INQUIRY_CHANNELS = ['window', 'phone', 'online']
export const INQUIRY_STATUSES = ['open', 'answered', 'referred', 'converted']

// Server limits (src/domain/case.h)
export const CASE_LIMITS = { name: 100, text: 2000, backdateDays: 30 }

// Element Plus tag types
const STATE_TAGS = {
  received: 'primary',
  supplement_requested: 'warning',
  supplemented: 'primary',
  accepted: 'primary',
  in_progress: 'primary',
  decided: 'success',
  completed: 'success',
  returned: 'danger',
  withdrawn: 'info',
}
const LEVEL_TAGS = { yellow: 'warning', red: 'danger', overdue: 'danger', paused: 'info', done: 'success', none: 'success' }
const INQUIRY_TAGS = { open: 'primary', answered: 'success', referred: 'info', converted: 'success' }

export const stateTag = (s) => STATE_TAGS[s] || 'info'
export const levelTag = (l) => LEVEL_TAGS[l] || 'info'
export const inquiryTag = (s) => INQUIRY_TAGS[s] || 'info'

/** A level worth a tag in lists (none and done say nothing). */
export function levelShown(level) {
  return ['yellow', 'red', 'overdue', 'paused'].includes(level)
}

// The case actions a page knows, in the order the buttons stand. `path` is the
// request (POST /api/cases/{id}/<path>); the name is what `actions` lists. Aliases the
// server might use for the same action are read too (hyphens or underscores).
export const CASE_ACTIONS = [
  { name: 'supplement_request', path: 'supplement-request', type: 'warning' },
  { name: 'supplement', path: 'supplement', type: 'primary' },
  { name: 'accept', path: 'accept', type: 'primary' },
  { name: 'start', path: 'start', type: 'primary' },
  { name: 'pause', path: 'pause', type: 'warning', plain: true },
  { name: 'resume', path: 'resume', type: 'primary' },
  { name: 'decide', path: 'decide', type: 'success' },
  { name: 'complete', path: 'complete', type: 'success' },
  { name: 'extension', path: 'extensions', type: '', plain: true },
  { name: 'transfer', path: 'transfer', type: '', plain: true },
  { name: 'query_code', path: 'query-code', type: '', plain: true },
  { name: 'return', path: 'return', type: 'danger', plain: true },
  { name: 'withdraw', path: 'withdraw', type: 'danger', plain: true },
]
const ACTION_ALIASES = {
  supplement_request: 'supplement_request',
  request_supplement: 'supplement_request',
  supplement: 'supplement',
  accept: 'accept',
  start: 'start',
  pause: 'pause',
  resume: 'resume',
  decide: 'decide',
  complete: 'complete',
  return: 'return',
  withdraw: 'withdraw',
  transfer: 'transfer',
  extension: 'extension',
  extensions: 'extension',
  extend: 'extension',
  extension_request: 'extension',
  request_extension: 'extension',
  query_code: 'query_code',
  reprint: 'query_code',
}

/** The page's action names for the server's `actions` list (unknown names dropped). */
export function knownActions(actions) {
  const out = new Set()
  for (const a of actions || []) {
    const k = ACTION_ALIASES[String(a).replace(/-/g, '_')]
    if (k) out.add(k)
  }
  return out
}

/** The action buttons to show, in order: [{name, path, type, plain}]. */
export function caseButtons(actions) {
  const have = knownActions(actions)
  return CASE_ACTIONS.filter((a) => have.has(a.name))
}

/**
 * The request body of an action from the dialog's form
 * ({materials, note, kind, decision, staffId, days, reason}).
 */
export function actionBody(name, f = {}) {
  const note = (f.note || '').trim()
  const withNote = (body) => (note ? { ...body, note } : body)
  switch (name) {
    case 'supplement_request':
      return withNote({ materials: [...(f.materials || [])] })
    case 'supplement':
      return { materials: [...(f.materials || [])] }
    case 'pause':
      return { kind: f.kind, note }
    case 'decide':
      return withNote({ decision: f.decision })
    case 'complete':
      return withNote({})
    case 'return':
    case 'withdraw':
      return { note }
    case 'transfer':
      return withNote({ staff_id: f.staffId })
    case 'extension':
      return { days: Number(f.days), reason: (f.reason || '').trim() }
    default:
      return {}
  }
}

/** Which inputs an action's dialog asks for (none: sent at once, after a confirmation). */
export function actionNeeds(name) {
  switch (name) {
    case 'supplement_request':
      return { materials: 'missing', note: 'optional' }
    case 'supplement':
      return { materials: 'requested' }
    case 'pause':
      return { kind: true, note: 'required' }
    case 'decide':
      return { decision: true, note: 'optional' }
    case 'complete':
      return { note: 'optional' }
    case 'return':
    case 'withdraw':
      return { note: 'required' }
    case 'transfer':
      return { staff: true, note: 'optional' }
    case 'extension':
      return { days: true, reason: true }
    default:
      return {}
  }
}

/**
 * The remaining time in words as message key and params: 剩余 N 个工作日, 今日到期,
 * 超期 N 个工作日, 暂停计时, 已办结 … ({ key, n, unit }).
 */
export function remainingText(clock) {
  if (!clock || !clock.has_clock) return { key: 'cases.clock.noClock' }
  if (clock.level === 'done') return { key: 'cases.clock.done' }
  if (clock.paused) return { key: 'cases.clock.pausedLeft', n: clock.remaining, unit: clock.unit }
  const n = Number(clock.remaining)
  if (n > 0) return { key: 'cases.clock.left', n, unit: clock.unit }
  if (n === 0) return { key: 'cases.clock.dueToday' }
  return { key: 'cases.clock.overdueBy', n: -n, unit: clock.unit }
}

/** The status page of a case on the public portal (printed on the receipt). */
export function caseStatusUrl(origin, number) {
  const base = String(origin || '').replace(/\/$/, '')
  return `${base}/#/portal/case?number=${encodeURIComponent(number || '')}`
}

/** Strip spaces (and for IDs, upper-case the check character). */
export function cleanPhone(s) {
  return String(s || '').replace(/\s/g, '')
}
export function cleanId(s) {
  return String(s || '').replace(/\s/g, '').toUpperCase()
}

/**
 * The POST /api/cases body from the registration form:
 * { versionId, itemCode, ticketId, applicant: {kind, name, phone, idNumber, orgCode},
 *   hasAgent, agent: {name, phone, idNumber}, modes, receivedDay, materials, completeNow, note }.
 * Empty optional members are left out.
 */
export function registerBody(f) {
  const body = {}
  if (f.versionId) body.version_id = f.versionId
  else if (f.itemCode) body.item_code = f.itemCode
  if (f.ticketId) body.ticket_id = f.ticketId
  const a = f.applicant || {}
  const applicant = { kind: a.kind || 'person', name: (a.name || '').trim(), phone: cleanPhone(a.phone) }
  if (applicant.kind === 'org') {
    applicant.org_code = cleanId(a.orgCode)
  } else if (cleanId(a.idNumber)) {
    applicant.id_number = cleanId(a.idNumber)
  }
  body.applicant = applicant
  if (f.hasAgent) {
    const g = f.agent || {}
    const agent = { name: (g.name || '').trim(), phone: cleanPhone(g.phone) }
    if (cleanId(g.idNumber)) agent.id_number = cleanId(g.idNumber)
    body.agent = agent
  }
  if (f.modes && f.modes.length) body.modes = [...f.modes]
  if (f.receivedDay) body.received_day = f.receivedDay
  body.materials = [...(f.materials || [])]
  if (f.completeNow) body.complete_now = true
  if ((f.note || '').trim()) body.note = f.note.trim()
  return body
}

/** A day n days before an ISO date (for the backdating limit). */
export function daysBefore(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - n)
  return d.toISOString().slice(0, 10)
}

// The inquiry actions a page knows (POST /api/inquiries/{id}/<path>), in button order.
export const INQUIRY_ACTIONS = [
  { name: 'accept', path: 'accept', type: 'success' },
  { name: 'decline', path: 'decline', type: 'danger', plain: true },
  { name: 'answer', path: 'answer', type: 'primary' },
  { name: 'handover', path: 'handover', type: 'warning', plain: true },
  { name: 'refer', path: 'refer', type: '', plain: true },
  { name: 'case', path: 'case', type: 'success', plain: true },
]
const INQUIRY_ALIASES = {
  accept: 'accept',
  decline: 'decline',
  answer: 'answer',
  handover: 'handover',
  hand_over: 'handover',
  refer: 'refer',
  case: 'case',
  convert: 'case',
  to_case: 'case',
}

/** The inquiry's action buttons for the server's `actions` list, in order. */
export function inquiryButtons(actions) {
  const have = new Set()
  for (const a of actions || []) {
    const k = INQUIRY_ALIASES[String(a).replace(/-/g, '_')]
    if (k) have.add(k)
  }
  return INQUIRY_ACTIONS.filter((a) => have.has(a.name))
}

/** The body of an inquiry action ({answer, target: 'staff'|'node', staffId, nodeId, note, department}). */
export function inquiryBody(name, f = {}) {
  const note = (f.note || '').trim()
  switch (name) {
    case 'answer':
      return { answer: (f.answer || '').trim() }
    case 'handover': {
      const body = f.target === 'node' ? { node_id: f.nodeId } : { staff_id: f.staffId }
      return note ? { ...body, note } : body
    }
    case 'decline':
      return { note }
    case 'refer': {
      const body = { department: (f.department || '').trim() }
      return note ? { ...body, note } : body
    }
    default:
      return {}
  }
}

/** The POST /api/inquiries body from the record form. */
export function inquiryRecordBody(f) {
  const body = {
    citizen_name: (f.citizenName || '').trim(),
    phone: cleanPhone(f.phone),
    question: (f.question || '').trim(),
    channel: f.channel || 'window',
  }
  if (f.itemCode) body.item_code = f.itemCode
  return body
}

/**
 * A case event's detail (the server's short text) as parts to show:
 * [{ key, params } | { text }]. The server writes: registered "ticket" / "inquiry" with
 * ": note"; pause "kind: reason"; extension_* "+N: reason"; warning "yellow|red|overdue";
 * decide the note or "approve|deny"; query_code a fixed sentence; the rest a note.
 * `unit` is the clock's (extension days count in it).
 */
export function eventDetailParts(kind, detail, unit = 'workdays') {
  const d = detail === null || detail === undefined ? '' : String(detail).trim()
  if (!d) return []
  let m
  if (kind === 'registered' && (m = /^(ticket|inquiry)(?::\s*([\s\S]*))?$/.exec(d))) {
    const out = [{ key: `cases.detail.from.${m[1]}` }]
    if (m[2]) out.push({ text: m[2] })
    return out
  }
  if (kind === 'pause' && (m = /^(\w+):\s*([\s\S]*)$/.exec(d)) && PAUSE_KINDS.includes(m[1])) {
    return [{ key: `cases.pauseKind.${m[1]}` }, ...(m[2] ? [{ text: m[2] }] : [])]
  }
  if (/^extension_/.test(kind) && (m = /^\+(\d+)(?::\s*([\s\S]*))?$/.exec(d))) {
    return [{ key: `cases.detail.extension.${unit}`, params: { n: Number(m[1]) } }, ...(m[2] ? [{ text: m[2] }] : [])]
  }
  if (kind === 'warning' && ['yellow', 'red', 'overdue'].includes(d)) return [{ key: `cases.level.${d}` }]
  if ((kind === 'decide' || kind === 'complete') && (d === 'approve' || d === 'deny')) return [{ key: `cases.decision.${d}` }]
  if (kind === 'query_code') return [{ key: 'cases.detail.queryCode' }]
  return [{ text: d }]
}
