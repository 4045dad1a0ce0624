// Queue and calling end to end: a kiosk issues a ticket → the staff console calls it →
// the hall display (a second page) shows it within a second and queues the spoken
// announcement → the console starts and finishes it. Run through tests/e2e/run.sh (a
// fresh demo database; e2eadmin at /dist).
//
// Set-up through the admin API as e2eadmin: a kiosk device at the district hall (its
// token), a staff member assigned to window w01, and w01's work profile serving every
// series of the hall.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { BASE_URL, Admin, withPage, submitLogin } from './helpers.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const { spokenCode } = await import(pathToFileURL(path.resolve(here, '../../web/src/utils/queue.js')))

const HALL_NAME = '区政务服务中心'
// a new login per run, so the test also runs twice against one database
const STAFF = { login: `e2e_counter_${Date.now().toString(36)}`, name: '柜台测试', password: 'e2e-Counter-Passw0rd!' }

let setup // { hallId, windowId, windowName, token }

before(async () => {
  const admin = new Admin()
  await admin.login()
  const halls = await admin.ok('GET', '/api/org/nodes?kind=hall&per_page=100')
  const hall = halls.items.find((h) => h.name === HALL_NAME)
  assert.ok(hall, `demo hall ${HALL_NAME}`)
  const windows = (await admin.ok('GET', `/api/org/nodes/${hall.id}/windows`)).items
  const win = windows.find((w) => w.code === 'w01')
  assert.ok(win, 'window w01')

  const dev = await admin.ok('POST', '/api/devices', { kind: 'kiosk', name: 'e2e取号机', node_id: hall.id })
  assert.ok(dev.token, 'the kiosk token is shown once')
  const staff = await admin.ok('POST', '/api/staff', { ...STAFF, role: 'staff', node_id: hall.id })
  await admin.ok('POST', `/api/staff/${staff.id}/assignments`, { window_id: win.id })
  // w01 serves every series of the hall, so "call next" finds the kiosk's ticket
  const series = (await admin.ok('GET', `/api/halls/${hall.id}/series`)).items.filter((s) => s.active !== false)
  assert.ok(series.length > 0, 'the hall has ticket series')
  await admin.ok('PUT', `/api/windows/${win.id}/profile`, { series_ids: series.map((s) => s.id), mode: 'longest_wait' })
  setup = { hallId: hall.id, windowId: win.id, windowName: win.name, token: dev.token }
})

// What a display needs in the test: speech synthesis that records instead of talking
// (and ends each utterance after 50 ms), and the time each ticket code first appears.
function displayInit() {
  window.__spoken = []
  const synth = {
    speaking: false,
    pending: false,
    paused: false,
    speak(u) {
      window.__spoken.push(u.text)
      this.speaking = true
      setTimeout(() => {
        this.speaking = false
        if (typeof u.onend === 'function') u.onend(new Event('end'))
      }, 50)
    },
    cancel() {},
    pause() {},
    resume() {},
    getVoices: () => [],
    addEventListener() {},
    removeEventListener() {},
  }
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true })
  if (typeof window.SpeechSynthesisUtterance !== 'function') {
    window.SpeechSynthesisUtterance = function (text) {
      this.text = text
    }
  }
  window.__seen = {}
  const mark = () => {
    for (const el of document.querySelectorAll('[data-test=display-current][data-code]')) {
      const c = el.getAttribute('data-code')
      if (!(c in window.__seen)) window.__seen[c] = Date.now()
    }
  }
  new MutationObserver(mark).observe(document, { childList: true, subtree: true, attributes: true })
}

test('kiosk ticket → console calls it → display shows and announces it within a second → console finishes it', async () => {
  await withPage('queue-flow', async (display) => {
    const context = display.context()

    // the hall screen, no login
    await display.addInitScript(displayInit)
    await display.goto(`${BASE_URL}/#/display/${setup.hallId}`)
    await display.locator('[data-test=display-hall]', { hasText: HALL_NAME }).waitFor()
    await display.waitForFunction(() => document.querySelector('[data-test=display]')?.dataset.conn === 'open')

    // the kiosk: the token comes once in the address, then leaves it
    const kiosk = await context.newPage()
    await kiosk.addInitScript(() => {
      window.__printed = 0
      window.print = () => {
        window.__printed++
      }
    })
    await kiosk.goto(`${BASE_URL}/#/kiosk/${setup.hallId}?device=${encodeURIComponent(setup.token)}`)
    await kiosk.locator('[data-test=kiosk-hall]', { hasText: HALL_NAME }).waitFor()
    await kiosk.waitForFunction(() => !location.href.includes('device='))
    const item = kiosk.locator('[data-test=kiosk-item]').first()
    await item.waitFor()
    await item.click()
    await kiosk.locator('[data-test=kiosk-keypad]').waitFor()
    await kiosk.locator('[data-test=kiosk-take]').click()
    const codeEl = kiosk.locator('[data-test=ticket-code]')
    await codeEl.waitFor()
    const code = (await codeEl.textContent()).trim()
    assert.match(code, /^[A-Z]{1,2}\d{3,4}$/, 'a ticket code like A001')
    assert.match(await kiosk.locator('[data-test=ticket-ahead]').textContent(), /前面还有 \d+ 人等候/)
    const qr = await kiosk.locator('[data-test=qr-code]').getAttribute('data-text')
    assert.ok(qr.includes(`#/portal/halls/${setup.hallId}?ticket=${code}`), `QR leads to the ticket's status page: ${qr}`)
    await kiosk.locator('[data-test=kiosk-print]').click()
    assert.equal(await kiosk.evaluate(() => window.__printed), 1, 'printed once')
    // the display counts it as waiting
    await display.locator('[data-test=display-total]').filter({ hasText: /[1-9]\d* 人等候/ }).waitFor()

    // the counter: the staff member signs in and lands on the console
    const counter = await context.newPage()
    await counter.goto(`${BASE_URL}/#/login`)
    await submitLogin(counter, STAFF.login, STAFF.password)
    await counter.waitForURL(/#\/console/)
    await counter.locator('[data-test=console-window]').filter({ hasText: setup.windowName }).waitFor()
    await counter.locator('[data-test=console-open]').click()
    await counter.locator('[data-test=console-open-state]', { hasText: '已开窗' }).waitFor()
    await counter.locator('[data-test=console-waiting] .c-row-code:visible', { hasText: code }).waitFor()

    // call next with F1 (on a fresh database the kiosk's ticket is the only one waiting;
    // otherwise its row's 呼叫); the display must show the code within a second
    const alone = (await counter.locator('[data-test=console-waiting] .c-row-code:visible').count()) === 1
    const callDone = counter.waitForResponse((r) => /\/call(-next)?$/.test(r.url()) && r.request().method() === 'POST')
    await counter.locator('body').click({ position: { x: 5, y: 5 } })
    const t0 = Date.now()
    if (alone) await counter.keyboard.press('F1')
    else await counter.locator('[data-test=console-waiting] tr', { hasText: code }).locator('[data-test=call-code]:visible').click()
    assert.equal((await callDone).status(), 200, 'the call answered 200')
    await display.locator(`[data-test=display-current][data-code="${code}"]`).waitFor({ timeout: 5000 })
    const seenAt = await display.evaluate((c) => window.__seen[c], code)
    const ms = seenAt - t0
    console.log(`# display showed ${code} ${ms} ms after the call`)
    assert.ok(ms < 1000, `the display showed the call after ${ms} ms (limit 1000)`)
    await counter.locator('[data-test=console-current-code]', { hasText: code }).waitFor()
    await counter.locator('[data-test=console-current-status][data-status=called]').waitFor()

    // the announcement was queued for speech, in Chinese, with the digits one by one
    await display.waitForFunction((s) => window.__spoken.some((x) => x.includes(s)), spokenCode(code))
    const spoken = await display.evaluate(() => window.__spoken.slice())
    assert.ok(
      spoken.some((x) => x.startsWith('请') && x.includes(`${spokenCode(code)} 号到`) && x.endsWith('号窗口办理')),
      `announcement: ${JSON.stringify(spoken)}`,
    )
    assert.match(await display.locator('[data-test=display-announce]').textContent(), new RegExp(`请 ${code} 号到 1 号窗口办理`))

    // start (F4) and finish (F5)
    await counter.keyboard.press('F4')
    await counter.locator('[data-test=console-current-status][data-status=serving]').waitFor()
    assert.equal(await counter.locator('[data-test=act-start]').isDisabled(), true, 'start is greyed out while serving')
    await counter.keyboard.press('F5')
    await counter.locator('[data-test=console-no-current]').waitFor()
    await counter.locator('[data-test=today-served]', { hasText: '1' }).waitFor()
    await counter.locator('[data-test=console-timeline]').waitFor({ state: 'detached' })
  })
})

test('the portal lists the halls and shows a hall’s live waiting counts', async () => {
  await withPage('queue-portal-hall', async (page) => {
    await page.goto(`${BASE_URL}/#/portal`)
    const card = page.locator('[data-test=portal-hall-card]', { hasText: HALL_NAME })
    await card.waitFor()
    await card.locator('[data-test=portal-hall-waiting]').click()
    await page.waitForURL(new RegExp(`#/portal/halls/${setup.hallId}`))
    await page.locator('[data-test=portal-hall-name]', { hasText: HALL_NAME }).waitFor()
    await page.locator('[data-test=portal-hall-total]').filter({ hasText: /共 \d+ 人等候/ }).waitFor()
    assert.ok((await page.locator('[data-test=portal-hall-series] tbody tr').count()) > 0, 'a row per series')
  })
})
