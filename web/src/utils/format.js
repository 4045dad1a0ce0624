// Display helpers. Times from the API are UTC epoch seconds; they are shown in the
// browser's time zone (a hall's browser runs in the hall's zone).
function pad(n) {
  return String(n).padStart(2, '0')
}

/** Epoch seconds → 'YYYY-MM-DD HH:mm', or '' for null/undefined. */
export function formatTime(epoch) {
  if (epoch === null || epoch === undefined || epoch === '') return ''
  const d = new Date(Number(epoch) * 1000)
  if (Number.isNaN(d.getTime())) return ''
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** Keep only the keys whose value differs from `before` (for PATCH bodies). */
export function changedFields(before, after) {
  const out = {}
  for (const [k, v] of Object.entries(after)) {
    if ((before?.[k] ?? '') !== (v ?? '')) out[k] = v
  }
  return out
}

/** Drop empty optional strings (so they are not sent at all). */
export function withoutEmpty(obj) {
  const out = {}
  for (const [k, v] of Object.entries(obj)) {
    if (v === '' || v === null || v === undefined) continue
    out[k] = v
  }
  return out
}
