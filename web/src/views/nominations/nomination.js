// What the nomination pages share (docs/api.md "Nominations 先锋服务窗口 / 明星服务标兵").
export const KINDS = ['model_window', 'service_star']
export const STATES = ['open', 'closed', 'cancelled']
export const STATE_TAG = { open: 'primary', closed: 'success', cancelled: 'info' }

/** A score in points (two decimals) as the pages show it. */
export function formatScore(s) {
  return typeof s === 'number' ? s.toFixed(2) : '—'
}
