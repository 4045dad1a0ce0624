#!/usr/bin/env bash
# Browser tests: start a server on a fresh demo database and drive Debian's Chromium
# with playwright-core (node:test). Usage: tests/e2e/run.sh [BINARY] (default
# build/chuangkou). Exit code is the tests' result. Screenshots of failures go to
# tests/e2e/out/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

BIN=${1:-build/chuangkou}
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
if [ ! -x "$BIN" ]; then
    echo "e2e: server binary $BIN not found or not executable (build it first)" >&2
    exit 2
fi

log() { echo "e2e: $*" >&2; }

# Debian's Chromium (never a downloaded browser build).
if [ ! -x /usr/bin/chromium ]; then
    log "installing chromium with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# CJK fonts only make failure screenshots readable; not needed for the tests to pass.
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh family 2>/dev/null | head -n1)" ]; then
    log "installing fonts-noto-cjk for readable screenshots (best effort)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 || log "no CJK fonts; continuing"
fi

# playwright-core (no browser download: it only drives /usr/bin/chromium).
if [ ! -d tests/e2e/node_modules/playwright-core ]; then
    log "installing tests/e2e dependencies"
    (cd tests/e2e && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; })
fi

# The web app: build web/dist when missing or older than its sources.
if [ ! -f web/dist/index.html ] ||
    [ -n "$(find web/src web/index.html web/vite.config.js web/package.json -newer web/dist/index.html -print -quit 2>/dev/null)" ]; then
    log "building web/dist"
    if [ ! -d web/node_modules ]; then
        (cd web && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; })
    fi
    (cd web && npx vite build --logLevel warn)
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ck-e2e.XXXXXX")
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DB="sqlite:$TMP/e2e.db"
"$BIN" migrate --db "$DB"
"$BIN" demo --db "$DB"
printf 'e2e-Passw0rd!\n' | "$BIN" user add --db "$DB" --login e2eadmin --name E2E --role admin --org /dist

# A free loopback port (the kernel picks one; a tiny race with other starters is fine).
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
URL="http://127.0.0.1:$PORT"

"$BIN" serve --listen "127.0.0.1:$PORT" --db "$DB" --web web/dist >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

ready=
for _ in $(seq 1 150); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        log "server exited before it was ready:"
        cat "$TMP/server.log" >&2
        exit 1
    fi
    if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$URL/healthz" 2>/dev/null; then
        ready=1
        break
    fi
    sleep 0.2
done
if [ -z "$ready" ]; then
    log "server did not answer $URL/healthz within 30 s:"
    cat "$TMP/server.log" >&2
    exit 1
fi
log "server ready at $URL (pid $SERVER_PID)"

rc=0
# CK_E2E_FILES="tests/e2e/x.test.mjs ..." runs only those files
CK_E2E_URL="$URL" CK_E2E_DB="$DB" node --test ${CK_E2E_FILES:-tests/e2e/*.test.mjs} || rc=$?
if [ "$rc" -ne 0 ]; then
    log "tests failed (exit $rc); server log tail:"
    tail -n 50 "$TMP/server.log" >&2 || true
fi
exit "$rc"
