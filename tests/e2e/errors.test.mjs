// Unit check (no browser, no server): every error message the server can produce —
// read from the err_set/req_error/req_error_status/fail_batch calls in src/ — is
// recognised by web/src/utils/errorMessages.js and reads as Chinese in zh-CN (no
// English words, no raw field names, no unfilled {placeholders}), and as a sentence in
// English. A new server message without a mapping fails here.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(here, '../..')
const WEB = path.join(ROOT, 'web')

const { describeError, findRule } = await import(pathToFileURL(path.join(WEB, 'src/utils/errorMessages.js')))
const zhCN = (await import(pathToFileURL(path.join(WEB, 'src/locales/zh-CN.js')))).default
const en = (await import(pathToFileURL(path.join(WEB, 'src/locales/en.js')))).default

// The real vue-i18n when web/node_modules is there (it also proves the locale messages
// compile); otherwise a small stand-in that does {name} interpolation.
async function makeTranslator() {
  const lib = path.join(WEB, 'node_modules/vue-i18n/dist/vue-i18n.node.mjs')
  if (fs.existsSync(lib)) {
    const { createI18n } = await import(pathToFileURL(lib))
    const i18n = createI18n({
      legacy: false,
      locale: 'zh-CN',
      fallbackLocale: 'zh-CN',
      messages: { 'zh-CN': zhCN, en },
      missingWarn: false,
      fallbackWarn: false,
    })
    return (locale) => {
      i18n.global.locale.value = locale
      return { t: (k, p) => i18n.global.t(k, p || {}), te: (k) => i18n.global.te(k), locale }
    }
  }
  const lookup = (msgs, key) => key.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), msgs)
  return (locale) => {
    const msgs = locale === 'en' ? en : zhCN
    const get = (k) => {
      const v = lookup(msgs, k)
      return typeof v === 'string' ? v : lookup(zhCN, k)
    }
    return {
      t: (k, p = {}) => {
        const v = get(k)
        return typeof v === 'string' ? v.replace(/\{(\w+)\}/g, (_, n) => (n in p ? String(p[n]) : `{${n}}`)) : k
      },
      te: (k) => typeof lookup(msgs, k) === 'string',
      locale,
    }
  }
}
const translator = await makeTranslator()
const zh = translator('zh-CN')
const enCtx = () => translator('en')
const zhCtx = () => translator('zh-CN')

// ---- the server's messages ----

const ERR_NAMES = {
  ERR_NOMEM: 'no_memory',
  ERR_INVALID: 'invalid',
  ERR_NOTFOUND: 'not_found',
  ERR_CONFLICT: 'conflict',
  ERR_FORBIDDEN: 'forbidden',
  ERR_UNAUTHORIZED: 'unauthorized',
  ERR_DB: 'database_error',
  ERR_BUSY: 'database_busy',
  ERR_UNAVAILABLE: 'database_unavailable',
  ERR_TOOLARGE: 'too_large',
  ERR_THROTTLED: 'throttled',
  ERR_IO: 'io_error',
  ERR_UNSUPPORTED: 'unsupported',
  ERR_CALENDAR: 'calendar_missing',
  ERR_GONE: 'gone',
}
const ALL_CODES = Object.values(ERR_NAMES)

function cFiles(dir) {
  const out = []
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name)
    if (ent.isDirectory()) out.push(...cFiles(p))
    else if (ent.name.endsWith('.c')) out.push(p)
  }
  return out
}

// The argument text of a call starting at src[open] === '(' (strings and nesting aware).
function callArgs(src, open) {
  const args = []
  let depth = 0
  let cur = ''
  for (let i = open; i < src.length; i++) {
    const c = src[i]
    if (c === '"' || c === "'") {
      let j = i + 1
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1
      cur += src.slice(i, j + 1)
      i = j
      continue
    }
    if (c === '(') {
      if (depth++ === 0) continue
    } else if (c === ')') {
      if (--depth === 0) {
        args.push(cur.trim())
        return args
      }
    } else if (c === ',' && depth === 1) {
      args.push(cur.trim())
      cur = ''
      continue
    }
    cur += c
  }
  return null
}

const literals = (s) => [...s.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'))

// The message texts an argument can be: "a" "b" → one; c ? "a" : "b" → two.
function messageTexts(arg) {
  const bare = arg.replace(/"(?:[^"\\]|\\.)*"/g, '""')
  if (bare.includes('?')) return literals(arg)
  const lits = literals(arg)
  return lits.length ? [lits.join('')] : []
}

// Sample values for printf conversions; a leading %s is the field's own name.
const SAMPLES = {
  'a %s must be bound to a %s': ['evaluator', 'window'],
  'a %s cannot be placed under %s': ['window', 'region'],
  'the body is not a %s image': ['image/png'],
  '%s must have %zu-%zu characters%s': ['name', ' on one line'],
  '%s must have at most %zu characters%s': ['name', ' on one line'],
  'the promised limit (%d %s) exceeds the legal limit (%d %s)': ['workdays', 'days'],
  'no such %s': ['hall'], // a node kind (api_events.c)
}
function fill(fmt, fieldIsExpr) {
  const given = SAMPLES[fmt] ? [...SAMPLES[fmt]] : []
  let first = true
  return fmt.replace(/%(?:0?\d+)?(?:\.\d+)?(?:ll|z)?([sdu])/g, (_, conv) => {
    const atStart = first && fmt.startsWith('%')
    first = false
    if (conv !== 's') return '8'
    if (given.length) return given.shift()
    return atStart && fieldIsExpr ? 'name' : 'w01'
  })
}

function codesOf(arg) {
  const named = [...arg.matchAll(/\bERR_[A-Z]+\b/g)].map((m) => ERR_NAMES[m[0]]).filter(Boolean)
  const other = arg.replace(/\bERR_[A-Z]+\b/g, '').match(/[a-z_]\w*/)
  return other || !named.length ? ALL_CODES : [...new Set(named)]
}

function serverMessages() {
  const found = []
  for (const file of cFiles(path.join(ROOT, 'src'))) {
    // the `demo` command's and the simulator's (command line only), not the API's
    if (['demo.c', 'demo_commitment.c', 'simulate.c'].includes(path.basename(file))) continue
    const src = fs.readFileSync(file, 'utf8')
    const rel = path.relative(ROOT, file)
    // a module's own collector of input faults (the catalogue's validator and CSV
    // importer): fault(f, field, fmt, …) or fault(im, row, field, fmt, …), all invalid
    const faultWithRow = /\bfault\s*\(\s*struct importer\b[^)]*\bint row\b/.test(src)
    for (const m of src.matchAll(/\b(err_set|req_error_status|req_error|fail_batch|fault)\s*\(/g)) {
      const args = callArgs(src, m.index + m[0].length - 1)
      if (!args || /\bstruct\b|\bconst char\b/.test(args.join(','))) continue // a definition
      const line = src.slice(0, m.index).split('\n').length
      let codes, fieldArg, msgArg
      if (m[1] === 'req_error_status') {
        codes = literals(args[2]).length ? literals(args[2]) : ALL_CODES
        ;[fieldArg, msgArg] = [args[3], args[4]]
      } else if (m[1] === 'fail_batch') {
        codes = ALL_CODES
        ;[fieldArg, msgArg] = ['NULL', args[2]]
      } else if (m[1] === 'fault') {
        codes = ['invalid']
        ;[fieldArg, msgArg] = faultWithRow ? [args[2], args[3]] : [args[1], args[2]]
      } else {
        codes = codesOf(args[1])
        ;[fieldArg, msgArg] = [args[2], args[3]]
      }
      const fieldLit = literals(fieldArg || '')
      const fieldIsExpr = !fieldLit.length && fieldArg && fieldArg !== 'NULL'
      const field = fieldLit.length ? fieldLit[0] || null : fieldIsExpr ? 'name' : null
      for (const fmt of messageTexts(msgArg || '')) {
        if (fmt === '%s') continue // passes on a message made elsewhere
        found.push({ where: `${rel}:${line}`, codes, field, message: fill(fmt, fieldIsExpr) })
      }
    }
  }
  // messages assembled elsewhere: req_fail's, and the writer's err_name(rc)
  for (const message of ['internal error', ...ALL_CODES])
    found.push({ where: 'src/http/server.c req_fail / src/store/writer.c', codes: ALL_CODES, field: null, message })
  return found
}

const LATIN_OK = new Set(['JPEG', 'PNG', 'PDF', 'JSON', 'ICS', 'CSV', 'B', 'KB', 'MB']) // file formats and size units
function assertChinese(text, what) {
  assert.ok(text && /[\u4e00-\u9fff]/.test(text), `${what}: not Chinese: ${JSON.stringify(text)}`)
  const words = (text.match(/[A-Za-z]+/g) || []).filter((w) => !LATIN_OK.has(w))
  assert.deepEqual(words, [], `${what}: English in ${JSON.stringify(text)}`)
  assert.ok(!/[{}]/.test(text), `${what}: unfilled placeholder in ${JSON.stringify(text)}`)
}

test('every server error message is mapped and reads as Chinese (and as English)', () => {
  const msgs = serverMessages()
  assert.ok(msgs.length > 80, `found only ${msgs.length} server messages; is the extraction broken?`)
  const unmapped = []
  for (const m of msgs) {
    if (!m.codes.some((c) => findRule(c, m.message))) unmapped.push(`${m.where}: ${m.message}`)
    for (const code of m.codes) {
      const err = { status: 400, code, message: m.message, field: m.field }
      assertChinese(describeError(err, zhCtx()), `${m.where} (${code})`)
      const english = describeError(err, enCtx())
      assert.ok(english && !/[{}]/.test(english), `${m.where} (${code}) en: ${JSON.stringify(english)}`)
      assert.ok(!/[\u4e00-\u9fff]/.test(english), `${m.where} (${code}) en has Chinese: ${english}`)
    }
  }
  assert.deepEqual(unmapped, [], 'server messages with no mapping in web/src/utils/errorMessages.js')
})

test('chosen sentences for the common errors', () => {
  const zhText = (err, label) => describeError(err, { ...zhCtx(), label })
  const enText = (err, label) => describeError(err, { ...enCtx(), label })
  const e = (code, field, message, extra = {}) => ({ status: 400, code, field, message, ...extra })

  assert.equal(zhText(e('conflict', 'code', 'a sibling node already has code w01')), '同级下已有相同编码')
  assert.equal(enText(e('conflict', 'code', 'a sibling node already has code w01')), 'A sibling already uses this code')
  assert.equal(zhText(e('conflict', 'login', 'login wang is taken')), '账号已被占用，请换一个')
  assert.match(
    zhText(e('conflict', 'active', 'deactivate the 3 active child nodes, staff and devices first')),
    /^请先停用其下级节点、人员和设备（还有 3 项在用）$/,
  )
  assert.equal(zhText(e('invalid', 'kind', 'a window cannot be placed under region')), '窗口只能建在大厅下，不能建在区域下')
  assert.equal(zhText(e('invalid', 'kind', 'a window cannot be placed under the root')), '窗口只能建在大厅下，不能作为最顶层节点')
  assert.equal(zhText(e('invalid', 'kind', 'a region cannot be placed under unit')), '区域只能建在最顶层或其他区域下，不能建在单位下')
  assert.equal(zhText(e('invalid', 'node_id', 'a evaluator must be bound to a window')), '评价器只能绑定到窗口')
  assert.equal(zhText(e('forbidden', 'node_id', 'the node is outside your scope')), '超出您的管理范围或权限')
  assert.equal(zhText(e('forbidden', null, 'only an administrator can create nodes')), '超出您的管理范围或权限')
  assert.equal(zhText(e('unauthorized', null, 'wrong login or password')), '账号或密码错误，请重新输入')
  assert.equal(
    zhText(e('throttled', null, 'too many failed logins; try again in 17 seconds', { retryAfter: 42 })),
    '登录失败次数过多，请 42 秒后再试',
  )
  assert.equal(zhText(e('throttled', null, 'too many failed logins; try again in 17 seconds')), '登录失败次数过多，请 17 秒后再试')
  assert.equal(
    zhText(e('too_large', null, 'the body is larger than 524288 bytes', { path: '/api/staff/3/photo' })),
    '照片不能超过 512 KB',
  )
  assert.equal(zhText(e('too_large', null, 'the photo is larger than 524288 bytes')), '照片不能超过 512 KB')
  assert.equal(zhText(e('too_large', null, 'the body is larger than 65536 bytes')), '提交的内容过大（不能超过 64 KB）')
  assert.equal(zhText(e('unsupported', null, 'send the photo as image/jpeg or image/png')), '请上传 JPEG 或 PNG 图片')
  assert.equal(zhText(e('invalid', null, 'the body is not a image/png image')), '请上传 JPEG 或 PNG 图片')
  assert.equal(zhText(e('unsupported', null, 'the photo must be a JPEG or PNG image')), '请上传 JPEG 或 PNG 图片')
  assert.equal(zhText(e('database_busy', null, 'the database is busy or unavailable, try again')), '系统繁忙，请稍后重试')
  assert.equal(zhText(e('database_unavailable', null, 'the server is shutting down')), '系统繁忙，请稍后重试')
  assert.equal(zhText(e('csrf', null, 'missing or wrong X-CSRF-Token header')), '页面已过期，请刷新后重试')
  // the form's label for the field, else fields.<name>
  const staffLabels = (f) => ({ name: '姓名' })[f]
  assert.equal(zhText(e('invalid', 'name', 'name must have at most 50 characters'), staffLabels), '姓名长度超出限制（最多 50 个字符）')
  assert.equal(zhText(e('invalid', 'address', 'address must have at most 200 characters')), '地址长度超出限制（最多 200 个字符）')
  assert.equal(zhText(e('invalid', 'password', 'password must have at least 8 characters')), '密码至少 8 位')
  assert.equal(zhText(e('invalid', 'node_id', 'node_id must be between 1 and 9223372036854775807')), '所属节点填写有误')

  // the working-day calendar and the service catalogue
  assert.equal(
    zhText(e('calendar_missing', 'workdays', "no working-day calendar for 2027: import the State Council's holiday notice for 2027")),
    '2027 年的工作日历尚未导入，无法计算期限。请系统管理员导入该年度的节假日安排',
  )
  assert.equal(zhText(e('calendar_missing', 'workdays', 'something else')), zh.t('errors.calendar_missing'))
  assert.equal(zhText(e('invalid', 'days[3].date', 'date must be a real date as YYYY-MM-DD')), '第 4 条日期记录的日期不是有效日期（格式如 2026-02-16）')
  assert.equal(zhText(e('invalid', 'line 12', 'DTEND must follow DTSTART within 60 days')), '第 12 行：结束日期须在开始日期之后 60 天以内')
  assert.equal(zhText(e('invalid', 'materials[2].name', 'materials[2]: name is required')), '请填写第 3 项材料的名称')
  assert.equal(
    zhText(e('invalid', 'materials[2].name', 'materials[2].name must have 1-200 characters on one line')),
    '请填写第 3 项材料的名称（一行以内，最多 200 个字符）',
  )
  assert.equal(
    zhText(e('invalid', 'promised_limit', 'the promised limit (30 workdays) exceeds the legal limit (20 days)')),
    '承诺时限（30 个工作日）不能超过法定时限（20 个自然日）',
  )
  assert.equal(zhText(e('invalid', 'legal_limit.value', 'legal_limit.value must be between 0 and 3650')), '法定时限须在 0 到 3650 之间')
  assert.equal(zhText(e('conflict', 'code', 'an item with code YYZZ-001 exists')), '已有相同编码的事项，请换一个编码')
  assert.equal(zhText(e('invalid', null, 'row 5: kind must be 即办件 or 承诺件')), '第 5 行：事项类型须为即办件或承诺件')
  assert.equal(enText(e('invalid', 'materials[2].name', 'materials[2]: name is required')), 'Name of material 3 is required')

  // not recognised: a sentence per code with the field's label, never the English text
  assert.equal(zhText(e('invalid', 'name', 'name is somehow wrong'), staffLabels), '姓名填写有误')
  assert.equal(zhText(e('conflict', null, 'something new happened')), zh.t('errors.conflict'))
  assert.equal(zhText({ status: 502, code: null, message: 'bad gateway' }), '请求失败（502），请稍后重试')
  // ... which in English may be shown as it is
  assert.equal(enText(e('invalid', 'name', 'name is somehow wrong')), 'Name is somehow wrong')
})
