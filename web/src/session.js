// The signed-in user, shared by the router, the layout and the pages.
import { reactive, computed } from 'vue'
import { api, setCsrfToken } from './api.js'

export const session = reactive({
  user: null,
  loaded: false,
})

export const isAdmin = computed(() => session.user?.role === 'admin')

function accept(res) {
  session.user = res?.user || null
  setCsrfToken(res?.csrf_token)
}

/** GET /api/auth/me once at startup; no session is not an error. */
export async function loadMe() {
  try {
    accept(await api.get('/api/auth/me', null, { quiet: true, quiet401: true }))
  } catch {
    session.user = null
    setCsrfToken(null)
  } finally {
    session.loaded = true
  }
  return session.user
}

/** POST /api/auth/login; errors are thrown to the login page, which shows them. */
export async function login(loginName, password) {
  const res = await api.post('/api/auth/login', { login: loginName, password }, { quiet: true, quiet401: true })
  accept(res)
  session.loaded = true
  return session.user
}

export async function logout() {
  try {
    await api.post('/api/auth/logout', undefined, { quiet: true, quiet401: true })
  } catch {
    /* the session may already be gone; sign out locally anyway */
  }
  clearSession()
}

export function clearSession() {
  session.user = null
  setCsrfToken(null)
}
