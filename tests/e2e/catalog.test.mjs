// Service guide (public portal), the admin catalogue editor and the working-day calendar,
// in Debian's Chromium against a running server with the demo data (tests/e2e/run.sh).
// Each test finds what it needs through the API; when the demo has no published item
// with materials, one is created through the API first.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { BASE_URL, ADMIN, withPage, loginAsAdmin } from './helpers.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const { limitsOk } = await import(pathToFileURL(path.join(here, '../../web/src/utils/catalog.js')))

// ---- a small API client (cookie + CSRF token), for set-up and look-ups ----

async function apiSession() {
  const res = await fetch(`${BASE_URL}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: ADMIN.login, password: ADMIN.password }),
  })
  assert.equal(res.status, 200, `login for set-up: ${res.status}`)
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0]
  const { csrf_token: csrf } = await res.json()
  return async function call(method, url, body) {
    const r = await fetch(`${BASE_URL}${url}`, {
      method,
      headers: {
        Cookie: cookie,
        Accept: 'application/json',
        ...(method === 'GET' ? {} : { 'X-CSRF-Token': csrf }),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await r.text()
    let data = null
    try {
      data = text ? JSON.parse(text) : null
    } catch {
      data = text
    }
    return { status: r.status, data }
  }
}

async function publicGet(url) {
  const r = await fetch(`${BASE_URL}${url}`)
  assert.equal(r.status, 200, `GET ${url}: ${r.status}`)
  return r.json()
}

/** A Chinese keyword from an item's name: the first run of Han characters, up to 4. */
function keywordOf(name) {
  const run = /[\u4e00-\u9fff]{2,}/.exec(name)
  assert.ok(run, `no Chinese in the item name ${name}`)
  return run[0].slice(0, 4)
}

/** The limit as the page writes it in Chinese. */
function limitText(limit) {
  return { workdays: `${limit.value} 个工作日`, days: `${limit.value} 个自然日`, hours: `${limit.value} 小时` }[limit.unit]
}

// Published items with their full content, found (or made) once for the file.
let published = []

async function createItem(call, n) {
  const nodes = (await call('GET', '/api/org/nodes?per_page=500')).data.items
  const owner = nodes.find((x) => x.kind === 'unit') || nodes.find((x) => x.kind === 'region')
  const hall = nodes.find((x) => x.kind === 'hall')
  const code = `E2E-${Date.now().toString(36)}-${n}`
  const created = await call('POST', '/api/admin/catalog/items', {
    code,
    unit_id: owner.id,
    name: n === 1 ? '居民身份证换领测试事项' : '食品经营许可测试事项',
    kind: 'promised',
    legal_limit: { value: 20, unit: 'workdays' },
    promised_limit: { value: 5, unit: 'workdays' },
    basis: '《中华人民共和国行政许可法》',
    conditions: '申请人材料齐全、符合法定形式。',
    remedies: '对决定不服的，可依法申请行政复议或者提起行政诉讼。',
    fee: { free: true, amount_cents: 0, basis: '' },
    appointable: true,
    ticket_prefix: 'E',
    online: 'partial',
    phone: '0571-88886666',
    materials: [
      { name: '申请人有效身份证件', form: 'original_and_copy', copies: 1, issuer: '公安机关', required: true, notes: '', sample_file_id: null },
      { name: '申请表', form: 'original', copies: 1, issuer: '', required: true, notes: '窗口领取', sample_file_id: null },
    ],
    steps: [
      { title: '申请', description: '提交材料' },
      { title: '办结', description: '领取结果' },
    ],
    places: hall ? [hall.id] : [],
  })
  assert.equal(created.status, 201, `create item: ${JSON.stringify(created.data)}`)
  const pub = await call('POST', `/api/admin/catalog/items/${created.data.item_id}/publish`)
  assert.equal(pub.status, 200, `publish item: ${JSON.stringify(pub.data)}`)
  return code
}

before(async () => {
  const list = (await publicGet('/api/catalog/items?per_page=100')).items || []
  for (const it of list) {
    const full = await publicGet(`/api/catalog/items/${encodeURIComponent(it.code)}`)
    if ((full.materials || []).length && /[\u4e00-\u9fff]{2,}/.test(full.name)) published.push(full)
  }
  if (published.length < 2) {
    const call = await apiSession()
    for (let n = published.length + 1; n <= 2; n++) {
      const code = await createItem(call, n)
      published.push(await publicGet(`/api/catalog/items/${encodeURIComponent(code)}`))
    }
  }
})

test('a citizen finds an item by a Chinese keyword, reads its materials and prints the notice', async () => {
  const item = published[0]
  const keyword = keywordOf(item.name)
  await withPage('portal-search-notice', async (page) => {
    // from the login page's link, no sign-in
    await page.goto(`${BASE_URL}/#/login`)
    await page.locator('[data-test=portal-link]').click()
    await page.waitForURL(/#\/portal/)
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')

    await page.locator('[data-test=portal-search]').fill(keyword)
    await page.locator('[data-test=portal-search]').press('Enter')
    await page.waitForURL(new RegExp(`q=${encodeURIComponent(keyword)}`))
    const result = page.locator(`[data-test=portal-item][data-code="${item.code}"]`)
    await result.waitFor()
    assert.match(await result.textContent(), new RegExp(item.name))
    await result.click()

    await page.waitForURL(new RegExp(`#/portal/items/${encodeURIComponent(item.code)}`))
    const title = page.locator('[data-test=portal-item-name]')
    await title.waitFor()
    assert.equal((await title.textContent()).trim(), item.name)
    const names = page.locator('[data-test=materials-table] [data-test=material-name]')
    await names.first().waitFor()
    assert.deepEqual(
      (await names.allTextContents()).map((s) => s.trim()),
      item.materials.map((m) => m.name),
    )
    assert.match(await page.locator('[data-test=fact-promised]').textContent(), new RegExp(limitText(item.promised_limit) || '.'))

    // a phone's width: nothing runs off the side
    await page.setViewportSize({ width: 375, height: 740 })
    await page.waitForTimeout(100)
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), 'no horizontal scrolling at 375 px')
    await page.setViewportSize({ width: 1366, height: 768 })

    const [notice] = await Promise.all([page.context().waitForEvent('page'), page.locator('[data-test=print-notice]').click()])
    await notice.waitForLoadState('domcontentloaded')
    assert.match(notice.url(), new RegExp(`/api/catalog/items/${encodeURIComponent(item.code)}/notice\\?format=html`))
    const text = await notice.locator('body').textContent()
    assert.ok(text.includes(item.name), `the notice names the item: ${text.slice(0, 200)}`)
    await notice.close()
  })
})

test('an admin changes the promised limit in a draft, publishes, and the portal shows the new version', async () => {
  // another item than the citizen's, with a promised limit that can move and stay ≤ legal
  let item = null
  let next = null
  for (const it of [...published].reverse()) {
    const p = it.promised_limit
    for (const value of [p.value - 1, p.value + 1]) {
      if (value >= 1 && limitsOk({ value, unit: p.unit }, it.legal_limit)) {
        item = it
        next = { value, unit: p.unit }
        break
      }
    }
    if (item) break
  }
  assert.ok(item, 'an item whose promised limit can change')
  const call = await apiSession()
  const adminList = (await call('GET', `/api/admin/catalog/items?q=${encodeURIComponent(item.code)}`)).data.items
  const row = adminList.find((r) => r.code === item.code)
  assert.ok(row, `item ${item.code} in the admin list`)
  const before = (await call('GET', `/api/admin/catalog/items/${row.id}`)).data
  const oldVersion = before.current.version
  const maxVersion = Math.max(...before.versions.map((v) => v.version))

  await withPage('catalog-publish', async (page) => {
    await loginAsAdmin(page)
    await page.locator('[data-test=menu-admin-catalog]').click()
    await page.waitForURL(/#\/admin\/catalog/)
    await page.locator('[data-test=catalog-search]').fill(item.code)
    await page.locator('[data-test=catalog-search]').press('Enter')
    await page.locator(`[data-test=catalog-row][data-code="${item.code}"]:visible`).click()
    await page.waitForURL(new RegExp(`#/admin/catalog/items/${row.id}`))
    await page.locator('[data-test=item-title]', { hasText: item.name }).waitFor()

    await page.locator('#tab-draft').click()
    const editor = page.locator('[data-test=draft-editor]')
    const promised = editor.locator('[data-test=promised-value] input')
    await promised.waitFor()
    await promised.fill(String(next.value))
    await promised.press('Tab')

    const saved = page.waitForResponse((r) => r.url().endsWith(`/api/admin/catalog/items/${row.id}/draft`) && r.request().method() === 'PUT')
    await editor.locator('[data-test=save-draft]').click()
    const savedRes = await saved
    assert.equal(savedRes.status(), 200, await savedRes.text())
    const draft = await savedRes.json()
    assert.deepEqual(draft.promised_limit, next)
    assert.equal(draft.version, Math.max(maxVersion, oldVersion) + (before.draft ? 0 : 1))

    await editor.locator('[data-test=publish]').click()
    const box = page.locator('.ck-confirm')
    await box.waitFor()
    assert.match(await box.textContent(), new RegExp(`第 ${draft.version} 版`))
    const publishedRes = page.waitForResponse((r) => r.url().endsWith(`/api/admin/catalog/items/${row.id}/publish`))
    await box.locator('.el-message-box__btns .el-button--primary').click()
    const pubRes = await publishedRes
    assert.equal(pubRes.status(), 200, await pubRes.text())
    const current = await pubRes.json()
    assert.ok(current.version > oldVersion, `version went up: ${oldVersion} → ${current.version}`)
    await page.locator(`[data-test=current-version][data-version="${current.version}"]`).waitFor()

    // the public page shows the new limit and version
    await page.goto(`${BASE_URL}/#/portal/items/${encodeURIComponent(item.code)}`)
    await page.locator('[data-test=portal-item-name]', { hasText: item.name }).waitFor()
    await page.locator('[data-test=fact-promised]', { hasText: limitText(next) }).waitFor()
    assert.equal((await page.locator('[data-test=portal-version]').textContent()).trim(), `第 ${current.version} 版`)
  })
})

test('the calendar shows the 2026 Spring Festival: Feb 16 off, Feb 14 a make-up working day', async () => {
  await withPage('calendar-2026', async (page) => {
    await loginAsAdmin(page)
    await page.locator('[data-test=menu-admin-calendar]').click()
    await page.waitForURL(/#\/admin\/calendar/)
    await page.goto(`${BASE_URL}/#/admin/calendar?year=2026`)

    const day = (date) => page.locator(`[data-test=cal-day][data-date="${date}"]`)
    await day('2026-02-16').waitFor()
    await page.locator('[data-test=cal-summary]').waitFor()
    assert.equal(await day('2026-02-16').getAttribute('data-state'), 'off')
    assert.match(await day('2026-02-16').textContent(), /休/)
    assert.match(await day('2026-02-16').getAttribute('title'), /放假（春节）/)
    assert.equal(await day('2026-02-14').getAttribute('data-state'), 'work')
    assert.match(await day('2026-02-14').textContent(), /班/)
    assert.equal(await day('2026-02-28').getAttribute('data-state'), 'work')
    assert.equal(await day('2026-02-15').getAttribute('data-state'), 'off')
    assert.equal(await day('2026-02-24').getAttribute('data-state'), 'workday')
    assert.equal(await day('2026-03-01').getAttribute('data-state'), 'weekend')
    assert.equal(await page.locator('[data-test=cal-missing]').count(), 0)

    // the day dialog opens on the holiday as 放假 (and is left unchanged)
    await day('2026-02-16').click()
    const dialog = page.locator('[data-test=cal-day-dialog]:visible')
    await dialog.waitFor()
    assert.ok(await dialog.locator('[data-test=cal-choice-off] input').isChecked())
    assert.equal(await dialog.locator('[data-test=cal-day-name]').inputValue(), '春节')
    await dialog.locator('.el-dialog__headerbtn').click()
    await dialog.waitFor({ state: 'hidden' })

    // the calculator: received Fri 13 Feb 2026, 1 working day → Sat 14 Feb (make-up day)
    const calc = page.locator('[data-test=due-calc]')
    await calc.locator('[data-test=due-from] input').fill('2026-02-13')
    await calc.locator('[data-test=due-from] input').press('Enter')
    await calc.locator('[data-test=due-n] input').fill('1')
    await calc.locator('[data-test=due-n] input').press('Tab')
    await calc.locator('[data-test=due-compute]').click()
    const result = calc.locator('[data-test=due-result]')
    await result.waitFor()
    assert.equal(await result.getAttribute('data-due'), '2026-02-14')
    assert.match(await result.textContent(), /截止日期：2026-02-14（星期六）/)
  })
})

test('a year without a calendar is marked 未导入 and a deadline into it is refused in Chinese', async () => {
  const known = new Set(((await publicGet('/api/calendar/years')).items || []).map((y) => y.year))
  let year = 2030
  while (known.has(year)) year++
  await withPage('calendar-missing', async (page) => {
    await loginAsAdmin(page)
    await page.locator('[data-test=menu-admin-calendar]').click()
    await page.waitForURL(/#\/admin\/calendar/)
    await page.goto(`${BASE_URL}/#/admin/calendar?year=${year}`)
    const warning = page.locator('[data-test=cal-missing]')
    await warning.waitFor()
    assert.match(await warning.textContent(), new RegExp(`${year} 年的节假日安排尚未导入`))

    const calc = page.locator('[data-test=due-calc]')
    await calc.locator('[data-test=due-compute]').click()
    const error = calc.locator('[data-test=due-error]')
    await error.waitFor()
    const text = await error.textContent()
    assert.match(text, new RegExp(`${year} 年的工作日历尚未导入`))
    assert.doesNotMatch(text, /calendar|import|State Council/i)
  })
})
