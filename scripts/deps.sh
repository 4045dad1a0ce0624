#!/usr/bin/env bash
# Install what Chuangkou needs from Debian's archive, and only what is missing.
# Usage: scripts/deps.sh [run|test|bench]   (default: test, which includes run)
# Idempotent: a second run installs nothing and takes well under a second.
set -euo pipefail

level=${1:-test}
run_pkgs=(gcc make pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev
          libsodium-dev libinih-dev libxlsxwriter-dev sqlite3
          libcairo2-dev libpango1.0-dev fonts-noto-cjk libcurl4-openssl-dev libqrencode-dev)
test_pkgs=(libcriterion-dev postgresql chromium clang libclang-rt-14-dev clang-format
           clang-tidy cppcheck curl poppler-utils)
bench_pkgs=(nginx-light wrk curl)

want=("${run_pkgs[@]}")
case "$level" in
run) ;;
test) want+=("${test_pkgs[@]}") ;;
bench) want+=("${bench_pkgs[@]}") ;;
all) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
*) echo "usage: $0 [run|test|bench|all]" >&2; exit 2 ;;
esac
# Node.js (for the web build) only when the machine has none: the image's own
# Node 20 is newer than Debian's.
command -v node >/dev/null 2>&1 || want+=(nodejs npm)

missing=()
for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        # nginx-light may be satisfied by another nginx flavour
        if [ "$p" = nginx-light ] && command -v nginx >/dev/null 2>&1; then continue; fi
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
    $SUDO apt-get update -q >&2
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
