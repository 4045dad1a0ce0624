// Login page and admin org page, in Debian's Chromium against a running server.
// Run through tests/e2e/run.sh, which starts the server on a fresh demo database.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_URL, ADMIN, withPage, submitLogin, loginAsAdmin } from './helpers.mjs'

test('login page is Chinese by default and switches to English', async () => {
  await withPage('login-language', async (page) => {
    await page.goto(`${BASE_URL}/`)
    await page.waitForURL(/#\/login/)
    const title = page.locator('[data-test=login-title]')
    await title.waitFor()
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')
    assert.equal((await title.textContent()).trim(), '窗口服务管理平台')
    assert.equal((await page.locator('[data-test=submit]').textContent()).trim(), '登录')
    assert.equal(await page.title(), '窗口服务管理平台')

    await page.locator('[data-test=lang-switch]').click()
    await page.waitForFunction(() => document.documentElement.lang === 'en')
    assert.equal((await title.textContent()).trim(), 'Chuangkou service platform')
    assert.equal((await page.locator('[data-test=submit]').textContent()).trim(), 'Sign in')

    // remembered across a reload
    await page.reload()
    await title.waitFor()
    assert.equal(await page.getAttribute('html', 'lang'), 'en')
    assert.equal((await title.textContent()).trim(), 'Chuangkou service platform')

    await page.locator('[data-test=lang-switch]').click()
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN')
    assert.equal((await title.textContent()).trim(), '窗口服务管理平台')
  })
})

test('wrong password shows an error and stays on the login page', async () => {
  await withPage('login-wrong-password', async (page) => {
    await page.goto(`${BASE_URL}/#/login`)
    await submitLogin(page, ADMIN.login, 'not-the-password')
    const error = page.locator('[data-test=login-error]')
    await error.waitFor()
    assert.match(await error.textContent(), /账号或密码错误/)
    assert.match(page.url(), /#\/login/)
    await page.waitForTimeout(300)
    assert.match(page.url(), /#\/login/)
    assert.equal(await page.locator('[data-test=org-tree]').count(), 0)
  })
})

test('admin creates a window under the district hall and sees it in the tree', async () => {
  await withPage('org-create-window', async (page) => {
    await loginAsAdmin(page)
    const tree = page.locator('[data-test=org-tree]')
    await tree.locator('[data-test=tree-label]', { hasText: '示范区' }).first().waitFor()

    const hall = tree.locator('[data-test=tree-label]', { hasText: '区政务服务中心' })
    await hall.click()
    await page.locator('[data-test=node-title]', { hasText: '区政务服务中心' }).waitFor()
    const hallId = await hall.getAttribute('data-node-id')
    assert.ok(hallId, 'hall has an id')

    await page.locator('#tab-children').click()
    await page.locator('[data-test=add-child]').click()
    const dialog = page.locator('[data-test=node-dialog]:visible')
    await dialog.waitFor()
    // a hall only takes windows, and that is preselected
    assert.match(await dialog.locator('[data-test=node-kind]').textContent(), /窗口/)
    await dialog.locator('[data-test=node-code]').fill('w99')
    await dialog.locator('[data-test=node-name]').fill('e2e窗口')
    await dialog.locator('[data-test=node-save]').click()
    await dialog.waitFor({ state: 'hidden' })

    const created = tree.locator(`[data-test=tree-label][data-parent-id="${hallId}"]`, { hasText: 'e2e窗口' })
    await created.waitFor({ state: 'visible' })
    assert.equal(await created.getAttribute('data-kind'), 'window')
    assert.match(await created.textContent(), /w99/)
    // and in the children table of the hall
    await page.locator('[data-test=children-table]', { hasText: 'e2e窗口' }).waitFor()
  })
})

test('a duplicate window code is reported in Chinese under the code field', async () => {
  await withPage('org-duplicate-code', async (page) => {
    await loginAsAdmin(page)
    const tree = page.locator('[data-test=org-tree]')
    const hall = tree.locator('[data-test=tree-label]', { hasText: '区政务服务中心' })
    await hall.click()
    await page.locator('[data-test=node-title]', { hasText: '区政务服务中心' }).waitFor()

    await page.locator('#tab-children').click()
    await page.locator('[data-test=add-child]').click()
    const dialog = page.locator('[data-test=node-dialog]:visible')
    await dialog.waitFor()
    // the demo hall already has a window w01
    await dialog.locator('[data-test=node-code]').fill('w01')
    await dialog.locator('[data-test=node-name]').fill('e2e重复编码')
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/org/nodes') && r.request().method() === 'POST')
    await dialog.locator('[data-test=node-save]').click()
    const res = await answer
    assert.equal(res.status(), 409)
    assert.match((await res.json()).error.message, /sibling/) // the server's English stays in the API

    // under the code field ...
    const fieldError = dialog.locator('.el-form-item.is-error', { has: page.locator('[data-test=node-code]') })
      .locator('.el-form-item__error')
    await fieldError.waitFor()
    assert.equal((await fieldError.textContent()).trim(), '同级下已有相同编码')
    // ... and as a toast, with no English anywhere
    const toast = page.locator('.el-message--error', { hasText: '同级下已有相同编码' })
    await toast.waitFor()
    for (const text of [await fieldError.textContent(), await toast.textContent()]) {
      assert.doesNotMatch(text, /[A-Za-z]/, `English in ${JSON.stringify(text)}`)
    }
    const body = await page.locator('body').textContent()
    assert.doesNotMatch(body, /sibling|already has code|数据冲突/)
    // the dialog stays open for a correction; nothing was created
    assert.ok(await dialog.isVisible())
    assert.equal(await tree.locator('[data-test=tree-label]', { hasText: 'e2e重复编码' }).count(), 0)
  })
})
