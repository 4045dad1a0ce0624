// The simulator (`chuangkou simulate`, src/sim): it drives a demo hall over the
// public HTTP API; afterwards the hall's figures for today show tickets issued
// and served, the windows are closed again, and it made one staff account per
// window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { ACCOUNTS, BASE, loginAs, assertStatus, demoNodes, listAll } from './helpers.mjs';

const run = promisify(execFile);

async function simulate(hallId) {
  const args = ['simulate', '--url', BASE, '--hall', String(hallId), '--rate', '60', '--minutes', '1',
    '--speed', '30', '--login', 't_admin', '--seed', '7'];
  return run(resolve(process.env.CK_BIN), args, {
    env: { ...process.env, CHUANGKOU_SIM_PASSWORD: ACCOUNTS.t_admin },
    timeout: 14000,
  });
}

async function hallFigures(admin, hallId) {
  const r = await admin.get(`/api/halls/${hallId}/stats`, { query: { by: 'hall' } });
  assertStatus(r, 200, 'stats');
  return r.json.rows[0] || { issued: 0, served: 0 };
}

test('simulate issues and serves tickets in a live hall', async (t) => {
  if (!process.env.CK_BIN) return t.skip('CK_BIN not set');
  const admin = await loginAs('t_admin');
  const { hallA } = await demoNodes(admin);
  const before = await hallFigures(admin, hallA.id);

  const { stdout } = await simulate(hallA.id);
  assert.match(stdout, /issued \d+\s+served \d+/, 'a progress line');
  assert.doesNotMatch(stdout, new RegExp(ACCOUNTS.t_admin.replace(/[!]/g, '\\!')), 'no password printed');
  const after = await hallFigures(admin, hallA.id);
  assert.ok(after.issued >= before.issued + 20, `issued ${before.issued} → ${after.issued}`);
  assert.ok(after.served > before.served, `served ${before.served} → ${after.served}`);

  // every window is closed again, and the simulation staff are one per window
  const status = await admin.get(`/api/halls/${hallA.id}/windows/status`);
  assertStatus(status, 200, 'windows');
  for (const w of status.json.items) assert.equal(w.status, 'closed', `${w.code} closed`);
  const sims = async () => (await listAll(admin, '/api/staff', { q: `sim-h${hallA.id}-` })).items.length;
  assert.equal(await sims(), status.json.items.length, 'one simulation account per window');
});
