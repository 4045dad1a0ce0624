// Static files: types, caching headers, revalidation, and no way out of the web root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

const BASE = process.env.CK_BASE;

// fetch() normalises "..", so traversal attempts go over a raw socket
function rawGet(path) {
  const { hostname, port } = new URL(BASE);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname, () => {
      sock.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    sock.setEncoding('latin1');
    sock.on('data', (d) => (data += d));
    sock.on('end', () => resolve({ status: Number(data.split(' ')[1]), text: data }));
    sock.on('error', reject);
  });
}

test('the index page is served as UTF-8 HTML that revalidates', async () => {
  const res = await fetch(`${BASE}/`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.ok(res.headers.get('x-request-id'));
  const body = await res.text();
  assert.match(body, /lang="zh-CN"/);
  const etag = res.headers.get('etag');
  assert.ok(etag, 'an ETag to revalidate with');
  const again = await fetch(`${BASE}/index.html`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
});

test('hashed assets are cached for a year with the right types', async () => {
  const js = await fetch(`${BASE}/assets/app-1a2b3c.js`);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const css = await fetch(`${BASE}/assets/app-1a2b3c.css`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  const head = await fetch(`${BASE}/assets/app-1a2b3c.js`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal((await head.text()).length, 0);
});

test('missing files are 404 JSON', async () => {
  const res = await fetch(`${BASE}/assets/nope.js`);
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.error.code, 'not_found');
});

test('no path leaves the web root', async () => {
  for (const p of [
    '/../outside-secret.txt',
    '/assets/../../outside-secret.txt',
    '/%2e%2e/outside-secret.txt',
    '/assets/%2e%2e/%2e%2e/outside-secret.txt',
    '/..%2foutside-secret.txt',
    '/assets/..%5c..%5coutside-secret.txt',
    '//etc/passwd',
    '/%00index.html',
  ]) {
    const res = await rawGet(p);
    assert.ok(res.status === 404 || res.status === 400, `${p} answered ${res.status}`);
    assert.ok(!res.text.includes('secret'), `${p} leaked the file outside the root`);
    assert.ok(!res.text.includes('root:'), `${p} leaked /etc/passwd`);
  }
});

test('writes to static paths are refused', async () => {
  const res = await fetch(`${BASE}/index.html`, { method: 'POST', body: 'x' });
  assert.equal(res.status, 404);
});
