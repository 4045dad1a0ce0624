# shellcheck shell=bash
# Helpers for bench/run.sh (sourced, not executed). Bash only.
#
# Results go to $BENCH_SUMMARY (bench/out/summary.tsv), one row per case:
#   case  ops_per_s  p50_ms  p99_ms  ref_case  ref_ops_per_s  ratio
# A new case = a function that measures something and calls bench_row once.
#
#   bench_wrk NAME URL [WRK_ARGS...]   warm up, run wrk, parse; sets WRK_OPS WRK_P50 WRK_P99
#   bench_busy_check                   warn when other processes use the CPUs before the run
#   bench_cpu_mark SRV_PID PID... / bench_cpu_check NAME SRV_PID PID...
#                                       CPU use during a case; warn when other jobs competed
#   bench_kv LINE KEY                  a value from a driver's "key=value ..." output line
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

# bench_busy_check: warn when other processes keep the CPUs busy (sampled over 1 s from
# /proc/stat before our servers start): every number of the run would be low.
bench_busy_check() {
    local a b
    a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
    sleep 1
    b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
    local busy
    busy=$(awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
        u = y[1] - x[1]; i = y[2] - x[2]
        if (u + i > 0) printf "%d", 100 * u / (u + i); else print 0 }')
    if ((busy > 10)); then
        bench_warn "the machine is busy before the run: ${busy}% of the CPUs in use by other" \
            "processes ($(cut -d' ' -f1-3 /proc/loadavg) load) - the numbers will be low"
    else
        bench_log "machine idle before the run (${busy}% CPU in use)"
    fi
}

# bench_cpu_mark SRV_PID PID... / bench_cpu_check NAME SRV_PID PID...: around a case,
# log the CPU used by our server (SRV_PID), by the load generators (this script's
# children: wrk, the drivers, curl) and by everything else, in % of one core (2 cores =
# 200 %); warn when everything else - other jobs, not ours (SRV_PID and PIDs: nginx and
# its workers) - exceeds BENCH_MAX_OTHER_CPU % of the machine: the row is suspect.
# Busy = user + nice + system time of /proc/stat: interrupt and softirq time (loopback
# networking, ours) is charged to no process and left out of both sides.
BENCH_MAX_OTHER_CPU=${BENCH_MAX_OTHER_CPU:-5}
_bench_proc_ticks() { # PID...: utime + stime of the processes (all threads)
    local p t=0 v
    for p in "$@"; do
        [[ -r /proc/$p/stat ]] || continue
        v=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) || continue
        t=$((t + ${v:-0}))
    done
    echo "$t"
}
# CPU of the reaped children of this shell, in clock ticks, into BENCH_CHILD_TICKS.
# `times` must run in this shell (a subshell has other children): no $(...) here.
BENCH_CHILD_TICKS=0
_bench_child_ticks() {
    local f=$BENCH_OUT/.times hz
    mkdir -p "$BENCH_OUT"
    times >"$f"
    hz=$(getconf CLK_TCK)
    BENCH_CHILD_TICKS=$(awk -v hz="$hz" 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) {
        split($i, a, "m"); sub(/s$/, "", a[2]); n += (a[1] * 60 + a[2]) * hz }
        printf "%d\n", n }' "$f")
    rm -f "$f"
}
BENCH_CPU_SAMPLE=
_bench_cpu_sample() { # SRV_PID PID...: BENCH_CPU_SAMPLE="total busy server children rest"
    local srv=${1:-} srv_t rest_t
    shift || true
    _bench_child_ticks
    srv_t=$(_bench_proc_ticks "$srv")
    rest_t=$(_bench_proc_ticks "$@")
    BENCH_CPU_SAMPLE=$(awk -v s="$srv_t" -v c="$BENCH_CHILD_TICKS" -v r="$rest_t" '/^cpu / {
        t = 0; for (i = 2; i <= 9; i++) t += $i
        print t, $2 + $3 + $4, s, c, r; exit }' /proc/stat)
}
BENCH_CPU_MARK=
bench_cpu_mark() {
    _bench_cpu_sample "$@"
    BENCH_CPU_MARK=$BENCH_CPU_SAMPLE
}
bench_cpu_check() {
    local name=$1 out other _c
    shift
    [[ -n $BENCH_CPU_MARK ]] || return 0
    _bench_cpu_sample "$@"
    # shares of one core: ticks / (all ticks / cores); nothing for cases under 0.5 s
    out=$(awk -v a="$BENCH_CPU_MARK" -v b="$BENCH_CPU_SAMPLE" -v n="$(nproc)" 'BEGIN {
        split(a, x, " "); split(b, y, " "); t = (y[1] - x[1]) / n; if (t < 50) exit
        o = (y[2] - x[2]) - (y[3] - x[3]) - (y[4] - x[4]) - (y[5] - x[5]); if (o < 0) o = 0
        printf "%.0f %.0f %.0f %.0f\n", 100 * (y[3] - x[3]) / t, 100 * (y[4] - x[4]) / t,
            100 * (y[5] - x[5]) / t, 100 * o / t }')
    [[ -n $out ]] || return 0
    read -r -a _c <<<"$out"
    bench_log "$name: CPU (% of one core, $(nproc) cores): server ${_c[0]}, load generator" \
        "${_c[1]}, nginx ${_c[2]}, other processes ${_c[3]}"
    other=$((_c[3] / $(nproc)))
    if ((other > BENCH_MAX_OTHER_CPU)); then
        bench_warn "$name: other processes used ${other}% of the machine's CPU during the" \
            "case - the numbers are suspect"
    fi
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

# bench_kv LINE KEY: the value of KEY in a line of "key=value key=value ..." (drivers' output)
bench_kv() {
    awk -v k="$2" '{ for (i = 1; i <= NF; i++)
        if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' <<<"$1"
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
