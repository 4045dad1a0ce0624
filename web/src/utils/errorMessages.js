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
// what a case cannot be (a case that is X cannot be …) → the action's label, cases.act.*
const CASE_STATE_ACTIONS = {
  accepted: 'accept',
  completed: 'complete',
  decided: 'decide',
  paused: 'pause',
  returned: 'return',
  'sent a 补正 request': 'supplement_request',
  started: 'start',
  supplemented: 'supplement',
}
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/
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
  'cannot read the calendar',
  'publishing takes no body',
  'the case sweep failed',
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

// A file the user chose (a calendar or catalogue import, a sample file): its faults are
// the file's, not the page's.
function isFileUpload(err) {
  return typeof err.path === 'string' && /\/(import|files)(\?|$)/.test(err.path)
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

  // ---- working-day calendar ----
  {
    id: 'calendarMissing',
    re: /^no working-day calendar for (\d+)/,
    text: (m, e, h) => h.t('errors.calendarMissing', { year: m[1] }),
  },
  {
    id: 'calendarImportFirst',
    re: /^import the calendar of (\d+) first$/,
    text: (m, e, h) => h.t('errors.calendarImportFirst', { year: m[1] }),
  },
  {
    id: 'calendarEditor',
    re: /^only an administrator of a root node may edit the national calendar$/,
    text: (m, e, h) => h.t('errors.calendarEditor'),
  },
  {
    id: 'makeUpOnWeekend',
    re: /^a weekday is a working day already; only weekends can be make-up days$/,
    text: (m, e, h) => h.t('errors.makeUpOnWeekend'),
  },
  { id: 'dayDefault', re: /^\S+ follows the weekend rule already$/, text: (m, e, h) => h.t('errors.dayDefault') },
  {
    id: 'calendarFileType',
    re: /^send a holiday-cn JSON file \(application\/json\) or iCalendar \(text\/calendar\)$/,
    text: (m, e, h) => h.t('errors.calendarFileType'),
  },
  { id: 'calendarJsonObject', re: /^the file must hold one JSON object$/, text: (m, e, h) => h.t('errors.calendarJsonObject') },
  { id: 'yearNumber', re: /^\S+ must be a year number$/, text: (m, e, h) => h.t('errors.yearNumber', { field: h.field() }) },
  { id: 'mustBeList', re: /^\S+ must be an array( of node ids)?$/, text: (m, e, h) => h.t('errors.mustBeList', { field: h.field() }) },
  { id: 'dayObject', re: /^each day must be an object$/, text: (m, e, h) => h.t('errors.dayObject', { field: h.field() }) },
  {
    id: 'dateNotInYear',
    re: /^\S+ is not in (\d+)$/,
    text: (m, e, h) => h.t('errors.dateNotInYear', { field: h.field(), year: m[1] }),
  },
  { id: 'dateTwice', re: /^\S+ (appears twice|appears in two events)$/, text: (m, e, h) => h.t('errors.dateTwice', { field: h.field() }) },
  { id: 'tooManyDays', re: /^too many days( or years in one file)?$/, text: (m, e, h) => h.t('errors.tooManyDays') },
  { id: 'icsNested', re: /^an event starts inside another$/, text: (m, e, h) => h.t('errors.icsNested', { field: h.field() }) },
  { id: 'icsNoStart', re: /^an event without DTSTART$/, text: (m, e, h) => h.t('errors.icsNoStart', { field: h.field() }) },
  {
    id: 'icsEnd',
    re: /^DTEND must follow DTSTART within (\d+) days$/,
    text: (m, e, h) => h.t('errors.icsEnd', { field: h.field(), n: m[1] }),
  },
  {
    id: 'icsDate',
    re: /^(DTSTART|DTEND) must be a date \(YYYYMMDD\)$/,
    text: (m, e, h) => h.t(m[1] === 'DTSTART' ? 'errors.icsStartDate' : 'errors.icsEndDate', { field: h.field() }),
  },
  { id: 'icsNotCalendar', re: /^not an iCalendar file/, text: (m, e, h) => h.t('errors.icsNotCalendar') },
  { id: 'icsUnclosed', re: /^the last event is not closed$/, text: (m, e, h) => h.t('errors.icsUnclosed') },
  { id: 'icsEmpty', re: /^the file holds no all-day events$/, text: (m, e, h) => h.t('errors.icsEmpty') },
  {
    id: 'realDate',
    re: /^(?:the )?\S+ must be a real date as YYYY-MM-DD$/,
    text: (m, e, h) => h.t('errors.realDate', { field: h.field() }),
  },
  {
    id: 'oneLimit',
    re: /^give exactly one of workdays, days or hours$/,
    text: (m, e, h) => h.t('errors.oneLimit'),
  },
  { id: 'hoursNeedAt', re: /^hours need at /, text: (m, e, h) => h.t('errors.hoursNeedAt') },
  {
    id: 'pauses',
    re: /^pauses must be (STOP:RESUME pairs|in order)/,
    text: (m, e, h) => h.t(m[1] === 'in order' ? 'errors.pausesOrder' : 'errors.pausesFormat'),
  },
  { id: 'noSuchYear', re: /^no such year$/, text: (m, e, h) => h.t('errors.noSuchYear') },
  {
    id: 'fileTooLarge',
    re: /^the file is larger than (\d+) bytes$/,
    text: (m, e, h) => h.t('errors.fileTooLarge', { size: formatBytes(Number(m[1])) }),
  },
  {
    id: 'fileMalformedJson',
    re: /^malformed JSON at line (\d+)/,
    text: (m, e, h) => (isFileUpload(e) ? h.t('errors.fileMalformedJson', { line: m[1] }) : h.t('errors.bad_json')),
  },

  // ---- service catalogue ----
  { id: 'itemCodeFormat', re: /^code must be 1-(\d+) letters, digits, \. - or _$/, text: (m, e, h) => h.t('errors.itemCodeFormat', { n: m[1] }) },
  { id: 'itemCodeTaken', re: /^an item with code \S+ exists$/, text: (m, e, h) => h.t('errors.itemCodeTaken') },
  { id: 'itemCodeTwice', re: /^code \S+ is already on row (\d+)$/, text: (m, e, h) => h.t('errors.itemCodeTwice', { row: m[1] }) },
  { id: 'noSuchItem', re: /^no such item$/, text: (m, e, h) => h.t('errors.itemMissing') },
  { id: 'noSuchVersion', re: /^no such (item )?version$/, text: (m, e, h) => h.t('errors.versionMissing') },
  { id: 'noDraft', re: /^the item has no draft to publish$/, text: (m, e, h) => h.t('errors.noDraft') },
  { id: 'draftNotice', re: /^a draft cannot be given out as a notice$/, text: (m, e, h) => h.t('errors.draftNotice') },
  { id: 'staffOnlyNotice', re: /^only staff can issue a notice$/, text: (m, e, h) => h.t('errors.staffOnlyNotice') },
  { id: 'noSuchUnit', re: /^no such unit( \d+)?$/, text: (m, e, h) => h.t('errors.unitMissing') },
  { id: 'noSuchHall', re: /^no such hall$/, text: (m, e, h) => h.t('errors.hallMissing') },
  { id: 'itemOwner', re: /^an item is owned by a unit, region or hall\b/, text: (m, e, h) => h.t('errors.itemOwner') },
  { id: 'unitInactive', re: /^the unit is deactivated$/, text: (m, e, h) => h.t('errors.unitInactive') },
  { id: 'placeMissing', re: /^no such node \d+$/, text: (m, e, h) => h.t('errors.placeMissing') },
  { id: 'placeKind', re: /^a place is a hall or a window\b/, text: (m, e, h) => h.t('errors.placeKind') },
  { id: 'placeInactive', re: /^the place is deactivated$/, text: (m, e, h) => h.t('errors.placeInactive') },
  { id: 'placeTwice', re: /^\S+ lists node \d+ a second time$/, text: (m, e, h) => h.t('errors.placeTwice', { field: h.field() }) },
  { id: 'nodeId', re: /^\S+ must be a node id$/, text: (m, e, h) => h.t('errors.nodeId', { field: h.field() }) },
  { id: 'sampleMissing', re: /^no such file \d+$/, text: (m, e, h) => h.t('errors.sampleMissing') },
  { id: 'fileId', re: /^\S+ must be a file id$/, text: (m, e, h) => h.t('errors.fileId', { field: h.field() }) },
  { id: 'sampleType', re: /^a sample file must be a PDF, PNG or JPEG$/, text: (m, e, h) => h.t('catalog.sampleType') },
  {
    id: 'fileMax',
    re: /^a file may have at most (\d+) bytes$/,
    text: (m, e, h) => h.t('errors.fileTooLarge', { size: formatBytes(Number(m[1])) }),
  },
  {
    id: 'fileName',
    re: /^name must have 1-(\d+) characters on one line, without \/ or \\$/,
    text: (m, e, h) => h.t('errors.fileName', { n: m[1] }),
  },
  { id: 'itemKind', re: /^kind must be (immediate \(即办件\) or promised \(承诺件\)|即办件 or 承诺件)$/, text: (m, e, h) => h.t('errors.itemKind') },
  {
    id: 'limitUnit',
    re: /^\S+ must be (workdays, days or hours|工作日, 自然日 or 小时)$/,
    text: (m, e, h) => h.t('errors.limitUnit', { field: h.field() }),
  },
  {
    id: 'promisedAtLeastOne',
    re: /^a promised item \(承诺件\) needs a promised limit of at least 1$/,
    text: (m, e, h) => h.t('errors.promisedAtLeastOne'),
  },
  {
    id: 'limitsExceed',
    re: /^the promised limit \((\d+) (\w+)\) exceeds the legal limit \((\d+) (\w+)\)$/,
    text: (m, e, h) => {
      const lim = (n, unit) => (['workdays', 'days', 'hours'].includes(unit) ? h.t(`catalog.limit.${unit}`, { n }) : n)
      return h.t('errors.limitsExceed', { promised: lim(m[1], m[2]), legal: lim(m[3], m[4]) })
    },
  },
  {
    id: 'materialForm',
    re: /^(\S+ must be original, copy, original_and_copy or electronic|the form must be 原件, 复印件, 原件和复印件 or 电子件)$/,
    text: (m, e, h) => h.t('errors.materialForm', { field: h.field() }),
  },
  {
    id: 'feeAmount',
    re: /^fee\.amount_cents must be between 0 and (\d+)$/,
    text: (m, e, h) => h.t('errors.feeAmount', { max: Number(m[1]) / 100 }),
  },
  { id: 'freeNoAmount', re: /^a free item has no fee amount$/, text: (m, e, h) => h.t('errors.freeNoAmount') },
  { id: 'feeYuan', re: /^fee_amount must be an amount in yuan/, text: (m, e, h) => h.t('errors.feeYuan') },
  { id: 'ticketPrefix', re: /^ticket_prefix must be empty or 1-2 capital letters$/, text: (m, e, h) => h.t('errors.ticketPrefix') },
  {
    id: 'onlineEnum',
    re: /^online must be (none, partial or full|不可网办, 部分网办 or 全程网办)$/,
    text: (m, e, h) => h.t('errors.onlineEnum'),
  },
  {
    id: 'phoneFormat',
    re: /^phone must have at most (\d+) characters: digits/,
    text: (m, e, h) => h.t('errors.phoneFormat', { n: m[1] }),
  },
  {
    id: 'atMostList',
    re: /^at most (\d+) (materials|steps|places)( \(lines\), not \d+)?$/,
    text: (m, e, h) => h.t('errors.atMostList', { field: h.label(m[2]) || h.field(), n: m[1] }),
  },
  {
    id: 'missingList',
    re: /^missing must be (?:a list of )?at most (\d+) material (?:names|ids)/,
    text: (m, e, h) => h.t('errors.missingList', { n: m[1] }),
  },
  { id: 'mustBeObject', re: /^\S+ must be an object$/, text: (m, e, h) => h.t('errors.dayObject', { field: h.field() }) },
  { id: 'wholeNumber', re: /^\S+ must be a whole number 0-(\d+)$/, text: (m, e, h) => h.t('errors.wholeNumber', { field: h.field(), n: m[1] }) },
  {
    id: 'copiesNumber',
    re: /^copies must be a whole number 0-(\d+)$/,
    text: (m, e, h) => h.t('errors.wholeNumber', { field: h.label('copies'), n: m[1] }),
  },
  { id: 'yesNo', re: /^(\S+) must be 是 or 否$/, text: (m, e, h) => h.t('errors.yesNo', { field: h.label(m[1]) || h.field() }) },
  { id: 'sampleFileId', re: /^the sample file must be a file id$/, text: (m, e, h) => h.t('errors.fileId', { field: h.label('sample_file_id') }) },
  { id: 'csvBackslash', re: /^a backslash may only start /, text: (m, e, h) => h.t('errors.csvBackslash') },
  {
    id: 'materialParts',
    re: /^line (\d+) of materials has (\d+) parts/,
    text: (m, e, h) => h.t('errors.materialParts', { line: m[1], n: m[2], bar: '|' }),
  },
  {
    id: 'stepParts',
    re: /^line (\d+) of steps: write /,
    text: (m, e, h) => h.t('errors.stepParts', { line: m[1], bar: '|' }),
  },
  {
    id: 'placeRef',
    re: /^line (\d+) of places: no node /,
    text: (m, e, h) => h.t('errors.placeRef', { line: m[1] }),
  },
  { id: 'unitRef', re: /^no unit ".*" \(write a code path/, text: (m, e, h) => h.t('errors.unitRef') },
  { id: 'rowCells', re: /^the row has (\d+) cells, the header (\d+)$/, text: (m, e, h) => h.t('errors.rowCells', { n: m[1], cols: m[2] }) },
  { id: 'unknownColumn', re: /^unknown column /, text: (m, e, h) => h.t('errors.unknownColumn') },
  { id: 'columnRepeats', re: /^column (\d+) repeats column (\d+)/, text: (m, e, h) => h.t('errors.columnRepeats', { a: m[1], b: m[2] }) },
  { id: 'columnMissing', re: /^the column .* is missing$/, text: (m, e, h) => h.t('errors.columnMissing', { field: h.field() }) },
  {
    id: 'itemOtherScope',
    re: /^item \S+ belongs to .*, outside your scope$/,
    text: (m, e, h) => h.t('errors.forbidden'),
  },
  {
    id: 'itemMoveUnit',
    re: /^item \S+ belongs to .*; an import cannot move an item to another unit$/,
    text: (m, e, h) => h.t('errors.itemMoveUnit'),
  },
  { id: 'importHeader', re: /^the header row has faults; nothing was imported$/, text: (m, e, h) => h.t('errors.importHeader') },
  {
    id: 'importRows',
    re: /^(\d+) rows have faults \((\d+) in all\); nothing was imported$/,
    text: (m, e, h) => h.t('errors.importRows', { rows: m[1], n: m[2] }),
  },
  { id: 'fileEmpty', re: /^the file is empty/, text: (m, e, h) => h.t('errors.fileEmpty') },
  { id: 'csvType', re: /^send the catalogue as text\/csv$/, text: (m, e, h) => h.t('catalog.import.csvOnly') },
  { id: 'exportFormat', re: /^format must be (csv or xlsx|html or pdf)$/, text: (m, e, h) => h.t('errors.queryInvalid') },
  {
    id: 'exportTooLarge',
    re: /^(the export is too large|\d+ items; a file holds at most (\d+))/,
    text: (m, e, h) => h.t('errors.exportTooLarge'),
  },
  { id: 'catalogSystem', re: /^(cannot write the workbook|cannot read item |cannot render the notice|cannot make the handbook)/, text: (m, e, h) => h.codeText() },
  // ---- one-time notices and handbooks ----
  {
    id: 'missingIds',
    re: /^(missing must be material ids|missing must not end with a comma|missing\[\d+\] must be a material id)/,
    text: (m, e, h) => h.t('errors.missingIds'),
  },
  { id: 'missingNotMaterial', re: /^\S+ is not a material of item /, text: (m, e, h) => h.t('errors.missingNotMaterial') },
  { id: 'handbookTooLarge', re: /^the hall serves more than (\d+) items$/, text: (m, e, h) => h.t('errors.handbookTooLarge', { n: m[1] }) },
  { id: 'itemNotPublished', re: /^no published item has this code$/, text: (m, e, h) => h.t('errors.itemNotPublished') },
  { id: 'noSuchNotice', re: /^no such notice$/, text: (m, e, h) => h.t('errors.noticeMissing') },

  // ---- queue and calling (排队叫号) ----
  // Ticket codes, window and hall names in the server's words are left out: the page
  // shows which ticket and window it is about.
  {
    id: 'ticketState',
    re: /^ticket \S+ is (\w+); this needs a (\w+) ticket$/,
    text: (m, e, h) =>
      h.ticketStatus(m[1]) && h.ticketStatus(m[2])
        ? h.t('errors.ticketState', { state: h.ticketStatus(m[1]), need: h.ticketStatus(m[2]) })
        : h.t('errors.ticketStateChanged'),
  },
  { id: 'ticketChanged', re: /^ticket \S+ changed meanwhile; reload it$/, text: (m, e, h) => h.t('errors.ticketStateChanged') },
  { id: 'ticketTaken', re: /^ticket \S+ was just taken by another window$/, text: (m, e, h) => h.t('errors.ticketTaken') },
  { id: 'windowNotOpen', re: /^window .+ is \w+; open it first$/, text: (m, e, h) => h.t('errors.windowNotOpen') },
  // calling while the window is paused (暂停服务): POST /api/windows/{id}/pause
  { id: 'windowPaused', re: /^the window is paused$/, text: (m, e, h) => h.t('errors.windowPaused') },
  {
    id: 'windowHolds',
    re: /^window .+ still holds ticket \S+ \((\w+)\)(: finish or transfer it first)?$/,
    text: (m, e, h) =>
      h.ticketStatus(m[1]) ? h.t('errors.windowHoldsState', { state: h.ticketStatus(m[1]) }) : h.t('errors.windowBusy'),
  },
  { id: 'windowBusy', re: /^window .+ (is busy|still holds a ticket)$/, text: (m, e, h) => h.t('errors.windowBusy') },
  { id: 'windowNotAssigned', re: /^you are not assigned to window .+$/, text: (m, e, h) => h.t('errors.windowNotAssigned') },
  { id: 'windowDeactivated', re: /^window .+ is deactivated$/, text: (m, e, h) => h.t('errors.windowInactive') },
  { id: 'windowNoSeries', re: /^window .+ serves no series: name the item$/, text: (m, e, h) => h.t('errors.windowNoSeries') },
  { id: 'nobodyWaiting', re: /^nobody is waiting( for window .+)?$/, text: (m, e, h) => h.t('errors.nobodyWaiting') },
  { id: 'queueBusy', re: /^the queue is busy, try again$/, text: (m, e, h) => h.t('errors.database_busy') },
  { id: 'ticketCodeFormat', re: /^code must be a ticket number such as \S+$/, text: (m, e, h) => h.t('errors.ticketCodeFormat') },
  { id: 'noTicketToday', re: /^no ticket \S+ today$/, text: (m, e, h) => h.t('errors.noTicketToday') },
  { id: 'noSuchTicket', re: /^no such ticket$/, text: (m, e, h) => h.t('errors.ticketMissing') },
  { id: 'lastEventId', re: /^Last-Event-ID must be an event id$/, text: (m, e, h) => h.t('errors.queryInvalid') },
  { id: 'noSuchAction', re: /^no such action$/, text: (m, e, h) => h.t('errors.queryInvalid') },
  {
    id: 'recallLimit',
    re: /^ticket \S+ was recalled (\d+) times, the limit: mark it a no-show$/,
    text: (m, e, h) => h.t('errors.recallLimit', { n: m[1] }),
  },
  {
    id: 'recallFirst',
    re: /^ticket \S+ was recalled (\d+) of (\d+) times: recall it before a no-show$/,
    text: (m, e, h) => h.t('errors.recallFirst', { n: m[1], limit: m[2] }),
  },
  { id: 'itemNoQueue', re: /^item \S+ has no queue at .+$/, text: (m, e, h) => h.t('errors.itemNoQueue') },
  { id: 'itemOtherSeries', re: /^item \S+ is (served in another series|already in series \S+)$/, text: (m, e, h) => h.t('errors.itemOtherSeries') },
  { id: 'giveItem', re: /^give item_code or series_id$/, text: (m, e, h) => h.t('errors.giveItem') },
  { id: 'noSuchSeries', re: /^no such series( at .+| in the ticket's hall)?$/, text: (m, e, h) => h.t('errors.seriesMissing') },
  { id: 'seriesNotInHall', re: /^no series \d+ in the window's hall$/, text: (m, e, h) => h.t('errors.seriesMissing') },
  { id: 'windowNotInHall', re: /^no such window in the ticket's hall$/, text: (m, e, h) => h.t('errors.windowNotInHall') },
  { id: 'seriesClosed', re: /^series \S+ is closed$/, text: (m, e, h) => h.t('errors.seriesClosed') },
  { id: 'seriesFull', re: /^series \S+ has no numbers left today$/, text: (m, e, h) => h.t('errors.seriesFull') },
  { id: 'seriesTaken', re: /^the hall already has a series \S+$/, text: (m, e, h) => h.t('errors.seriesTaken') },
  { id: 'ticketExists', re: /^ticket \S+ exists already$/, text: (m, e, h) => h.t('errors.ticketExists') },
  { id: 'kioskOfHall', re: /^only a kiosk of .+ may issue its tickets$/, text: (m, e, h) => h.t('errors.kioskOfHall') },
  { id: 'mayNotIssue', re: /^you may not (issue|withdraw) tickets at .+$/, text: (m, e, h) => h.t('errors.forbidden') },
  { id: 'hallAdminOnly', re: /^only an administrator of the hall may do this$/, text: (m, e, h) => h.t('errors.forbidden') },
  { id: 'priorityEnum', re: /^priority must be normal, agent, appointment or green$/, text: (m, e, h) => h.t('errors.priorityEnum') },
  {
    id: 'appointmentClass',
    re: /^the appointment class comes only with an appointment check-in$/,
    text: (m, e, h) => h.t('errors.appointmentClass'),
  },
  { id: 'issueChannel', re: /^not a channel for issuing tickets$/, text: (m, e, h) => h.t('errors.queryInvalid') },
  { id: 'phoneDigits', re: /^phone must be (\d+)-(\d+) digits$/, text: (m, e, h) => h.t('errors.phoneDigits', { min: m[1], max: m[2] }) },
  { id: 'seriesPrefix', re: /^prefix must be 1-(\d+) capital letters$/, text: (m, e, h) => h.t('errors.seriesPrefix', { n: m[1] }) },
  { id: 'queueMode', re: /^mode must be longest_wait or strict_priority$/, text: (m, e, h) => h.t('errors.queueMode') },
  // ---- appointments (预约) ----
  { id: 'apptNotServed', re: /^\S+ is not served at .+$/, text: (m, e, h) => h.t('errors.apptNotServed') },
  { id: 'apptNotAppointable', re: /^\S+ cannot be booked$/, text: (m, e, h) => h.t('errors.apptNotAppointable') },
  { id: 'apptDayOff', re: /^\S+ is not a working day: no appointments$/, text: (m, e, h) => h.t('errors.apptDayOff') },
  {
    id: 'apptMayNot',
    re: /^you may not (set appointment slots at .+|book at .+|book appointments|check in appointments at .+)$/,
    text: (m, e, h) => h.t('errors.forbidden'),
  },
  { id: 'apptKiosk', re: /^only a kiosk of .+ may check in its appointments$/, text: (m, e, h) => h.t('errors.apptKiosk') },
  { id: 'apptSlotsArray', re: /^(slots must be an array of at most|at most) (\d+)( slots)?$/, text: (m, e, h) => h.t('errors.apptSlotsMax', { n: m[2] }) },
  {
    id: 'apptSlotRange',
    re: /^\S+ must have (0 <= start < end <= 1440|start, end and capacity in minutes after midnight)$/,
    text: (m, e, h) => h.t('errors.apptSlotRange'),
  },
  { id: 'apptSlotCapacity', re: /^\S+ must have a capacity of 1-(\d+)$/, text: (m, e, h) => h.t('errors.apptSlotCapacity', { n: m[1] }) },
  { id: 'apptSlotOverlap', re: /^\S+ overlaps slots\[\d+\]$/, text: (m, e, h) => h.t('errors.apptSlotOverlap') },
  {
    id: 'apptNotFound',
    re: /^no appointment with this code (and phone|at .+)$/,
    // the kiosk asks for the code only: no word about a phone there
    text: (m, e, h) => h.t(m[1] === 'and phone' ? 'errors.apptNotFound' : 'errors.apptNotFoundHere'),
  },
  { id: 'idNumber', re: /^id_number must be 15 or 18 characters$/, text: (m, e, h) => h.t('errors.idNumber') },
  { id: 'apptHorizon', re: /^day must be from today to (\d+) days ahead$/, text: (m, e, h) => h.t('errors.apptHorizon', { n: m[1] }) },
  { id: 'apptNoSlot', re: /^no such slot for \S+ at .+$/, text: (m, e, h) => h.t('errors.apptNoSlot') },
  { id: 'apptSlotOver', re: /^this slot is over$/, text: (m, e, h) => h.t('errors.apptSlotOver') },
  { id: 'apptSlotFull', re: /^this slot is full$/, text: (m, e, h) => h.t('errors.apptSlotFull') },
  {
    id: 'slotsKeepBookings',
    re: /^the slot at (\S+) has (\d+) booking\(s\) from (\S+) on: keep it or cancel them first$/,
    text: (m, e, h) => h.t('errors.slotsKeepBookings', { time: m[1], n: m[2] }),
  },
  { id: 'apptSameItem', re: /^this phone already has an appointment for this item on \S+$/, text: (m, e, h) => h.t('errors.apptSameItem') },
  {
    id: 'apptDailyLimit',
    re: /^this phone already has (\d+) appointments on \S+, the most allowed$/,
    text: (m, e, h) => h.t('errors.apptDailyLimit', { n: m[1] }),
  },
  {
    id: 'apptState',
    re: /^this appointment is (already checked in|cancelled|a no-show|.+)$/,
    text: (m, e, h) =>
      h.t(
        m[1] === 'cancelled' ? 'errors.apptCancelled' : m[1] === 'a no-show' ? 'errors.apptNoShow' : 'errors.apptCheckedIn',
      ),
  },
  {
    id: 'apptWindow',
    re: /^check-in for this appointment is open (\S+)-(\S+) on (\S+)$/,
    text: (m, e, h) =>
      /^\d\d:\d\d$/.test(m[1]) && /^\d\d:\d\d$/.test(m[2]) && /^\d{4}-\d\d-\d\d$/.test(m[3])
        ? h.t('errors.apptWindow', { from: m[1], until: m[2], day: m[3] })
        : h.t('errors.apptWindowAny'),
  },
  {
    id: 'apptGive',
    re: /^give (item_code|day as YYYY-MM-DD|the phone the appointment was made with)$/,
    text: (m, e, h) => h.t('errors.apptGive'),
  },
  { id: 'listedTwice', re: /^(item|series) \S+ is listed twice$/, text: (m, e, h) => h.t('errors.listedTwice', { field: h.field() }) },
  { id: 'noCatalogueItem', re: /^no (catalogue|published) item \S+$/, text: (m, e, h) => h.t('errors.itemNotPublished') },
  {
    id: 'atMostCodes',
    re: /^at most (\d+) (item codes|series)$/,
    text: (m, e, h) => h.t('errors.atMostList', { field: h.field(), n: m[1] }),
  },
  {
    id: 'arrayAtMost',
    re: /^\S+ must be an array of at most (\d+) (codes|series ids)$/,
    text: (m, e, h) => h.t('errors.atMostList', { field: h.field(), n: m[1] }),
  },
  { id: 'mustBeCodeOrId', re: /^\S+ must be a (catalogue item code|series id)$/, text: (m, e, h) => h.t('errors.withField.invalid', { field: h.field() }) },
  // ---- follow-up calls, accountability decisions, efficiency statistics, notifications (issue 5) ----
  { id: 'acctMissing', re: /^no such accountability record$/, text: (m, e, h) => h.t('errors.acctMissing') },
  { id: 'acctLeaderOnly', re: /^only a leader over the person may decide$/, text: (m, e, h) => h.t('errors.acctLeaderOnly') },
  { id: 'acctSelf', re: /^nobody decides a record against themselves$/, text: (m, e, h) => h.t('errors.acctSelf') },
  {
    id: 'acctGrade',
    re: /^(a dismissal has no grade|grade must be reminder, criticism or formal \(or dismiss\))$/,
    text: (m, e, h) => h.t('errors.acctGrade'),
  },
  { id: 'acctAlready', re: /^the record is already \w+$/, text: (m, e, h) => h.t('errors.acctAlready') },
  { id: 'followupMissing', re: /^no such follow-up$/, text: (m, e, h) => h.t('errors.followupMissing') },
  { id: 'followupResult', re: /^result must be reached, unreachable or declined$/, text: (m, e, h) => h.t('errors.followupResult') },
  {
    id: 'followupSatisfaction',
    re: /^satisfaction (1-5 is required|is only given) when the citizen was reached$/,
    text: (m, e, h) => h.t(m[1] === 'is only given' ? 'errors.followupNoSatisfaction' : 'errors.followupSatisfaction'),
  },
  { id: 'followupDone', re: /^the follow-up call is already recorded$/, text: (m, e, h) => h.t('errors.followupDone') },
  { id: 'upToChars', re: /^\S+ may have up to (\d+) characters$/, text: (m, e, h) => h.t('errors.tooLong', { field: h.field(), n: m[1] }) },
  {
    id: 'listFilter',
    re: /^(status must be (pending, decided or dismissed|scheduled or done)|group must be item, window, unit or staff)$/,
    text: (m, e, h) => h.t('errors.queryInvalid'),
  },
  { id: 'periodDate', re: /^(from|to) must be a date as YYYY-MM-DD$/, text: (m, e, h) => h.t('errors.realDate', { field: h.field() }) },
  { id: 'periodOrder', re: /^to must not be before from$/, text: (m, e, h) => h.t('errors.periodOrder') },
  { id: 'periodSpan', re: /^the period may span at most (\d+) days$/, text: (m, e, h) => h.t('errors.periodSpan', { n: m[1] }) },
  { id: 'notificationMissing', re: /^no such notification$/, text: (m, e, h) => h.t('errors.notificationMissing') },
  // statistics queries (a dashboard's own parameters)
  { id: 'statsDay', re: /^day must be a date YYYY-MM-DD$/, text: (m, e, h) => h.t('errors.realDate', { field: h.field() }) },
  { id: 'statsBy', re: /^by must be hall, window, series or staff$/, text: (m, e, h) => h.t('errors.queryInvalid') },
  { id: 'tooManyRows', re: /^too many rows$/, text: (m, e, h) => h.t('errors.tooManyRows') },
  { id: 'rangeZeroTo', re: /^\S+ must be 0-(\d+)$/, text: (m, e, h) => h.t('errors.between', { field: h.field(), min: 0, max: m[1] }) },

  // ---- cases (办件), first inquiries (首问登记), their region's settings (issue 5) ----
  { id: 'rangeDash', re: /^\S+ must be (\d+)-(\d+)$/, text: (m, e, h) => h.t('errors.between', { field: h.field(), min: m[1], max: m[2] }) },
  { id: 'noSuchRegion', re: /^no such region$/, text: (m, e, h) => h.t('errors.regionMissing') },
  { id: 'regionAdmin', re: /^only an administrator of the region may do this$/, text: (m, e, h) => h.t('errors.regionAdmin') },
  { id: 'calendarNoData', re: /^the working-day calendar has no data for (\d+)$/, text: (m, e, h) => h.t('errors.calendarMissing', { year: m[1] }) },
  { id: 'caseModes', re: /^modes must be (an array of names|among .+)$/, text: (m, e, h) => h.t('errors.caseModes') },
  { id: 'caseMaterialsList', re: /^materials must be an array of material ids$/, text: (m, e, h) => h.t('errors.caseMaterialsList') },
  { id: 'caseMissing', re: /^no such case$/, text: (m, e, h) => h.t('errors.caseMissing') },
  { id: 'caseNumberCode', re: /^no case with this number and query code$/, text: (m, e, h) => h.t('errors.caseNumberCode') },
  { id: 'extensionMissing', re: /^no such extension request$/, text: (m, e, h) => h.t('errors.extensionMissing') },
  { id: 'inquiryMissing', re: /^no such inquiry$/, text: (m, e, h) => h.t('errors.inquiryMissing') },
  { id: 'queryCodeGive', re: /^give the query code printed on the receipt$/, text: (m, e, h) => h.t('errors.queryCodeGive') },
  {
    id: 'dataKey',
    re: /^(the data key is not loaded|the stored number cannot be read with this server's data key)$/,
    text: (m, e, h) => h.t('errors.dataKey'),
  },
  { id: 'casePhone', re: /^\S+ must be a mainland mobile number/, text: (m, e, h) => h.t('errors.casePhone', { field: h.field() }) },
  { id: 'caseIdNumber', re: /^\S+ must be an 18-character resident ID number/, text: (m, e, h) => h.t('errors.caseIdNumber', { field: h.field() }) },
  { id: 'orgCode', re: /^\S+ must be an 18-character unified social credit code$/, text: (m, e, h) => h.t('errors.orgCode', { field: h.field() }) },
  { id: 'orgCodeOnlyOrg', re: /^\S+ is only for an organisation$/, text: (m, e, h) => h.t('errors.orgCodeOnlyOrg') },
  { id: 'applicantKind', re: /^applicant\.kind must be person or org$/, text: (m, e, h) => h.t('errors.applicantKind') },
  { id: 'noCurrentVersion', re: /^no (current published version \d+|published, active item \S+)$/, text: (m, e, h) => h.t('errors.itemNotPublished') },
  { id: 'staffOnlyCases', re: /^only staff accounts may register cases$/, text: (m, e, h) => h.t('errors.staffOnlyCases') },
  {
    id: 'receivedDay',
    re: /^received_day must be a date from (\d+) days ago to today$/,
    text: (m, e, h) => h.t('errors.receivedDay', { n: m[1] }),
  },
  { id: 'ticketNotHeld', re: /^this ticket is not being called or served at your window$/, text: (m, e, h) => h.t('errors.ticketNotHeld') },
  { id: 'giveItemOrVersion', re: /^give item_code or version_id$/, text: (m, e, h) => h.t('errors.giveItem') },
  { id: 'completeNowImmediate', re: /^only an immediate item \(即办件\) is completed on the spot$/, text: (m, e, h) => h.t('errors.completeNowImmediate') },
  { id: 'noActiveNode', re: /^no such active node$/, text: (m, e, h) => h.t('errors.selectedMissing', { field: h.field() }) },
  { id: 'registerAt', re: /^you may not register cases at .+$/, text: (m, e, h) => h.t('errors.forbidden') },
  { id: 'caseMaterialNotOf', re: /^material \d+ is not in (the list of .+|this case's list)$/, text: (m, e, h) => h.t('errors.caseMaterialNotOf') },
  {
    id: 'caseState',
    re: /^a case that is (\w+) cannot be (.+)$/,
    text: (m, e, h) => {
      const state = h.caseState(m[1])
      const action = CASE_STATE_ACTIONS[m[2]]
      return state && action ? h.t('errors.caseState', { state, action: h.t(`cases.act.${action}`) }) : h.t('errors.caseStateAny')
    },
  },
  { id: 'caseNotHeld', re: /^you do not hold this case$/, text: (m, e, h) => h.t('errors.caseNotHeld') },
  {
    id: 'caseAlready',
    re: /^this case is already (\w+)$/,
    text: (m, e, h) => (h.caseState(m[1]) ? h.t('errors.caseAlready', { state: h.caseState(m[1]) }) : h.t('errors.caseStateAny')),
  },
  { id: 'supplementOnce', re: /^补正 is requested once/, text: (m, e, h) => h.t('errors.supplementOnce') },
  { id: 'listMaterials', re: /^list the materials to supplement$/, text: (m, e, h) => h.t('errors.listMaterials') },
  {
    id: 'requiredMissing',
    re: /^(\d+) required material\(s\) not received: request 补正 first$/,
    text: (m, e, h) => h.t('errors.requiredMissing', { n: m[1] }),
  },
  { id: 'pauseKind', re: /^kind must be hearing, testing, inspection, appraisal or expert$/, text: (m, e, h) => h.t('errors.pauseKind') },
  {
    id: 'giveReason',
    re: /^give the reason( for the pause| for rejecting)?( \(1-(\d+) characters\))?$/,
    text: (m, e, h) => {
      if (m[1] === ' for the pause') return h.t('errors.giveReasonPause')
      if (m[1] === ' for rejecting') return h.t('errors.giveReasonReject')
      return m[3] ? h.t('errors.giveReasonMax', { n: m[3] }) : h.t('errors.giveReason')
    },
  },
  { id: 'clockStopped', re: /^the clock is already stopped$/, text: (m, e, h) => h.t('errors.clockStopped') },
  {
    id: 'noClock',
    re: /^an immediate item has no (clock to stop|deadline to extend)$/,
    text: (m, e, h) => h.t(m[1] === 'clock to stop' ? 'errors.noClockStop' : 'errors.noClockExtend'),
  },
  { id: 'maxPauses', re: /^at most (\d+) pauses$/, text: (m, e, h) => h.t('errors.maxPauses', { n: m[1] }) },
  { id: 'notPaused', re: /^the clock is not stopped by a pause$/, text: (m, e, h) => h.t('errors.notPaused') },
  { id: 'decisionEnum', re: /^decision must be approve or deny$/, text: (m, e, h) => h.t('errors.decisionEnum') },
  { id: 'resumeFirst', re: /^(resume the clock first|the clock is stopped; resume it first)$/, text: (m, e, h) => h.t('errors.resumeFirst') },
  { id: 'unknownAction', re: /^(unknown action|no such action)$/, text: (m, e, h) => h.t('errors.unknownAction') },
  { id: 'transferSelf', re: /^a case cannot be handed to its own handler$/, text: (m, e, h) => h.t('errors.transferSelf') },
  { id: 'staffMissing', re: /^no such (active )?staff member$/, text: (m, e, h) => h.t('errors.staffMissing') },
  { id: 'staffOutsideRegion', re: /^.+ works outside this case's region$/, text: (m, e, h) => h.t('errors.staffOutsideRegion') },
  { id: 'extensionLate', re: /^the promised date \S+ has passed: an extension is asked before it$/, text: (m, e, h) => h.t('errors.extensionLate') },
  { id: 'extensionApproveLate', re: /^the promised date \S+ has passed: an extension is approved before it$/, text: (m, e, h) => h.t('errors.extensionApproveLate') },
  { id: 'clockCannotStop', re: /^the promised date \S+ has come: the clock can no longer be stopped$/, text: (m, e, h) => h.t('errors.clockCannotStop') },
  { id: 'extensionWaiting', re: /^an extension request is already waiting$/, text: (m, e, h) => h.t('errors.extensionWaiting') },
  {
    id: 'extensionPastLegal',
    re: /^the new due date (\S+) would pass the legal due date (\S+)$/,
    text: (m, e, h) =>
      ISO_DAY.test(m[1]) && ISO_DAY.test(m[2])
        ? h.t('errors.extensionPastLegal', { due: m[1], legal: m[2] })
        : h.t('errors.extensionPastLegalAny'),
  },
  { id: 'leaderDecides', re: /^only a leader over this case decides extensions$/, text: (m, e, h) => h.t('errors.leaderDecides') },
  { id: 'ownExtension', re: /^you cannot decide your own extension request$/, text: (m, e, h) => h.t('errors.ownExtension') },
  { id: 'requestAlready', re: /^this request is already \w+$/, text: (m, e, h) => h.t('errors.requestAlready') },
  { id: 'staffOnlyNumber', re: /^only staff may read a citizen's number$/, text: (m, e, h) => h.t('errors.staffOnlyNumber') },
  { id: 'acctSource', re: /^source must be overdue, complaint or finding$/, text: (m, e, h) => h.t('errors.acctSource') },
  { id: 'acctRole', re: /^only a leader or supervisor opens an accountability record$/, text: (m, e, h) => h.t('errors.acctRole') },
  { id: 'acctSelf', re: /^not against yourself$/, text: (m, e, h) => h.t('errors.acctSelf') },
  // first inquiries (首问登记)
  { id: 'inquiryStaffOnly', re: /^only staff accounts (use|record) first inquiries$/, text: (m, e, h) => h.t('errors.inquiryStaffOnly') },
  { id: 'inquiryPhone', re: /^phone must be a mainland mobile/, text: (m, e, h) => h.t('errors.casePhone', { field: h.field() }) },
  { id: 'inquiryChannel', re: /^channel must be window, phone or online$/, text: (m, e, h) => h.t('errors.inquiryChannel') },
  { id: 'inquiryItem', re: /^no catalogue item with this code$/, text: (m, e, h) => h.t('errors.itemNotPublished') },
  { id: 'phoneNotStored', re: /^the phone cannot be stored$/, text: (m, e, h) => h.t('errors.dataKey') },
  { id: 'noHomeNode', re: /^your account has no home node$/, text: (m, e, h) => h.t('errors.noHomeNode') },
  {
    id: 'inquiryNotOpen',
    re: /^this inquiry is (\w+), no longer open$/,
    text: (m, e, h) => (h.inquiryStatus(m[1]) ? h.t('errors.inquiryNotOpen', { status: h.inquiryStatus(m[1]) }) : h.t('errors.inquiryClosed')),
  },
  { id: 'inquiryOwnerOnly', re: /^only the owner of this inquiry \(.*\) may do this$/, text: (m, e, h) => h.t('errors.inquiryOwnerOnly') },
  { id: 'handoverOneOf', re: /^give staff_id or node_id \(one of them\)$/, text: (m, e, h) => h.t('errors.handoverOneOf') },
  { id: 'handoverSelf', re: /^you cannot hand an inquiry to yourself$/, text: (m, e, h) => h.t('errors.handoverSelf') },
  { id: 'handoverOwnNode', re: /^you cannot hand an inquiry to your own \w+$/, text: (m, e, h) => h.t('errors.handoverOwnNode') },
  { id: 'handoverStaffRegion', re: /^.+ works outside this region$/, text: (m, e, h) => h.t('errors.handoverOutsideRegion') },
  { id: 'handoverNodeRegion', re: /^.+ lies outside this region$/, text: (m, e, h) => h.t('errors.handoverOutsideRegion') },
  { id: 'handoverNode', re: /^no such active unit, hall or window$/, text: (m, e, h) => h.t('errors.handoverNode') },
  { id: 'handoverWaiting', re: /^a handover of this inquiry is already waiting to be accepted$/, text: (m, e, h) => h.t('errors.handoverWaiting') },
  { id: 'handoverNone', re: /^no handover of this inquiry is waiting$/, text: (m, e, h) => h.t('errors.handoverNone') },
  { id: 'handoverReceiverOnly', re: /^only the receiver of the handover may do this$/, text: (m, e, h) => h.t('errors.handoverReceiverOnly') },
  {
    id: 'noteReason',
    re: /^note \(the reason\) must have 1-(\d+) characters$/,
    text: (m, e, h) => h.t('errors.giveReasonMax', { n: m[1] }),
  },
  { id: 'handoverBlocksCase', re: /^a handover of this inquiry is waiting: it cannot become a case meanwhile$/, text: (m, e, h) => h.t('errors.handoverBlocksCase') },
  { id: 'inquiryNoTicket', re: /^a case from an inquiry takes no ticket$/, text: (m, e, h) => h.t('errors.inquiryNoTicket') },
  {
    id: 'inquiryQuery',
    re: /^(box must be mine, inbox or scope|status must be open, answered, referred or converted|page and per_page must be positive)$/,
    text: (m, e, h) => h.t('errors.queryInvalid'),
  },
  {
    id: 'caseQuery',
    re: /^(view must be mine, first, scope or warn|unknown state|level goes with view=warn|level must be yellow, red or overdue|mine must be 0 or 1)$/,
    text: (m, e, h) => h.t('errors.queryInvalid'),
  },

  // ---- 好差评 evaluations (issue 6: evaluation.c, api_evaluation.c; texts in evaluation.errors.*) ----
  { id: 'evalNotYet', re: /^not yet valid\b/, text: (m, e, h) => h.t('evaluation.errors.notYet') },
  { id: 'evalUsed', re: /^this service was already evaluated$/, text: (m, e, h) => h.t('evaluation.errors.used') },
  { id: 'evalExpired', re: /^the evaluation period of this service has ended$/, text: (m, e, h) => h.t('evaluation.errors.expired') },
  { id: 'evalNotDelivered', re: /^this service was not delivered$/, text: (m, e, h) => h.t('evaluation.errors.notDelivered') },
  { id: 'evalNoFollowup', re: /^a 追评 is not allowed here$/, text: (m, e, h) => h.t('evaluation.errors.noFollowup') },
  { id: 'evalFollowupFirst', re: /^a 追评 follows an evaluation the citizen gave$/, text: (m, e, h) => h.t('evaluation.errors.followupFirst') },
  { id: 'evalNeedReason', re: /^a 差评 \(level 1 or 2\) needs at least one reason$/, text: (m, e, h) => h.t('evaluation.errors.needReason') },
  { id: 'evalReasonsOnGood', re: /^reasons are given only with a 差评/, text: (m, e, h) => h.t('evaluation.errors.reasonsOnGood') },
  {
    id: 'evalTooManyReasons',
    re: /^(?:at most (\d+) reasons|reasons must be an array of at most (\d+) reason codes)$/,
    text: (m, e, h) => h.t('evaluation.errors.tooManyReasons', { n: m[1] || m[2] }),
  },
  { id: 'evalReasonTwice', re: /^\S+ repeats a reason$/, text: (m, e, h) => h.t('evaluation.errors.reasonTwice') },
  {
    id: 'evalReasonUnknown',
    re: /^\S+ (is not a reason of this hall's list|must be a reason code)$/,
    text: (m, e, h) => h.t('evaluation.errors.reasonUnknown'),
  },
  { id: 'evalDimsAll', re: /^dims must score every indicator of the current set/, text: (m, e, h) => h.t('evaluation.errors.dimsAll') },
  {
    id: 'evalDims',
    re: /^(dims\.\S* is not an indicator of the set|dims names an indicator twice|dims scores must be 1-5|dims must be an object of indicator codes with scores 1-5)$/,
    text: (m, e, h) => h.t('evaluation.errors.dims'),
  },
  { id: 'evalLevel', re: /^level must be (1-5|between 1 and 5)$/, text: (m, e, h) => h.t('evaluation.errors.level') },
  { id: 'evalName', re: /^evaluator\.name must have 1-(\d+) characters$/, text: (m, e, h) => h.t('evaluation.errors.name', { n: m[1] }) },
  { id: 'evalPhone', re: /^evaluator\.phone must be a mainland mobile or landline number$/, text: (m, e, h) => h.t('evaluation.errors.phone') },
  { id: 'evalIdNumber', re: /^evaluator\.id_number must be an 18-character ID number$/, text: (m, e, h) => h.t('evaluation.errors.idNumber') },
  {
    // the real-name part's own faults, prefixed: "evaluator.name must have at most 40 characters"
    id: 'evalEvaluatorField',
    re: /^evaluator\.(\S.*)$/,
    text: (m, e, h) => {
      const inner = findRule(e.code, m[1])
      return inner ? inner.rule.text(inner.match, e, h) : h.t('evaluation.errors.evaluator')
    },
  },
  { id: 'evalOwnService', re: /^you cannot evaluate a service you delivered$/, text: (m, e, h) => h.t('evaluation.errors.ownService') },
  { id: 'evalTabletLate', re: /^the tablet takes only a service that has just ended$/, text: (m, e, h) => h.t('evaluation.errors.tabletLate') },
  { id: 'evalOwnIdentity', re: /^nobody reads who evaluated a service they delivered$/, text: (m, e, h) => h.t('evaluation.errors.ownIdentity') },
  { id: 'evalChannel', re: /^channel must be (hotline or paper|one of\b.*)$/, text: (m, e, h) => h.t('evaluation.errors.channel') },
  { id: 'evalEventMissing', re: /^no such service to evaluate$/, text: (m, e, h) => h.t('evaluation.errors.eventMissing') },
  { id: 'evalNotThisWindow', re: /^no such service at this window$/, text: (m, e, h) => h.t('evaluation.errors.notYourWindow') },
  { id: 'evalStaffNotHere', re: /^no such staff member at this window$/, text: (m, e, h) => h.t('evaluation.errors.staffNotHere') },
  { id: 'evalNotEvaluator', re: /^this device is not a window's evaluator$/, text: (m, e, h) => h.t('evaluation.errors.notEvaluator') },
  {
    id: 'evalCredential',
    re: /^(give one of: token; case_number and name; window_id or staff_id with ticket|case_number and name go together|ticket goes with one of window_id or staff_id)$/,
    text: (m, e, h) => h.t('evaluation.errors.credential'),
  },
  { id: 'evalEntryGive', re: /^give one of event_id, ticket_id, case_id$/, text: (m, e, h) => h.t('evaluation.errors.entryGive') },
  { id: 'evalNode', re: /^node must be accept or complete$/, text: (m, e, h) => h.t('errors.queryInvalid') },
  { id: 'evalMissing', re: /^no such evaluation$/, text: (m, e, h) => h.t('evaluation.errors.evaluationMissing') },
  { id: 'evalOwnList', re: /^you may list only your own evaluations$/, text: (m, e, h) => h.t('evaluation.errors.ownList') },
  { id: 'evalRegion', re: /^region_id must be a region$/, text: (m, e, h) => h.t('errors.regionMissing') },
  { id: 'evalNotCounted', re: /^evaluation \S+ is not a counted 差评$/, text: (m, e, h) => h.t('evaluation.errors.notCounted') },
  { id: 'evalUnratedMode', re: /^unrated_mode must be unrated or default$/, text: (m, e, h) => h.t('evaluation.errors.unratedMode') },
  { id: 'evalDate', re: /^\S+ must be a date YYYY-MM-DD$/, text: (m, e, h) => h.t('errors.realDate', { field: h.field() }) },
  { id: 'evalSystem', re: /^closing evaluation windows failed$/, text: (m, e, h) => h.codeText() },
  { id: 'evalCaseNodes', re: /^case_nodes must be /, text: (m, e, h) => h.t('evaluation.errors.caseNodes') },

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
    re: /^\S+ must (?:have|be) at most (\d+) characters( on one line)?$/,
    text: (m, e, h) => h.t(m[2] ? 'errors.tooLongOneLine' : 'errors.tooLong', { field: h.field(), n: m[1] }),
  },
  {
    id: 'tooShort',
    re: /^\S+ must have at least (\d+) characters$/,
    text: (m, e, h) =>
      m[1] === '1' ? h.t('validation.required', { field: h.field() }) : h.t('errors.tooShort', { field: h.field(), n: m[1] }),
  },
  {
    id: 'lengthRange',
    re: /^\S+ must have (\d+)-(\d+) characters( on one line)?$/,
    text: (m, e, h) => {
      if (m[1] === '1') return h.t(m[3] ? 'errors.requiredMaxOneLine' : 'errors.requiredMax', { field: h.field(), n: m[2] })
      return h.t(m[3] ? 'errors.lengthRangeOneLine' : 'errors.lengthRange', { field: h.field(), min: m[1], max: m[2] })
    },
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
  // ---- 差评 work orders and appeals (badreview.c / api_badreview.c, issue 6) ----
  { id: 'badReviewMissing', re: /^no such (work order|profile)$/, text: (m, e, h) => h.t('errors.not_found') },
  { id: 'badReviewStep', re: /^no such step$/, text: (m, e, h) => h.t('errors.unknownAction') },
  {
    id: 'badReviewConflict',
    re: /^(the work order is \w+: \w+ is not due|the work order (changed meanwhile|is closed|was already appealed|has no pending appeal)|the evaluation already has a work order)$/,
    text: (m, e, h) => h.t('errors.conflict'),
  },
  {
    id: 'badReviewForbidden',
    re: /^(only the responsible unit's staff or leader may appeal|nobody decides their own appeal|only a supervisor over the unit may decide an appeal)$/,
    text: (m, e, h) => h.t('errors.forbidden'),
  },
  {
    id: 'badReviewEnum',
    re: /^(method must be phone, sms, visit or other|finding must be true, false or partly|classification must be fix_now, listed or explain|rating must be satisfied, basic or unsatisfied|decision must be upheld or rejected|\S+ must be workdays or days|\S+ must be an object with n and unit|steps must be an object|contacted_at must lie between the order's opening and now|a 差评 found untrue can only be explained|only a listed rectification has a deadline)$/,
    text: (m, e, h) => h.t('errors.withField.invalid', { field: h.field() }),
  },
  { id: 'badReviewDeadlineDate', re: /^a listed rectification needs a deadline as YYYY-MM-DD$/, text: (m, e, h) => h.t('errors.realDate', { field: h.field() }) },
  {
    id: 'badReviewDeadlineRange',
    re: /^deadline must lie from (\S+) to (\S+)$/,
    text: (m, e, h) =>
      ISO_DAY.test(m[1]) && ISO_DAY.test(m[2])
        ? h.t('errors.between', { field: h.field(), min: m[1], max: m[2] })
        : h.t('errors.withField.invalid', { field: h.field() }),
  },
  { id: 'badReviewMisplaced', re: /^\S+ belongs to (contact|verify|classify|rate)$/, text: (m, e, h) => h.t('errors.unknownField') },
  {
    id: 'badReviewFilter',
    re: /^(state must be open, assigned, contacted, verified, classified, rectified, followed_up, closed or appeal_upheld|appeal must be pending, upheld or rejected)$/,
    text: (m, e, h) => h.t('errors.queryInvalid'),
  },

  // ---- 好差评 reasons, indicator sets, metrics and ranking (issue 6: eval_config.c, eval_stats.c) ----
  { id: 'evalCode', re: /^code must be 1-\d+ of a-z, 0-9 and _$/, text: (m, e, h) => h.t('errors.withField.invalid', { field: h.field() }) },
  { id: 'evalReasonTaken', re: /^the region has a reason with this code already$/, text: (m, e, h) => h.t('errors.withField.conflict', { field: h.field() }) },
  { id: 'evalReasonMissing', re: /^no such reason$/, text: (m, e, h) => h.t('errors.not_found') },
  { id: 'evalSetKind', re: /^kind must be offline or online$/, text: (m, e, h) => h.t('errors.withField.invalid', { field: h.field() }) },
  {
    id: 'evalSetItems',
    re: /^items must hold 1-(\d+) indicators$/,
    text: (m, e, h) => h.t('errors.between', { field: h.field(), min: 1, max: m[1] }),
  },
  { id: 'evalBy', re: /^by must be staff, window, hall, unit, region, item, channel, day or month$/, text: (m, e, h) => h.t('errors.queryInvalid') },
  { id: 'evalChannel', re: /^channel must be one of/, text: (m, e, h) => h.t('errors.queryInvalid') },
  { id: 'evalMonth', re: /^month must be a month as YYYY-MM$/, text: (m, e, h) => h.t('errors.queryInvalid') },
  { id: 'evalOwnFigures', codes: ['forbidden'], re: /^staff see their own figures only$/, text: (m, e, h) => h.t('errors.forbidden') },

  // ---- fraud flags, the upstream push, evaluation QR codes (eval_fraud, eval_push, api_qr) ----
  { id: 'evalFlagMissing', re: /^no such flag$/, text: (m, e, h) => h.t('errors.evalFlagMissing') },
  { id: 'evalFlagStatus', re: /^status must be dismissed or confirmed$/, text: (m, e, h) => h.t('errors.evalFlagStatus') },
  { id: 'evalFlagStatusFilter', re: /^status must be open, dismissed or confirmed$/, text: (m, e, h) => h.t('errors.evalFlagStatusFilter') },
  { id: 'evalFlagKindFilter', re: /^kind must be burst_device, burst_ip, fast_console or streak$/, text: (m, e, h) => h.t('errors.evalFlagKindFilter') },
  { id: 'evalFlagDecided', re: /^the flag is already \w+$/, text: (m, e, h) => h.t('errors.evalFlagDecided') },
  { id: 'evalFlagSelf', re: /^nobody decides a flag about themselves$/, text: (m, e, h) => h.t('errors.evalFlagSelf') },
  { id: 'evalFlagRole', re: /^only a supervisor, leader or admin over it decides$/, text: (m, e, h) => h.t('errors.evalFlagRole') },
  { id: 'evalPushTopAdmin', re: /^only an administrator at the top of the organisation$/, text: (m, e, h) => h.t('errors.evalPushTopAdmin') },
  { id: 'evalPushTarget', re: /^bad \[upstream\] target$/, text: (m, e, h) => h.t('errors.evalPushTarget') },
  { id: 'evalSweepFailed', re: /^the evaluation sweep failed$/, text: (m, e, h) => h.t('errors.evalSweepFailed') },
  { id: 'qrOneOf', re: /^give one of token, window_id or staff_id$/, text: (m, e, h) => h.t('errors.qrOneOf') },
  { id: 'qrOnlyOne', re: /^give only one of token, window_id or staff_id$/, text: (m, e, h) => h.t('errors.qrOnlyOne') },
  { id: 'qrToken', re: /^token must be 24 letters, digits, - or _$/, text: (m, e, h) => h.t('errors.qrToken') },
  { id: 'qrTooLong', re: /^the link is too long for a QR code$/, text: (m, e, h) => h.t('errors.qrTooLong') },

  // ---- commitments 亮承诺 (commitment.c / api_commitment.c, issue 7; texts in errors.commitment.*) ----
  { id: 'commitmentMissing', re: /^no such commitment$/, text: (m, e, h) => h.t('errors.commitment.missing') },
  { id: 'commitmentPeriod', re: /^period must be YYYY, YYYY-Qn or YYYY-MM$/, text: (m, e, h) => h.t('errors.commitment.period') },
  {
    id: 'commitmentPublishes',
    re: /^this region publishes by (\S+)$/,
    text: (m, e, h) =>
      ['year', 'quarter', 'month'].includes(m[1])
        ? h.t('errors.commitment.publishes', { period: h.t(`errors.commitment.${m[1]}`) })
        : h.t('errors.commitment.period'),
  },
  {
    id: 'commitmentTargetValue',
    re: /^(target_value is out of range|target_value must be a number or null|target_value must be a number with up to 12 digits and 6 decimals)$/,
    text: (m, e, h) => h.t('errors.commitment.targetValue'),
  },
  {
    id: 'commitmentLinks',
    re: /^(links must be an array of at most (\d+) addresses|links must be strings|at most (\d+) links|each link must be an http\(s\) address of up to \d+ characters)$/,
    text: (m, e, h) => h.t('errors.commitment.links', { n: m[2] || m[3] || 10 }),
  },
  { id: 'commitmentPublishPeriod', re: /^publish_period must be year, quarter or month$/, text: (m, e, h) => h.t('errors.commitment.publishPeriod') },
  { id: 'commitmentDueBoth', re: /^give due_day or period, not both$/, text: (m, e, h) => h.t('errors.commitment.dueBoth') },
  { id: 'commitmentDueRequired', re: /^due_day or period is required$/, text: (m, e, h) => h.t('errors.commitment.dueRequired') },
  { id: 'commitmentDuePast', re: /^the commitment would be due in the past$/, text: (m, e, h) => h.t('errors.commitment.duePast') },
  { id: 'commitmentDueFar', re: /^the due day is more than (\d+) years ahead$/, text: (m, e, h) => h.t('errors.commitment.dueFar', { n: m[1] }) },
  { id: 'commitmentText', re: /^(text|evidence|note|reason) must be 1-(\d+) characters$/, text: (m, e, h) => h.t('errors.commitment.text', { field: h.field(), n: m[2] }) },
  { id: 'commitmentUpTo', re: /^(target_text|target_unit) must be up to (\d+) characters$/, text: (m, e, h) => h.t('errors.commitment.upTo', { field: h.field(), n: m[2] }) },
  { id: 'commitmentCategory', re: /^category must be service, efficiency, conduct, integrity or other$/, text: (m, e, h) => h.t('errors.commitment.category') },
  { id: 'commitmentVisibility', re: /^visibility must be public or internal$/, text: (m, e, h) => h.t('errors.commitment.visibility') },
  { id: 'commitmentOwnerInactive', re: /^the staff member is not active$/, text: (m, e, h) => h.t('errors.commitment.ownerInactive') },
  { id: 'commitmentOwnerMissing', re: /^no such active \S+$/, text: (m, e, h) => h.t('errors.commitment.ownerMissing') },
  { id: 'commitmentOwnerKind', re: /^owner_kind must be unit, window or staff$/, text: (m, e, h) => h.t('errors.commitment.ownerKind') },
  {
    id: 'commitmentFilter',
    re: /^(owner_id needs owner_kind|state must be open, reported, fulfilled, partly, missed or withdrawn)$/,
    text: (m, e, h) => h.t('errors.queryInvalid'),
  },
  { id: 'commitmentCreateRights', re: /^you may make commitments for yourself, or as a leader within your scope$/, text: (m, e, h) => h.t('errors.commitment.createRights') },
  { id: 'commitmentEditRights', re: /^you may not edit this commitment$/, text: (m, e, h) => h.t('errors.commitment.editRights') },
  { id: 'commitmentEdited', re: /^a commitment can be edited only before its first report$/, text: (m, e, h) => h.t('errors.commitment.edited') },
  { id: 'commitmentReportStaff', re: /^only the staff member may report on their commitment$/, text: (m, e, h) => h.t('errors.commitment.reportStaff') },
  { id: 'commitmentReportLeader', re: /^only a leader over the owner may report on this commitment$/, text: (m, e, h) => h.t('errors.commitment.reportLeader') },
  { id: 'commitmentAwaiting', re: /^the report awaits confirmation$/, text: (m, e, h) => h.t('errors.commitment.awaiting') },
  { id: 'commitmentNoMoreReports', re: /^the commitment takes no more reports$/, text: (m, e, h) => h.t('errors.commitment.noMoreReports') },
  { id: 'commitmentStands', re: /^the due day has passed: the confirmation stands$/, text: (m, e, h) => h.t('errors.commitment.confirmationStands') },
  { id: 'commitmentResult', re: /^result must be fulfilled, partly or missed$/, text: (m, e, h) => h.t('errors.commitment.result') },
  { id: 'commitmentOwnConfirm', re: /^nobody confirms their own report or commitment$/, text: (m, e, h) => h.t('errors.commitment.ownConfirm') },
  { id: 'commitmentConfirmRights', re: /^only a leader over the owner may confirm$/, text: (m, e, h) => h.t('errors.commitment.confirmRights') },
  { id: 'commitmentNoReport', re: /^no report awaits confirmation$/, text: (m, e, h) => h.t('errors.commitment.noReport') },
  { id: 'commitmentWithdrawRights', re: /^you may not withdraw this commitment$/, text: (m, e, h) => h.t('errors.commitment.withdrawRights') },
  { id: 'commitmentCountsPastDue', re: /^the due day has passed: the commitment counts$/, text: (m, e, h) => h.t('errors.commitment.countsPastDue') },
  { id: 'commitmentFinal', re: /^a confirmed or withdrawn commitment cannot be withdrawn$/, text: (m, e, h) => h.t('errors.commitment.finalState') },
  // ---- review rounds 三评 (review*.c / api_review.c, issue 7) ----
  { id: 'reviewSelf', re: /^you may not rate (yourself|your own window)$/, text: (m, e, h) => h.t('errors.reviewSelf') },
  { id: 'reviewSelfOnly', re: /^in a self review you rate only (yourself|your own window)$/, text: (m, e, h) => h.t('errors.reviewSelfOnly') },
  {
    id: 'reviewNotRater',
    re: /^(only leaders over the subject rate in a leader group|only staff of the round's part of the organisation rate as peers|only accounts with role \S+ rate in group \S+|only (active )?staff accounts rate)$/,
    text: (m, e, h) => h.t('errors.reviewNotRater'),
  },
  { id: 'reviewBranch', re: /^group \S+ is for party members of the same branch$/, text: (m, e, h) => h.t('errors.reviewBranch') },
  { id: 'reviewSameUnit', re: /^group \S+ rates colleagues of your own unit$/, text: (m, e, h) => h.t('errors.reviewSameUnit') },
  { id: 'reviewCrossUnit', re: /^group \S+ rates other units only$/, text: (m, e, h) => h.t('errors.reviewCrossUnit') },
  { id: 'reviewComment', re: /^a leader's rating needs a written comment$/, text: (m, e, h) => h.t('errors.reviewComment') },
  { id: 'reviewWeights', re: /^the (criteria's|groups') weights add up to -?\d+, not 100$/, text: (m, e, h) => h.t('errors.reviewWeights', { field: h.field() }) },
  { id: 'reviewOwner', re: /^only the round's owner or an admin may change the round$/, text: (m, e, h) => h.t('errors.reviewOwner') },
  { id: 'reviewCreate', re: /^only leaders and admins open review rounds$/, text: (m, e, h) => h.t('errors.reviewCreate') },
  { id: 'reviewConfidential', re: /^individual ratings are confidential to the round's owner$/, text: (m, e, h) => h.t('errors.reviewConfidential') },
  { id: 'reviewScope', re: /^the review round is outside your scope$/, text: (m, e, h) => h.t('errors.reviewScope') },
  {
    id: 'reviewState',
    re: /^(only a draft round can be (edited|opened)|only an open round can be closed|ratings are taken only while the round is open)$/,
    text: (m, e, h) => h.t('errors.reviewState'),
  },
  { id: 'reviewResults', re: /^results are published when the round closes$/, text: (m, e, h) => h.t('errors.reviewResults') },
  { id: 'reviewVoteClosed', re: /^the vote has closed$/, text: (m, e, h) => h.t('errors.reviewVoteClosed') },
  { id: 'reviewRated', re: /^you have rated this subject in group \S+ already$/, text: (m, e, h) => h.t('errors.reviewRated') },
  { id: 'reviewVoted', re: /^this ID number has voted in this round$/, text: (m, e, h) => h.t('errors.reviewVoted') },
  { id: 'reviewNoRaters', re: /^group \S+ (has no raters \(it is \S+\)|takes no ratings from staff)$/, text: (m, e, h) => h.t('errors.reviewNoRaters') },
  { id: 'reviewNotSubject', re: /^not a subject of this (round|vote)$/, text: (m, e, h) => h.t('errors.reviewNotSubject') },
  { id: 'reviewGroup', re: /^no such group in this round$/, text: (m, e, h) => h.t('errors.reviewGroup') },
  { id: 'reviewMissing', re: /^no such (review round|public vote)$/, text: (m, e, h) => h.t('errors.reviewMissing') },
  {
    id: 'reviewDuplicate',
    re: /^((criterion|group) code \S+ appears twice|one vote per subject|\S+ is not a criterion of the round \(or twice\))$/,
    text: (m, e, h) => h.t('errors.reviewDuplicate', { field: h.field() }),
  },
  { id: 'reviewOneVoteGroup', re: /^one public_vote group per round$/, text: (m, e, h) => h.t('errors.reviewOneVoteGroup') },
  { id: 'reviewKey', re: /^the data key is not loaded$/, text: (m, e, h) => h.t('errors.reviewKey') },
  {
    id: 'reviewInvalid',
    re: /^(\S+ is 0\.\.\d+|\S+ is required|\S+ must be a list of 1 to \d+( choices)?|\S+ must be a whole number|\S+ must be an object( \{criterion: value\})?|\S+ is not a valid choice|a code is 1-\d+ of a-z, 0-9 and _|a (criterion|group) needs a name|a round needs a title \(up to \d+ characters\)|a weight is 1\.\.100|choice is satisfied, basic or unsatisfied|choose at least one to vote for|criteria: 1 to \d+ criteria|groups: 1 to \d+ rater groups|give your name \(up to \d+ bytes\)|not a valid (ID|phone) number|period is YYYY-MM, YYYY-Qn or YYYY|scale_max is 1\.\.\d+|subject_kind is staff or window|kind is self, peer, leader, public_metrics or public_vote|unit_scope is same_unit, cross_unit or any, for peer groups only|rater_role is staff, leader, supervisor or admin, for peer groups|party_only is for peer groups of staff rounds only|party_branch is up to \d+ characters|votes must be a list of 1 to \d+ choices)$/,
    text: (m, e, h) => h.t('errors.withField.invalid', { field: h.field() }),
  },
  { id: 'reviewFilter', re: /^(state is draft, open or closed|per_page is 1\.\.\d+)$/, text: (m, e, h) => h.t('errors.queryInvalid') },
  // ---- nominations 先锋服务窗口 / 明星服务标兵 (issue 7: nomination.c, api_nomination.c; texts in nomination.errors.*) ----
  { id: 'nominationMissing', re: /^no such (nomination|scorecard)$/, text: (m, e, h) => h.t('errors.not_found') },
  {
    id: 'nominationEnum',
    re: /^(kind must be model_window or service_star|mode must be vote or decision|state must be open, closed or cancelled|period must be YYYY, YYYY-Qn or YYYY-MM|candidate_ids must hold positive integers)$/,
    text: (m, e, h) => h.t('errors.withField.invalid', { field: h.field() }),
  },
  { id: 'nominationIdsMax', re: /^candidate_ids must be an array of up to (\d+) ids$/, text: (m, e, h) => h.t('nomination.errors.chooseMax', { n: m[1] }) },
  { id: 'nominationQuota', re: /^give the quota as a count or as a percent$/, text: (m, e, h) => h.t('nomination.errors.quotaOne') },
  { id: 'nominationQuotaMax', re: /^the quota must be 1-(\d+) \(top_n\)$/, text: (m, e, h) => h.t('nomination.errors.quotaMax', { n: m[1] }) },
  { id: 'nominationKindCard', re: /^a \S+ scorecard takes kind \S+$/, text: (m, e, h) => h.t('nomination.errors.kindCard') },
  { id: 'nominationOpenRole', re: /^only a leader or administrator over the scorecard's node may do this$/, text: (m, e, h) => h.t('nomination.errors.openRole') },
  { id: 'nominationVoteRole', re: /^only staff under the scorecard's node may vote$/, text: (m, e, h) => h.t('nomination.errors.voteRole') },
  { id: 'nominationOwner', re: /^only the leader who opened it or an administrator may do this$/, text: (m, e, h) => h.t('nomination.errors.owner') },
  { id: 'nominationPeriodOpen', re: /^the period is not closed$/, text: (m, e, h) => h.t('nomination.errors.periodOpen') },
  { id: 'nominationPeriodTaken', re: /^the period already has a nomination of this kind$/, text: (m, e, h) => h.t('nomination.errors.periodTaken') },
  { id: 'nominationPeriodEmpty', re: /^the period has no eligible result$/, text: (m, e, h) => h.t('nomination.errors.periodEmpty') },
  { id: 'nominationChooseMin', re: /^choose at least one candidate$/, text: (m, e, h) => h.t('nomination.errors.chooseMin') },
  { id: 'nominationChooseMax', re: /^choose at most (\d+) candidates$/, text: (m, e, h) => h.t('nomination.errors.chooseMax', { n: m[1] }) },
  { id: 'nominationNotCandidate', re: /^\d+ is not a candidate$/, text: (m, e, h) => h.t('nomination.errors.notCandidate') },
  { id: 'nominationTwice', re: /^\d+ is chosen twice$/, text: (m, e, h) => h.t('nomination.errors.chosenTwice') },
  { id: 'nominationSelf', re: /^you may not vote for yourself$/, text: (m, e, h) => h.t('nomination.errors.self') },
  { id: 'nominationState', re: /^the nomination is \w+$/, text: (m, e, h) => h.t('nomination.errors.state') },
  { id: 'nominationByLeader', re: /^this nomination is decided by a leader$/, text: (m, e, h) => h.t('nomination.errors.byLeader') },
  { id: 'nominationByVote', re: /^this nomination is decided by a vote$/, text: (m, e, h) => h.t('nomination.errors.byVote') },
  { id: 'nominationVoted', re: /^you have already voted$/, text: (m, e, h) => h.t('nomination.errors.voted') },
  { id: 'nominationNoBallot', re: /^no ballot has been cast$/, text: (m, e, h) => h.t('nomination.errors.noBallot') },
  { id: 'nominationNoDecision', re: /^no decision has been recorded$/, text: (m, e, h) => h.t('nomination.errors.noDecision') },

  // ---- scoring (issue 7): scorecards, their definitions, periods, results, manual score events ----
  // (score_def.c names the field at fault in `field` — items[2].rules[0].input — and says
  // what is wrong with it; scoreField reads that path in words)
  { id: 'scoreDefRequired', re: /^def \(the scorecard definition\) is required$/, text: (m, e, h) => h.t('score.err.defRequired') },
  { id: 'scoreDefObject', re: /^def (must be a JSON object|\(the scorecard definition\) must be an object)$/, text: (m, e, h) => h.t('score.err.defObject') },
  { id: 'scoreDefSize', re: /^must be a JSON object of at most (\d+) bytes$/, text: (m, e, h) => h.t('score.err.defSize', { n: Math.round(Number(m[1]) / 1024) || m[1] }) },
  { id: 'scorePeriods', re: /^periods must list month, quarter and\/or year(, each once)?$/, text: (m, e, h) => h.t('score.err.periods') },
  { id: 'scorePreviewWhich', re: /^card_id, or node_id and subject, is required$/, text: (m, e, h) => h.t('score.err.previewWhich') },
  { id: 'scorePeriodKey', re: /^period must be YYYY-MM, YYYY-Qn or YYYY$/, text: (m, e, h) => h.t('score.err.periodKey') },
  { id: 'scoreGroup', re: /^(group must be all, hall, unit or industry|group_id names the hall or unit to rank in|industry names the industry to rank in)$/, text: (m, e, h) => h.t('errors.queryInvalid') },
  { id: 'scoreSubjectKind', re: /^(kind|subject) must be window or staff$/, text: (m, e, h) => h.t('score.err.subjectKind') },
  { id: 'scoreNoSubject', re: /^no such subject$/, text: (m, e, h) => h.t('score.err.noSubject') },
  { id: 'scoreNoEvent', re: /^no such score event$/, text: (m, e, h) => h.t('score.err.noEvent') },
  { id: 'scoreNoScore', re: /^no score for this subject and period$/, text: (m, e, h) => h.t('score.err.noScore') },
  { id: 'scoreRescore', re: /^rescoring failed$/, text: (m, e, h) => h.t('score.err.rescore') },
  { id: 'scoreName', re: /^name must be 1-(\d+) characters$/, text: (m, e, h) => h.t('errors.requiredMax', { field: scoreField(e, h), n: m[1] }) },
  { id: 'scoreNodeKind', re: /^a scorecard belongs to a region, unit or hall$/, text: (m, e, h) => h.t('score.err.nodeKind') },
  { id: 'scoreCardExists', re: /^the node already has an active (\w+) scorecard; add a version to it$/, text: (m, e, h) => h.t('score.err.cardExists') },
  { id: 'scoreInactive', re: /^the scorecard is (no longer|not) active$/, text: (m, e, h) => h.t('score.err.inactive') },
  { id: 'scoreDay', re: /^day must be YYYY-MM-DD$/, text: (m, e, h) => h.t('errors.realDate', { field: scoreField(e, h) }) },
  { id: 'scoreDayFuture', re: /^day must not be after today$/, text: (m, e, h) => h.t('score.err.dayFuture') },
  { id: 'scorePeriodClosed', re: /^the period (\S+) is closed$/, text: (m, e, h) => scorePeriodText(h, 'periodClosed', m[1]) },
  { id: 'scoreEvidence', re: /^evidence is required \(1-(\d+) characters\): what happened and where it is recorded$/, text: (m, e, h) => h.t('score.err.evidence', { n: m[1] }) },
  { id: 'scoreNoCard', re: /^no scorecard applies to this (\S+)$/, text: (m, e, h) => h.t('score.err.noCard') },
  { id: 'scoreNoType', re: /^the scorecard '.*' has no event type '(.*)'$/, text: (m, e, h) => h.t('score.err.noType', { type: m[1] }) },
  { id: 'scoreNotOwn', re: /^a score event is confirmed by someone other than who entered it$/, text: (m, e, h) => h.t('score.err.notOwn') },
  { id: 'scoreNotPending', re: /^the score event is (\w+), not pending$/, text: (m, e, h) => h.t('score.err.notPending') },
  { id: 'scoreAlreadyVoid', re: /^the score event is already void$/, text: (m, e, h) => h.t('score.err.alreadyVoid') },
  { id: 'scoreChanged', re: /^the score event changed meanwhile$/, text: (m, e, h) => h.t('score.err.changed') },
  { id: 'scoreReason', re: /^reason is required \(1-(\d+) characters\)$/, text: (m, e, h) => h.t('score.err.reason', { n: m[1] }) },
  { id: 'scoreNotAPeriod', re: /^not a period of this scorecard( \(its kinds: .*\))?$/, text: (m, e, h) => h.t('score.err.notPeriod') },
  {
    id: 'scoreNotEnded',
    re: /^the period (\S+) has not ended \(it ends on (\S+)\)$/,
    text: (m, e, h) => (ISO_DAY.test(m[2]) && scorePeriodWords(h, m[1]) ? h.t('score.err.notEndedOn', { period: scorePeriodWords(h, m[1]), day: m[2] }) : scorePeriodText(h, 'notEnded', m[1])),
  },
  { id: 'scoreAlreadyClosed', re: /^the period (\S+) is already closed$/, text: (m, e, h) => scorePeriodText(h, 'alreadyClosed', m[1]) },
  { id: 'scoreNotClosed', re: /^the period (\S+) is not closed$/, text: (m, e, h) => scorePeriodText(h, 'notClosed', m[1]) },
  {
    id: 'scoreInputs',
    re: /^unconfirmed inputs: (\S*) score events, (\S*) commitments, (\S*) review rounds$/,
    text: (m, e, h) =>
      [m[1], m[2], m[3]].every((x) => /^\d+$/.test(x)) ? h.t('score.err.inputsN', { events: m[1], commitments: m[2], reviews: m[3] }) : h.t('score.err.inputs'),
  },
  // the definition (score_def.c): the field's path says where
  { id: 'scoreDefNumber', re: /^must be a number$/, text: (m, e, h) => h.t('score.err.number', { field: scoreField(e, h) }) },
  {
    id: 'scoreDefBetween',
    re: /^must be between (\S+) and (\S+)$/,
    text: (m, e, h) =>
      Number.isFinite(Number(m[1])) && Number.isFinite(Number(m[2]))
        ? h.t('errors.between', { field: scoreField(e, h), min: m[1], max: m[2] })
        : h.t('errors.withField.invalid', { field: scoreField(e, h) }),
  },
  { id: 'scoreDefRequiredField', re: /^is required$/, text: (m, e, h) => h.t('score.err.required', { field: scoreField(e, h) }) },
  { id: 'scoreDefText', re: /^must be text of 1-(\d+) characters$/, text: (m, e, h) => h.t('errors.requiredMax', { field: scoreField(e, h), n: m[1] }) },
  { id: 'scoreDefUnknownField', re: /^is not a known field$/, text: (m, e, h) => h.t('score.err.unknownField', { field: scoreField(e, h) }) },
  {
    id: 'scoreDefShape',
    re: /^(must be an object|must be a JSON object|must be true or false|must be "full" or "zero"|must be "period", "year" or ""|must be "all", "hall" or "unit"|must be "window" or "staff")$/,
    text: (m, e, h) => h.t('errors.withField.invalid', { field: scoreField(e, h) }),
  },
  { id: 'scoreDefInput', re: /^unknown input '(.*)' for a (\w+) card$/, text: (m, e, h) => h.t('score.err.unknownInput', { field: scoreField(e, h) }) },
  { id: 'scoreDefCode', re: /^must be 1-(\d+) of a-z, 0-9 and _$/, text: (m, e, h) => h.t('score.err.code', { field: scoreField(e, h), n: m[1] }) },
  { id: 'scoreDefWeightedPoints', re: /^a weighted card gives weights, not points$/, text: (m, e, h) => h.t('score.err.weightedPoints', { field: scoreField(e, h) }) },
  { id: 'scoreDefWeightRequired', re: /^is required on a weighted card$/, text: (m, e, h) => h.t('score.err.weightRequired', { field: scoreField(e, h) }) },
  { id: 'scoreDefWeightsNeed', re: /^weights need "weighted": true$/, text: (m, e, h) => h.t('score.err.weightsNeedWeighted', { field: scoreField(e, h) }) },
  { id: 'scoreDefScaleFull', re: /^a scaled input needs the value worth full points$/, text: (m, e, h) => h.t('score.err.scaleFull', { field: scoreField(e, h) }) },
  { id: 'scoreDefDiffer', re: /^must differ from zero$/, text: (m, e, h) => h.t('score.err.differZero', { field: scoreField(e, h) }) },
  { id: 'scoreDefOnlyScaled', re: /^only a scaled input \("input"\) takes it$/, text: (m, e, h) => h.t('score.err.onlyScaled', { field: scoreField(e, h) }) },
  { id: 'scoreDefListMax', re: /^must be a list of at most (\d+) (rules|event types)$/, text: (m, e, h) => h.t('score.err.listMax', { field: scoreField(e, h), n: m[1] }) },
  { id: 'scoreDefItems', re: /^must list 1-(\d+) items$/, text: (m, e, h) => h.t('score.err.itemsCount', { n: m[1] }) },
  { id: 'scoreDefVetoRules', re: /^a veto item needs rules whose counts it checks$/, text: (m, e, h) => h.t('score.err.vetoRules', { field: scoreField(e, h) }) },
  { id: 'scoreDefTwice', re: /^'(.*)' is (listed|used) twice$/, text: (m, e, h) => h.t('score.err.twice', { field: scoreField(e, h) }) },
  { id: 'scoreDefRedFlag', re: /^the red flag is awarded to windows$/, text: (m, e, h) => h.t('score.check.redFlagStaff') },
  { id: 'scoreDefWhole', re: /^counts must be whole numbers$/, text: (m, e, h) => h.t('score.err.whole', { field: scoreField(e, h) }) },
  { id: 'scoreDefStarsList', re: /^must list up to 4 minimum scores, for 5, 4, 3 and 2 stars$/, text: (m, e, h) => h.t('score.err.starsList') },
  { id: 'scoreDefStarsOrder', re: /^thresholds must fall: 5 stars first$/, text: (m, e, h) => h.t('score.check.starsOrder') },
  { id: 'scoreDefCapBelow', re: /^must not be below the base$/, text: (m, e, h) => h.t('score.check.capBelowBase') },
  { id: 'scoreDefFloorAbove', re: /^must not be above the base$/, text: (m, e, h) => h.t('score.err.floorAbove') },
  { id: 'scoreDefUndeclared', re: /^event type '(.*)' is not listed in "events"$/, text: (m, e, h) => h.t('score.err.undeclared', { field: scoreField(e, h) }) },
  {
    id: 'scoreDefWeights',
    re: /^the weights add up to (\S+), not 100$/,
    text: (m, e, h) => (Number.isFinite(Number(m[1])) ? h.t('score.check.weights', { sum: m[1] }) : h.t('score.err.weights')),
  },
  {
    id: 'scoreDefPointsOver',
    re: /^the items' points add up to (\S+), more than the base (\S+)$/,
    text: (m, e, h) =>
      Number.isFinite(Number(m[1])) && Number.isFinite(Number(m[2])) ? h.t('score.err.pointsOverN', { sum: m[1], base: m[2] }) : h.t('score.err.pointsOver'),
  },
]

// A period key in words (2026-11, 2026 年第 4 季度, 2026), or null when the text is none.
function scorePeriodWords(h, key) {
  const k = String(key || '')
  if (/^\d{4}(-(0[1-9]|1[0-2]))?$/.test(k)) return k
  const q = /^(\d{4})-Q([1-4])$/.exec(k)
  return q ? h.t('score.err.quarter', { y: q[1], q: q[2] }) : null
}
// A period's message with the period named when it reads as one (else without it).
function scorePeriodText(h, key, period) {
  const words = scorePeriodWords(h, period)
  return words ? h.t(`score.err.${key}`, { period: words }) : h.t(`score.err.${key}Any`)
}

// A scorecard definition's field path in words (scoring, issue 7): items[2].rules[0].per →
// 第 3 个考核项目的第 1 条规则的每次分值; events[1].code, red_flag.month, stars, base …
// Falls back on the general field label.
function scoreField(e, h) {
  const f = String(e.field || '')
  const tr = (key, params) => {
    const s = h.t(key, params)
    return s === key ? null : s
  }
  const prop = (name) => tr(`score.path.prop.${name}`)
  let m = /^(?:def\.)?items\[(\d+)\](?:\.rules\[(\d+)\])?(?:\.(\w+))?$/.exec(f)
  if (m) {
    let out = tr('score.path.item', { n: Number(m[1]) + 1 })
    if (m[2] !== undefined) out = tr('score.path.rule', { item: out, n: Number(m[2]) + 1 })
    return m[3] && prop(m[3]) ? tr('score.path.of', { parent: out, child: prop(m[3]) }) : out
  }
  m = /^(?:def\.)?events\[(\d+)\](?:\.(\w+))?$/.exec(f)
  if (m) {
    const out = tr('score.path.event', { n: Number(m[1]) + 1 })
    return m[2] && prop(m[2]) ? tr('score.path.of', { parent: out, child: prop(m[2]) }) : out
  }
  m = /^(?:def\.)?(red_flag|summons|stars)(?:\[(\d+)\]|\.(\w+))?$/.exec(f)
  if (m) {
    const out = prop(m[1])
    if (m[2] !== undefined) return tr('score.path.star', { n: 5 - Number(m[2]) }) || out
    return m[3] && prop(m[3]) ? tr('score.path.of', { parent: out, child: prop(m[3]) }) : out
  }
  m = /^(?:def\.)?(\w+)$/.exec(f)
  if (m && prop(m[1])) return prop(m[1])
  return h.field()
}

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

// Messages about one part of the input put its place first: "materials[2]: name is
// required" (the field names it too), "row 12: …", "column 3: …", "line 2 of
// materials: …". The rest is a message of its own; the place is said in words.
const PREFIX = /^(row (\d+)|column (\d+)|line (\d+) of (materials|steps|places)|[A-Za-z_][\w.]*\[\d+\][\w.[\]]*): (.+)$/
const PREFIXED_RULE = {
  id: 'prefixed',
  text: (m, e, h) => {
    const [, , row, column, line, list, inner] = m
    const found = m.inner
    const text = found ? found.rule.text(found.match, e, h) : h.codeText()
    if (row) return h.t('errors.at.row', { n: row, text })
    if (column) return h.t('errors.at.column', { n: column, text })
    if (line) return h.t('errors.at.line', { list: h.label(list) || list, n: line, text })
    return inner && text ? text : h.codeText()
  },
}

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
  const p = PREFIX.exec(msg)
  if (p) {
    const match = [...p]
    match.inner = findRule(code, p[6])
    return { rule: PREFIXED_RULE, match }
  }
  return null
}

function capitalize(s) {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : s
}

/**
 * The label of an input field named by the server, in the current language, or null.
 * ctx: { t, te, label?(name) } as for describeError. Besides plain names (`fields.<name>`)
 * it reads paths: `materials[2].name` → 第 3 项材料的名称 / name of material 3,
 * `legal_limit.value` → `fields.legal_limit_value` or 法定时限的数值, `line 12` → 第 12 行.
 */
export function fieldLabel(name, ctx) {
  const { t, te } = ctx
  if (!name) return null
  name = String(name)
  const own = ctx.label ? ctx.label(name) : null
  if (own) return own
  const plain = (n) => {
    if (!/^\w+$/.test(n)) return null
    return te(`fields.${n}`) ? t(`fields.${n}`) : null
  }
  const direct = plain(name) || plain(name.replace(/\./g, '_'))
  if (direct) return direct
  const line = /^line (\d+)$/.exec(name)
  if (line) return t('fields.line', { n: line[1] })
  // list[i] or list[i].rest (the server counts from 0, people from 1)
  const indexed = /^(\w+)\[(\d+)\](?:\.(.+))?$/.exec(name)
  if (indexed) {
    const [, list, index, rest] = indexed
    const n = Number(index) + 1
    const item = te(`fields.nth.${list}`)
      ? t(`fields.nth.${list}`, { n })
      : t('fields.nthOf', { list: plain(list) || t('errors.thisField'), n })
    if (!rest) return item
    const sub = plain(`${list}_${rest.replace(/\./g, '_')}`) || fieldLabel(rest, { t, te })
    return sub ? t('fields.of', { parent: item, child: sub }) : item
  }
  // parent.child
  const dot = name.indexOf('.')
  if (dot > 0) {
    const parent = fieldLabel(name.slice(0, dot), { t, te })
    const child = fieldLabel(name.slice(dot + 1), { t, te })
    if (parent && child) return t('fields.of', { parent, child })
    return parent || null
  }
  return null
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
    return fieldLabel(name, ctx)
  }
  const h = {
    t: (key, params) => t(key, params || {}),
    label: labelOf,
    field: () => labelOf(e.field) || t('errors.thisField'),
    kind: (k) => t(`kinds.${k}`),
    under: (k) => t(`errors.under.${k}`),
    deviceKind: (k) => t(`devices.kinds.${k}`),
    // a ticket's state in words, or null for a state this page does not know
    ticketStatus: (k) => (te(`queue.status.${k}`) ? t(`queue.status.${k}`) : null),
    // a case's state in words, or null
    caseState: (k) => (te(`cases.state.${k}`) ? t(`cases.state.${k}`) : null),
    inquiryStatus: (k) => (te(`inquiry.status.${k}`) ? t(`inquiry.status.${k}`) : null),
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
