#!/usr/bin/env bash
# Black-box API tests: run the node:test suite in tests/api against a started
# server, once on SQLite and once on PostgreSQL.
#
#   tests/api/run.sh BINARY [sqlite] [pg]     (default: both passes)
#
# BINARY is normally the ASan/UBSan debug build build/debug/chuangkou.
# Each pass: fresh database, migrate, demo, the test accounts, `serve` on a free
# loopback port, the suite, then (server stopped) sanitizer/log checks and the
# audit-chain `verify` checks. Ends with "N passed, N failed" over both passes.
# Set CK_API_KEEP=1 to keep the temporary directories.
# Set CK_API_FILES="tests/api/queue.test.mjs ..." to run only those files.
set -uo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 BINARY [sqlite] [pg]" >&2
    exit 2
fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$(realpath "$1")
shift
PASSES=("$@")
[[ ${#PASSES[@]} -eq 0 ]] && PASSES=(sqlite pg)
if [[ ! -x $BIN ]]; then
    echo "api: $BIN is not an executable" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
cd "$ROOT" || exit 2

# Keep in sync with ACCOUNTS in tests/api/helpers.mjs.
declare -A PW=(
    [t_admin]='Adm1n-pass!'
    [t_staff_a]='Staff-A-pass1!'
    [t_leader_t]='Leader-T-pass1!'
    [t_admin_b]='Adm1n-B-pass!'
)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:print_summary=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

TOTAL_PASS=0
TOTAL_FAIL=0
SPID=""
PG_DIR=""
T=""

stop_server() {
    [[ -n $SPID ]] || return 0
    if kill -0 "$SPID" 2>/dev/null; then
        kill -TERM "$SPID" 2>/dev/null
        for _ in $(seq 1 150); do
            kill -0 "$SPID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SPID" 2>/dev/null; then
            echo "api: server $SPID did not stop on SIGTERM in 15 s; killing it" >&2
            kill -KILL "$SPID" 2>/dev/null
        fi
    fi
    wait "$SPID" 2>/dev/null
    SERVER_RC=$?
    SPID=""
}

stop_pg() {
    [[ -n $PG_DIR ]] || return 0
    bash "$ROOT/scripts/pg.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
    PG_DIR=""
}

cleanup() {
    stop_server
    stop_pg
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# check NAME COMMAND... – one shell-level test, counted with the suite's tests.
PASS_P=0
PASS_F=0
ok() { echo "  ok   - $1"; PASS_P=$((PASS_P + 1)); }
bad() { echo "  FAIL - $1"; PASS_F=$((PASS_F + 1)); }

free_port() {
    node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# cli LOGNAME COMMAND... – run a CLI step, stderr kept for the sanitizer check.
cli() {
    local name=$1
    shift
    "$@" >"$T/$name.out" 2>"$T/$name.err"
}

sql() { # run one SQL statement against the pass's database, print the result
    if [[ $BACKEND == sqlite ]]; then
        sqlite3 -batch "${URL#sqlite:}" "$1"
    else
        psql -X -q -A -t -v ON_ERROR_STOP=1 "$URL" -c "$1"
    fi
}

run_pass() {
    run_pass_inner "$1"
    stop_server
    stop_pg
    echo "== $1: $PASS_P passed, $PASS_F failed"
}

run_pass_inner() {
    BACKEND=$1
    PASS_P=0
    PASS_F=0
    SERVER_RC=""
    T=$(mktemp -d "/tmp/ck-api-$BACKEND.XXXXXX")
    chmod 755 "$T" # the PostgreSQL cluster below runs as the postgres user
    echo "== API tests on $BACKEND (temp dir $T)"
    : >"$T/secrets.txt"
    for p in "${PW[@]}"; do echo "$p" >>"$T/secrets.txt"; done

    if [[ $BACKEND == sqlite ]]; then
        URL="sqlite:$T/api.db"
    else
        if [[ ! -f $ROOT/scripts/pg.sh ]]; then
            bad "setup: scripts/pg.sh is missing"
            return
        fi
        PG_DIR="$T/pg"
        if ! URL=$(bash "$ROOT/scripts/pg.sh" start "$PG_DIR" 2>"$T/pg.err" | tail -n 1) || [[ -z $URL ]]; then
            bad "setup: scripts/pg.sh start failed: $(tail -n 5 "$T/pg.err")"
            return
        fi
        echo "  postgres: $URL"
    fi

    # the data key that protects citizens' numbers, kept with this pass
    export CHUANGKOU_KEY_FILE="$T/data.key"
    # phone and ID numbers the case and inquiry suites send: never in a log
    printf '%s\n' 13800138000 13912345678 010-62345678 11010519491231002X >>"$T/secrets.txt"
    if [[ $BACKEND == sqlite ]]; then
        # a fresh machine: the database's directory does not exist yet, and the
        # data key is created beside the database
        if env -u CHUANGKOU_KEY_FILE "$BIN" migrate --db "sqlite:$T/fresh/new.db" \
            >"$T/fresh.out" 2>"$T/fresh.err" &&
            [[ $(stat -c %a "$T/fresh/new.db.key" 2>/dev/null) == 600 ]]; then
            ok "migrate into a new directory creates the database and its data key (0600)"
        else
            bad "migrate into a new directory: $(tail -n 3 "$T/fresh.err")"
        fi
    fi
    if ! cli migrate "$BIN" migrate --db "$URL"; then
        bad "setup: migrate failed: $(tail -n 5 "$T/migrate.err")"
        return
    fi
    if ! cli demo "$BIN" demo --db "$URL"; then
        bad "setup: demo failed: $(tail -n 5 "$T/demo.err")"
        return
    fi
    # the demo admin password ("password: …") is a secret too
    sed -nE 's/^[[:space:]]*password:[[:space:]]*([^[:space:]]+).*/\1/p' "$T/demo.out" >>"$T/secrets.txt"
    local spec login role org
    for spec in "t_admin admin /dist" "t_staff_a staff /dist/hall-d" "t_leader_t leader /dist/town" "t_admin_b admin /dist/town/hall-t"; do
        read -r login role org <<<"$spec"
        local name
        case $login in
        t_admin) name='测试管理员' ;;
        t_staff_a) name='测试窗口人员' ;;
        t_leader_t) name='测试镇领导' ;;
        t_admin_b) name='测试便民中心管理员' ;;
        esac
        if ! printf '%s\n' "${PW[$login]}" |
            "$BIN" user add --db "$URL" --login "$login" --name "$name" --role "$role" --org "$org" \
                >"$T/user-$login.out" 2>"$T/user-$login.err"; then
            bad "setup: user add $login failed: $(tail -n 5 "$T/user-$login.err")"
            return
        fi
    done

    # a small web root of our own, so the static-file tests do not depend on
    # the web build, plus a secret beside it that must never be served
    mkdir -p "$T/web/assets"
    printf '<!doctype html><html lang="zh-CN"><title>窗口</title></html>\n' >"$T/web/index.html"
    printf 'console.log("app")\n' >"$T/web/assets/app-1a2b3c.js"
    printf 'body{}\n' >"$T/web/assets/app-1a2b3c.css"
    printf 'secret\n' >"$T/outside-secret.txt"
    PORT=$(free_port)
    CHUANGKOU_BUSY_TIMEOUT_MS=1000 CHUANGKOU_SSE_HEARTBEAT_S=2 CHUANGKOU_CASE_SWEEP_MS=300 "$BIN" serve --listen "127.0.0.1:$PORT" --db "$URL" \
        --web "$T/web" >"$T/server.out" 2>"$T/server.err" &
    SPID=$!
    local up=0
    for _ in $(seq 1 300); do
        if ! kill -0 "$SPID" 2>/dev/null; then break; fi
        if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then
            up=1
            break
        fi
        sleep 0.1
    done
    if [[ $up != 1 ]]; then
        bad "setup: server did not answer /healthz within 30 s: $(tail -n 10 "$T/server.err")"
        stop_server
        return
    fi
    ok "server up on 127.0.0.1:$PORT"

    # ---- the node:test suite
    CK_BASE="http://127.0.0.1:$PORT" CK_DB="$URL" CK_BACKEND="$BACKEND" CK_SECRETS_FILE="$T/secrets.txt" CK_BIN="$BIN" \
        node --test --test-concurrency=1 --test-timeout=180000 \
        --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$T/tap.txt" \
        ${CK_API_FILES:-tests/api/}
    local node_rc=$?
    local np nf nc
    np=$(awk '/^# pass /{print $3}' "$T/tap.txt" | tail -n 1)
    nf=$(awk '/^# fail /{print $3}' "$T/tap.txt" | tail -n 1)
    nc=$(awk '/^# cancelled /{print $3}' "$T/tap.txt" | tail -n 1)
    np=${np:-0}
    nf=$(( ${nf:-0} + ${nc:-0} ))
    if [[ $node_rc != 0 && $nf == 0 ]]; then nf=1; fi # the runner itself failed
    PASS_P=$((PASS_P + np))
    PASS_F=$((PASS_F + nf))

    # ---- the server must have survived the suite, then stop it
    if kill -0 "$SPID" 2>/dev/null; then
        ok "server still running after the suite"
    else
        bad "server died during the suite"
    fi
    stop_server
    if [[ $SERVER_RC == 0 ]]; then
        ok "server exits 0 on SIGTERM"
    else
        bad "server exit status after SIGTERM: $SERVER_RC"
    fi

    # ---- sanitizers (server and CLI steps)
    local san
    san=$(grep -lE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' "$T"/*.err 2>/dev/null)
    if [[ -z $san ]]; then
        ok "no AddressSanitizer/LeakSanitizer/UBSan reports"
    else
        bad "sanitizer report(s) in: $san"
        grep -hE -A 12 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' $san | head -n 60 | sed 's/^/    /'
    fi

    # ---- access log and secrets
    if node tests/api/check-log.mjs "$T/server.err" "$T/secrets.txt"; then
        ok "access log is logfmt and holds no passwords or tokens"
    else
        bad "access log check"
    fi

    # ---- audit chain: verify passes, then fails after tampering
    local vrc
    "$BIN" verify --db "$URL" >"$T/verify.out" 2>"$T/verify.err"
    vrc=$?
    if [[ $vrc == 0 && -s $T/verify.out ]]; then
        ok "verify exits 0 and reports: $(head -c 200 "$T/verify.out" | tr '\n' ' ')"
    else
        bad "verify on an intact database: exit $vrc, stdout '$(head -c 200 "$T/verify.out")', stderr '$(head -c 300 "$T/verify.err")'"
    fi
    local minid
    minid=$(sql "SELECT min(id) FROM audit_log" 2>"$T/sql.err" | tr -d '[:space:]')
    if [[ ! $minid =~ ^[0-9]+$ ]]; then
        bad "tamper: no audit_log rows to tamper with ($(cat "$T/sql.err"))"
    elif ! sql "UPDATE audit_log SET action='x' WHERE id=$minid" >/dev/null 2>"$T/sql.err"; then
        bad "tamper: UPDATE failed: $(cat "$T/sql.err")"
    else
        "$BIN" verify --db "$URL" >"$T/verify2.out" 2>"$T/verify2.err"
        vrc=$?
        local vout
        vout=$(cat "$T/verify2.out" "$T/verify2.err")
        if [[ $vrc == 0 ]]; then
            bad "verify after tampering with audit record $minid exits 0: $(head -c 300 <<<"$vout")"
        elif ! grep -qE "(^|[^0-9])$minid([^0-9]|$)" <<<"$vout"; then
            bad "verify after tampering exits $vrc but does not name record $minid: $(head -c 300 <<<"$vout")"
        else
            ok "verify after tampering exits $vrc and names record $minid"
        fi
        # the CLI must not have tripped a sanitizer either
        if grep -qE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' "$T/verify.err" "$T/verify2.err"; then
            bad "sanitizer report from verify"
        fi
    fi

}

FAILED_PASSES=0
for b in "${PASSES[@]}"; do
    case $b in
    sqlite | pg) ;;
    *)
        echo "api: unknown pass '$b' (sqlite|pg)" >&2
        exit 2
        ;;
    esac
    run_pass "$b"
    TOTAL_PASS=$((TOTAL_PASS + PASS_P))
    TOTAL_FAIL=$((TOTAL_FAIL + PASS_F))
    [[ $PASS_F -gt 0 ]] && FAILED_PASSES=$((FAILED_PASSES + 1))
    if [[ -n ${CK_API_KEEP:-} || $PASS_F -gt 0 ]]; then
        echo "   (kept $T)"
    else
        rm -rf "$T"
    fi
done

echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[[ $FAILED_PASSES == 0 && $TOTAL_FAIL == 0 ]]
