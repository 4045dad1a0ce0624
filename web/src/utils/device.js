// Device pages (kiosk, hall display): the device token is given once in the address
// (`#/kiosk/5?device=TOKEN`, or `?device=TOKEN` before the `#`), kept in localStorage and
// then removed from the address, so it is not left on screen or in the history.
// Requests send it as `Authorization: Device <token>` (api.js, opts.device).

const KEY = 'ck.device'

function read() {
  try {
    return window.localStorage.getItem(KEY) || ''
  } catch {
    return ''
  }
}

function write(token) {
  try {
    if (token) window.localStorage.setItem(KEY, token)
    else window.localStorage.removeItem(KEY)
  } catch {
    /* private mode: the token lives as long as the page */
  }
}

let memory = ''

/** The device token: from the route's query (then stored), else the stored one, or ''. */
export function deviceToken(routeQuery) {
  const fromRoute = routeQuery && typeof routeQuery.device === 'string' ? routeQuery.device.trim() : ''
  let fromSearch = ''
  try {
    fromSearch = (new URLSearchParams(window.location.search).get('device') || '').trim()
  } catch {
    fromSearch = ''
  }
  const given = fromRoute || fromSearch
  if (given) {
    memory = given
    write(given)
    return given
  }
  return read() || memory
}

/** Forget the stored token (the server refused it). */
export function forgetDeviceToken() {
  memory = ''
  write('')
}

/**
 * The route's query without `device` (for router.replace after reading it), or null when
 * there was none. A token before the `#` is dropped from the address too.
 */
export function queryWithoutToken(routeQuery) {
  try {
    const url = new URL(window.location.href)
    if (url.searchParams.has('device')) {
      url.searchParams.delete('device')
      window.history.replaceState(window.history.state, '', url.toString())
    }
  } catch {
    /* leave the address as it is */
  }
  if (!routeQuery || !('device' in routeQuery)) return null
  const rest = { ...routeQuery }
  delete rest.device
  return rest
}
