// HTTP client for the Chuangkou API (docs/api.md).
// - fetch with credentials: 'same-origin' (the session is an HttpOnly cookie);
// - keeps the csrf_token from login and /api/auth/me and sends it as X-CSRF-Token on
//   every POST/PUT/PATCH/DELETE;
// - turns error bodies {"error":{"code","message","field"}} into an ApiError and shows
//   them with ElMessage (unless the caller asks for `quiet`), in the user's language
//   (utils/errorMessages.js maps the server's English messages to locale sentences);
// - a 401 hands over to the unauthorized handler (the router sends the user to login).
import { ElMessage } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import { i18n, t, te } from './i18n.js'
import { describeError } from './utils/errorMessages.js'

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

let csrfToken = null
let onUnauthorized = null

export function setCsrfToken(token) {
  csrfToken = token || null
}

/** fn(error) is called on a 401 from any request that is not marked `quiet401`. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn
}

export class ApiError extends Error {
  constructor(status, code, message, field, retryAfter, path, body) {
    super(message || code || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.field = field || null
    this.retryAfter = retryAfter
    // the request path, for messages that depend on what was sent (a photo upload)
    this.path = path || null
    // the whole error body, for answers that carry more than the error (a CSV import's
    // row errors: {"error":{…},"errors":[{"row","field","message"}]})
    this.body = body || null
  }
}

function buildUrl(path, query) {
  if (!query) return path
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    qs.append(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v))
  }
  const s = qs.toString()
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path
}

/**
 * The user-facing text for an error, in the current language. opts.label(field) may
 * give the form's own label for the field at fault (else `fields.<name>` is used);
 * opts.locale asks for another language (a kiosk's voice always speaks Chinese).
 * Reactive: called in a render or computed, it follows a language switch.
 */
export function errorText(err, opts = {}) {
  const e = err instanceof ApiError ? err : { status: 0, code: 'network', message: '' }
  if (opts.locale) {
    const locale = opts.locale
    const tr = (key, params) => i18n.global.t(key, params || {}, { locale })
    return describeError(e, { t: tr, te: (key) => i18n.global.te(key, locale), locale, label: opts.label })
  }
  return describeError(e, { t, te, locale: i18n.global.locale.value, label: opts.label })
}

/** Show an error as a toast (opts as for errorText). */
export function showError(err, opts = {}) {
  ElMessage({ type: 'error', message: errorText(err, opts), grouping: true, showClose: true, duration: 5000 })
}

/**
 * request(method, path, opts) → parsed JSON (or null for 204).
 * opts.query: object of query parameters (empty values skipped);
 * opts.body: a value sent as JSON, or with opts.contentType a raw Blob/File/ArrayBuffer;
 * opts.quiet: do not show an ElMessage for errors (the caller shows them);
 * opts.quiet401: do not call the unauthorized handler on 401;
 * opts.download: answer { blob, filename } instead of JSON (file exports);
 * opts.device: a device token (kiosk, display): sent as `Authorization: Device <token>`,
 *   without the session cookie or the CSRF header (a device is not a browser session).
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: opts.download ? '*/*' : 'application/json' }
  let body
  if (opts.contentType) {
    headers['Content-Type'] = opts.contentType
    body = opts.body
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  if (opts.device) headers.Authorization = `Device ${opts.device}`
  else if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken

  let res
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body,
      credentials: opts.device ? 'omit' : 'same-origin',
      cache: 'no-store',
    })
  } catch (e) {
    const err = new ApiError(0, 'network', '', null, undefined, path)
    if (!opts.quiet) {
      showError(err)
      err.shown = true
    }
    throw err
  }

  if (res.ok && opts.download) {
    return { blob: await res.blob(), filename: filenameOf(res.headers.get('Content-Disposition')) }
  }

  let data = null
  const type = res.headers.get('Content-Type') || ''
  if (res.status !== 204 && type.includes('json')) {
    try {
      data = await res.json()
    } catch {
      data = null
    }
  }

  if (res.ok) return data

  const e = (data && data.error) || {}
  const retry = parseInt(res.headers.get('Retry-After') || '', 10)
  const err = new ApiError(
    res.status,
    e.code || statusCode(res.status),
    e.message || '',
    e.field,
    Number.isFinite(retry) ? retry : undefined,
    path,
    data,
  )
  if (res.status === 401 && !opts.quiet401 && !opts.device) {
    setCsrfToken(null)
    err.shown = true // the unauthorized handler tells the user
    if (onUnauthorized) onUnauthorized(err)
    throw err
  }
  if (!opts.quiet) {
    showError(err)
    err.shown = true
  }
  throw err
}

/** The file name of a Content-Disposition header (filename* preferred), or ''. */
function filenameOf(header) {
  if (!header) return ''
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim())
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header)
  return plain ? plain[1].trim() : ''
}

/** Save a downloaded blob under a file name (an <a download> click). */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename || 'download'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

function statusCode(status) {
  switch (status) {
    case 400: return 'invalid'
    case 401: return 'unauthorized'
    case 403: return 'forbidden'
    case 404: return 'not_found'
    case 405: return 'method_not_allowed'
    case 409: return 'conflict'
    case 410: return 'gone'
    case 413: return 'too_large'
    case 415: return 'unsupported'
    case 429: return 'throttled'
    case 503: return 'database_unavailable'
    default: return null
  }
}

/** Fetch every page of a list endpoint (per_page 500) and return all items. */
export async function getAll(path, query = {}, opts = {}) {
  const perPage = 500
  const items = []
  for (let page = 1; page <= 200; page++) {
    const res = await request('GET', path, { ...opts, query: { ...query, page, per_page: perPage } })
    const got = (res && res.items) || []
    items.push(...got)
    const total = res && Number.isInteger(res.total) ? res.total : items.length
    if (got.length < perPage || items.length >= total) break
  }
  return items
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
  /** PUT a raw file (e.g. a photo) with its own Content-Type. */
  putFile: (path, file, opts) =>
    request('PUT', path, { ...opts, body: file, contentType: file.type || 'application/octet-stream' }),
  /** POST a raw file (an upload, an import) with its Content-Type (opts.contentType or the file's). */
  postFile: (path, file, opts = {}) =>
    request('POST', path, {
      ...opts,
      body: file,
      contentType: opts.contentType || file.type || 'application/octet-stream',
    }),
  /** GET a file and save it (opts.filename when the server names none). */
  download: async (path, query, opts = {}) => {
    const { blob, filename } = await request('GET', path, { ...opts, query, download: true })
    saveBlob(blob, filename || opts.filename)
    return filename
  },
  getAll,
}

export default api
