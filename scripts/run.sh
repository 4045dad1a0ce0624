#!/usr/bin/env bash
# make run: create data/chuangkou.db with demo data the first time, then serve
# http://127.0.0.1:8080 (override with CHUANGKOU_LISTEN / CHUANGKOU_DB).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/chuangkou
db=${CHUANGKOU_DB:-sqlite:data/chuangkou.db}
listen=${CHUANGKOU_LISTEN:-127.0.0.1:8080}
mkdir -p data
if [[ "$db" == sqlite:* ]] && [ ! -f "${db#sqlite:}" ]; then
    out=$("$bin" demo --db "$db")
    echo "$out"
    # keep the first login where only root can read it, for later reference
    umask 077
    printf '%s\n' "$out" | grep -E '^(admin login|password):' > data/initial-admin.txt
    echo "(also written to data/initial-admin.txt)"
elif [[ "$db" == sqlite:* ]]; then
    echo "using existing ${db#sqlite:}; the first admin login is in data/initial-admin.txt"
fi
echo "serving http://$listen  (Ctrl-C stops)"
echo "simulated traffic, in another terminal: $bin simulate --url http://$listen --hall 2 --rate 20 --minutes 10 --login admin --password-file data/initial-admin.txt"
exec "$bin" serve --listen "$listen" --db "$db"
