// Service catalogue (事项) helpers shared by the admin editor and the public portal:
// the empty version content, the request body made from a version, the limit rule
// (promised ≤ legal) as the server checks it, and display strings.
//
// Version content (docs/api.md "Service catalogue"):
//   name, kind immediate|promised, legal_limit {value, unit}, promised_limit {value, unit},
//   basis, conditions, remedies, fee {free, amount_cents, basis}, appointable,
//   ticket_prefix, online none|partial|full, phone, materials[], steps[], places[]

export const ITEM_KINDS = ['immediate', 'promised']
export const LIMIT_UNITS = ['workdays', 'days', 'hours']
export const ONLINE_LEVELS = ['none', 'partial', 'full']
export const MATERIAL_FORMS = ['original', 'copy', 'original_and_copy', 'electronic']

// Server limits (src/domain/catalog.h), for maxlength and quick hints.
export const LIMITS = {
  code: 40,
  name: 100,
  text: 4000, // basis, conditions, remedies, step descriptions
  short: 200, // material names, issuers, notes, fee basis, step titles
  materials: 60,
  steps: 30,
  places: 100,
  limitMax: 3650,
  phone: 64,
  copies: 99,
  fileMax: 2 * 1024 * 1024,
}
export const CODE_PATTERN = /^[A-Za-z0-9._-]{1,40}$/
// An item belongs to a unit, a region or a hall (the org node that owns it).
export const OWNER_KINDS = ['region', 'unit', 'hall']
export const TICKET_PREFIX_PATTERN = /^[A-Z]{0,2}$/
export const FILE_TYPES = ['application/pdf', 'image/png', 'image/jpeg']

export function emptyMaterial() {
  return { name: '', form: 'original', copies: 1, issuer: '', required: true, notes: '', sample_file_id: null }
}

export function emptyStep() {
  return { title: '', description: '' }
}

/** Content of a new item's first draft. */
export function emptyContent() {
  return {
    name: '',
    kind: 'promised',
    legal_limit: { value: 20, unit: 'workdays' },
    promised_limit: { value: 5, unit: 'workdays' },
    basis: '',
    conditions: '',
    remedies: '',
    fee: { free: true, amount_cents: 0, basis: '' },
    appointable: false,
    ticket_prefix: '',
    online: 'none',
    phone: '',
    materials: [],
    steps: [],
    places: [],
  }
}

function str(v) {
  return v === null || v === undefined ? '' : String(v)
}

function limitOf(l, fallback) {
  return {
    value: Number.isInteger(l?.value) ? l.value : fallback.value,
    unit: LIMIT_UNITS.includes(l?.unit) ? l.unit : fallback.unit,
  }
}

/**
 * A version as the API returns it (or partial content) → editable content with every
 * field present. Materials keep `sample_file_url` for the link (dropped by toBody);
 * places become node ids.
 */
export function toEditable(v) {
  const base = emptyContent()
  if (!v) return base
  return {
    name: str(v.name),
    kind: ITEM_KINDS.includes(v.kind) ? v.kind : base.kind,
    legal_limit: limitOf(v.legal_limit, base.legal_limit),
    promised_limit: limitOf(v.promised_limit, base.promised_limit),
    basis: str(v.basis),
    conditions: str(v.conditions),
    remedies: str(v.remedies),
    fee: {
      free: v.fee ? v.fee.free !== false : true,
      amount_cents: Number.isInteger(v.fee?.amount_cents) ? v.fee.amount_cents : 0,
      basis: str(v.fee?.basis),
    },
    appointable: !!v.appointable,
    ticket_prefix: str(v.ticket_prefix),
    online: ONLINE_LEVELS.includes(v.online) ? v.online : 'none',
    phone: str(v.phone),
    materials: (v.materials || []).map((m) => ({
      name: str(m.name),
      form: MATERIAL_FORMS.includes(m.form) ? m.form : 'original',
      copies: Number.isInteger(m.copies) ? m.copies : 1,
      issuer: str(m.issuer),
      required: m.required !== false,
      notes: str(m.notes),
      sample_file_id: m.sample_file_id ?? null,
      sample_file_url: m.sample_file_url || (m.sample_file_id ? `/api/catalog/files/${m.sample_file_id}` : ''),
      sample_file_name: m.sample_file_name || '',
    })),
    steps: (v.steps || []).map((s) => ({ title: str(s.title), description: str(s.description) })),
    places: (v.places || []).map((p) => (typeof p === 'object' && p ? p.node_id : p)).filter((id) => id != null),
  }
}

/** Editable content → the JSON body of PUT …/draft and POST …/items (trimmed). */
export function toBody(c) {
  const free = !!c.fee.free
  return {
    name: c.name.trim(),
    kind: c.kind,
    legal_limit: { value: c.legal_limit.value ?? 0, unit: c.legal_limit.unit },
    promised_limit: { value: c.promised_limit.value ?? 0, unit: c.promised_limit.unit },
    basis: c.basis.trim(),
    conditions: c.conditions.trim(),
    remedies: c.remedies.trim(),
    fee: { free, amount_cents: free ? 0 : c.fee.amount_cents || 0, basis: c.fee.basis.trim() },
    appointable: !!c.appointable,
    ticket_prefix: c.ticket_prefix.trim(),
    online: c.online,
    phone: c.phone.trim(),
    materials: c.materials.map((m) => ({
      name: m.name.trim(),
      form: m.form,
      copies: m.copies ?? 1,
      issuer: m.issuer.trim(),
      required: !!m.required,
      notes: m.notes.trim(),
      sample_file_id: m.sample_file_id ?? null,
    })),
    steps: c.steps.map((s) => ({ title: s.title.trim(), description: s.description.trim() })),
    places: [...c.places],
  }
}

/**
 * promised ≤ legal across units, as the server checks it (catalog_limits_ok in
 * src/domain/catalog.h): hours are shorter than any day limit; n natural days fit in
 * m working days when n ≤ m; n working days fit in m natural days only when
 * ceil(n·7/5) ≤ m; a limit in days never fits in one in hours (except 0).
 */
export function limitsOk(promised, legal) {
  const p = promised?.value ?? 0
  const l = legal?.value ?? 0
  const pu = promised?.unit
  const lu = legal?.unit
  if (p === 0) return true
  if (pu === lu) return p <= l
  if (pu === 'hours') return true
  if (lu === 'hours') return false
  if (pu === 'days' && lu === 'workdays') return p <= l
  // working days promised against natural days of law
  return Math.ceil((p * 7) / 5) <= l
}

/** "5 个工作日" / "5 working days"; t is vue-i18n's t. */
export function formatLimit(t, limit, kind) {
  if (!limit || !LIMIT_UNITS.includes(limit.unit)) return ''
  if (kind === 'immediate' && !limit.value) return t('catalog.limit.onTheSpot')
  return t(`catalog.limit.${limit.unit}`, { n: limit.value })
}

/** Cents → "12.50". */
export function formatYuan(cents) {
  const n = Number(cents) || 0
  return (n / 100).toFixed(2)
}

/** "不收费" or "¥12.50". */
export function formatFee(t, fee) {
  if (!fee || fee.free) return t('catalog.fee.free')
  return t('catalog.fee.amount', { amount: formatYuan(fee.amount_cents) })
}

/** Public URLs of an item's notice and of a hall's handbook. */
export function noticeUrl(code, format = 'html') {
  return `/api/catalog/items/${encodeURIComponent(code)}/notice?format=${format}`
}
export function handbookUrl(hallId) {
  return `/api/catalog/halls/${encodeURIComponent(hallId)}/handbook.pdf`
}
