#!/usr/bin/env bash
# make test: every suite, in order. Each stage runs even when an earlier one
# failed, so one run shows everything; the exit status is non-zero if any did.
#   format   clang-format check of the C sources
#   unit     Criterion unit tests (ASan/UBSan), PostgreSQL backend tests included
#   api      black-box API tests against SQLite and against PostgreSQL
#   e2e      Playwright driving Debian's Chromium
#   fuzz     short libFuzzer runs of the input parsers
#   lint     clang-tidy and cppcheck
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test || exit 1
jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0
failed_names=()

stage() {
    local name=$1
    shift
    echo "=== $name"
    local t0=$SECONDS
    if "$@"; then
        echo "=== $name: ok ($((SECONDS - t0)) s)"
        passed=$((passed + 1))
    else
        echo "=== $name: FAILED ($((SECONDS - t0)) s)"
        failed=$((failed + 1))
        failed_names+=("$name")
    fi
}

unit() {
    make -s -j"$jobs" build/debug/chuangkou || return 1
    local tmp url rc=0 log
    tmp=$(mktemp -d /tmp/ck-unit.XXXXXX)
    chmod 755 "$tmp"
    url=$(bash scripts/pg.sh start "$tmp/pg") || { rm -rf "$tmp"; return 1; }
    log="$tmp/unit.log"
    CK_TEST_PG_URL=$url make -s -j"$jobs" test-unit 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    bash scripts/pg.sh stop "$tmp/pg" || true
    # Criterion reports leaks but does not fail on them
    if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
        echo "sanitizer reports in unit tests"
        rc=1
    fi
    rm -rf "$tmp"
    return "$rc"
}

stage format make -s format-check
stage unit unit
stage api make -s -j"$jobs" test-api
stage e2e make -s -j"$jobs" test-e2e
stage fuzz make -s test-fuzz
stage lint make -s lint

echo
if [ "$failed" -gt 0 ]; then
    echo "failed stages: ${failed_names[*]}"
fi
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
