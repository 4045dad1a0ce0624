#!/usr/bin/env bash
# Chuangkou benchmark (`make bench`). Loopback only; takes about a minute by default.
#
# Measures our release binary (build/chuangkou) against a local nginx serving a static
# JSON file of about the same size as a windows-list answer, and writes
# bench/out/summary.tsv (tab-separated):
#
#   case  ops_per_s  p50_ms  p99_ms  ref_case  ref_ops_per_s  ratio
#
# Cases: nginx_static, healthz, org_read, catalog_read, ticket_lifecycle, case_register,
# sqlite_batch_insert, evaluation_submit, board_read, sse_fanout, due_date, overdue_scan,
# ranking_month, period_close, rescore_event (see bench/README.md); ratio = ops_per_s / ref_ops_per_s with 2 decimals.
#
# NOTE on the idle_rss_mb row: it is a memory reading, not a throughput case. Its value
# (VmRSS of the server in MB, read from /proc/PID/status ~2 s after start-up and login,
# before any load) is put in the p50_ms column; every other column of that row is empty.
# The same goes for sse_1000_rss_mb (VmRSS with the sse_fanout streams open), and
# sse_fanout itself leaves ops_per_s empty (its rate is set by the calls' spacing).
#
# Environment (all optional):
#   BENCH_SECONDS   measured duration per case, s (default 10; a 2 s warm-up precedes it)
#   BENCH_WARMUP    warm-up duration, s (default 2; 0 = none)
#   BENCH_THREADS, BENCH_CONNS   wrk -t / -c (default 2 / 32)
#   BENCH_CASES     cases to run, in order (default "nginx_static healthz org_read
#                   catalog_read ticket_lifecycle case_register sqlite_batch_insert
#                   evaluation_submit board_read sse_fanout due_date overdue_scan
#                   ranking_month period_close rescore_event idle_rss_mb")
#   BENCH_LC_CLIENTS   ticket_lifecycle: concurrent clients = staff = windows (default 64)
#   BENCH_LC_PER_SERIES   ticket_lifecycle: windows serving each series (default 4)
#   BENCH_CR_CLIENTS   case_register: concurrent clients = staff (default 64)
#   BENCH_CR_ITEM   case_register: the promised item registered (default GJJ-TQ-001)
#   BENCH_SCAN_ROWS, BENCH_SCAN_RUNS   overdue_scan: open cases (1000000) and timed
#                   scans (20)
#   BENCH_ES_CLIENTS, BENCH_ES_TOKENS   evaluation_submit: concurrent clients (256) and
#                   evaluable services seeded before the server starts (300000)
#   BENCH_INS_ROWS, BENCH_INS_BATCH, BENCH_INS_PREFILL   sqlite_batch_insert: rows timed
#                   (200000), rows per transaction (1000), rows loaded first (1000000)
#   BENCH_RANK_ROWS, BENCH_RANK_WINDOWS   ranking_month: evaluations (10000000) and
#                   windows (5000) of its dataset, built once and cached
#   BENCH_RANK_RUNS, BENCH_RANK_REF_RUNS   ranking_month: timed rankings (50) and timed
#                   rankings from the raw evaluations (5)
#   BENCH_RANK_CACHE, BENCH_RANK_BUILD_MAX_S   ranking_month: where the dataset is kept
#                   (bench/out) and the longest a build may take (1800 s)
#   BENCH_SCORE_WINDOWS, BENCH_SCORE_STAFF, BENCH_SCORE_EVALS, BENCH_SCORE_CASES,
#   BENCH_SCORE_MANUAL   period_close, rescore_event: the scoring dataset (10000 windows,
#                   50000 staff, 10000000 evaluations, 1000000 cases, 5000 manual events),
#                   built once and cached in BENCH_SCORE_CACHE (bench/out), a build taking
#                   at most BENCH_SCORE_BUILD_MAX_S (3600 s)
#   BENCH_SCORE_CLOSE_RUNS, BENCH_SCORE_EVENTS, BENCH_SCORE_TIMEOUT_MS   closes timed (5),
#                   manual deductions and evaluations timed (50 each), the longest wait
#                   for a live score (5000 ms)
#   BENCH_SCORE_LIVE_MAX_S   the longest wait for a month's live results to be complete
#                   (900 s; new cards are scored in the background)
#   BENCH_SSE_SUBS, BENCH_SSE_CALLS, BENCH_SSE_INTERVAL_MS   sse_fanout: streams (1000),
#                   calls (50) and the time between calls (100 ms)
#   BENCH_BIN       server binary (default build/chuangkou)
#   BENCH_KEEP_TMP=1   keep the temp dir (database, configs, logs)
#
# nginx runs as our own master (worker_processes auto = one worker per core) from a
# generated config in a temp dir; the system nginx service is neither used nor touched.
# Both servers are stopped by PID on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH_OUT=$ROOT/bench/out
BENCH_SUMMARY=$BENCH_OUT/summary.tsv
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

BIN=${BENCH_BIN:-$ROOT/build/chuangkou}
BENCH_CASES=${BENCH_CASES:-nginx_static healthz org_read catalog_read ticket_lifecycle \
case_register sqlite_batch_insert evaluation_submit board_read sse_fanout due_date overdue_scan \
ranking_month period_close rescore_event idle_rss_mb}
# queue cases: lifecycle clients (one staff member and one window each), SSE streams
BENCH_LC_CLIENTS=${BENCH_LC_CLIENTS:-64}
BENCH_LC_PER_SERIES=${BENCH_LC_PER_SERIES:-4}
BENCH_SSE_SUBS=${BENCH_SSE_SUBS:-1000}
BENCH_SSE_CALLS=${BENCH_SSE_CALLS:-50}
BENCH_SSE_INTERVAL_MS=${BENCH_SSE_INTERVAL_MS:-100}
# case cases: registering clients (one staff member each), the item, the scan's size
BENCH_CR_CLIENTS=${BENCH_CR_CLIENTS:-64}
BENCH_CR_ITEM=${BENCH_CR_ITEM:-GJJ-TQ-001}
BENCH_SCAN_ROWS=${BENCH_SCAN_ROWS:-1000000}
BENCH_SCAN_RUNS=${BENCH_SCAN_RUNS:-20}
# evaluation cases: concurrent clients and tokens seeded for evaluation_submit; its
# reference's rows, transaction size and prefill; the ranking's dataset (cached), its
# timed calls and where the dataset is kept
BENCH_ES_CLIENTS=${BENCH_ES_CLIENTS:-256}
BENCH_ES_TOKENS=${BENCH_ES_TOKENS:-300000}
BENCH_INS_ROWS=${BENCH_INS_ROWS:-200000}
BENCH_INS_BATCH=${BENCH_INS_BATCH:-1000}
BENCH_INS_PREFILL=${BENCH_INS_PREFILL:-1000000}
BENCH_RANK_ROWS=${BENCH_RANK_ROWS:-10000000}
BENCH_RANK_WINDOWS=${BENCH_RANK_WINDOWS:-5000}
BENCH_RANK_RUNS=${BENCH_RANK_RUNS:-50}
BENCH_RANK_REF_RUNS=${BENCH_RANK_REF_RUNS:-5}
BENCH_RANK_CACHE=${BENCH_RANK_CACHE:-$BENCH_OUT}
BENCH_RANK_BUILD_MAX_S=${BENCH_RANK_BUILD_MAX_S:-1800}
# scoring cases: the dataset's sizes (cached), close runs, timed events, the wait's limit
BENCH_SCORE_WINDOWS=${BENCH_SCORE_WINDOWS:-10000}
BENCH_SCORE_STAFF=${BENCH_SCORE_STAFF:-50000}
BENCH_SCORE_EVALS=${BENCH_SCORE_EVALS:-10000000}
BENCH_SCORE_CASES=${BENCH_SCORE_CASES:-1000000}
BENCH_SCORE_MANUAL=${BENCH_SCORE_MANUAL:-5000}
BENCH_SCORE_CLOSE_RUNS=${BENCH_SCORE_CLOSE_RUNS:-5}
BENCH_SCORE_EVENTS=${BENCH_SCORE_EVENTS:-50}
BENCH_SCORE_TIMEOUT_MS=${BENCH_SCORE_TIMEOUT_MS:-5000}
BENCH_SCORE_CACHE=${BENCH_SCORE_CACHE:-$BENCH_OUT}
BENCH_SCORE_BUILD_MAX_S=${BENCH_SCORE_BUILD_MAX_S:-3600}
BENCH_SCORE_LIVE_MAX_S=${BENCH_SCORE_LIVE_MAX_S:-900}
BENCH_STAFF_PASSWORD='Bench-pass1!'

T=
NGINX_PID=
SRV_PID=
NGINX_PORT=
SRV=
COOKIE=
HALL_ID=
IDLE_RSS_MB=
SRV_PORT=
ADMIN_CSRF=

# ---------------------------------------------------------------- cleanup
stop_pid() { # PID NAME
    local pid=$1 name=$2 i
    [[ -n $pid ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        bench_warn "$name (pid $pid) ignored SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$SRV_PID" chuangkou
    stop_pid "$SC_PID" chuangkou-score
    stop_pid "$NGINX_PID" nginx
    if [[ -n $T && -d $T ]]; then
        mkdir -p "$BENCH_OUT"
        # the server log minus its per-request access lines (hundreds of MB under load)
        [[ -f $T/server.log ]] &&
            { grep -v 'comp=access' "$T/server.log" | head -n 2000 >"$BENCH_OUT/server.log" || true; }
        [[ -f $T/score_server.log ]] &&
            { grep -v 'comp=access' "$T/score_server.log" | head -n 2000 \
                >"$BENCH_OUT/score_server.log" || true; }
        [[ -f $T/nginx/error.log ]] && cp "$T/nginx/error.log" "$BENCH_OUT/nginx-error.log"
        if [[ ${BENCH_KEEP_TMP:-0} == 1 ]]; then
            bench_log "temp dir kept: $T"
        else
            rm -rf "$T"
        fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- setup
install_tools() {
    bench_need wrk wrk
    bench_need nginx nginx-light nginx
    bench_need curl curl
    bench_need jq jq
    bench_need column bsdextrautils
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

# A ~600-byte answer shaped like GET /api/org/nodes/{id}/windows.
write_static_json() {
    local f=$1 i first=1
    {
        printf '{"items":['
        for i in 1 2; do
            ((first)) || printf ','
            first=0
            printf '{"id":%d,"parent_id":5,"kind":"window","code":"w-%02d","name":"%d号窗口",' \
                $((10 + i)) "$i" "$i"
            printf '"path":"/1/2/5/%d/","depth":3,"address":"","phone":"","active":true,' \
                $((10 + i))
            printf '"created_at":1717200000,"updated_at":1717200000,"staff":['
            printf '{"id":%d,"name":"张%s","badge_no":"A%03d","is_chief":true},' \
                $((100 + i)) "$i" "$i"
            printf '{"id":%d,"name":"李%s","badge_no":"B%03d","is_chief":false}]}' \
                $((200 + i)) "$i" "$i"
        done
        printf ']}'
    } >"$f"
}

start_nginx() {
    local d=$T/nginx
    mkdir -p "$d/html" "$d/tmp"
    write_static_json "$d/html/windows.json"
    # workers run as an unprivileged user when the master is root: let them read the files
    chmod 755 "$T" "$d" "$d/html"
    chmod 644 "$d/html/windows.json"
    NGINX_PORT=$(bench_free_port)
    local t
    for t in client_body proxy fastcgi uwsgi scgi; do
        printf '    %s_temp_path %s/tmp/%s;\n' "$t" "$d" "$t"
    done >"$d/temp_paths.conf"
    cat >"$d/nginx.conf" <<EOF
# generated by bench/run.sh
worker_processes auto;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    include $d/temp_paths.conf;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types { application/json json; }
    default_type application/json;
    charset utf-8;
    charset_types application/json;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $d/html;
        location / { }
    }
}
EOF
    "$NGINX" -p "$d/" -e "$d/error.log" -c "$d/nginx.conf" -t >"$d/test.log" 2>&1 ||
        { cat "$d/test.log" >&2; bench_die "nginx rejected the generated config"; }
    "$NGINX" -p "$d/" -e "$d/error.log" -c "$d/nginx.conf" >"$d/nginx.out" 2>&1 &
    NGINX_PID=$!
    bench_wait_http "http://127.0.0.1:$NGINX_PORT/windows.json" 10 "$NGINX_PID" ||
        { cat "$d/error.log" "$d/nginx.out" >&2 2>/dev/null || true; bench_die "nginx did not start"; }
    local ctype
    ctype=$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$NGINX_PORT/windows.json")
    bench_log "nginx (pid $NGINX_PID, $(nproc) cores, worker_processes auto) on port" \
        "$NGINX_PORT: $(wc -c <"$d/html/windows.json") bytes, $ctype"
}

start_server() {
    [[ -x $BIN ]] || bench_die "$BIN not found - build it first (make build/chuangkou)"
    local db=sqlite:$T/bench.db log=$T/setup.log
    "$BIN" migrate --db "$db" >"$log" 2>&1 ||
        { cat "$log" >&2; bench_die "chuangkou migrate failed"; }
    "$BIN" demo --db "$db" >>"$log" 2>&1 ||
        { cat "$log" >&2; bench_die "chuangkou demo failed"; }
    printf 'Bench-pass1!\n' | "$BIN" user add --db "$db" --login bench --name Bench \
        --role admin --org /dist >>"$log" 2>&1 ||
        { cat "$log" >&2; bench_die "chuangkou user add failed"; }
    # evaluation_submit's tokens, written before the server serves the database
    [[ " $BENCH_CASES " == *" evaluation_submit "* ]] && es_seed "$db"

    local port try
    for try in 1 2 3; do
        port=$(bench_free_port)
        SRV=http://127.0.0.1:$port
        SRV_PORT=$port
        "$BIN" serve --listen "127.0.0.1:$port" --db "$db" >"$T/server.log" 2>&1 &
        SRV_PID=$!
        bench_wait_http "$SRV/healthz" 30 "$SRV_PID" && break
        # another process may have taken the free port meanwhile: try another one
        if ((try < 3)) && grep -q 'Address already in use' "$T/server.log"; then
            wait "$SRV_PID" 2>/dev/null || true
            SRV_PID=
            continue
        fi
        tail -n 30 "$T/server.log" >&2
        bench_die "chuangkou serve did not answer /healthz"
    done
    bench_log "chuangkou (pid $SRV_PID) on port $port"

    # log in; keep the ck_session cookie
    local code
    code=$(curl -s -D "$T/login.hdr" -o "$T/login.json" -w '%{http_code}' \
        -H 'Content-Type: application/json' \
        --data '{"login":"bench","password":"Bench-pass1!"}' "$SRV/api/auth/login")
    [[ $code == 200 ]] ||
        bench_die "login as bench failed: HTTP $code $(head -c 300 "$T/login.json")"
    COOKIE=$(tr -d '\r' <"$T/login.hdr" |
        sed -n 's/^[Ss][Ee][Tt]-[Cc][Oo][Oo][Kk][Ii][Ee]: *\(ck_session=[^;]*\).*/\1/p' | head -n 1)
    [[ -n $COOKIE ]] || bench_die "login answered 200 but set no ck_session cookie"
    export BENCH_COOKIE=$COOKIE
    ADMIN_CSRF=$(jq -r '.csrf_token // empty' "$T/login.json")

    # hall A = the hall with code hall-d
    code=$(curl -s -o "$T/halls.json" -w '%{http_code}' -H "Cookie: $COOKIE" \
        "$SRV/api/org/nodes?kind=hall&per_page=500")
    [[ $code == 200 ]] ||
        bench_die "GET /api/org/nodes?kind=hall: HTTP $code $(head -c 300 "$T/halls.json")"
    HALL_ID=$(jq -r 'first(.items[]? | select(.code == "hall-d") | .id) // empty' "$T/halls.json")
    [[ -n $HALL_ID ]] || bench_die "no hall with code hall-d in the demo data" \
        "(halls: $(jq -c '[.items[]?.code]' "$T/halls.json" 2>/dev/null))"
    bench_log "hall-d has id $HALL_ID"

    # idle memory, before any load
    sleep 2
    IDLE_RSS_MB=$(bench_rss_mb "$SRV_PID") || bench_die "cannot read VmRSS of pid $SRV_PID"
    bench_log "idle RSS: $IDLE_RSS_MB MB"
}

# ---------------------------------------------------------------- queue setup
# Everything through the HTTP API, as the bench admin (or a staff member). Each piece is
# set up once, by the first case that needs it.
API_CODE=
API_OUT=
# api METHOD PATH [JSON [COOKIE CSRF]]: call our server (as the admin unless COOKIE and
# CSRF are given); sets API_CODE, the answer is in $API_OUT.
api() {
    local method=$1 path=$2 data=${3:-} cookie=${4:-$COOKIE} csrf=${5:-$ADMIN_CSRF}
    API_OUT=$T/api.$BASHPID.json # one per process: the setup runs in parallel lanes
    local -a args=(-s -o "$API_OUT" -w '%{http_code}' -X "$method" -H "Cookie: $cookie")
    [[ $method == GET ]] || args+=(-H "X-CSRF-Token: $csrf")
    [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data "$data")
    API_CODE=$(curl "${args[@]}" "$SRV$path") || API_CODE=000
}

# api_expect WHAT CODE...: die with the answer unless API_CODE is one of the CODEs
api_expect() {
    local what=$1 c
    shift
    for c; do [[ $API_CODE == "$c" ]] && return 0; done
    bench_die "$what: expected HTTP $*, got $API_CODE: $(head -c 400 "$API_OUT")"
}

# ensure_series PREFIX NAME: print the id of hall A's series PREFIX (created if missing)
ensure_series() {
    local prefix=$1 name=$2 id
    api POST "/api/halls/$HALL_ID/series" "{\"prefix\":\"$prefix\",\"name\":\"$name\"}"
    if [[ $API_CODE == 201 ]]; then
        jq -r '.id' "$API_OUT"
        return 0
    fi
    [[ $API_CODE == 409 ]] ||
        bench_die "POST /api/halls/$HALL_ID/series {prefix:$prefix}: expected 201, got" \
            "$API_CODE: $(head -c 400 "$API_OUT")"
    api GET "/api/halls/$HALL_ID/series"
    api_expect "GET /api/halls/$HALL_ID/series" 200
    id=$(jq -r --arg p "$prefix" 'first(.items[]? | select(.prefix == $p) | .id) // empty' \
        "$API_OUT")
    [[ -n $id ]] ||
        bench_die "series $prefix: 409 on create but not in GET /api/halls/$HALL_ID/series"
    echo "$id"
}

# staff_login LOGIN: log a staff member in; sets S_COOKIE and S_CSRF
S_COOKIE=
S_CSRF=
staff_login() {
    local login=$1 code hdr=$T/slogin.$BASHPID.hdr out=$T/slogin.$BASHPID.json
    code=$(curl -s -D "$hdr" -o "$out" -w '%{http_code}' \
        -H 'Content-Type: application/json' \
        --data "{\"login\":\"$login\",\"password\":\"$BENCH_STAFF_PASSWORD\"}" \
        "$SRV/api/auth/login")
    [[ $code == 200 ]] || bench_die "login as $login: HTTP $code $(head -c 300 "$out")"
    S_COOKIE=$(tr -d '\r' <"$hdr" |
        sed -n 's/^[Ss][Ee][Tt]-[Cc][Oo][Oo][Kk][Ii][Ee]: *\(ck_session=[^;]*\).*/\1/p' | head -n 1)
    S_CSRF=$(jq -r '.csrf_token // empty' "$out")
    [[ -n $S_COOKIE && -n $S_CSRF ]] || bench_die "login as $login: no cookie or csrf_token"
}

# new_staff LOGIN NAME: a new staff member (role staff, password BENCH_STAFF_PASSWORD)
# whose home node is hall A; prints the id
new_staff() {
    local login=$1 name=$2 body
    body="{\"login\":\"$login\",\"name\":\"$name\",\"role\":\"staff\","
    body+="\"password\":\"$BENCH_STAFF_PASSWORD\",\"node_id\":$HALL_ID}"
    api POST /api/staff "$body"
    api_expect "POST /api/staff ($login)" 201
    jq -r '.id' "$API_OUT"
}

# bench_window CODE NAME SERIES_ID FILE: a new window CODE in hall A with a new staff
# member (login CODE) assigned to it, serving SERIES_ID only, the staff member logged in
# and working there (open). Appends "WINDOW_ID<TAB>SERIES_ID<TAB>COOKIE<TAB>CSRF" to FILE.
bench_window() {
    local code=$1 name=$2 series=$3 file=$4 wid sid
    api POST /api/org/nodes \
        "{\"parent_id\":$HALL_ID,\"kind\":\"window\",\"code\":\"$code\",\"name\":\"$name\"}"
    api_expect "POST /api/org/nodes (window $code in hall $HALL_ID)" 201
    wid=$(jq -r '.id' "$API_OUT")
    sid=$(new_staff "$code" "$name")
    api POST "/api/staff/$sid/assignments" "{\"window_id\":$wid}"
    api_expect "POST /api/staff/$sid/assignments {window_id:$wid}" 201
    api PUT "/api/windows/$wid/profile" "{\"series_ids\":[$series],\"mode\":\"longest_wait\"}"
    api_expect "PUT /api/windows/$wid/profile {series_ids:[$series]}" 200
    staff_login "$code"
    api POST "/api/windows/$wid/open" "" "$S_COOKIE" "$S_CSRF"
    api_expect "POST /api/windows/$wid/open (as $code)" 200
    printf '%s\t%s\t%s\t%s\n' "$wid" "$series" "$S_COOKIE" "$S_CSRF" >>"$file"
}

# the ticket_lifecycle clients: BENCH_LC_CLIENTS windows bench-lNN, BENCH_LC_PER_SERIES
# of them serving each of the series YA, YB, … (a series numbers at most 9,999 tickets a
# day, fewer than one run issues)
LC_SERIES=()
lc_setup() {
    ((${#LC_SERIES[@]})) && return 0
    local t0=$SECONDS per=$BENCH_LC_PER_SERIES n i prefix letters=({A..Z})
    ((per >= 1)) || bench_die "BENCH_LC_PER_SERIES must be at least 1"
    n=$(((BENCH_LC_CLIENTS + per - 1) / per))
    ((n <= 52)) || n=52
    for ((i = 0; i < n; i++)); do
        prefix=Y
        ((i < 26)) || prefix=Z
        prefix+=${letters[$((i % 26))]}
        LC_SERIES+=("$(ensure_series "$prefix" "压测取号$prefix")")
    done
    : >"$T/lc_clients.tsv"
    # two lanes (password hashing dominates: ~80 ms per account and per login)
    local lane pids=()
    for lane in 1 2; do
        (
            for ((i = lane; i <= BENCH_LC_CLIENTS; i += 2)); do
                bench_window "$(printf 'bench-l%02d' "$i")" "压测$i号窗口" \
                    "${LC_SERIES[$(((i - 1) % n))]}" "$T/lc_clients.tsv"
            done
        ) &
        pids+=($!)
    done
    for lane in "${pids[@]}"; do
        wait "$lane" || bench_die "ticket_lifecycle: setting up the windows failed (see above)"
    done
    (($(wc -l <"$T/lc_clients.tsv") == BENCH_LC_CLIENTS)) ||
        bench_die "ticket_lifecycle: only $(wc -l <"$T/lc_clients.tsv") of" \
            "$BENCH_LC_CLIENTS clients set up"
    bench_log "ticket_lifecycle: $n series (Y*, ids ${LC_SERIES[*]}), $BENCH_LC_CLIENTS" \
        "windows and staff set up in $((SECONDS - t0)) s"
}

# the display side: series X and 4 windows bench-d01..04 serving it (d01-d03 call for
# the board, d04 makes the sse_fanout calls)
DSP_SERIES=
DSP_WINDOWS=()
DSP_COOKIES=()
DSP_CSRFS=()
dsp_setup() {
    [[ -n $DSP_SERIES ]] && return 0
    DSP_SERIES=$(ensure_series X 叫号测试)
    : >"$T/dsp_clients.tsv"
    local i w c x
    for i in 1 2 3 4; do
        bench_window "bench-d0$i" "叫号测试$i号窗口" "$DSP_SERIES" "$T/dsp_clients.tsv"
    done
    while IFS=$'\t' read -r w _ c x; do
        DSP_WINDOWS+=("$w")
        DSP_COOKIES+=("$c")
        DSP_CSRFS+=("$x")
    done <"$T/dsp_clients.tsv"
}

# a few tickets waiting and called, so the board is not trivial
BOARD_FILLED=0
board_fill() {
    ((BOARD_FILLED)) && return 0
    dsp_setup
    local names=(张伟 王芳 李娜 刘洋 陈静 杨磊 赵敏 黄强) i
    for i in "${!names[@]}"; do
        api POST "/api/halls/$HALL_ID/tickets" \
            "{\"series_id\":$DSP_SERIES,\"name\":\"${names[$i]}\"}" \
            "${DSP_COOKIES[0]}" "${DSP_CSRFS[0]}"
        api_expect "POST /api/halls/$HALL_ID/tickets {series_id:$DSP_SERIES} (as staff)" 201
    done
    for i in 0 1 2; do
        api POST "/api/windows/${DSP_WINDOWS[$i]}/call-next" "" "${DSP_COOKIES[$i]}" \
            "${DSP_CSRFS[$i]}"
        api_expect "POST /api/windows/${DSP_WINDOWS[$i]}/call-next" 200
    done
    BOARD_FILLED=1
}

# evaluation_submit: BENCH_ES_TOKENS finished services that can be evaluated, seeded into
# the database before the server starts (build/bench/eval_tokens: tickets written
# directly, their evaluation events through the server's own eval_ticket_issued and
# eval_ticket_finished), their tokens one a line in $T/es_tokens.txt
es_seed() {
    local db=$1 tool=$ROOT/build/bench/eval_tokens line
    [[ -x $tool ]] ||
        bench_die "evaluation_submit: $tool not found - build it (make build/bench/eval_tokens)"
    line=$("$tool" seed --db "$db" --count "$BENCH_ES_TOKENS" --out "$T/es_tokens.txt") ||
        bench_die "evaluation_submit: seeding $BENCH_ES_TOKENS evaluable services failed"
    bench_log "evaluation_submit: seeded $line"
}

# one public evaluation by hand (no session): POST /api/public/evaluations BODY; sets
# API_CODE, the answer in $API_OUT
public_eval() {
    API_OUT=$T/api.$BASHPID.json
    API_CODE=$(curl -s -o "$API_OUT" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data "$1" "$SRV/api/public/evaluations") || API_CODE=000
}

# the admin's count of evaluations by QR code (total of GET /api/evaluations)
es_count() {
    api GET "/api/evaluations?channel=qr&per_page=1"
    api_expect "GET /api/evaluations?channel=qr" 200
    jq -r '.total' "$API_OUT"
}

# ---------------------------------------------------------------- cases
case_nginx_static() {
    bench_wrk nginx_static "http://127.0.0.1:$NGINX_PORT/windows.json"
    bench_row nginx_static "$WRK_OPS" "$WRK_P50" "$WRK_P99"
}

case_healthz() {
    bench_wrk healthz "$SRV/healthz"
    bench_row healthz "$WRK_OPS" "$WRK_P50" "$WRK_P99" nginx_static
}

case_org_read() {
    local url=$SRV/api/org/nodes/$HALL_ID/windows code
    code=$(curl -s -o "$T/org_read.json" -w '%{http_code}' -H "Cookie: $COOKIE" "$url")
    [[ $code == 200 ]] ||
        bench_die "org_read: GET $url answered HTTP $code: $(head -c 300 "$T/org_read.json")"
    jq -e '(.items | type) == "array" and (.items | length) > 0' "$T/org_read.json" \
        >/dev/null 2>&1 ||
        bench_die "org_read: GET $url did not answer JSON with items: $(head -c 300 "$T/org_read.json")"
    bench_log "org_read: $(jq '.items | length' "$T/org_read.json") windows," \
        "$(wc -c <"$T/org_read.json") bytes"
    bench_wrk org_read "$url" -s "$ROOT/bench/cookie.lua"
    bench_row org_read "$WRK_OPS" "$WRK_P50" "$WRK_P99" nginx_static
}

case_catalog_read() {
    # the public item page of a published demo item (no login), as a citizen's phone asks it
    local url=$SRV/api/catalog/items/BDC-SC-001 code
    code=$(curl -s -o "$T/catalog_read.json" -w '%{http_code}' "$url")
    [[ $code == 200 ]] ||
        bench_die "catalog_read: GET $url answered HTTP $code: $(head -c 300 "$T/catalog_read.json")"
    jq -e '(.materials | length) > 0' "$T/catalog_read.json" >/dev/null 2>&1 ||
        bench_die "catalog_read: GET $url did not answer an item with materials"
    bench_log "catalog_read: $(wc -c <"$T/catalog_read.json") bytes"
    bench_wrk catalog_read "$url"
    bench_row catalog_read "$WRK_OPS" "$WRK_P50" "$WRK_P99" nginx_static
}

case_ticket_lifecycle() {
    local drv=$ROOT/build/bench/lifecycle
    [[ -x $drv ]] ||
        bench_die "ticket_lifecycle: $drv not found - build it (make build/bench/lifecycle)"
    lc_setup
    # one lifecycle by hand first, so a missing or changed endpoint shows plainly
    local w sr c x tid
    IFS=$'\t' read -r w sr c x <"$T/lc_clients.tsv"
    api POST "/api/halls/$HALL_ID/tickets" "{\"series_id\":$sr}" "$c" "$x"
    api_expect "POST /api/halls/$HALL_ID/tickets {series_id:$sr} (as a staff member)" 201
    api POST "/api/windows/$w/call-next" "" "$c" "$x"
    api_expect "POST /api/windows/$w/call-next" 200
    tid=$(jq -r '.id // empty' "$API_OUT")
    [[ $(jq -r '.status // empty' "$API_OUT") == called && -n $tid ]] ||
        bench_die "POST /api/windows/$w/call-next: expected a ticket with status called, got" \
            "$(head -c 300 "$API_OUT")"
    api POST "/api/tickets/$tid/start" "" "$c" "$x"
    api_expect "POST /api/tickets/$tid/start" 200
    api POST "/api/tickets/$tid/finish" "" "$c" "$x"
    api_expect "POST /api/tickets/$tid/finish" 200
    [[ $(jq -r '.status // empty' "$API_OUT") == "done" ]] ||
        bench_die "POST /api/tickets/$tid/finish: expected status done, got" \
            "$(head -c 300 "$API_OUT")"

    local raw=$BENCH_OUT/lifecycle.txt rc=0 m0 m1 t0 t1 c0 c1
    m0=$(commit_counters)
    c0=$(_bench_proc_ticks "$SRV_PID")
    t0=$(date +%s.%N)
    bench_log "ticket_lifecycle: $BENCH_LC_CLIENTS clients, ${BENCH_WARMUP}s warm-up +" \
        "${BENCH_SECONDS}s (issue -> call-next -> start -> finish), ${#LC_SERIES[@]} series"
    "$drv" --port "$SRV_PORT" --hall "$HALL_ID" --clients "$T/lc_clients.tsv" \
        --seconds "$BENCH_SECONDS" --warmup "$BENCH_WARMUP" --progress \
        >"$raw" 2>"$BENCH_OUT/lifecycle.log" || rc=$?
    ((rc == 0 || rc == 2)) ||
        { cat "$BENCH_OUT/lifecycle.log" >&2; bench_die "ticket_lifecycle: driver failed"; }
    t1=$(date +%s.%N)
    c1=$(_bench_proc_ticks "$SRV_PID")
    m1=$(commit_counters)
    local line
    line=$(tail -n 1 "$raw")
    [[ $line == lifecycles=* ]] ||
        { cat "$BENCH_OUT/lifecycle.log" >&2; bench_die "ticket_lifecycle: no result"; }
    bench_log "ticket_lifecycle: $line"
    if ((rc == 2)); then
        grep -v ' t=' "$BENCH_OUT/lifecycle.log" | head -n 12 >&2 || true
        bench_warn "ticket_lifecycle: $(bench_kv "$line" errors) errors - the numbers are" \
            "suspect (see $BENCH_OUT/lifecycle.log)"
    fi
    server_run_stats ticket_lifecycle "$m0" "$m1" "$t0" "$t1" $((c1 - c0))
    lc_crosscheck "$line"
    bench_row ticket_lifecycle "$(bench_kv "$line" ops_per_s)" "$(bench_kv "$line" p50_ms)" \
        "$(bench_kv "$line" p99_ms)"
}

# server_run_stats NAME COUNTERS0 COUNTERS1 T0 T1 CPU_TICKS: log the server's CPU and
# group commit over a driver's whole run (warm-up and drain too), from commit_counters
# and _bench_proc_ticks taken before and after
server_run_stats() {
    awk -v name="$1" -v a="$2" -v b="$3" -v t="$4 $5" -v c="$6" -v hz="$(getconf CLK_TCK)" '
        BEGIN { split(a, x, " "); split(b, y, " "); split(t, d, " ")
        n = y[1] - x[1]; j = y[2] - x[2]; s = d[2] - d[1]; if (s <= 0) exit
        printf "[bench] %s: during the run the server used %.0f%% of one core", name, \
            100 * c / hz / s
        if (n > 0) printf "; %d commits (%.0f/s), %.1f writes per commit on average", \
            n, n / s, j / n
        printf "\n" }' >&2
}

# commit_counters: "COMMITS WRITES" from the server's /metrics (0 0 when absent)
commit_counters() {
    curl -s --max-time 5 "$SRV/metrics" | awk '
        /^ck_db_commit_batch_size_count / { c = $2 } /^ck_db_commit_batch_size_sum / { s = $2 }
        END { printf "%d %d\n", c, s }'
}

# After the run, the server must agree with the driver: nobody left waiting in the Y*
# series, and today's served count of the Y* series = the driver's finishes + the one by
# hand.
lc_crosscheck() {
    local line=$1 issued finished waiting served ids
    issued=$(bench_kv "$line" issued_total)
    finished=$(bench_kv "$line" finished_total)
    [[ $issued == "$finished" ]] ||
        bench_warn "ticket_lifecycle: the driver issued $issued tickets but finished $finished"
    ids=$(printf '%s\n' "${LC_SERIES[@]}" | jq -s -c .)
    api GET "/api/halls/$HALL_ID/waiting"
    if [[ $API_CODE == 200 ]]; then
        waiting=$(jq -r --argjson ids "$ids" \
            '[.series[]? | select(.series_id as $s | $ids | index($s)) | .waiting] | add // 0' \
            "$API_OUT")
        [[ $waiting == 0 ]] ||
            bench_warn "ticket_lifecycle: GET /api/halls/$HALL_ID/waiting shows $waiting" \
                "tickets still waiting in the Y* series (expected 0)"
    else
        bench_warn "ticket_lifecycle: GET /api/halls/$HALL_ID/waiting answered $API_CODE"
    fi
    api GET "/api/halls/$HALL_ID/stats?by=series"
    served=
    [[ $API_CODE == 200 ]] &&
        served=$(jq -r --argjson ids "$ids" \
            '[.rows[]? | select((.key | tostring) as $k | ($ids | map(tostring) | index($k))
                or ((.name // "") | startswith("压测取号"))) | .served] | add // empty' \
            "$API_OUT")
    if [[ -z $served ]]; then
        bench_log "ticket_lifecycle: no served count for the Y* series in GET" \
            "/api/halls/$HALL_ID/stats?by=series (HTTP $API_CODE); not cross-checked"
    elif [[ $served == $((finished + 1)) ]]; then
        bench_log "ticket_lifecycle: cross-check ok: the server counts $served served in" \
            "the Y* series (driver $finished + 1 by hand), none waiting"
    else
        bench_warn "ticket_lifecycle: GET /api/halls/$HALL_ID/stats?by=series counts $served" \
            "served in the Y* series, the driver finished $finished (+1 by hand)"
    fi
}

# the case_register clients: BENCH_CR_CLIENTS staff members bench-cNN of hall A (no
# window: a case is registered at the staff member's home node), logged in; lines
# "STAFF_ID<TAB>COOKIE<TAB>CSRF" in $T/cr_clients.tsv
CR_READY=0
cr_setup() {
    ((CR_READY)) && return 0
    local t0=$SECONDS lane i pids=()
    : >"$T/cr_clients.tsv"
    # two lanes (password hashing: ~80 ms per account and per login); logins only
    # succeed, so the throttle (failed logins per account and address) never bites
    for lane in 1 2; do
        (
            for ((i = lane; i <= BENCH_CR_CLIENTS; i += 2)); do
                local login sid
                login=$(printf 'bench-c%02d' "$i")
                sid=$(new_staff "$login" "压测办件$i")
                staff_login "$login"
                printf '%s\t%s\t%s\n' "$sid" "$S_COOKIE" "$S_CSRF" >>"$T/cr_clients.tsv"
            done
        ) &
        pids+=($!)
    done
    for lane in "${pids[@]}"; do
        wait "$lane" || bench_die "case_register: setting up the staff failed (see above)"
    done
    (($(wc -l <"$T/cr_clients.tsv") == BENCH_CR_CLIENTS)) ||
        bench_die "case_register: only $(wc -l <"$T/cr_clients.tsv") of" \
            "$BENCH_CR_CLIENTS clients set up"
    bench_log "case_register: $BENCH_CR_CLIENTS staff set up in $((SECONDS - t0)) s"
    CR_READY=1
}

# cr_count STATE: how many cases in STATE the admin sees (total of GET /api/cases)
cr_count() {
    api GET "/api/cases?view=scope&state=$1&per_page=1"
    api_expect "GET /api/cases?view=scope&state=$1" 200
    jq -r '.total' "$API_OUT"
}

case_case_register() {
    local drv=$ROOT/build/bench/case_register
    [[ -x $drv ]] ||
        bench_die "case_register: $drv not found - build it (make build/bench/case_register)"
    # the item's materials: every one is handed in, so the case can be accepted
    local item=$BENCH_CR_ITEM mats kind
    api GET "/api/catalog/items/$item"
    api_expect "GET /api/catalog/items/$item" 200
    kind=$(jq -r '.kind // empty' "$API_OUT")
    mats=$(jq -r '[.materials[]?.id] | map(tostring) | join(",")' "$API_OUT")
    [[ -n $mats ]] || bench_die "case_register: item $item has no materials"
    [[ $kind == promised ]] ||
        bench_warn "case_register: $item is a '$kind' item, not a promised one (承诺件)"
    cr_setup
    # one case by hand first, so a missing or changed endpoint shows plainly
    local sid c x cid body
    IFS=$'\t' read -r sid c x <"$T/cr_clients.tsv"
    body="{\"item_code\":\"$item\",\"applicant\":{\"name\":\"张三\",\"phone\":\"13800000000\"},"
    body+="\"materials\":[$mats]}"
    api POST /api/cases "$body" "$c" "$x"
    api_expect "POST /api/cases {item_code:$item} (as staff $sid)" 201
    cid=$(jq -r '.case.id // empty' "$API_OUT")
    [[ -n $cid && $(jq -r '.case.state // empty' "$API_OUT") == received ]] ||
        bench_die "POST /api/cases: expected a case in state received, got" \
            "$(head -c 300 "$API_OUT")"
    api POST "/api/cases/$cid/accept" "{}" "$c" "$x"
    api_expect "POST /api/cases/$cid/accept" 200
    [[ $(jq -r '.state // empty' "$API_OUT") == accepted ]] ||
        bench_die "POST /api/cases/$cid/accept: expected state accepted, got" \
            "$(head -c 300 "$API_OUT")"
    local accepted0 received0
    accepted0=$(cr_count accepted)
    received0=$(cr_count received)

    local raw=$BENCH_OUT/case_register.txt rc=0 m0 m1 t0 t1 c0 c1 line
    m0=$(commit_counters)
    c0=$(_bench_proc_ticks "$SRV_PID")
    t0=$(date +%s.%N)
    bench_log "case_register: $BENCH_CR_CLIENTS clients, ${BENCH_WARMUP}s warm-up +" \
        "${BENCH_SECONDS}s (register $item with materials [$mats] -> accept)"
    "$drv" --port "$SRV_PORT" --clients "$T/cr_clients.tsv" --item "$item" --materials "$mats" \
        --seconds "$BENCH_SECONDS" --warmup "$BENCH_WARMUP" --progress \
        >"$raw" 2>"$BENCH_OUT/case_register.log" || rc=$?
    ((rc == 0 || rc == 2)) ||
        { cat "$BENCH_OUT/case_register.log" >&2; bench_die "case_register: driver failed"; }
    t1=$(date +%s.%N)
    c1=$(_bench_proc_ticks "$SRV_PID")
    m1=$(commit_counters)
    line=$(tail -n 1 "$raw")
    [[ $line == lifecycles=* ]] ||
        { cat "$BENCH_OUT/case_register.log" >&2; bench_die "case_register: no result"; }
    bench_log "case_register: $line"
    if ((rc == 2)); then
        grep -v ' t=' "$BENCH_OUT/case_register.log" | head -n 12 >&2 || true
        bench_warn "case_register: $(bench_kv "$line" errors) errors - the numbers are" \
            "suspect (see $BENCH_OUT/case_register.log)"
    fi
    server_run_stats case_register "$m0" "$m1" "$t0" "$t1" $((c1 - c0))
    # the server must agree: every case the driver registered is accepted, none left
    local reg acc accepted1 received1
    reg=$(bench_kv "$line" registered_total)
    acc=$(bench_kv "$line" accepted_total)
    accepted1=$(cr_count accepted)
    received1=$(cr_count received)
    if [[ $reg == "$acc" && $((accepted1 - accepted0)) == "$acc" && $received1 == "$received0" ]]
    then
        bench_log "case_register: cross-check ok: the server counts $((accepted1 - accepted0))" \
            "more accepted cases (the driver's $acc), none left received"
    else
        bench_warn "case_register: the driver registered $reg and accepted $acc cases; the" \
            "server counts $((accepted1 - accepted0)) more accepted and" \
            "$((received1 - received0)) more received"
    fi
    bench_row case_register "$(bench_kv "$line" ops_per_s)" "$(bench_kv "$line" p50_ms)" \
        "$(bench_kv "$line" p99_ms)"
}

case_evaluation_submit() {
    local drv=$ROOT/build/bench/eval_submit tool=$ROOT/build/bench/eval_tokens
    [[ -x $drv ]] ||
        bench_die "evaluation_submit: $drv not found - build it (make build/bench/eval_submit)"
    [[ -s $T/es_tokens.txt ]] || bench_die "evaluation_submit: no tokens were seeded"
    # one service by hand through HTTP, so a missing or changed endpoint shows plainly: a
    # window bench-e01 serving a series E, a ticket issued (its eval_token in the answer),
    # called, started and finished; the token's page; one evaluation; its replay refused
    local series w sr c x tid token dims reasons body
    series=$(ensure_series E 评价测试)
    : >"$T/es_window.tsv"
    bench_window bench-e01 "评价测试窗口" "$series" "$T/es_window.tsv"
    IFS=$'\t' read -r w sr c x <"$T/es_window.tsv"
    api POST "/api/halls/$HALL_ID/tickets" "{\"series_id\":$sr}" "$c" "$x"
    api_expect "POST /api/halls/$HALL_ID/tickets {series_id:$sr}" 201
    token=$(jq -r '.eval_token // empty' "$API_OUT")
    [[ -n $token ]] || bench_die "POST /api/halls/$HALL_ID/tickets: no eval_token in the answer:" \
        "$(head -c 300 "$API_OUT")"
    api POST "/api/windows/$w/call-next" "" "$c" "$x"
    api_expect "POST /api/windows/$w/call-next" 200
    tid=$(jq -r '.id // empty' "$API_OUT")
    api POST "/api/tickets/$tid/start" "" "$c" "$x"
    api_expect "POST /api/tickets/$tid/start" 200
    api POST "/api/tickets/$tid/finish" "" "$c" "$x"
    api_expect "POST /api/tickets/$tid/finish" 200
    API_OUT=$T/es_event.json
    API_CODE=$(curl -s -o "$API_OUT" -w '%{http_code}' "$SRV/api/public/evaluations/token/$token")
    api_expect "GET /api/public/evaluations/token/{token}" 200
    jq -e '.state == "open" and .can_evaluate == true' "$API_OUT" >/dev/null ||
        bench_die "evaluation_submit: the finished ticket's event is not open for evaluation:" \
            "$(head -c 400 "$API_OUT")"
    dims=$(jq -r '[.indicators.items[]?.code] | join(",")' "$API_OUT")
    reasons=$(jq -r '[.reasons[]?.code] | join(",")' "$API_OUT")
    [[ -n $reasons ]] || bench_die "evaluation_submit: the event lists no reason codes"
    body=$(jq -c --arg t "$token" '{token: $t, level: 5,
        dims: ([.indicators.items[]?.code | {(.): 5}] | add // {})}' "$API_OUT")
    public_eval "$body"
    api_expect "POST /api/public/evaluations (by hand)" 201
    public_eval "$body"
    api_expect "POST /api/public/evaluations (the same token again)" 409
    bench_log "evaluation_submit: by hand: ticket $tid finished, its token evaluated (201)," \
        "the replay refused (409); indicators [$dims], reasons [$reasons]"

    local raw=$BENCH_OUT/eval_submit.txt rc=0 m0 m1 t0 t1 c0 c1 line qr0 qr1
    qr0=$(es_count)
    m0=$(commit_counters)
    c0=$(_bench_proc_ticks "$SRV_PID")
    t0=$(date +%s.%N)
    bench_log "evaluation_submit: $BENCH_ES_CLIENTS clients, ${BENCH_WARMUP}s warm-up +" \
        "${BENCH_SECONDS}s, $(wc -l <"$T/es_tokens.txt") tokens, each used once"
    "$drv" --port "$SRV_PORT" --tokens "$T/es_tokens.txt" --clients "$BENCH_ES_CLIENTS" \
        --dims "$dims" --reasons "$reasons" --ids "$T/es_ids.txt" \
        --seconds "$BENCH_SECONDS" --warmup "$BENCH_WARMUP" --progress \
        >"$raw" 2>"$BENCH_OUT/eval_submit.log" || rc=$?
    ((rc == 0 || rc == 2)) ||
        { cat "$BENCH_OUT/eval_submit.log" >&2; bench_die "evaluation_submit: driver failed"; }
    t1=$(date +%s.%N)
    c1=$(_bench_proc_ticks "$SRV_PID")
    m1=$(commit_counters)
    line=$(tail -n 1 "$raw")
    [[ $line == evaluations=* ]] ||
        { cat "$BENCH_OUT/eval_submit.log" >&2; bench_die "evaluation_submit: no result"; }
    bench_log "evaluation_submit: $line"
    if ((rc == 2)); then
        grep -v ' t=' "$BENCH_OUT/eval_submit.log" | head -n 12 >&2 || true
        bench_warn "evaluation_submit: $(bench_kv "$line" errors) errors - the numbers are" \
            "suspect (see $BENCH_OUT/eval_submit.log)"
    fi
    [[ $(bench_kv "$line" tokens_left) != 0 ]] ||
        bench_warn "evaluation_submit: the tokens ran out (BENCH_ES_TOKENS=$BENCH_ES_TOKENS):" \
            "the measured run was shorter than ${BENCH_SECONDS}s"
    server_run_stats evaluation_submit "$m0" "$m1" "$t0" "$t1" $((c1 - c0))
    # acknowledged means durable: every 201's id is an evaluation in the database (read by
    # another process), every seeded service it evaluated is rated, and the admin's count
    # of QR evaluations grew by as many
    local created check
    created=$(bench_kv "$line" created_total)
    check=$("$tool" verify --db "sqlite:$T/bench.db" --ids "$T/es_ids.txt") ||
        bench_warn "evaluation_submit: $check - some acknowledged evaluations are missing"
    qr1=$(es_count)
    if [[ $(bench_kv "$check" found) == "$created" && $(bench_kv "$check" unique) == "$created" &&
        $(bench_kv "$check" rated_events) == "$created" && $((qr1 - qr0)) == "$created" ]]; then
        bench_log "evaluation_submit: cross-check ok: all $created evaluations answered 201 are" \
            "in the database ($check), the admin counts $((qr1 - qr0)) more by QR code"
    else
        bench_warn "evaluation_submit: the driver got $created evaluations answered 201; the" \
            "database: $check; the admin counts $((qr1 - qr0)) more by QR code"
    fi
    bench_row evaluation_submit "$(bench_kv "$line" ops_per_s)" "$(bench_kv "$line" p50_ms)" \
        "$(bench_kv "$line" p99_ms)" sqlite_batch_insert
}

case_board_read() {
    board_fill
    local url=$SRV/api/halls/$HALL_ID/board code
    code=$(curl -s -o "$T/board.json" -w '%{http_code}' "$url")
    [[ $code == 200 ]] ||
        bench_die "board_read: GET $url answered HTTP $code: $(head -c 300 "$T/board.json")"
    jq -e '(.current | length) > 0 and .total_waiting > 0' "$T/board.json" >/dev/null 2>&1 ||
        bench_die "board_read: after 8 tickets and 3 calls, GET $url shows no current call or" \
            "nobody waiting: $(head -c 400 "$T/board.json")"
    bench_log "board_read: $(jq '.current | length' "$T/board.json") current calls," \
        "$(jq '.recent | length' "$T/board.json") recent, $(jq '.total_waiting' "$T/board.json")" \
        "waiting, $(wc -c <"$T/board.json") bytes"
    bench_wrk board_read "$url"
    bench_row board_read "$WRK_OPS" "$WRK_P50" "$WRK_P99" nginx_static
}

case_sse_fanout() {
    local drv=$ROOT/build/bench/sse_fanout
    [[ -x $drv ]] ||
        bench_die "sse_fanout: $drv not found - build it (make build/bench/sse_fanout)"
    dsp_setup
    local raw=$BENCH_OUT/sse_fanout.txt rc=0 line
    bench_log "sse_fanout: $BENCH_SSE_SUBS streams, $BENCH_SSE_CALLS calls" \
        "${BENCH_SSE_INTERVAL_MS} ms apart"
    "$drv" --port "$SRV_PORT" --hall "$HALL_ID" --series "$DSP_SERIES" \
        --window "${DSP_WINDOWS[3]}" --cookie "${DSP_COOKIES[3]}" --csrf "${DSP_CSRFS[3]}" \
        --subs "$BENCH_SSE_SUBS" --calls "$BENCH_SSE_CALLS" \
        --interval-ms "$BENCH_SSE_INTERVAL_MS" --pid "$SRV_PID" \
        >"$raw" 2>"$BENCH_OUT/sse_fanout.log" || rc=$?
    ((rc == 0 || rc == 2)) ||
        { cat "$BENCH_OUT/sse_fanout.log" >&2; bench_die "sse_fanout: driver failed"; }
    line=$(tail -n 1 "$raw")
    [[ $line == subs=* ]] ||
        { cat "$BENCH_OUT/sse_fanout.log" >&2; bench_die "sse_fanout: no result"; }
    bench_log "sse_fanout: $line"
    if ((rc == 2)); then
        grep -v ': call ' "$BENCH_OUT/sse_fanout.log" | head -n 12 >&2 || true
        bench_warn "sse_fanout: $(bench_kv "$line" missing) missing deliveries," \
            "$(bench_kv "$line" errors) call errors, $(bench_kv "$line" dropped) dropped" \
            "streams - the numbers are suspect (see $BENCH_OUT/sse_fanout.log)"
    fi
    bench_row sse_fanout "" "$(bench_kv "$line" p50_ms)" "$(bench_kv "$line" p99_ms)"
    bench_row "sse_${BENCH_SSE_SUBS}_rss_mb" "" "$(bench_kv "$line" rss_mb)" ""
}

case_due_date() {
    # the deadline engine in process: 1,000,000 random (date, n) pairs, median of 5 rounds
    local out
    out=$("$ROOT/build/bench/due_bench") || bench_die "due_date: build/bench/due_bench failed"
    bench_log "due_date: $out"
    bench_row due_date "$(awk '{print $2}' <<<"$out")" "" ""
}

case_overdue_scan() {
    # in process: case_warn_scan over BENCH_SCAN_ROWS open cases on a fresh SQLite
    # database, against the same question answered by a full table scan
    local drv=$ROOT/build/bench/case_scan line rc=0
    [[ -x $drv ]] ||
        bench_die "overdue_scan: $drv not found - build it (make build/bench/case_scan)"
    bench_log "overdue_scan: loading $BENCH_SCAN_ROWS open cases, then $BENCH_SCAN_RUNS scans" \
        "each way"
    "$drv" --rows "$BENCH_SCAN_ROWS" --runs "$BENCH_SCAN_RUNS" --dir "$T" \
        >"$BENCH_OUT/case_scan.txt" 2>"$BENCH_OUT/case_scan.log" || rc=$?
    line=$(tail -n 1 "$BENCH_OUT/case_scan.txt")
    if ((rc != 0)) || [[ $line != rows=* ]]; then
        cat "$BENCH_OUT/case_scan.log" >&2
        bench_die "overdue_scan: build/bench/case_scan failed"
    fi
    grep -E 'loaded|plan' "$BENCH_OUT/case_scan.log" | sed 's/^/[bench] overdue_scan: /' >&2
    bench_log "overdue_scan: $line"
    local ref_ops
    ref_ops=$(bench_kv "$line" ref_scans_per_s)
    bench_row overdue_scan "$(bench_kv "$line" scans_per_s)" "$(bench_kv "$line" p50_ms)" \
        "$(bench_kv "$line" p99_ms)" overdue_scan_full "$ref_ops"
    bench_row overdue_scan_full "$ref_ops" "$(bench_kv "$line" ref_p50_ms)" \
        "$(bench_kv "$line" ref_p99_ms)"
}

case_sqlite_batch_insert() {
    # the yardstick of evaluation_submit: plain SQLite writing evaluation rows durably,
    # BENCH_INS_BATCH rows a transaction, in a fresh file with the server's pragmas
    local drv=$ROOT/build/bench/eval_insert line rc=0
    [[ -x $drv ]] ||
        bench_die "sqlite_batch_insert: $drv not found - build it (make build/bench/eval_insert)"
    bench_log "sqlite_batch_insert: $BENCH_INS_PREFILL rows prefilled, then $BENCH_INS_ROWS" \
        "rows in transactions of $BENCH_INS_BATCH (WAL, synchronous=FULL)"
    "$drv" --rows "$BENCH_INS_ROWS" --batch "$BENCH_INS_BATCH" --prefill "$BENCH_INS_PREFILL" \
        --dir "$T" >"$BENCH_OUT/eval_insert.txt" 2>"$BENCH_OUT/eval_insert.log" || rc=$?
    line=$(tail -n 1 "$BENCH_OUT/eval_insert.txt")
    if ((rc != 0)) || [[ $line != rows=* ]]; then
        cat "$BENCH_OUT/eval_insert.log" >&2
        bench_die "sqlite_batch_insert: build/bench/eval_insert failed"
    fi
    bench_log "sqlite_batch_insert: $line"
    bench_row sqlite_batch_insert "$(bench_kv "$line" rows_per_s)" \
        "$(bench_kv "$line" txn_p50_ms)" "$(bench_kv "$line" txn_p99_ms)"
}

case_ranking_month() {
    # in process: a month's ranking of BENCH_RANK_WINDOWS windows among BENCH_RANK_ROWS
    # evaluations (a dataset built once and cached), against the same ranking computed
    # from the raw evaluations
    local drv=$ROOT/build/bench/eval_rank line rc=0
    [[ -x $drv ]] ||
        bench_die "ranking_month: $drv not found - build it (make build/bench/eval_rank)"
    bench_log "ranking_month: $BENCH_RANK_ROWS evaluations, $BENCH_RANK_WINDOWS windows" \
        "(cached in $BENCH_RANK_CACHE; a build takes at most ${BENCH_RANK_BUILD_MAX_S} s)," \
        "$BENCH_RANK_RUNS rankings, $BENCH_RANK_REF_RUNS from the raw evaluations"
    "$drv" --rows "$BENCH_RANK_ROWS" --windows "$BENCH_RANK_WINDOWS" --runs "$BENCH_RANK_RUNS" \
        --ref-runs "$BENCH_RANK_REF_RUNS" --cache-dir "$BENCH_RANK_CACHE" \
        --build-max-s "$BENCH_RANK_BUILD_MAX_S" \
        >"$BENCH_OUT/eval_rank.txt" 2>"$BENCH_OUT/eval_rank.log" || rc=$?
    line=$(tail -n 1 "$BENCH_OUT/eval_rank.txt")
    if ((rc != 0)) || [[ $line != rows=* ]]; then
        tail -n 20 "$BENCH_OUT/eval_rank.log" >&2
        bench_die "ranking_month: build/bench/eval_rank failed"
    fi
    grep -E 'reusing|migration|built in|plan|ranked' "$BENCH_OUT/eval_rank.log" |
        sed 's/^eval_rank: /[bench] ranking_month: /' >&2
    bench_log "ranking_month: $line"
    local ref_ops
    ref_ops=$(bench_kv "$line" ref_ranks_per_s)
    bench_row ranking_month "$(bench_kv "$line" ranks_per_s)" "$(bench_kv "$line" p50_ms)" \
        "$(bench_kv "$line" p99_ms)" ranking_month_raw "$ref_ops"
    bench_row ranking_month_raw "$ref_ops" "$(bench_kv "$line" ref_p50_ms)" \
        "$(bench_kv "$line" ref_p99_ms)"
}

# ---------------------------------------------------------------- scoring cases
# period_close and rescore_event run against a second server of ours, on the scoring
# dataset (build/bench/score_data, cached in BENCH_SCORE_CACHE), started by the first of
# them and stopped on exit. See "The scoring cases" in bench/README.md.
SC_GEN=2 # bump when score_data or the cards below change what the cached dataset holds
SC_READY=0
SC_PID=
SC_SRV=
SC_PORT=
SC_KEY=
SC_COOKIE1=
SC_CSRF1=
SC_COOKIE2=
SC_CSRF2=
SC_WCARD=
SC_SCARD=
SC_M0=
SC_M1=
SC_M2=

# the window card: 100 points over six items, a bonus of up to 10, a yearly veto
SC_WINDOW_DEF='{"weighted":false,"base":100,"cap":110,"floor":0,"items":[
 {"code":"attendance","name":"考勤纪律","points":20,"rules":[
  {"input":"event:absent_half_day","per":-3},{"input":"event:late_arrival","per":-1}]},
 {"code":"public","name":"群众评价","points":30,"input":"satisfaction","zero":0.8,"full":1.0,
  "empty":"full","rules":[{"input":"eval_bad","per":-0.2}]},
 {"code":"timelimit","name":"限时办结","points":20,"input":"ontime_rate","zero":0.8,"full":1.0,
  "rules":[{"input":"case_overdue","per":-1}]},
 {"code":"efficiency","name":"服务效率","points":10,"input":"noshow_rate","zero":0.1,"full":0.0,
  "rules":[{"input":"svc_timeout","per":-0.2}]},
 {"code":"bonus","name":"加分","points":0,"bonus":10,"rules":[{"input":"event:praise_letter","per":2}]},
 {"code":"covert","name":"暗访","points":20,"veto":"year","rules":[
  {"input":"event:covert_negative","per":-20}]}],
 "events":[{"code":"absent_half_day","name":"缺勤(半天)"},{"code":"late_arrival","name":"迟到"},
  {"code":"praise_letter","name":"表扬信"},{"code":"covert_negative","name":"暗访发现问题"}],
 "stars":[95,90,80,70],"red_flag":{"month":5,"quarter":2,"year":1,"group":"all"},
 "summons":{"group":"all","bottom":1,"streak":2}}'
# the staff card: the same kinds of items, the chief representative's share of the
# window's deductions (chief_loss), skill contests, a veto for the period
SC_STAFF_DEF='{"weighted":false,"base":100,"cap":110,"floor":0,"items":[
 {"code":"attendance","name":"考勤纪律","points":20,"rules":[
  {"input":"event:absent_half_day","per":-3},{"input":"event:late_arrival","per":-1}]},
 {"code":"public","name":"群众评价","points":30,"input":"satisfaction","zero":0.8,"full":1.0,
  "empty":"full","rules":[{"input":"eval_bad","per":-0.5}]},
 {"code":"timelimit","name":"限时办结","points":20,"input":"ontime_rate","zero":0.8,"full":1.0,
  "rules":[{"input":"case_overdue","per":-1}]},
 {"code":"efficiency","name":"服务效率","points":10,"input":"noshow_rate","zero":0.1,"full":0.0},
 {"code":"chief","name":"首席代表连带","points":10,"rules":[{"input":"chief_loss","per":-0.5}]},
 {"code":"skill","name":"技能与表扬","points":0,"bonus":10,"rules":[
  {"input":"event:skill_award","per":5},{"input":"event:praise_letter","per":1}]},
 {"code":"discipline","name":"工作纪律","points":10,"veto":"period","rules":[
  {"input":"event:discipline_violation","per":-10}]}],
 "events":[{"code":"absent_half_day","name":"缺勤(半天)"},{"code":"late_arrival","name":"迟到"},
  {"code":"praise_letter","name":"表扬信"},{"code":"skill_award","name":"技能比武获奖"},
  {"code":"discipline_violation","name":"违反工作纪律"}],
 "stars":[95,90,80,70],"summons":{"group":"unit","bottom":3,"streak":2}}'

# the months, Asia/Shanghai: M0 the current one (live), M1 the one closed by period_close,
# M2 the one closed when the dataset was prepared
sc_months() {
    local y m
    y=$(TZ=Asia/Shanghai date +%Y)
    m=$((10#$(TZ=Asia/Shanghai date +%m)))
    SC_M0=$(printf '%04d-%02d' "$y" "$m")
    ((m == 1)) && { y=$((y - 1)); m=13; }
    m=$((m - 1))
    SC_M1=$(printf '%04d-%02d' "$y" "$m")
    ((m == 1)) && { y=$((y - 1)); m=13; }
    m=$((m - 1))
    SC_M2=$(printf '%04d-%02d' "$y" "$m")
}

# sc_server_start DB: our server on the scoring dataset (SC_PID, SC_SRV, SC_PORT)
sc_server_start() {
    local db=$1 try
    for try in 1 2 3; do
        SC_PORT=$(bench_free_port)
        SC_SRV=http://127.0.0.1:$SC_PORT
        CHUANGKOU_KEY_FILE=$SC_KEY "$BIN" serve --listen "127.0.0.1:$SC_PORT" --db "sqlite:$db" \
            >>"$T/score_server.log" 2>&1 &
        SC_PID=$!
        bench_wait_http "$SC_SRV/healthz" 120 "$SC_PID" && break
        if ((try < 3)) && grep -q 'Address already in use' "$T/score_server.log"; then
            wait "$SC_PID" 2>/dev/null || true
            SC_PID=
            continue
        fi
        tail -n 30 "$T/score_server.log" >&2
        bench_die "scoring: chuangkou serve on $db did not answer /healthz"
    done
    bench_log "scoring: chuangkou (pid $SC_PID) on port $SC_PORT, $db"
}

# log both admins in (SC_COOKIE1/SC_CSRF1: bench, SC_COOKIE2/SC_CSRF2: bench2)
sc_login() {
    local SRV=$SC_SRV
    staff_login bench
    SC_COOKIE1=$S_COOKIE
    SC_CSRF1=$S_CSRF
    staff_login bench2
    SC_COOKIE2=$S_COOKIE
    SC_CSRF2=$S_CSRF
}

# sc_close CARD PERIOD: close a card's period as bench; the seconds it took in SC_SECS
SC_SECS=
sc_close() {
    local card=$1 period=$2 out=$T/sc_close.json code t
    read -r code t < <(curl -s -o "$out" -w '%{http_code} %{time_total}\n' -X POST \
        -H "Cookie: $SC_COOKIE1" -H "X-CSRF-Token: $SC_CSRF1" -H 'Content-Type: application/json' \
        --data '{}' "$SC_SRV/api/scorecards/$card/periods/$period/close")
    [[ $code == 200 ]] ||
        bench_die "scoring: POST /api/scorecards/$card/periods/$period/close: expected 200, got" \
            "$code: $(head -c 400 "$out")"
    SC_SECS=$t
}

# the migrations' checksums (sha1sum -c format, paths from the repository's root)
sc_manifest() {
    (cd "$ROOT" && sha1sum src/store/migrations/*.sql)
}

# the region's active window and staff cards (SC_WCARD, SC_SCARD; empty when none)
sc_cards() {
    local SRV=$SC_SRV COOKIE=$SC_COOKIE1
    api GET "/api/scorecards?node_id=1"
    api_expect "GET /api/scorecards?node_id=1" 200
    SC_WCARD=$(jq -r 'first(.items[]? | select(.subject == "window" and .active) | .id) // empty' \
        "$API_OUT")
    SC_SCARD=$(jq -r 'first(.items[]? | select(.subject == "staff" and .active) | .id) // empty' \
        "$API_OUT")
}

# sc_wait_live CARD PERIOD N: wait until the card's live results of PERIOD hold N subjects
# (a new card is scored in the background; so are subjects marked by writes), at most
# BENCH_SCORE_LIVE_MAX_S seconds
sc_wait_live() {
    local card=$1 period=$2 n=$3 SRV=$SC_SRV COOKIE=$SC_COOKIE1 t0=$SECONDS got=0
    while :; do
        api GET "/api/scores?card_id=$card&period=$period"
        api_expect "GET /api/scores?card_id=$card&period=$period" 200
        got=$(jq '.items | length' "$API_OUT")
        ((got >= n)) && break
        ((SECONDS - t0 < BENCH_SCORE_LIVE_MAX_S)) ||
            bench_die "scoring: card $card, $period: $got of $n subjects scored after" \
                "${BENCH_SCORE_LIVE_MAX_S} s"
        sleep 2
    done
    ((SECONDS - t0 < 2)) ||
        bench_log "scoring: card $card, $period: all $n subjects scored live after $((SECONDS - t0)) s"
}

# sc_state CARD PERIOD: open | closed | none
sc_state() {
    local SRV=$SC_SRV COOKIE=$SC_COOKIE1
    api GET "/api/scorecards/$1/periods"
    api_expect "GET /api/scorecards/$1/periods" 200
    jq -r --arg p "$2" 'first(.items[]? | select(.period == $p) | .state) // "none"' "$API_OUT"
}

# the dataset, built into PATH.tmp and prepared through the server: two admins, the two
# cards, M2 closed; renamed to PATH when complete. Each step can be taken again: a
# generated PATH.tmp (marked by PATH.tmp.gen) is reused, existing admins and cards kept.
sc_build() {
    local path=$1 tmp=$1.tmp line t0=$SECONDS rc=0
    if [[ -s $tmp && -s $tmp.gen ]] &&
        (cd "$ROOT" && sha1sum --quiet -c "$tmp.migrations" >/dev/null 2>&1); then
        bench_log "scoring: reusing the generated $tmp ($(cat "$tmp.gen"))"
    else
        rm -f "$tmp" "$tmp-wal" "$tmp-shm" "$tmp.gen" "$tmp.migrations" "$SC_KEY"
        bench_log "scoring: building $path ($BENCH_SCORE_WINDOWS windows, $BENCH_SCORE_STAFF" \
            "staff, $BENCH_SCORE_EVALS evaluations, $BENCH_SCORE_CASES cases," \
            "$BENCH_SCORE_MANUAL manual events; at most ${BENCH_SCORE_BUILD_MAX_S} s)"
        timeout "$BENCH_SCORE_BUILD_MAX_S" nice -n 5 "$ROOT/build/bench/score_data" build \
            --db "$tmp" --windows "$BENCH_SCORE_WINDOWS" --staff "$BENCH_SCORE_STAFF" \
            --evals "$BENCH_SCORE_EVALS" --cases "$BENCH_SCORE_CASES" \
            --manual "$BENCH_SCORE_MANUAL" --build-max-s "$BENCH_SCORE_BUILD_MAX_S" \
            >"$T/score_data.txt" 2>"$BENCH_OUT/score_data.log" || rc=$?
        line=$(tail -n 1 "$T/score_data.txt" 2>/dev/null || true)
        if ((rc != 0)) || [[ $line != windows=* ]]; then
            tail -n 20 "$BENCH_OUT/score_data.log" >&2
            rm -f "$tmp" "$tmp-wal" "$tmp-shm"
            bench_die "scoring: building the dataset failed (exit $rc; nothing cached)"
        fi
        printf '%s\n' "$line" >"$tmp.gen"
        sc_manifest >"$tmp.migrations"
        bench_log "scoring: written in $((SECONDS - t0)) s: $line"
    fi
    local who
    for who in bench bench2; do
        printf '%s\n' "$BENCH_STAFF_PASSWORD" | CHUANGKOU_KEY_FILE=$SC_KEY "$BIN" user add \
            --db "sqlite:$tmp" --login "$who" --name "Bench $who" --role admin --org /city \
            >>"$T/score_setup.log" 2>&1 || grep -q "login $who is taken" "$T/score_setup.log" ||
            { cat "$T/score_setup.log" >&2; bench_die "scoring: chuangkou user add $who failed"; }
    done
    sc_server_start "$tmp"
    sc_login
    local SRV=$SC_SRV COOKIE=$SC_COOKIE1 ADMIN_CSRF=$SC_CSRF1 body card
    sc_cards
    if [[ -z $SC_WCARD ]]; then
        body=$(jq -cn --argjson d "$SC_WINDOW_DEF" '{node_id: 1, subject: "window",
            name: "窗口单位月度考核（压测）", periods: ["month"], "def": $d, note: "bench"}')
        api POST /api/scorecards "$body"
        api_expect "POST /api/scorecards (the window card)" 201
        SC_WCARD=$(jq -r '.id' "$API_OUT")
    fi
    if [[ -z $SC_SCARD ]]; then
        body=$(jq -cn --argjson d "$SC_STAFF_DEF" '{node_id: 1, subject: "staff",
            name: "窗口工作人员月度考核（压测）", periods: ["month"], "def": $d, note: "bench"}')
        api POST /api/scorecards "$body"
        api_expect "POST /api/scorecards (the staff card)" 201
        SC_SCARD=$(jq -r '.id' "$API_OUT")
    fi
    # the new cards' live results (scored in the background), so the cached dataset
    # starts complete
    sc_wait_live "$SC_SCARD" "$SC_M0" "$BENCH_SCORE_STAFF"
    sc_wait_live "$SC_WCARD" "$SC_M0" "$BENCH_SCORE_WINDOWS"
    # the month before the measured one, closed as a leader would: staff first (the
    # window card may read its staff's results)
    for card in "$SC_SCARD" "$SC_WCARD"; do
        [[ $(sc_state "$card" "$SC_M2") == closed ]] && continue
        sc_close "$card" "$SC_M2"
        bench_log "scoring: $SC_M2 closed for card $card in $SC_SECS s"
    done
    stop_pid "$SC_PID" chuangkou-score
    SC_PID=
    local f
    for f in "" -wal -shm; do
        [[ -e $tmp$f ]] && mv "$tmp$f" "$path$f"
    done
    rm -f "$tmp.gen"
    mv "$tmp.migrations" "$path.migrations"
    bench_log "scoring: dataset prepared in $((SECONDS - t0)) s, $(du -m "$path" | cut -f1) MB"
}

# the dataset (built once, cached), its open evaluation tokens, the server, both admins
# logged in, the cards' ids
sc_setup() {
    ((SC_READY)) && return 0
    local dir=$BENCH_SCORE_CACHE name path tok line
    sc_months
    mkdir -p "$dir"
    name=score_g${SC_GEN}_${BENCH_SCORE_WINDOWS}_${BENCH_SCORE_STAFF}_${BENCH_SCORE_EVALS}
    name+=_${BENCH_SCORE_CASES}_${BENCH_SCORE_MANUAL}_${SC_M0}
    path=$dir/$name.db
    SC_KEY=$path.key
    # a migration edited since the dataset was built (not only added: the server applies
    # new ones) makes it stale
    if [[ -s $path ]] && ! (cd "$ROOT" && sha1sum --quiet -c "$path.migrations" >/dev/null 2>&1)
    then
        bench_log "scoring: a migration changed since $path was built: rebuilding"
        rm -f "$path" "$path-wal" "$path-shm" "$path.key" "$path.migrations"
    fi
    if [[ -s $path ]]; then
        bench_log "scoring: reusing $path ($(du -m "$path" | cut -f1) MB)"
    else
        # datasets of other months or sizes: several GB each
        local old
        for old in "$dir"/score_g*.db "$dir"/score_g*.db.tmp; do
            old=${old%.tmp}
            [[ (-e $old || -e $old.tmp) && $old != "$path" ]] || continue
            bench_log "scoring: removing the stale dataset $old"
            rm -f "$old" "$old-wal" "$old-shm" "$old.key" "$old.migrations" "$old.tmp" \
                "$old.tmp-wal" "$old.tmp-shm" "$old.tmp.gen" "$old.tmp.migrations"
        done
        sc_build "$path"
    fi
    # services to evaluate: written before the server serves the file
    tok=$T/sc_tokens.txt
    line=$(CHUANGKOU_KEY_FILE=$SC_KEY "$ROOT/build/bench/score_data" tokens --db "sqlite:$path" \
        --count "$BENCH_SCORE_EVENTS" --out "$tok") ||
        bench_die "scoring: seeding $BENCH_SCORE_EVENTS evaluable services failed"
    bench_log "scoring: seeded $line"
    sc_server_start "$path"
    sc_login
    sc_cards
    [[ -n $SC_WCARD && -n $SC_SCARD ]] ||
        bench_die "scoring: the dataset has no active window and staff cards: $(head -c 400 "$API_OUT")"
    sc_wait_live "$SC_SCARD" "$SC_M0" "$BENCH_SCORE_STAFF"
    sc_wait_live "$SC_WCARD" "$SC_M0" "$BENCH_SCORE_WINDOWS"
    bench_log "scoring: window card $SC_WCARD, staff card $SC_SCARD; months $SC_M2 (closed)," \
        "$SC_M1 (closed by period_close), $SC_M0 (live)"
    SC_READY=1
}

# sc_check_ranks CARD PERIOD N: the period's rows are N, ranked 1.. by score (ties share
# a rank: a row's rank is its position, or the previous row's when the scores tie)
sc_check_ranks() {
    local card=$1 period=$2 n=$3 SRV=$SC_SRV COOKIE=$SC_COOKIE1 res
    api GET "/api/scores?card_id=$card&period=$period"
    api_expect "GET /api/scores?card_id=$card&period=$period" 200
    res=$(jq -r '.items as $r | [range(0; $r | length) | . as $i | $r[$i] |
        if $i == 0 then (if .rank == 1 then empty else "row 1 has rank \(.rank)" end)
        elif .score > $r[$i - 1].score then "row \($i + 1) scores above the row before it"
        elif .score == $r[$i - 1].score then
            (if .rank == $r[$i - 1].rank then empty else "row \($i + 1): tie, rank \(.rank)" end)
        elif .rank == $i + 1 then empty
        else "row \($i + 1) has rank \(.rank)" end] | .[0:3] | join("; ")' "$API_OUT")
    [[ -z $res ]] || bench_die "scoring: card $card, $period: the ranks are wrong: $res"
    local got state
    got=$(jq '.items | length' "$API_OUT")
    state=$(jq -r '.state // empty' "$API_OUT")
    [[ $got == "$n" ]] || bench_die "scoring: card $card, $period: $got rows, expected $n"
    [[ $state == closed ]] || bench_die "scoring: card $card, $period: state '$state' after the close"
    SC_CHECK_ROW=$(jq -c '.items[(.items | length) / 2 | floor]' "$API_OUT")
}

# sc_check_detail CARD PERIOD KIND ROW: the drill-down of the row's subject adds up to its
# stored score
sc_check_detail() {
    local card=$1 period=$2 kind=$3 row=$4 SRV=$SC_SRV COOKIE=$SC_COOKIE1 id score
    id=$(jq -r '.subject_id' <<<"$row")
    score=$(jq -r '.score' <<<"$row")
    api GET "/api/scores/detail?card_id=$card&period=$period&kind=$kind&subject_id=$id"
    api_expect "GET /api/scores/detail (card $card, $kind $id)" 200
    jq -e --argjson s "$score" '((.total - $s) | fabs) < 0.005 and ((.row.score - $s) | fabs) < 0.005
        and ((.items | length) > 0)' "$API_OUT" >/dev/null ||
        bench_die "scoring: card $card, $period, $kind $id scores $score in the ranking, but its" \
            "drill-down says total $(jq -r '.total' "$API_OUT"), row $(jq -r '.row.score' "$API_OUT")"
    bench_log "scoring: card $card, $period: $kind $id, rank $(jq -r '.rank' <<<"$row"):" \
        "drill-down total $(jq -r '.total' "$API_OUT") = its score $score" \
        "($(jq '.items | length' "$API_OUT") items)"
}

# sc_pct P SECONDS...: the nearest-rank percentile P of the values, in ms
sc_pct() {
    local p=$1
    shift
    printf '%s\n' "$@" | sort -g | awk -v p="$p" '{ v[NR] = $1 } END {
        k = int(p / 100 * NR + 0.999999); if (k < 1) k = 1; if (k > NR) k = NR
        printf "%.1f", v[k] * 1000 }'
}

case_period_close() {
    sc_setup
    local SRV=$SC_SRV COOKIE=$SC_COOKIE1 ADMIN_CSRF=$SC_CSRF1 run card st
    local -a tot=() ws=() ss=()
    bench_log "period_close: $SC_M1, the staff card $SC_SCARD then the window card $SC_WCARD," \
        "$BENCH_SCORE_CLOSE_RUNS runs, reopened (admin) before each"
    for ((run = 1; run <= BENCH_SCORE_CLOSE_RUNS; run++)); do
        for card in "$SC_SCARD" "$SC_WCARD"; do
            st=$(sc_state "$card" "$SC_M1")
            if [[ $st == closed ]]; then
                api POST "/api/scorecards/$card/periods/$SC_M1/reopen" \
                    '{"reason":"压测：重新计算考核结果"}'
                api_expect "POST /api/scorecards/$card/periods/$SC_M1/reopen" 200
            fi
        done
        sc_close "$SC_SCARD" "$SC_M1"
        ss+=("$SC_SECS")
        sc_close "$SC_WCARD" "$SC_M1"
        ws+=("$SC_SECS")
        tot+=("$(awk -v a="${ss[-1]}" -v b="${ws[-1]}" 'BEGIN { printf "%.6f", a + b }')")
        bench_log "period_close: run $run: staff card ${ss[-1]} s + window card ${ws[-1]} s"
    done
    # the closed month: every subject ranked 1.. by score, and one subject's drill-down
    # adds up to its stored score
    sc_check_ranks "$SC_WCARD" "$SC_M1" "$BENCH_SCORE_WINDOWS"
    sc_check_detail "$SC_WCARD" "$SC_M1" window "$SC_CHECK_ROW"
    sc_check_ranks "$SC_SCARD" "$SC_M1" "$BENCH_SCORE_STAFF"
    sc_check_detail "$SC_SCARD" "$SC_M1" staff "$SC_CHECK_ROW"
    local p50 p99 w50 s50
    p50=$(sc_pct 50 "${tot[@]}")
    p99=$(sc_pct 99 "${tot[@]}")
    w50=$(sc_pct 50 "${ws[@]}")
    s50=$(sc_pct 50 "${ss[@]}")
    bench_log "period_close: p50 $p50 ms, p99 $p99 ms (both cards; $BENCH_SCORE_WINDOWS windows" \
        "p50 $w50 ms, $BENCH_SCORE_STAFF staff p50 $s50 ms) over $BENCH_SCORE_CLOSE_RUNS runs"
    printf 'runs=%d p50_ms=%s p99_ms=%s window_p50_ms=%s staff_p50_ms=%s windows=%s staff=%s period=%s\n' \
        "$BENCH_SCORE_CLOSE_RUNS" "$p50" "$p99" "$w50" "$s50" "$BENCH_SCORE_WINDOWS" \
        "$BENCH_SCORE_STAFF" "$SC_M1" >"$BENCH_OUT/period_close.txt"
    bench_row period_close "" "$p50" "$p99"
}

case_rescore_event() {
    local drv=$ROOT/build/bench/score_event raw=$BENCH_OUT/score_event.txt rc=0 line
    [[ -x $drv ]] || bench_die "rescore_event: $drv not found - build it (make build/bench/score_event)"
    sc_setup
    bench_log "rescore_event: $BENCH_SCORE_EVENTS manual deductions and $BENCH_SCORE_EVENTS" \
        "evaluations, one at a time, each until the live score and rank show it ($SC_M0)"
    "$drv" --port "$SC_PORT" --tokens "$T/sc_tokens.txt" --cookie1 "$SC_COOKIE1" \
        --csrf1 "$SC_CSRF1" --cookie2 "$SC_COOKIE2" --csrf2 "$SC_CSRF2" --wcard "$SC_WCARD" \
        --scard "$SC_SCARD" --period "$SC_M0" --events "$BENCH_SCORE_EVENTS" \
        --type absent_half_day --per 3 --chief-loss 1 --timeout-ms "$BENCH_SCORE_TIMEOUT_MS" \
        >"$raw" 2>"$BENCH_OUT/score_event.log" || rc=$?
    line=$(tail -n 1 "$raw" 2>/dev/null || true)
    if ((rc != 0 && rc != 2)) || [[ $line != events=* ]]; then
        tail -n 20 "$BENCH_OUT/score_event.log" >&2
        bench_die "rescore_event: the driver failed"
    fi
    grep -E 'card|not shown|POST' "$BENCH_OUT/score_event.log" | head -n 12 |
        sed 's/^score_event: /[bench] rescore_event: /' >&2 || true
    bench_log "rescore_event: $line"
    ((rc == 0)) || bench_warn "rescore_event: $(bench_kv "$line" timeouts) timeouts and" \
        "$(bench_kv "$line" errors) errors - the numbers are suspect (see $BENCH_OUT/score_event.log)"
    bench_row rescore_event "" "$(bench_kv "$line" p50_ms)" "$(bench_kv "$line" p99_ms)"
}

case_idle_rss_mb() {
    # measured in start_server (before load); the MB value goes in the p50_ms column
    bench_row idle_rss_mb "" "$IDLE_RSS_MB" ""
}

# our server (first; "0" when not running; the scoring server when it is the only one),
# the scoring server, nginx and nginx's workers (bench_cpu_check)
our_pids() {
    echo "${SRV_PID:-${SC_PID:-0}}"
    [[ -n $SRV_PID && -n $SC_PID ]] && echo "$SC_PID"
    if [[ -n $NGINX_PID ]]; then
        echo "$NGINX_PID"
        ps -o pid= --ppid "$NGINX_PID" 2>/dev/null
    fi
    return 0
}

# ---------------------------------------------------------------- main
main() {
    local c need_nginx=0 need_server=0
    for c in $BENCH_CASES; do
        declare -F "case_$c" >/dev/null || bench_die "unknown case '$c'"
        case $c in
        nginx_static) need_nginx=1 ;;
        due_date | overdue_scan | sqlite_batch_insert | ranking_month | period_close | \
            rescore_event) ;;
        *) need_server=1 ;;
        esac
    done
    install_tools
    bench_busy_check
    T=$(mktemp -d "${TMPDIR:-/tmp}/chuangkou-bench.XXXXXX")
    bench_summary_init
    ((need_nginx)) && start_nginx
    ((need_server)) && start_server
    for c in $BENCH_CASES; do
        # shellcheck disable=SC2046 # the PIDs are words
        bench_cpu_mark $(our_pids)
        "case_$c"
        # shellcheck disable=SC2046
        bench_cpu_check "$c" $(our_pids)
    done
    if [[ -n $SRV_PID ]]; then
        bench_log "RSS after load: $(bench_rss_mb "$SRV_PID") MB"
    fi
    echo
    bench_print_table
    echo
    bench_log "written $BENCH_SUMMARY (raw wrk output: $BENCH_OUT/wrk_*.txt)"
}

main "$@"
