// What the user reads when a request fails.
//
// The server answers {"error":{"code","message","field"?}} with an English `message`
// meant for developers (every message comes from an err_set/req_error call in src/).
// Here each known message — told apart by code, field and the message's wording — is
// turned into a sentence from the locale files (`errors.*`). Anything not recognised
// falls back to one localized sentence per code (with the form's label of the field at
// fault); only in English may the server's own message be shown as it is.
//
// Pure module (no Vue, no Element Plus): the translator is passed in, so the mapping
// can be checked outside the browser (tests/e2e/errors.test.mjs).

const NODE_KINDS = ['region', 'unit', 'hall', 'window']
const DEVICE_KINDS = ['display', 'evaluator', 'kiosk']
// integer bounds this large are internal limits (ids up to INT64_MAX), not worth showing
const SHOWN_BOUND_MAX = 1e12

/** Format a byte count the way the UI states limits: 512 KB, 1 MB. */
export function formatBytes(n) {
  if (!Number.isFinite(n) || n <= 0) return ''
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`
  if (n >= 1024) return `${Math.round(n / 1024)} KB`
  return `${n} B`
}

const SYSTEM_MESSAGES = new Set([
  'database error',
  'internal error',
  'out of memory',
  'the database is unavailable',
  'the server is shutting down',
  'the writer is stopping',
  'the database is busy or unavailable, try again',
  'the write could not be committed, try again',
  // the writer reports a failed job by its code's name
  'no_memory',
  'database_error',
  'database_busy',
  'database_unavailable',
  'io_error',
  'error',
])

const BAD_REQUEST = [
  /^the body must be a JSON object$/,
  /^the body is empty; a JSON object is expected$/,
  /^the JSON is nested too deeply$/,
  /^malformed JSON at line /,
  /^this request takes no fields$/,
  /^unsupported field type$/,
  /^the body must be application\/json$/,
]

// Codes whose meaning does not depend on the message.
const FIXED_CODES = new Set([
  'csrf',
  'database_busy',
  'database_unavailable',
  'database_error',
  'no_memory',
  'io_error',
  'method_not_allowed',
  'bad_json',
  'network',
])

function isPhotoRequest(err) {
  return typeof err.path === 'string' && /\/photo(\?|$)/.test(err.path)
}

/**
 * Message rules, tried in order: { id, codes?, re, text(m, err, h) }.
 * `codes` limits a rule to those codes (omitted: any code). h is the helper set built
 * by describeError: h.t(key, params), h.field() (the label of the field at fault),
 * h.label(name), h.kind(k), h.under(k), h.deviceKind(k).
 */
export const RULES = [
  // ---- conflicts ----
  { id: 'codeTaken', re: /^a sibling node already has code /, text: (m, e, h) => h.t('errors.codeTaken') },
  { id: 'loginTaken', re: /^login .* is taken$/, text: (m, e, h) => h.t('errors.loginTaken') },
  {
    id: 'activeBelow',
    re: /^deactivate the (\d+) active child nodes, staff and devices first$/,
    text: (m, e, h) => h.t('errors.activeBelow', { n: m[1] }),
  },
  { id: 'reactivateParent', re: /^reactivate the parent node first$/, text: (m, e, h) => h.t('errors.reactivateParent') },
  { id: 'parentInactive', re: /^the parent node is deactivated$/, text: (m, e, h) => h.t('errors.parentInactive') },
  { id: 'nodeInactive', re: /^the node is deactivated$/, text: (m, e, h) => h.t('errors.nodeInactive') },
  { id: 'windowInactive', re: /^the window is deactivated$/, text: (m, e, h) => h.t('errors.windowInactive') },
  { id: 'accountInactive', re: /^the account is deactivated$/, text: (m, e, h) => h.t('errors.accountInactive') },
  {
    id: 'alreadyAssigned',
    re: /^the staff member is already assigned to this window$/,
    text: (m, e, h) => h.t('errors.alreadyAssigned'),
  },
  { id: 'assignmentEnded', re: /^the assignment has already ended$/, text: (m, e, h) => h.t('errors.assignmentEnded') },

  // ---- structure rules ----
  {
    id: 'placement',
    re: /^a (\w+) cannot be placed under (.+)$/,
    text: (m, e, h) => {
      const [, child, parent] = m
      if (!NODE_KINDS.includes(child)) return h.t('errors.placementUnknown')
      const rule = h.t(`errors.placement.${child}`)
      if (NODE_KINDS.includes(parent)) return h.t('errors.placementUnder', { rule, parent: h.under(parent) })
      return h.t('errors.placementRoot', { rule })
    },
  },
  {
    id: 'deviceBinding',
    re: /^a (\w+) must be bound to a (\w+)$/,
    text: (m, e, h) => {
      const [, device, node] = m
      if (!DEVICE_KINDS.includes(device) || !NODE_KINDS.includes(node)) return h.t('errors.bindingUnknown')
      return h.t('errors.deviceBinding', { device: h.deviceKind(device), node: h.under(node) })
    },
  },
  { id: 'treeTooDeep', re: /^the tree is too deep$/, text: (m, e, h) => h.t('errors.treeTooDeep') },
  { id: 'notWindow', re: /^the node is not a window$/, text: (m, e, h) => h.t('errors.notWindow') },
  { id: 'notHall', re: /^the node is not a hall$/, text: (m, e, h) => h.t('errors.notHall') },
  {
    id: 'windowOutsideHome',
    re: /^the window is outside the staff member's home node$/,
    text: (m, e, h) => h.t('errors.windowOutsideHome'),
  },

  // ---- one's own account ----
  { id: 'ownAccount', re: /^you cannot deactivate your own account$/, text: (m, e, h) => h.t('errors.ownAccount') },
  { id: 'ownRole', re: /^you cannot change your own role$/, text: (m, e, h) => h.t('errors.ownRole') },
  { id: 'ownNode', re: /^you cannot deactivate your own home node$/, text: (m, e, h) => h.t('errors.ownNode') },

  // ---- scope and role ----
  {
    id: 'forbidden',
    codes: ['forbidden'],
    re: /(outside your scope|^outside your part of the organisation|^only an administrator can |^your role may not do this|^not allowed)/,
    text: (m, e, h) => h.t('errors.forbidden'),
  },

  // ---- sign-in ----
  { id: 'wrongCredentials', re: /^wrong login or password$/, text: (m, e, h) => h.t('login.wrongCredentials') },
  { id: 'pleaseLogIn', re: /^please log in$/, text: (m, e, h) => h.t('errors.unauthorized') },
  {
    id: 'throttled',
    re: /^too many failed logins; try again in (\d+) seconds$/,
    text: (m, e, h) => h.throttled(m[1]),
  },
  { id: 'csrf', re: /^missing or wrong X-CSRF-Token header$/, text: (m, e, h) => h.t('errors.csrf') },

  // ---- photos and bodies ----
  { id: 'photoTooLarge', re: /^the photo is larger than (\d+) bytes$/, text: (m, e, h) => h.t('errors.photoTooLarge') },
  {
    id: 'bodyTooLarge',
    re: /^the body is larger than (\d+) bytes$/,
    text: (m, e, h) =>
      isPhotoRequest(e) ? h.t('errors.photoTooLarge') : h.t('errors.bodyTooLarge', { size: formatBytes(Number(m[1])) }),
  },
  {
    id: 'photoType',
    re: /^(the photo must be a JPEG or PNG image|send the photo as image\/jpeg or image\/png|the body is not a .* image)$/,
    text: (m, e, h) => h.t('errors.photoType'),
  },
  { id: 'badRequest', re: BAD_REQUEST, text: (m, e, h) => h.t('errors.bad_json') },
  {
    id: 'queryInvalid',
    re: /^(the query string is malformed|unknown query parameter .*)$/,
    text: (m, e, h) => h.t('errors.queryInvalid'),
  },
  { id: 'unknownField', re: /^unknown field /, text: (m, e, h) => h.t('errors.unknownField') },

  // ---- things that are not there ----
  {
    id: 'noSuchNode',
    re: /^no such (parent )?node$/,
    text: (m, e, h) => {
      if (m[1] || e.field === 'parent_id') return h.t('errors.parentMissing')
      if (e.field) return h.t('errors.selectedMissing', { field: h.field() })
      return h.t('errors.nodeNotFound')
    },
  },
  { id: 'noSuchWindow', re: /^no such window$/, text: (m, e, h) => h.t('errors.windowMissing') },
  { id: 'noSuchDevice', re: /^no such device$/, text: (m, e, h) => h.t('errors.deviceNotFound') },
  { id: 'noSuchAccount', re: /^no such account$/, text: (m, e, h) => h.t('errors.accountNotFound') },
  { id: 'noSuchAssignment', re: /^no such assignment$/, text: (m, e, h) => h.t('errors.assignmentNotFound') },
  { id: 'noPhoto', re: /^no photo$/, text: (m, e, h) => h.t('errors.noPhoto') },
  { id: 'noSuchResource', re: /^no such (resource|file)$/, text: (m, e, h) => h.t('errors.not_found') },
  { id: 'methodNotAllowed', re: /^method not allowed/, text: (m, e, h) => h.t('errors.method_not_allowed') },

  // ---- field formats ----
  { id: 'passwordMin', re: /^password must have at least (\d+) characters$/, text: (m, e, h) => h.t('validation.passwordMin', { n: m[1] }) },
  { id: 'loginChars', re: /^login may hold letters, digits/, text: (m, e, h) => h.t('errors.loginChars') },
  { id: 'codeFormat', re: /^code must be 1-32 letters, digits, - or _$/, text: (m, e, h) => h.t('errors.codeFormat') },
  { id: 'nodeKindEnum', re: /^kind must be region, unit, hall or window$/, text: (m, e, h) => h.t('errors.nodeKindEnum') },
  { id: 'deviceKindEnum', re: /^kind must be display, evaluator or kiosk$/, text: (m, e, h) => h.t('errors.deviceKindEnum') },
  { id: 'roleEnum', re: /^(role must be admin, leader, supervisor or staff|unknown role)$/, text: (m, e, h) => h.t('errors.roleEnum') },
  {
    id: 'tooLong',
    re: /^\S+ must have at most (\d+) characters$/,
    text: (m, e, h) => h.t('errors.tooLong', { field: h.field(), n: m[1] }),
  },
  {
    id: 'tooShort',
    re: /^\S+ must have at least (\d+) characters$/,
    text: (m, e, h) => h.t('errors.tooShort', { field: h.field(), n: m[1] }),
  },
  {
    id: 'lengthRange',
    re: /^\S+ must have (\d+)-(\d+) characters$/,
    text: (m, e, h) => h.t('errors.lengthRange', { field: h.field(), min: m[1], max: m[2] }),
  },
  { id: 'tooLongNoMax', re: /^\S+ is too long$/, text: (m, e, h) => h.t('errors.tooLongNoMax', { field: h.field() }) },
  {
    id: 'required',
    re: /^\S+ (is required|must not be empty)$/,
    text: (m, e, h) => h.t('validation.required', { field: h.field() }),
  },
  { id: 'notText', re: /^\S+ must be a string$/, text: (m, e, h) => h.t('errors.notText', { field: h.field() }) },
  { id: 'controlChars', re: /^\S+ contains control characters$/, text: (m, e, h) => h.t('errors.controlChars', { field: h.field() }) },
  {
    id: 'between',
    re: /^\S+ must be (?:an integer )?between (-?\d+) and (-?\d+)$/,
    text: (m, e, h) =>
      Math.abs(Number(m[2])) >= SHOWN_BOUND_MAX
        ? h.t('errors.withField.invalid', { field: h.field() })
        : h.t('errors.between', { field: h.field(), min: m[1], max: m[2] }),
  },
  { id: 'notInteger', re: /^\S+ must be an integer$/, text: (m, e, h) => h.t('errors.notInteger', { field: h.field() }) },
  { id: 'notBool', re: /^\S+ must be true or false$/, text: (m, e, h) => h.t('errors.notBool', { field: h.field() }) },

  // ---- the system itself ----
  {
    id: 'system',
    re: (msg) => SYSTEM_MESSAGES.has(msg),
    text: (m, e, h) => h.codeText(),
  },
]

function test(re, msg) {
  if (typeof re === 'function') return re(msg) ? [msg] : null
  if (Array.isArray(re)) {
    for (const r of re) {
      const m = r.exec(msg)
      if (m) return m
    }
    return null
  }
  return re.exec(msg)
}

// A message that is just the code's name (the writer's and req_fail's last resort).
const CODE_NAME_RULE = { id: 'codeName', text: (m, e, h) => h.codeText() }

/** The rule that recognises a server message (with that code), or null. */
export function findRule(code, message) {
  const msg = String(message || '').trim()
  if (!msg) return null
  if (msg === code) return { rule: CODE_NAME_RULE, match: [msg] }
  for (const rule of RULES) {
    if (rule.codes && !rule.codes.includes(code)) continue
    const m = test(rule.re, msg)
    if (m) return { rule, match: m }
  }
  return null
}

function capitalize(s) {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : s
}

/**
 * The localized sentence for an API error.
 * err: { status, code, message, field, retryAfter, path } (an ApiError);
 * ctx: { t(key, params), te(key), locale, label?(field) → string|null|undefined }
 *   label: the form's own label for a field; when it gives nothing, `fields.<name>`
 *   from the locale is used, then a neutral word ("该项" / "this field").
 */
export function describeError(err, ctx) {
  const { t, te } = ctx
  const locale = ctx.locale || 'zh-CN'
  const e = err || {}
  const code = e.code || null

  function labelOf(name) {
    if (!name) return null
    const own = ctx.label ? ctx.label(name) : null
    if (own) return own
    const key = `fields.${name}`
    return te(key) ? t(key) : null
  }
  const h = {
    t: (key, params) => t(key, params || {}),
    label: labelOf,
    field: () => labelOf(e.field) || t('errors.thisField'),
    kind: (k) => t(`kinds.${k}`),
    under: (k) => t(`errors.under.${k}`),
    deviceKind: (k) => t(`devices.kinds.${k}`),
    throttled: (fromMessage) => {
      const n = Number.isFinite(e.retryAfter) && e.retryAfter > 0 ? e.retryAfter : Number(fromMessage)
      return Number.isFinite(n) && n > 0 ? t('errors.throttledSeconds', { n }) : t('errors.throttled')
    },
    codeText: () => codeText(),
  }

  function codeText() {
    if (code === 'network') return t('errors.network')
    const fieldName = labelOf(e.field)
    if (fieldName && te(`errors.withField.${code}`)) return t(`errors.withField.${code}`, { field: fieldName })
    if (code && te(`errors.${code}`) && typeof t(`errors.${code}`) === 'string') return t(`errors.${code}`)
    return t('errors.unknown', { status: e.status || 0 })
  }

  let text
  if (code === 'throttled') {
    const m = /(\d+)/.exec(String(e.message || ''))
    text = h.throttled(m ? m[1] : undefined)
  } else if (FIXED_CODES.has(code)) {
    text = codeText()
  } else {
    const found = findRule(code, e.message)
    if (found) {
      text = found.rule.text(found.match, e, h)
    } else if (locale === 'en' && e.message) {
      // English users may read the server's own words
      text = String(e.message)
    } else {
      text = codeText()
    }
  }
  return locale === 'en' ? capitalize(text) : text
}
