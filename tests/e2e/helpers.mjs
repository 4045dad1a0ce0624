// Shared set-up for the browser tests: Debian's Chromium through playwright-core, a
// fresh profile per browser, screenshots into tests/e2e/out/ when a test fails.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = path.dirname(fileURLToPath(import.meta.url))

export const BASE_URL = (process.env.CK_E2E_URL || 'http://127.0.0.1:8080').replace(/\/$/, '')
export const ADMIN = {
  login: process.env.CK_E2E_LOGIN || 'e2eadmin',
  password: process.env.CK_E2E_PASSWORD || 'e2e-Passw0rd!',
}
export const OUT_DIR = path.join(here, 'out')
const CHROMIUM = process.env.CK_E2E_CHROMIUM || '/usr/bin/chromium'

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * Run fn(page) in a fresh browser (own profile dir, so no cookies or localStorage carry
 * over). On failure a full-page screenshot and the page's console errors are saved in
 * tests/e2e/out/<name>.png / .log, and the error is rethrown.
 */
export async function withPage(name, fn) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-e2e-chromium-'))
  const logs = []
  let context
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
      timeout: 60_000,
    })
    const page = context.pages()[0] || (await context.newPage())
    page.setDefaultTimeout(15_000)
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') logs.push(`console.${m.type()}: ${m.text()}`)
    })
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`))
    page.on('requestfailed', (r) => logs.push(`requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`))
    try {
      await fn(page)
    } catch (err) {
      fs.mkdirSync(OUT_DIR, { recursive: true })
      const base = path.join(OUT_DIR, name.replace(/[^\w.-]+/g, '_'))
      await page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => {})
      fs.writeFileSync(`${base}.log`, `${page.url()}\n${logs.join('\n')}\n`)
      err.message += `\n  (screenshot: ${base}.png, page log: ${base}.log)`
      throw err
    }
  } finally {
    if (context) await context.close().catch(() => {})
    fs.rmSync(userDataDir, { recursive: true, force: true })
  }
}

/** Fill the login form and submit. */
export async function submitLogin(page, login, password) {
  await page.locator('[data-test=login]').fill(login)
  await page.locator('[data-test=password]').fill(password)
  await page.locator('[data-test=submit]').click()
}

/** Log in as the e2e admin and wait for the org page. */
export async function loginAsAdmin(page) {
  await page.goto(`${BASE_URL}/#/login`)
  await submitLogin(page, ADMIN.login, ADMIN.password)
  await page.waitForURL(/#\/admin\/org/)
}

/**
 * The HTTP API as e2eadmin (after login()), another account (login(name, password)), or
 * the public (without it): req() answers
 * { status, json, text }; ok() asserts the status is one of `want` and answers the JSON.
 */
export class Admin {
  constructor() {
    this.cookie = ''
    this.csrf = ''
  }
  async login(login = ADMIN.login, password = ADMIN.password) {
    const r = await fetch(`${BASE_URL}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login, password }),
    })
    assert.equal(r.status, 200, `${login} logs in`)
    this.cookie = (r.headers.get('set-cookie') || '').split(';')[0]
    this.csrf = (await r.json()).csrf_token
  }
  async req(method, p, body) {
    const headers = { Accept: 'application/json' }
    if (this.cookie) headers.Cookie = this.cookie
    if (method !== 'GET' && this.csrf) headers['X-CSRF-Token'] = this.csrf
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    const r = await fetch(`${BASE_URL}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await r.text()
    let json = null
    try {
      json = JSON.parse(text)
    } catch {
      json = null
    }
    return { status: r.status, json, text }
  }
  async ok(method, p, body, want = [200, 201]) {
    const r = await this.req(method, p, body)
    assert.ok(want.includes(r.status), `${method} ${p} → ${r.status} ${r.text}`)
    return r.json
  }
}
