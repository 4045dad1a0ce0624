# shellcheck shell=bash
# Helpers for bench/run.sh (sourced, not executed). Bash only.
#
# Results go to $BENCH_SUMMARY (bench/out/summary.tsv), one row per case:
#   case  ops_per_s  p50_ms  p99_ms  ref_case  ref_ops_per_s  ratio
# A new case = a function that measures something and calls bench_row once.
#
#   bench_wrk NAME URL [WRK_ARGS...]   warm up, run wrk, parse; sets WRK_OPS WRK_P50 WRK_P99
#   bench_row CASE OPS P50 P99 [REF_CASE [REF_OPS]]
#                                       append a row; REF_OPS defaults to REF_CASE's ops
#                                       already in the table; ratio = OPS / REF_OPS (2 dp)

BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_CONNS=${BENCH_CONNS:-32}
BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_WARMUP=${BENCH_WARMUP:-2}
# wrk errors (non-2xx/3xx responses + socket errors) tolerated before a warning
BENCH_MAX_ERRORS=${BENCH_MAX_ERRORS:-10}

bench_log() { printf '[bench] %s\n' "$*" >&2; }
bench_warn() { printf '[bench] WARNING: %s\n' "$*" >&2; }
bench_die() {
    printf '[bench] ERROR: %s\n' "$*" >&2
    exit 1
}

# bench_need CMD PKG [ALT_PKG]: install PKG with apt-get when CMD is missing.
# `apt-get update` is only run when the first install attempt fails.
bench_need() {
    local cmd=$1 pkg=$2 alt=${3:-}
    command -v "$cmd" >/dev/null 2>&1 && return 0
    [[ -x /usr/sbin/$cmd ]] && return 0
    command -v apt-get >/dev/null 2>&1 || bench_die "$cmd is missing and apt-get is not available"
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    bench_log "installing $pkg (for $cmd)"
    local -a apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q
        --no-install-recommends)
    if "${apt[@]}" "$pkg" >/dev/null; then return 0; fi
    bench_log "install failed; running apt-get update and retrying"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null ||
        bench_warn "apt-get update failed"
    if "${apt[@]}" "$pkg" >/dev/null; then return 0; fi
    if [[ -n $alt ]] && "${apt[@]}" "$alt" >/dev/null; then return 0; fi
    bench_die "could not install $pkg${alt:+ or $alt}"
}

# bench_free_port: print a TCP port nobody listens on (loopback).
bench_free_port() {
    local p
    for p in $(shuf -i 20000-60999 -n 100); do
        if [[ -z $(ss -Htln "sport = :$p" 2>/dev/null) ]]; then
            echo "$p"
            return 0
        fi
    done
    bench_die "no free port found"
}

# bench_wait_http URL SECONDS [PID]: wait until URL answers 200 (and PID, if given, lives).
bench_wait_http() {
    local url=$1 secs=$2 pid=${3:-} i
    for ((i = 0; i < secs * 10; i++)); do
        if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url") == 200 ]] && return 0
        sleep 0.1
    done
    return 1
}

# bench_rss_mb PID: resident set size of PID in MB (1 decimal), from /proc/PID/status.
bench_rss_mb() {
    awk '/^VmRSS:/ { printf "%.1f\n", $2 / 1024; found = 1 } END { exit !found }' \
        "/proc/$1/status"
}

# bench_to_ms 123.45us|1.2ms|0.5s|1.0m -> milliseconds (3 decimals)
bench_to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v; sub(/[a-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u)
        f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : \
            (u == "h") ? 3600000 : -1
        if (n == "" || f < 0) exit 1
        printf "%.3f\n", n * f }'
}

# bench_wrk NAME URL [WRK_ARGS...]
# Runs a warm-up (BENCH_WARMUP s, discarded) then the measured run (BENCH_SECONDS s),
# both `wrk -tBENCH_THREADS -cBENCH_CONNS --latency`. Raw output: $BENCH_OUT/wrk_NAME.txt.
# Sets WRK_OPS (requests/s), WRK_P50 and WRK_P99 (ms), WRK_ERRORS.
bench_wrk() {
    local name=$1 url=$2
    shift 2
    local raw=$BENCH_OUT/wrk_$name.txt
    local -a base=(wrk "-t$BENCH_THREADS" "-c$BENCH_CONNS" --latency "$@")
    if ((BENCH_WARMUP > 0)); then
        "${base[@]}" "-d${BENCH_WARMUP}s" "$url" >/dev/null 2>&1 ||
            bench_die "$name: wrk warm-up failed for $url"
    fi
    bench_log "$name: wrk -t$BENCH_THREADS -c$BENCH_CONNS -d${BENCH_SECONDS}s $url"
    "${base[@]}" "-d${BENCH_SECONDS}s" "$url" >"$raw" 2>&1 ||
        { cat "$raw" >&2; bench_die "$name: wrk failed"; }

    WRK_OPS=$(awk '/^Requests\/sec:/ { printf "%.2f\n", $2 }' "$raw")
    local p50 p99
    p50=$(awk '/Latency Distribution/ { d = 1; next } d && $1 == "50%" { print $2; exit }' "$raw")
    p99=$(awk '/Latency Distribution/ { d = 1; next } d && $1 == "99%" { print $2; exit }' "$raw")
    [[ -n $WRK_OPS && -n $p50 && -n $p99 ]] ||
        { cat "$raw" >&2; bench_die "$name: could not parse wrk output ($raw)"; }
    WRK_P50=$(bench_to_ms "$p50") || bench_die "$name: bad latency '$p50'"
    WRK_P99=$(bench_to_ms "$p99") || bench_die "$name: bad latency '$p99'"

    local non2xx sock total
    non2xx=$(awk -F: '/Non-2xx or 3xx responses/ { gsub(/ /, "", $2); print $2 }' "$raw")
    # "Socket errors: connect 0, read 0, write 0, timeout 0"
    sock=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$raw")
    total=$(awk '/requests in/ { print $1; exit }' "$raw")
    WRK_ERRORS=$((${non2xx:-0} + ${sock:-0}))
    if ((WRK_ERRORS > BENCH_MAX_ERRORS)); then
        bench_warn "$name: ${non2xx:-0} non-2xx/3xx responses and ${sock:-0} socket errors" \
            "out of ${total:-?} requests - the numbers are suspect (see $raw)"
    fi
    bench_log "$name: $WRK_OPS req/s, p50 $WRK_P50 ms, p99 $WRK_P99 ms"
}

BENCH_HEADER=$'case\tops_per_s\tp50_ms\tp99_ms\tref_case\tref_ops_per_s\tratio'

# bench_summary_init: start a fresh $BENCH_SUMMARY with the header.
bench_summary_init() {
    mkdir -p "$BENCH_OUT"
    printf '%s\n' "$BENCH_HEADER" >"$BENCH_SUMMARY"
}

# bench_ops CASE: ops_per_s of CASE from the table (empty if absent).
bench_ops() {
    awk -F'\t' -v c="$1" 'NR > 1 && $1 == c { v = $2 } END { print v }' "$BENCH_SUMMARY"
}

# bench_row CASE OPS P50 P99 [REF_CASE [REF_OPS]]
bench_row() {
    local case=$1 ops=${2:-} p50=${3:-} p99=${4:-} ref=${5:-} ref_ops=${6:-} ratio=
    if [[ -n $ref && -z $ref_ops ]]; then
        ref_ops=$(bench_ops "$ref")
        [[ -n $ref_ops ]] || bench_warn "$case: reference case $ref has no result; no ratio"
    fi
    if [[ -n $ops && -n $ref_ops ]]; then
        ratio=$(awk -v a="$ops" -v b="$ref_ops" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$ops" "$p50" "$p99" "$ref" "$ref_ops" \
        "$ratio" >>"$BENCH_SUMMARY"
}

# bench_print_table: the summary, aligned, empty cells shown as "-".
bench_print_table() {
    awk 'BEGIN { FS = OFS = "\t" } { for (i = 1; i <= 7; i++) if ($i == "") $i = "-"; print }' \
        "$BENCH_SUMMARY" | column -t -s $'\t'
}
