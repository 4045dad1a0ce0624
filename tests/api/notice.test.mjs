// The one-time notice (一次性告知书) and the hall handbook (便民服务手册):
// public HTML and PDF, staff issuing a notice and reading it back as issued,
// scope, and bad input. PDF text is checked with pdftotext (poppler-utils).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, listAll, uniq,
} from './helpers.mjs';

const anon = new Client('anon');
let admin; // t_admin, /dist
let adminB; // t_admin_b, /dist/town/hall-t
let staffA; // t_staff_a, /dist/hall-d
let leaderT; // t_leader_t, /dist/town
let nodes;
let item; // created and published in before(): { code, itemId, name, materials }
let other; // a second item, for materials that are not item's

before(async () => {
  admin = await loginAs('t_admin');
  adminB = await loginAs('t_admin_b');
  staffA = await loginAs('t_staff_a');
  leaderT = await loginAs('t_leader_t');
  nodes = await demoNodes(admin);
  item = await publishedItem('告知测试事项', ['告知测试身份证明', '告知测试申请书', '告知测试委托书']);
  other = await publishedItem('另一个测试事项', ['另一个事项的材料']);
});

/** Chinese digits for a unique, searchable suffix ("第三七五号"). */
function cnSuffix() {
  const d = '〇一二三四五六七八九';
  const n = String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
  return `第${[...n].map((c) => d[c]).join('')}号`;
}

/** Create and publish an item as t_admin; returns its code, id, name and materials (with ids). */
async function publishedItem(base, materialNames) {
  const name = `${base}${cnSuffix()}`;
  const code = uniq('NT').replace(/[^A-Za-z0-9._-]/g, '');
  const r = await admin.post('/api/admin/catalog/items', {
    code,
    unit_id: nodes.hallA.id,
    name,
    kind: 'promised',
    legal_limit: { value: 20, unit: 'workdays' },
    promised_limit: { value: 5, unit: 'workdays' },
    basis: '《中华人民共和国行政许可法》',
    conditions: '符合条件的申请人',
    remedies: '',
    fee: { free: true, amount_cents: 0, basis: '' },
    appointable: false,
    ticket_prefix: '',
    online: 'none',
    phone: '0571-1234567',
    materials: materialNames.map((m, i) => ({
      name: m, form: i % 2 ? 'copy' : 'original', copies: 1, issuer: '公安机关', required: i < 2, notes: '',
    })),
    steps: [{ title: '申请', description: '到窗口提交材料' }, { title: '受理', description: '当场受理' }],
    places: [nodes.winA.id],
  });
  assertStatus(r, 201, 'create item');
  const p = await admin.post(`/api/admin/catalog/items/${r.json.item_id}/publish`, undefined);
  assertStatus(p, 200, 'publish');
  const pub = await anon.get(`/api/catalog/items/${code}`);
  assertStatus(pub, 200, 'public item');
  return { code, itemId: r.json.item_id, versionId: pub.json.id, name, materials: pub.json.materials };
}

/** The text of a PDF (pdftotext), with all white space removed. */
function pdfText(buf) {
  const dir = mkdtempSync(join(tmpdir(), 'ck-notice-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, buf);
    return execFileSync('pdftotext', ['-q', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertPdf(r, ctx) {
  assertStatus(r, 200, ctx);
  assert.equal(r.headers.get('content-type'), 'application/pdf', ctx);
  assert.equal(r.buf.subarray(0, 5).toString('latin1'), '%PDF-', `${ctx}: not a PDF`);
  const cd = r.headers.get('content-disposition') || '';
  assert.match(cd, /^inline; filename\*=UTF-8''[A-Za-z0-9%!#$&+.^_`|~-]+\.pdf$/, `${ctx}: ${cd}`);
  return pdfText(r.buf);
}

// ---------------------------------------------------------------- public notice

test('public notice as HTML: the item, every material, escaped, no caching', async () => {
  const r = await anon.get(`/api/catalog/items/${item.code}/notice`);
  assertStatus(r, 200);
  assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(r.text, /^<!DOCTYPE html>\n<html lang="zh-CN">/);
  assert.ok(r.text.includes('一次性告知书'));
  assert.ok(r.text.includes(item.name), 'item name');
  for (const m of item.materials) assert.ok(r.text.includes(m.name), `material ${m.name}`);
  assert.ok(r.text.includes(item.code));
  assert.ok(!r.text.includes('<script'), 'no scripts in the notice page');
  assert.match(r.headers.get('content-security-policy') || '', /default-src 'none'/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  // the same for ?format=html, and for a demo item
  const h = await anon.get(`/api/catalog/items/${item.code}/notice`, { query: { format: 'html' } });
  assert.equal(h.text, r.text);
  const demo = await anon.get('/api/catalog/items/GA-SFZ-001');
  assertStatus(demo, 200, 'demo item');
  const dn = await anon.get('/api/catalog/items/GA-SFZ-001/notice');
  assertStatus(dn, 200);
  assert.ok(dn.text.includes(demo.json.name));
  for (const m of demo.json.materials) assert.ok(dn.text.includes(m.name), `demo material ${m.name}`);
});

test('public notice as PDF: real Chinese text, named citizen, missing materials marked', async () => {
  const r = await anon.get(`/api/catalog/items/${item.code}/notice`, { query: { format: 'pdf' } });
  const text = assertPdf(r, 'notice pdf');
  assert.ok(text.includes('一次性告知书'), text.slice(0, 200));
  assert.ok(text.includes(item.name), `item name in ${text.slice(0, 300)}`);
  for (const m of item.materials) assert.ok(text.includes(m.name), `material ${m.name}`);
  assert.ok(!text.includes('需补正'));

  const miss = item.materials[1];
  const n = await anon.get(`/api/catalog/items/${item.code}/notice`, {
    query: { format: 'pdf', name: '张三', missing: `${miss.id}` },
  });
  const t2 = assertPdf(n, 'named notice');
  assert.ok(t2.includes('张三：'));
  assert.ok(t2.includes(`您还需补正以下材料：1.${miss.name}`), t2.slice(0, 600));
  assert.ok(t2.includes('「需补正」'));
  assert.equal(n.headers.get('cache-control'), 'no-store', 'a citizen name is never cached');

  const h = await anon.get(`/api/catalog/items/${item.code}/notice`, {
    query: { name: '<b>王五</b>', missing: `${item.materials[0].id},${item.materials[2].id}` },
  });
  assertStatus(h, 200);
  assert.ok(h.text.includes('&lt;b&gt;王五&lt;/b&gt;'), 'the name is escaped');
  assert.equal((h.text.match(/class="missing"/g) || []).length, 2);
});

test('public notice: bad input', async () => {
  const path = `/api/catalog/items/${item.code}/notice`;
  // a material of another item, an unknown id, a repeated id, not ids at all
  assertError(await anon.get(path, { query: { missing: `${other.materials[0].id}` } }), 400, 'invalid', 'missing');
  assertError(await anon.get(path, { query: { missing: '987654321' } }), 400, 'invalid', 'missing');
  const id = item.materials[0].id;
  assertError(await anon.get(path, { query: { missing: `${id},${id}` } }), 400, 'invalid', 'missing');
  assertError(await anon.get(path, { query: { missing: 'a,b' } }), 400, 'invalid', 'missing');
  assertError(await anon.get(path, { query: { missing: `${id},` } }), 400, 'invalid', 'missing');
  assertError(await anon.get(path, { query: { missing: '-1' } }), 400, 'invalid', 'missing');
  assertError(await anon.get(path, { query: { name: '名'.repeat(51) } }), 400, 'invalid', 'name');
  assertStatus(await anon.get(path, { query: { name: '名'.repeat(50) } }), 200, '50 characters are fine');
  assertError(await anon.get(path, { query: { format: 'docx' } }), 400, 'invalid', 'format');
  assertError(await anon.get(path, { query: { colour: 'red' } }), 400, 'invalid', 'colour');
  assertError(await anon.get('/api/catalog/items/NO-SUCH-ITEM/notice'), 404, 'not_found');
  // an item with only a draft is nobody's standard yet
  const code = uniq('ND').replace(/[^A-Za-z0-9._-]/g, '');
  const c = await admin.post('/api/admin/catalog/items', {
    code, unit_id: nodes.hallA.id, name: '未发布的事项', kind: 'immediate',
    legal_limit: { value: 0, unit: 'workdays' }, promised_limit: { value: 0, unit: 'workdays' },
    basis: '', conditions: '', remedies: '', fee: { free: true, amount_cents: 0, basis: '' },
    appointable: false, ticket_prefix: '', online: 'none', phone: '', materials: [], steps: [], places: [],
  });
  assertStatus(c, 201, 'draft item');
  assertError(await anon.get(`/api/catalog/items/${code}/notice`), 404, 'not_found');
  assertError(await anon.get(`/api/catalog/items/${code}/notice`, { query: { format: 'pdf' } }), 404, 'not_found');
});

// ---------------------------------------------------------------- issued notices

test('staff issue a notice (201) and read it back as issued, even after a new version', async () => {
  const miss = item.materials[2];
  const r = await staffA.post('/api/catalog/notices', { code: item.code, citizen_name: '李四', missing: [miss.id] });
  assertStatus(r, 201, 'issue');
  const n = r.json;
  assert.ok(Number.isInteger(n.id));
  assert.equal(n.version_id, item.versionId);
  assert.ok(Number.isInteger(n.issued_at) && Math.abs(n.issued_at - Date.now() / 1000) < 300, `issued_at ${n.issued_at}`);
  assert.equal(n.html_url, `/api/catalog/notices/${n.id}?format=html`);
  assert.equal(n.pdf_url, `/api/catalog/notices/${n.id}?format=pdf`);

  const p = await staffA.get(n.pdf_url);
  const text = assertPdf(p, 'issued notice pdf');
  assert.ok(text.includes(item.name));
  assert.ok(text.includes('李四：'));
  assert.ok(text.includes(`您还需补正以下材料：1.${miss.name}`), text.slice(0, 600));
  assert.ok(text.includes('告知人：测试窗口人员'), 'the issuing staff member');
  assert.ok(text.includes('区政务服务中心'), 'the issuing hall (t_staff_a is at hall-d)');
  assert.ok(text.includes(`告知书编号：${n.id}`));
  assert.equal(p.headers.get('cache-control'), 'no-store');
  const h = await staffA.get(n.html_url);
  assertStatus(h, 200);
  assert.equal(h.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.ok(h.text.includes('李四'));
  assert.equal((h.text.match(/class="missing"/g) || []).length, 1);
  // the admin of the whole district reads it too
  assertStatus(await admin.get(n.html_url), 200, 'admin of /dist');

  // a new version is published: the issued notice still shows the old one
  const renamed = `${item.name}（新版）`;
  const d = await admin.put(`/api/admin/catalog/items/${item.itemId}/draft`, {
    json: {
      name: renamed, kind: 'promised', legal_limit: { value: 20, unit: 'workdays' },
      promised_limit: { value: 3, unit: 'workdays' }, basis: '新依据', conditions: '', remedies: '',
      fee: { free: true, amount_cents: 0, basis: '' }, appointable: false, ticket_prefix: '', online: 'none',
      phone: '', materials: [{ name: '新版唯一材料', form: 'original', copies: 1, issuer: '', required: true, notes: '' }],
      steps: [], places: [nodes.winA.id],
    },
  });
  assertStatus(d, 200, 'draft');
  assertStatus(await admin.post(`/api/admin/catalog/items/${item.itemId}/publish`, undefined), 200, 'publish v2');
  const again = pdfText((await staffA.get(n.pdf_url)).buf);
  assert.ok(again.includes(item.name) && !again.includes(renamed), 'the issued notice keeps its version');
  assert.ok(again.includes(miss.name) && !again.includes('新版唯一材料'));
  const pub = await anon.get(`/api/catalog/items/${item.code}/notice`);
  assert.ok(pub.text.includes(renamed), 'the public notice shows the new version');
  // the old material ids no longer belong to the current version
  assertError(await anon.get(`/api/catalog/items/${item.code}/notice`, { query: { missing: `${miss.id}` } }), 400, 'invalid', 'missing');
  item.name = renamed;
});

test('an issued notice is read only in the scope of the node it was given at', async () => {
  const r = await staffA.post('/api/catalog/notices', { code: other.code });
  assertStatus(r, 201, 'issue');
  const url = `/api/catalog/notices/${r.json.id}`;
  assertError(await adminB.get(url), 403, 'forbidden'); // another hall's admin
  assertError(await adminB.get(url, { query: { format: 'pdf' } }), 403, 'forbidden');
  assertError(await leaderT.get(url), 403, 'forbidden'); // the town's leader
  assertError(await anon.get(url), 401, 'unauthorized');
  assertError(await staffA.get('/api/catalog/notices/987654321'), 404, 'not_found');
  assertError(await staffA.get('/api/catalog/notices/abc'), 404, 'not_found');
  assertError(await staffA.get(url, { query: { format: 'xml' } }), 400, 'invalid', 'format');
  // a notice given at hall B by its admin is theirs, and the district's
  const b = await adminB.post('/api/catalog/notices', { code: other.code, citizen_name: '赵六' });
  assertStatus(b, 201, 'issue at hall B');
  assertStatus(await adminB.get(`/api/catalog/notices/${b.json.id}`), 200);
  assertStatus(await admin.get(`/api/catalog/notices/${b.json.id}`), 200);
  assertError(await staffA.get(`/api/catalog/notices/${b.json.id}`), 403, 'forbidden');
});

test('issuing a notice: bad input changes nothing', async () => {
  const post = (body, opts) => staffA.post('/api/catalog/notices', body, opts);
  assertError(await post({ code: 'NO-SUCH-ITEM' }), 404, 'not_found', 'code');
  assertError(await post({}), 400, 'invalid', 'code');
  assertError(await post({ code: other.code, missing: [item.materials[0].id] }), 400, 'invalid', 'missing');
  assertError(await post({ code: other.code, missing: 'x' }), 400, 'invalid', 'missing');
  assertError(await post({ code: other.code, missing: ['1'] }), 400, 'invalid', 'missing');
  assertError(await post({ code: other.code, missing: [other.materials[0].id, other.materials[0].id] }), 400, 'invalid', 'missing');
  assertError(await post({ code: other.code, citizen_name: '名'.repeat(51) }), 400, 'invalid', 'citizen_name');
  assertError(await post({ code: other.code, citizen_name: 5 }), 400, 'invalid', 'citizen_name');
  assertError(await post({ code: other.code, node_id: nodes.hallB.id }), 403, 'forbidden');
  assertError(await post({ code: other.code, node_id: 987654321 }), 400, 'invalid', 'node_id');
  assertError(await post({ code: other.code, extra: 1 }), 400, 'invalid', 'extra');
  assertError(await post({ code: other.code }, { csrf: false }), 403, 'csrf');
  assertError(await anon.post('/api/catalog/notices', { code: other.code }), 401, 'unauthorized');
  const bad = await staffA.req('POST', '/api/catalog/notices', { body: '{"code":', headers: { 'Content-Type': 'application/json' } });
  assertError(bad, 400, 'bad_json');
  // a notice at one of the staff member's own windows is fine
  const w = await post({ code: other.code, node_id: nodes.winA.id });
  assertStatus(w, 201, 'at a window of hall A');
});

// ---------------------------------------------------------------- handbook

test('the handbook of the demo hall is a PDF naming every item served there', async () => {
  const { items } = await listAll(anon, '/api/catalog/items', { hall_id: nodes.hallA.id });
  assert.ok(items.length >= 2, 'hall A serves items');
  assert.ok(items.some((i) => i.code === item.code), 'our item is served at hall A (window w01)');
  const r = await anon.get(`/api/catalog/halls/${nodes.hallA.id}/handbook.pdf`, { timeout: 120000 });
  const text = assertPdf(r, 'handbook');
  assert.ok(text.includes('便民服务手册'));
  assert.ok(text.includes(nodes.hallA.name));
  assert.ok(text.includes('目录'));
  for (const i of items) assert.ok(text.includes(i.name), `handbook lacks ${i.name}`);
  // hall B's handbook does not list hall A's own items
  const b = await anon.get(`/api/catalog/halls/${nodes.hallB.id}/handbook.pdf`, { timeout: 120000 });
  const tb = assertPdf(b, 'hall B handbook');
  assert.ok(tb.includes(nodes.hallB.name));
  assert.ok(!tb.includes(item.name), 'an item served only at hall A');
});

test('the handbook is only for halls', async () => {
  assertError(await anon.get(`/api/catalog/halls/${nodes.dist.id}/handbook.pdf`), 404, 'not_found');
  assertError(await anon.get(`/api/catalog/halls/${nodes.winA.id}/handbook.pdf`), 404, 'not_found');
  assertError(await anon.get('/api/catalog/halls/987654321/handbook.pdf'), 404, 'not_found');
  assertError(await anon.get('/api/catalog/halls/x/handbook.pdf'), 404, 'not_found');
  assertError(await anon.get(`/api/catalog/halls/${nodes.hallA.id}/handbook.pdf`, { query: { a: 1 } }), 400, 'invalid', 'a');
});
