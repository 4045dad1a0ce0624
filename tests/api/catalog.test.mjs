// The service catalogue (事项): public reads, the editor (drafts, publishing,
// versions), strict input, scope, CSV/XLSX import and export, sample files,
// and the command line's import and export.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  Client, loginAs, assertError, assertStatus, demoNodes, listAll, uniq, makePng, DB,
} from './helpers.mjs';

const anon = new Client('anon');
let admin; // t_admin, /dist
let adminB; // t_admin_b, /dist/town/hall-t
let staffA; // t_staff_a, /dist/hall-d
let leaderT; // t_leader_t, /dist/town
let nodes;

before(async () => {
  admin = await loginAs('t_admin');
  adminB = await loginAs('t_admin_b');
  staffA = await loginAs('t_staff_a');
  leaderT = await loginAs('t_leader_t');
  nodes = await demoNodes(admin);
});

/** A valid version body; `extra` overrides fields. */
function content(extra = {}) {
  return {
    name: '测试事项',
    kind: 'promised',
    legal_limit: { value: 20, unit: 'workdays' },
    promised_limit: { value: 5, unit: 'workdays' },
    basis: '《中华人民共和国行政许可法》',
    conditions: '符合条件的申请人',
    remedies: '可以依法申请行政复议或者提起行政诉讼',
    fee: { free: true, amount_cents: 0, basis: '' },
    appointable: true,
    ticket_prefix: 'T',
    online: 'partial',
    phone: '0000-12345',
    materials: [
      { name: '居民身份证', form: 'original', copies: 1, issuer: '公安机关', required: true, notes: '' },
      { name: '申请表', form: 'original', copies: 2, issuer: '窗口领取', required: true, notes: '本人签字' },
      { name: '委托书', form: 'original', copies: 1, issuer: '委托人', required: false, notes: '' },
    ],
    steps: [{ title: '申请', description: '提交材料' }, { title: '受理', description: '' }],
    places: [nodes.winA.id],
    ...extra,
  };
}

async function createItem(client = admin, extra = {}, unitId = nodes.hallA.id) {
  const code = extra.code ?? uniq('T').replace(/[^A-Za-z0-9._-]/g, '');
  const r = await client.post('/api/admin/catalog/items', { code, unit_id: unitId, ...content(extra), ...extra });
  assertStatus(r, 201, 'create item');
  assert.ok(Number.isInteger(r.json.item_id) && Number.isInteger(r.json.version_id));
  return { code, itemId: r.json.item_id, versionId: r.json.version_id };
}

async function publish(itemId, client = admin) {
  const r = await client.post(`/api/admin/catalog/items/${itemId}/publish`, undefined);
  assertStatus(r, 200, 'publish');
  return r.json;
}

// ---------------------------------------------------------------- public

test('the demo catalogue is public: list, search by name and code', async () => {
  const all = await listAll(anon, '/api/catalog/items');
  const codes = all.items.map((i) => i.code);
  for (const c of ['SCJG-GT-001', 'RS-YL-001', 'BDC-SC-001', 'GA-SFZ-001', 'RS-SBK-001', 'WJ-SY-001',
    'CL-CJRZ-001', 'GJJ-TQ-001']) assert.ok(codes.includes(c), `demo item ${c} missing`);
  const it = all.items.find((i) => i.code === 'SCJG-GT-001');
  assert.equal(it.name, '个体工商户设立登记');
  assert.equal(it.kind, 'promised');
  assert.deepEqual(it.promised_limit, { value: 3, unit: 'workdays' });
  assert.deepEqual(it.legal_limit, { value: 15, unit: 'workdays' });
  assert.equal(it.version, 1);
  assert.equal(it.unit_id, nodes.hallA.id);
  assert.equal(typeof it.unit_name, 'string');
  assert.ok(!('draft_version_id' in it), 'the public list does not show drafts');

  const byName = await anon.get('/api/catalog/items', { query: { q: '养老' } });
  assertStatus(byName, 200);
  assert.deepEqual(byName.json.items.map((i) => i.code), ['RS-YL-001']);
  const byCode = await anon.get('/api/catalog/items', { query: { q: 'BDC-SC' } });
  assert.deepEqual(byCode.json.items.map((i) => i.code), ['BDC-SC-001']);
  const none = await anon.get('/api/catalog/items', { query: { q: '%' } });
  assert.equal(none.json.total, 0, 'a LIKE wildcard is a plain character');
});

test('filter by unit and by hall', async () => {
  const town = await listAll(anon, '/api/catalog/items', { unit_id: nodes.hallB.id });
  const townCodes = town.items.map((i) => i.code).sort();
  assert.ok(townCodes.includes('WJ-SY-001') && townCodes.includes('CL-CJRZ-001'));
  assert.ok(!townCodes.includes('SCJG-GT-001'), 'hall-d items are not owned by hall-t');
  const atB = await listAll(anon, '/api/catalog/items', { hall_id: nodes.hallB.id });
  const atBCodes = atB.items.map((i) => i.code);
  assert.ok(atBCodes.includes('RS-YL-001'), 'served at a hall-t window though owned by hall-d');
  assert.ok(atBCodes.includes('WJ-SY-001'));
  assert.ok(!atBCodes.includes('BDC-SC-001'));
  const atA = await listAll(anon, '/api/catalog/items', { hall_id: nodes.hallA.id });
  assert.ok(atA.items.map((i) => i.code).includes('BDC-SC-001'));
  assertError(await anon.get('/api/catalog/items', { query: { unit_id: 987654321 } }), 400, 'invalid', 'unit_id');
  assertError(await anon.get('/api/catalog/items', { query: { hall_id: nodes.winA.id } }), 400, 'invalid', 'hall_id');
  assertError(await anon.get('/api/catalog/items', { query: { unit_id: 'x' } }), 400, 'invalid', 'unit_id');
  assertError(await anon.get('/api/catalog/items', { query: { colour: 'red' } }), 400, 'invalid', 'colour');
});

test('the public item page has everything a citizen needs; unknown code → 404', async () => {
  const r = await anon.get('/api/catalog/items/BDC-SC-001');
  assertStatus(r, 200);
  assert.match(r.headers.get('content-type'), /application\/json/);
  const v = r.json;
  assert.equal(v.code, 'BDC-SC-001');
  assert.equal(v.status, 'published');
  assert.equal(v.version, 1);
  assert.deepEqual(v.promised_limit, { value: 5, unit: 'workdays' });
  assert.deepEqual(v.legal_limit, { value: 30, unit: 'workdays' });
  assert.equal(v.fee.free, false);
  assert.equal(v.fee.amount_cents, 8000);
  assert.match(v.fee.basis, /2559/);
  assert.match(v.basis, /不动产登记暂行条例/);
  assert.ok(v.materials.length >= 3 && v.materials.length <= 6);
  for (const m of v.materials) {
    assert.ok(m.name && m.issuer, 'material name and issuer');
    assert.ok(['original', 'copy', 'original_and_copy', 'electronic'].includes(m.form));
    assert.ok(Number.isInteger(m.copies) && Number.isInteger(m.id));
    assert.equal(typeof m.required, 'boolean');
    assert.ok('sample_file_url' in m);
  }
  assert.ok(v.steps.length >= 3 && v.steps.every((s) => s.title));
  assert.equal(v.places.length, 1);
  assert.equal(v.places[0].kind, 'window');
  assert.match(v.places[0].name, /不动产/);
  assert.equal(v.ticket_prefix, 'C');
  assert.ok(!('created_by' in v) && !('published_by' in v), 'no staff logins in public');
  // the cached answer is the same
  const again = await anon.get('/api/catalog/items/BDC-SC-001');
  assert.equal(again.text, r.text);
  assertError(await anon.get('/api/catalog/items/NO-SUCH-CODE'), 404, 'not_found');
  assertError(await anon.get('/api/catalog/items/bad%20code'), 404, 'not_found');
  assertError(await anon.get(`/api/catalog/items/${'x'.repeat(41)}`), 404, 'not_found');
});

// ---------------------------------------------------------------- versions

test('a draft is invisible publicly; publishing makes it public; old versions stay readable', async () => {
  const { code, itemId, versionId } = await createItem();
  assertError(await anon.get(`/api/catalog/items/${code}`), 404, 'not_found');
  const pub = await anon.get('/api/catalog/items', { query: { q: code } });
  assert.equal(pub.json.total, 0, 'the draft is not listed publicly');
  const adm = await admin.get('/api/admin/catalog/items', { query: { q: code } });
  assertStatus(adm, 200);
  assert.equal(adm.json.total, 1);
  assert.equal(adm.json.items[0].draft_version_id, versionId);
  assert.equal(adm.json.items[0].current_version_id, null);

  const v1 = await publish(itemId);
  assert.equal(v1.id, versionId);
  assert.equal(v1.version, 1);
  assert.equal(v1.status, 'published');
  assert.equal(v1.published_by, 't_admin');
  const p1 = await anon.get(`/api/catalog/items/${code}`);
  assertStatus(p1, 200);
  assert.equal(p1.json.name, '测试事项');

  // edit: a new draft (version 2); the public still sees version 1
  const d = await admin.put(`/api/admin/catalog/items/${itemId}/draft`, { json: content({ name: '测试事项（修订）' }) });
  assertStatus(d, 200, 'save draft');
  assert.equal(d.json.version, 2);
  assert.equal(d.json.status, 'draft');
  assert.equal((await anon.get(`/api/catalog/items/${code}`)).json.name, '测试事项');
  // saving again replaces the same draft
  const d2 = await admin.put(`/api/admin/catalog/items/${itemId}/draft`, { json: content({ name: '测试事项（二改）', materials: [] }) });
  assertStatus(d2, 200);
  assert.equal(d2.json.id, d.json.id);
  assert.equal(d2.json.materials.length, 0);

  const v2 = await publish(itemId);
  assert.equal(v2.version, 2);
  const p2 = await anon.get(`/api/catalog/items/${code}`);
  assert.equal(p2.json.name, '测试事项（二改）');
  assert.equal(p2.json.version, 2);
  const old = await staffA.get(`/api/admin/catalog/versions/${versionId}`);
  assertStatus(old, 200, 'the old version by id');
  assert.equal(old.json.status, 'superseded');
  assert.equal(old.json.name, '测试事项');
  assert.equal(old.json.materials.length, 3);

  const item = await staffA.get(`/api/admin/catalog/items/${itemId}`);
  assertStatus(item, 200);
  assert.equal(item.json.code, code);
  assert.equal(item.json.current.version, 2);
  assert.equal(item.json.draft, null);
  assert.deepEqual(item.json.versions.map((x) => [x.version, x.status]), [[2, 'published'], [1, 'superseded']]);
  assertError(await admin.post(`/api/admin/catalog/items/${itemId}/publish`, undefined), 409, 'conflict');

  // the audit log holds every write of the item
  const audit = await admin.get('/api/audit', { query: { entity: 'catalog_item', entity_id: itemId } });
  assertStatus(audit, 200);
  const actions = audit.json.items.map((x) => x.action).sort();
  assert.deepEqual(actions, ['create', 'publish', 'publish', 'save_draft', 'save_draft']);
});

test('deactivating an item removes it from the public catalogue', async () => {
  const { code, itemId } = await createItem();
  await publish(itemId);
  const off = await admin.patch(`/api/admin/catalog/items/${itemId}`, { active: false });
  assertStatus(off, 200);
  assert.equal(off.json.active, false);
  assertError(await anon.get(`/api/catalog/items/${code}`), 404, 'not_found');
  assert.equal((await anon.get('/api/catalog/items', { query: { q: code } })).json.total, 0);
  const inactive = await admin.get('/api/admin/catalog/items', { query: { q: code, active: 0 } });
  assert.equal(inactive.json.total, 1);
  assertStatus(await admin.patch(`/api/admin/catalog/items/${itemId}`, { active: true }), 200);
  assertStatus(await anon.get(`/api/catalog/items/${code}`), 200);
  assertError(await admin.patch(`/api/admin/catalog/items/${itemId}`, { active: 'no' }), 400, 'invalid', 'active');
});

// ---------------------------------------------------------------- input

test('strict input: limits, dates of kinds, materials → 400 naming the field, nothing created', async () => {
  const before = (await admin.get('/api/admin/catalog/items', { query: { per_page: 1 } })).json.total;
  const post = (extra) => admin.post('/api/admin/catalog/items', { code: uniq('B'), unit_id: nodes.hallA.id, ...content(extra) });
  assertError(await post({ legal_limit: { value: -1, unit: 'workdays' } }), 400, 'invalid', 'legal_limit.value');
  assertError(await post({ legal_limit: { value: 99999, unit: 'workdays' } }), 400, 'invalid', 'legal_limit.value');
  assertError(await post({ legal_limit: { value: '20', unit: 'workdays' } }), 400, 'invalid', 'legal_limit.value');
  assertError(await post({ legal_limit: { value: 20, unit: 'weeks' } }), 400, 'invalid', 'legal_limit.unit');
  assertError(await post({ legal_limit: 20 }), 400, 'invalid', 'legal_limit');
  assertError(await post({ promised_limit: { value: 21, unit: 'workdays' } }), 400, 'invalid', 'promised_limit');
  assertError(await post({ promised_limit: { value: 30, unit: 'days' } }), 400, 'invalid', 'promised_limit');
  assertError(await post({ promised_limit: { value: 0, unit: 'workdays' } }), 400, 'invalid', 'promised_limit.value');
  assertError(await post({ promised_limit: { value: 5, unit: 'workdays', extra: 1 } }), 400, 'invalid', 'promised_limit.extra');
  assertError(await post({ kind: 'sometimes' }), 400, 'invalid', 'kind');
  assertError(await post({ ticket_prefix: 'ab' }), 400, 'invalid', 'ticket_prefix');
  assertError(await post({ fee: { free: true, amount_cents: 500 } }), 400, 'invalid', 'fee.amount_cents');
  assertError(await post({ fee: { free: false, amount_cents: -1 } }), 400, 'invalid', 'fee.amount_cents');
  const m = content().materials;
  assertError(await post({ materials: [m[0], m[1], { ...m[2], name: '' }] }), 400, 'invalid', 'materials[2].name');
  assertError(await post({ materials: [{ ...m[0], copies: '1' }] }), 400, 'invalid', 'materials[0].copies');
  assertError(await post({ materials: [{ ...m[0], form: 'photocopy' }] }), 400, 'invalid', 'materials[0].form');
  assertError(await post({ materials: [{ ...m[0], colour: 'red' }] }), 400, 'invalid', 'materials[0].colour');
  assertError(await post({ materials: [m[0], { ...m[1], sample_file_id: 987654 }] }), 400, 'invalid', 'materials[1].sample_file_id');
  assertError(await post({ steps: [{ description: 'no title' }] }), 400, 'invalid', 'steps[0].title');
  assertError(await post({ places: [nodes.dist.id] }), 400, 'invalid', 'places[0]');
  assertError(await post({ places: ['x'] }), 400, 'invalid', 'places[0]');
  assertError(await post({ name: 'x'.repeat(101) }), 400, 'invalid', 'name');
  assertError(await post({ colour: 'red' }), 400, 'invalid', 'colour');
  assertError(await admin.post('/api/admin/catalog/items', { ...content(), code: 'bad code', unit_id: nodes.hallA.id }), 400, 'invalid', 'code');
  assertError(await admin.post('/api/admin/catalog/items', { ...content(), code: uniq('C'), unit_id: nodes.winA.id }), 400, 'invalid', 'unit_id');
  const { code } = await createItem();
  assertError(await admin.post('/api/admin/catalog/items', { ...content(), code, unit_id: nodes.hallA.id }), 409, 'conflict', 'code');
  const after = (await admin.get('/api/admin/catalog/items', { query: { per_page: 1 } })).json.total;
  assert.equal(after, before + 1, 'only the one good item was created');
});

// ---------------------------------------------------------------- scope

test('scope: hall B admin cannot touch hall A items; staff cannot write', async () => {
  const { itemId, versionId } = await createItem();
  assertError(await adminB.put(`/api/admin/catalog/items/${itemId}/draft`, { json: content() }), 403, 'forbidden');
  assertError(await adminB.post(`/api/admin/catalog/items/${itemId}/publish`, undefined), 403, 'forbidden');
  assertError(await adminB.patch(`/api/admin/catalog/items/${itemId}`, { active: false }), 403, 'forbidden');
  assertError(await adminB.get(`/api/admin/catalog/items/${itemId}`), 403, 'forbidden');
  assertError(await adminB.get(`/api/admin/catalog/versions/${versionId}`), 403, 'forbidden');
  assertError(await leaderT.get(`/api/admin/catalog/items/${itemId}`), 403, 'forbidden');
  const codeB = uniq('HB');
  assertError(await adminB.post('/api/admin/catalog/items', { code: codeB, unit_id: nodes.hallA.id, ...content({ places: [nodes.winB.id] }) }), 403, 'forbidden', 'unit_id');
  assertError(await adminB.post('/api/admin/catalog/items', { code: codeB, unit_id: nodes.hallB.id, ...content({ places: [nodes.winA.id] }) }), 403, 'forbidden', 'places[0]');
  const ok = await adminB.post('/api/admin/catalog/items', { code: codeB, unit_id: nodes.hallB.id, ...content({ places: [nodes.winB.id] }) });
  assertStatus(ok, 201, 'hall B admin creates under hall B');
  // staff read but never write
  assertStatus(await staffA.get(`/api/admin/catalog/items/${itemId}`), 200);
  assertError(await staffA.post('/api/admin/catalog/items', { code: uniq('S'), unit_id: nodes.hallA.id, ...content() }), 403, 'forbidden');
  assertError(await staffA.put(`/api/admin/catalog/items/${itemId}/draft`, { json: content() }), 403, 'forbidden');
  // the lists hold each caller's subtree only
  const listB = await listAll(adminB, '/api/admin/catalog/items');
  assert.ok(listB.items.every((i) => i.unit_id === nodes.hallB.id), 'hall B admin sees hall B items only');
  assert.ok(listB.items.some((i) => i.code === codeB));
  assertError(await adminB.get('/api/admin/catalog/items', { query: { unit_id: nodes.hallA.id } }), 403, 'forbidden');
  assertError(await anon.get('/api/admin/catalog/items'), 401, 'unauthorized');
});

// ---------------------------------------------------------------- files

test('sample files: upload by content type, download inline with the name', async () => {
  const png = makePng({ w: 3, h: 2 });
  const up = await admin.req('POST', '/api/admin/catalog/files', {
    body: png, headers: { 'Content-Type': 'image/png' }, query: { name: '样表 1.png' },
  });
  assertStatus(up, 201, 'upload');
  assert.ok(Number.isInteger(up.json.id));
  assert.equal(up.json.url, `/api/catalog/files/${up.json.id}`);
  const down = await anon.get(up.json.url);
  assertStatus(down, 200);
  assert.equal(down.headers.get('content-type'), 'image/png');
  assert.equal(down.headers.get('content-disposition'), "inline; filename*=UTF-8''%E6%A0%B7%E8%A1%A8%201.png");
  assert.ok(down.buf.equals(png), 'the same bytes');

  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
  const upPdf = await admin.req('POST', '/api/admin/catalog/files', { body: pdf, headers: { 'Content-Type': 'application/pdf' } });
  assertStatus(upPdf, 201);
  const downPdf = await anon.get(upPdf.json.url);
  assert.equal(downPdf.headers.get('content-type'), 'application/pdf');
  assert.match(downPdf.headers.get('content-disposition'), /^inline; filename\*=UTF-8''sample\.pdf$/);

  assertError(await admin.req('POST', '/api/admin/catalog/files', { body: 'GIF89a not allowed', headers: { 'Content-Type': 'image/gif' } }), 415, 'unsupported');
  assertError(await admin.req('POST', '/api/admin/catalog/files', { body: png, headers: { 'Content-Type': 'image/png' }, query: { name: '../x.png' } }), 400, 'invalid', 'name');
  assertError(await staffA.req('POST', '/api/admin/catalog/files', { body: png, headers: { 'Content-Type': 'image/png' } }), 403, 'forbidden');
  assertError(await anon.get('/api/catalog/files/987654321'), 404, 'not_found');

  // a material points at the file
  const m = content().materials;
  const { itemId } = await createItem(admin, { materials: [{ ...m[0], sample_file_id: up.json.id }] });
  const item = await admin.get(`/api/admin/catalog/items/${itemId}`);
  assert.equal(item.json.draft.materials[0].sample_file_url, up.json.url);
});

// ---------------------------------------------------------------- import / export

test('export as CSV and XLSX', async () => {
  const csv = await admin.get('/api/admin/catalog/export', { query: { format: 'csv' } });
  assertStatus(csv, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  assert.match(csv.headers.get('content-disposition'), /attachment/);
  assert.ok(csv.buf.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'UTF-8 BOM');
  const text = csv.buf.subarray(3).toString('utf8');
  assert.ok(text.startsWith('事项编码(code),事项名称(name),实施主体(unit),'), text.slice(0, 80));
  assert.ok(text.includes('SCJG-GT-001,个体工商户设立登记,/dist/hall-d,承诺件,15,工作日,3,工作日'));
  const xlsx = await admin.get('/api/admin/catalog/export', { query: { format: 'xlsx' } });
  assertStatus(xlsx, 200);
  assert.equal(xlsx.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.equal(xlsx.buf.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX is a zip');
  assert.ok(xlsx.buf.length > 1000);
  // scoped: hall B admin exports hall B items only
  const b = await adminB.get('/api/admin/catalog/export', { query: { format: 'csv' } });
  assertStatus(b, 200);
  assert.ok(b.text.includes('WJ-SY-001') && !b.text.includes('SCJG-GT-001'));
  const unit = await admin.get('/api/admin/catalog/export', { query: { format: 'csv', unit_id: nodes.hallB.id } });
  assert.ok(unit.text.includes('CL-CJRZ-001') && !unit.text.includes('BDC-SC-001'));
  assertError(await admin.get('/api/admin/catalog/export', { query: { format: 'pdf' } }), 400, 'invalid', 'format');
  assertError(await adminB.get('/api/admin/catalog/export', { query: { unit_id: nodes.hallA.id } }), 403, 'forbidden');
});

const HEADER = '事项编码(code),事项名称(name),实施主体(unit),办件类型(kind),法定时限(legal_limit),法定时限单位(legal_unit),'
  + '承诺时限(promised_limit),承诺时限单位(promised_unit),申请材料(materials),办理流程(steps),办理地点(places),发布(publish)\r\n';

function importCsv(client, csv, query = {}) {
  return client.req('POST', '/api/admin/catalog/import', {
    body: Buffer.from(csv, 'utf8'), headers: { 'Content-Type': 'text/csv; charset=utf-8' }, query,
  });
}

test('import: one bad row → 400 naming row and field, nothing imported; skip → the good rows', async () => {
  const good = uniq('IMP').replace(/[^A-Za-z0-9._-]/g, '');
  const bad = `${good}-BAD`;
  const csv = HEADER
    + `${good},导入事项,/dist/hall-d,承诺件,20,工作日,5,工作日,"身份证|原件|1|公安机关|是|\n申请表|原件|2|窗口|是|签字","申请|提交\n受理",/dist/hall-d/w01,是\r\n`
    + `${bad},坏事项,/dist/hall-d,承诺件,20,工作日,25,工作日,"身份证|原件|1|公安机关|是|",,/dist/hall-d,否\r\n`;
  const r = await importCsv(admin, csv);
  assertError(r, 400, 'invalid');
  assert.deepEqual(r.json.errors, [{ row: 3, field: 'promised_limit', message: r.json.errors[0].message }]);
  assert.match(r.json.errors[0].message, /exceeds the legal limit/);
  assert.equal((await admin.get('/api/admin/catalog/items', { query: { q: good } })).json.total, 0, 'nothing imported');

  const s = await importCsv(admin, csv, { skip_errors: 1 });
  assertStatus(s, 200, 'import with skip');
  assert.equal(s.json.imported, 1);
  assert.equal(s.json.created, 1);
  assert.equal(s.json.published, 1);
  assert.equal(s.json.skipped.length, 1);
  assert.equal(s.json.skipped[0].row, 3);
  const pub = await anon.get(`/api/catalog/items/${good}`);
  assertStatus(pub, 200, 'published by its 发布 column');
  assert.deepEqual(pub.json.materials.map((m) => [m.name, m.copies, m.notes]), [['身份证', 1, ''], ['申请表', 2, '签字']]);
  assert.deepEqual(pub.json.steps, [{ title: '申请', description: '提交' }, { title: '受理', description: '' }]);
  assertError(await anon.get(`/api/catalog/items/${bad}`), 404, 'not_found');

  // malformed quoting names the row and column
  const q = await importCsv(admin, `${HEADER}X1,a"b,/dist/hall-d,即办件,0,工作日,0,工作日,,,否\r\n`, { skip_errors: 1 });
  assertError(q, 400, 'invalid');
  assert.equal(q.json.errors[0].row, 2);
  assert.equal(q.json.errors[0].field, 'column 2');
  // unknown column
  const h = await importCsv(admin, 'code,name,colour\r\n');
  assertError(h, 400, 'invalid');
  assert.ok(h.json.errors.some((x) => x.row === 1 && x.field === 'header'));
  assertError(await admin.req('POST', '/api/admin/catalog/import', { body: 'x', headers: { 'Content-Type': 'application/json' } }), 415, 'unsupported');
  assertError(await staffA.req('POST', '/api/admin/catalog/import', { body: HEADER, headers: { 'Content-Type': 'text/csv' } }), 403, 'forbidden');
  assertError(await admin.req('POST', '/api/admin/catalog/import', { body: HEADER, headers: { 'Content-Type': 'text/csv' }, query: { skip_errors: 2 } }), 400, 'invalid', 'skip_errors');
});

test('export then import changes nothing; an edited row becomes the next version', async () => {
  const { code, itemId } = await createItem(adminB, { places: [nodes.winB.id] }, nodes.hallB.id);
  await publish(itemId, adminB);
  const exp = await adminB.get('/api/admin/catalog/export', { query: { format: 'csv' } });
  assertStatus(exp, 200);
  const text = exp.buf.toString('utf8');
  assert.ok(text.includes(`${code},测试事项,/dist/town/hall-t,`), 'the new item is exported');
  const r = await importCsv(adminB, text);
  assertStatus(r, 200, 'round trip');
  assert.equal(r.json.created + r.json.updated + r.json.published, 0, JSON.stringify(r.json));
  assert.ok(r.json.unchanged >= 3, JSON.stringify(r.json));
  // edit one cell: the row was exported from a published version (发布 是), so
  // the changed content becomes version 2 and is published
  const edited = text.replace(`${code},测试事项,`, `${code},测试事项（导入修订）,`);
  const e = await importCsv(adminB, edited);
  assertStatus(e, 200);
  assert.equal(e.json.updated, 1, JSON.stringify(e.json));
  assert.equal(e.json.published, 1);
  const pub = await anon.get(`/api/catalog/items/${code}`);
  assert.equal(pub.json.name, '测试事项（导入修订）');
  assert.equal(pub.json.version, 2);
  // hall B admin cannot import into hall A's items
  const a = await admin.get('/api/admin/catalog/export', { query: { format: 'csv', unit_id: nodes.hallA.id } });
  const f = await importCsv(adminB, a.buf.toString('utf8'));
  assertError(f, 400, 'invalid');
  assert.ok(f.json.errors.some((x) => x.field === 'unit' && /scope/.test(x.message)), JSON.stringify(f.json.errors[0]));
});

// ---------------------------------------------------------------- command line

test('command line: catalog export and import', (t) => {
  const bin = process.env.CK_BIN;
  if (!bin) return t.skip('CK_BIN not set');
  const dir = mkdtempSync(join(tmpdir(), 'ck-catalog-'));
  try {
    const out = join(dir, 'c.xlsx');
    execFileSync(resolve(bin), ['catalog', 'export', '--db', DB, '--format', 'xlsx', '--out', out], { stdio: 'pipe' });
    assert.equal(readFileSync(out).subarray(0, 2).toString('latin1'), 'PK');
    const csvOut = join(dir, 'c.csv');
    execFileSync(resolve(bin), ['catalog', 'export', '--db', DB, '--format', 'csv', '--out', csvOut, '--unit', '/dist/town/hall-t'], { stdio: 'pipe' });
    assert.ok(readFileSync(csvOut, 'utf8').includes('CL-CJRZ-001'));

    const code = uniq('CLI').replace(/[^A-Za-z0-9._-]/g, '');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, `${HEADER}${code},命令行事项,/dist/hall-d,承诺件,20,工作日,5,工作日,"|原件|1||是|",,,否\r\n`);
    const r = spawnSync(resolve(bin), ['catalog', 'import', '--db', DB, bad], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /row 2, materials\[0\]\.name/);
    const good = join(dir, 'good.csv');
    writeFileSync(good, `${HEADER}${code},命令行事项,/dist/hall-d,承诺件,20,工作日,5,工作日,"身份证|原件|1||是|",,,否\r\n`);
    const ok = spawnSync(resolve(bin), ['catalog', 'import', '--db', DB, '--publish', good], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /1 created/);
    assert.match(ok.stdout, /1 published/);
    const help = spawnSync(resolve(bin), ['catalog', 'import', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--skip-errors/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('public halls and the hall of every place', async () => {
  const anonymous = new Client('anon');
  const halls = await anonymous.get('/api/catalog/halls');
  assertStatus(halls, 200);
  const hallD = halls.json.items.find((h) => h.name === '区政务服务中心');
  assert.ok(hallD, 'the district hall serves published demo items');
  assert.ok(hallD.items > 0);
  assert.equal(typeof hallD.address, 'string');
  const list = await anonymous.get('/api/catalog/items', { query: { hall_id: hallD.id } });
  assertStatus(list, 200);
  assert.ok(list.json.items.length > 0);
  const item = await anonymous.get(`/api/catalog/items/${encodeURIComponent(list.json.items[0].code)}`);
  assertStatus(item, 200);
  for (const p of item.json.places) {
    assert.ok(p.hall_id > 0, 'every place names its hall');
    assert.equal(typeof p.hall_name, 'string');
    if (p.kind === 'hall') assert.equal(p.hall_id, p.node_id);
  }
  assert.ok(item.json.places.some((p) => p.hall_id === hallD.id));
});
