#!/usr/bin/env bash
# Short libFuzzer runs of the input parsers (make test-fuzz).
#
# Each harness tests/fuzz/fuzz_NAME.c is built with clang and libFuzzer plus
# AddressSanitizer and UndefinedBehaviorSanitizer (UB is fatal) into
# build/fuzz/fuzz_NAME, then run for FUZZ_SECONDS (default 20) seconds on a
# working corpus build/fuzz/corpus/fuzz_NAME seeded from
# tests/fuzz/corpus/fuzz_NAME; the repository is never written. Crash inputs
# land in build/fuzz/artifacts/fuzz_NAME/, the full log in
# build/fuzz/fuzz_NAME.log.
#
# Usage: tests/fuzz/run.sh [NAME...]   (default: every harness)
# Exit status: 0 when every harness built and ran clean, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-15}
out=build/fuzz
CC=${FUZZ_CC:-clang}
CFLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer -std=c11 -D_GNU_SOURCE -Isrc)

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz: $CC not found (apt-get install clang libclang-rt-14-dev)"
    exit 1
fi
if ! jansson=$(pkg-config --cflags --libs jansson); then
    echo "fuzz: pkg-config cannot find jansson"
    exit 1
fi

# the src files each harness needs, besides itself
declare -A srcs=(
    [fuzz_json_body]="src/http/json_in.c src/base/arena.c src/base/err.c"
    [fuzz_query]="src/http/query.c src/base/parse.c src/base/arena.c src/base/err.c"
    [fuzz_calendar]="src/domain/calendar_parse.c src/base/date.c src/base/parse.c src/base/err.c"
    [fuzz_csv]="src/report/csv.c src/base/arena.c src/base/err.c"
)
declare -A dicts=(
    [fuzz_json_body]=tests/fuzz/json.dict
    [fuzz_query]=tests/fuzz/query.dict
)

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    names=(fuzz_json_body fuzz_query fuzz_calendar fuzz_csv)
fi

mkdir -p "$out"
failed=0
for name in "${names[@]}"; do
    if [ -z "${srcs[$name]+x}" ]; then
        echo "$name: unknown harness"
        failed=1
        continue
    fi
    bin=$out/$name
    log=$out/$name.log
    corpus=$out/corpus/$name
    artifacts=$out/artifacts/$name/
    # shellcheck disable=SC2086 # the source lists and pkg-config flags split on purpose
    if ! "$CC" "${CFLAGS[@]}" -o "$bin" "tests/fuzz/$name.c" ${srcs[$name]} $jansson \
        >"$log" 2>&1; then
        echo "$name: BUILD FAILED (see $log)"
        failed=1
        continue
    fi
    mkdir -p "$corpus" "$artifacts"
    # seeds are copied in; what the fuzzer adds stays in build/ between runs
    cp -n "tests/fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null || true
    dict=()
    if [ -f "${dicts[$name]:-}" ]; then
        dict=(-dict="${dicts[$name]}")
    fi
    t0=$SECONDS
    "$bin" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts" "${dict[@]}" "$corpus" \
        >>"$log" 2>&1
    rc=$?
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
    if [ "$rc" -eq 0 ]; then
        echo "$name: ok (${runs:-?} runs in $((SECONDS - t0)) s, coverage ${cov:-?}," \
            "corpus $(find "$corpus" -type f | wc -l) inputs)"
    else
        crash=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -1 | sed 's/Test unit written to //')
        why=$(grep -m1 -oE 'ERROR: [A-Za-z]+Sanitizer: [^ ]+|runtime error: .*|deadly signal|ERROR: libFuzzer: [a-z -]+' "$log" | head -1)
        echo "$name: CRASHED (exit $rc: ${why:-see log}; input ${crash:-none}; log $log)"
        failed=1
    fi
done
exit "$failed"
