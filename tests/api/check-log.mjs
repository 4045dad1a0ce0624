// Check the server's stderr after an API test pass:
//   node tests/api/check-log.mjs SERVER_STDERR SECRETS_FILE
// 1. there are logfmt access-log lines with request_id, method, path and status;
// 2. none of the passwords or session/device tokens the tests used appears in it.
// Prints one line per problem and exits 1 if there is any.
import { readFileSync, existsSync } from 'node:fs';

const [logFile, secretsFile] = process.argv.slice(2);
const log = readFileSync(logFile, 'utf8');
const secrets = existsSync(secretsFile)
  ? [...new Set(readFileSync(secretsFile, 'utf8').split('\n').map((s) => s.trim()).filter((s) => s.length >= 6))]
  : [];
const problems = [];

const lines = log.split('\n');
const kv = (line) => {
  const out = {};
  for (const m of line.matchAll(/([A-Za-z_][A-Za-z0-9_.]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[m[1]] = m[2].startsWith('"') ? m[2].slice(1, -1) : m[2];
  }
  return out;
};
const access = lines.map(kv).filter((f) => 'request_id' in f && 'method' in f && 'path' in f && 'status' in f);
if (access.length === 0) {
  problems.push('no access-log lines with request_id=, method=, path=, status= on stderr');
} else {
  if (!access.some((f) => f.method === 'GET' && f.path === '/healthz' && f.status === '200')) {
    problems.push('no access-log line for GET /healthz 200');
  }
  if (!access.some((f) => f.method === 'POST' && f.path === '/api/auth/login')) {
    problems.push('no access-log line for POST /api/auth/login');
  }
  const badStatus = access.filter((f) => !/^\d{3}$/.test(f.status));
  if (badStatus.length) problems.push(`access-log lines with a non-numeric status, e.g. ${JSON.stringify(badStatus[0])}`);
  const noId = access.filter((f) => !f.request_id);
  if (noId.length) problems.push(`${noId.length} access-log lines with an empty request_id`);
}

let leaked = 0;
for (const s of secrets) {
  const idx = log.indexOf(s);
  if (idx >= 0) {
    leaked++;
    const lineNo = log.slice(0, idx).split('\n').length;
    const masked = `${s.slice(0, 3)}…(${s.length} chars)`;
    problems.push(`secret ${masked} appears in the server log at line ${lineNo}`);
  }
}

for (const p of problems) console.log(`  log: ${p}`);
console.log(`  log: ${access.length} access-log lines, ${secrets.length} secrets checked, ${leaked} leaked`);
process.exit(problems.length ? 1 : 0);
