#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, on a free loopback port.
#
#   pg.sh start DIR   create DIR, initdb into DIR/data, start the server and
#                     print one line on stdout: the connection URL of database
#                     "chuangkou" owned by role "ck" (password "ck")
#   pg.sh url DIR     print that URL again
#   pg.sh stop DIR    stop the server started in DIR (by its PID) and remove DIR
#
# Runs as root (the server then runs as the "postgres" system user, since
# PostgreSQL refuses root) or as any other user (the server runs as that user).
# DIR should be short and under a world-traversable parent, e.g.
#   dir=$(mktemp -d /tmp/ckpg.XXXXXX); url=$(scripts/pg.sh start "$dir")
# The cluster is for tests only: fsync is off, so a crash may lose it.
# Password auth on 127.0.0.1; the Unix socket in DIR is for the server's user
# only. All diagnostics go to stderr; stdout carries only the URL.
set -euo pipefail

DB_NAME=chuangkou
DB_ROLE=ck
DB_PASS=ck
# The DIR being started, for the EXIT trap (a function's locals are gone by
# the time the trap runs).
STARTING_DIR=

die() {
    echo "pg.sh: $*" >&2
    exit 1
}

usage() {
    echo "usage: pg.sh start|stop|url DIR" >&2
    exit 2
}

# The bin directory of the newest installed PostgreSQL server, or nothing.
newest_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [[ -x "$d/initdb" ]]; then echo "$d"; fi
    done | sort -V | tail -n 1
}

# The bin directory of the newest installed PostgreSQL, installing it with apt
# when there is none.
find_bin() {
    local bin
    bin=$(newest_bin)
    if [[ -z "$bin" ]]; then
        [[ $EUID -eq 0 ]] || die "postgresql is not installed and installing it needs root"
        echo "pg.sh: installing postgresql" >&2
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y -q postgresql >&2; then
            apt-get update -q >&2
            apt-get install -y -q postgresql >&2
        fi
        bin=$(newest_bin)
        [[ -n "$bin" ]] || die "initdb not found after installing postgresql"
    fi
    echo "$bin"
}

# Run a command as the user the server runs as.
as_pg() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A free TCP port on 127.0.0.1 (free now; the caller retries on a race).
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
    else
        echo $((20000 + RANDOM % 40000))
    fi
}

# The absolute path of DIR without resolving a missing last component.
abs_dir() {
    realpath -m -- "$1"
}

# The URL of the cluster in DIR, from the port it was started on.
url_of() {
    local dir=$1 port
    [[ -r "$dir/port" ]] || die "no cluster started in $dir"
    port=$(<"$dir/port")
    echo "postgresql://$DB_ROLE:$DB_PASS@127.0.0.1:$port/$DB_NAME"
}

# Whether PID is alive and is the postmaster of DIR/data (not a reused PID).
is_our_postmaster() {
    local pid=$1 dir=$2
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/data"
}

cmd_start() {
    local dir bin port pid tries
    dir=$(abs_dir "$1")
    [[ "$dir" != *[[:space:]]* ]] || die "DIR must not contain white space: $dir"
    # The socket path DIR/.s.PGSQL.NNNNN must fit in sockaddr_un (107 bytes).
    ((${#dir} <= 80)) || die "DIR is too long for a Unix socket path: $dir"
    if [[ -r "$dir/pid" ]] && is_our_postmaster "$(<"$dir/pid")" "$dir"; then
        echo "pg.sh: already running in $dir" >&2
        url_of "$dir"
        return 0
    fi
    [[ ! -e "$dir/data" ]] || die "$dir/data exists; stop it first or use a new DIR"

    bin=$(find_bin)
    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "no postgres system user"
    fi
    mkdir -p -- "$dir"
    chmod 755 -- "$dir"
    if [[ $EUID -eq 0 ]]; then
        chown postgres: -- "$dir"
        as_pg test -w "$dir" -a -x "$dir" ||
            die "user postgres cannot reach $dir; use a directory under /tmp"
    fi

    as_pg "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --no-locale \
        --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
        {
            cat "$dir/initdb.log" >&2
            die "initdb failed"
        }

    # On any exit before the URL is printed, stop the server if it started.
    STARTING_DIR=$dir
    trap 'cmd_halt "$STARTING_DIR" || true' EXIT
    for tries in 1 2 3 4 5; do
        port=$(free_port)
        if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 -o \
            "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c unix_socket_permissions=0700" \
            start >&2; then
            break
        fi
        if ((tries == 5)) || ! grep -q "could not bind\|Address already in use" "$dir/log"; then
            tail -n 20 "$dir/log" >&2 || true
            die "the server did not start"
        fi
        echo "pg.sh: port $port taken, trying another" >&2
    done
    pid=$(head -n 1 "$dir/data/postmaster.pid")
    echo "$pid" >"$dir/pid"
    echo "$port" >"$dir/port"

    as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE $DB_ROLE LOGIN PASSWORD '$DB_PASS'" \
        -c "CREATE DATABASE $DB_NAME OWNER $DB_ROLE ENCODING 'UTF8' TEMPLATE template0" >&2
    trap - EXIT
    url_of "$dir"
}

# Stop the server of DIR if it runs: pg_ctl first, then signals to the PID in
# DIR/pid after checking that it is still that server.
cmd_halt() {
    local dir=$1 bin pid sig
    [[ -d "$dir/data" ]] || return 0
    bin=/usr/lib/postgresql/$(cat "$dir/data/PG_VERSION" 2>/dev/null || true)/bin
    if [[ -x "$bin/pg_ctl" && -f "$dir/data/postmaster.pid" ]]; then
        as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >&2 && return 0
    fi
    pid=$(cat "$dir/pid" 2>/dev/null || head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
    is_our_postmaster "$pid" "$dir" || return 0
    # SIGINT: fast shutdown; SIGQUIT: immediate; SIGKILL: last resort.
    for sig in INT QUIT KILL; do
        kill -s "$sig" "$pid" 2>/dev/null || true
        for _ in {1..50}; do
            kill -0 "$pid" 2>/dev/null || return 0
            sleep 0.2
        done
    done
    die "could not stop postmaster $pid"
}

cmd_stop() {
    local dir
    dir=$(abs_dir "$1")
    if [[ ! -e "$dir" ]]; then
        echo "pg.sh: $dir does not exist" >&2
        return 0
    fi
    # Remove only what looks like ours.
    [[ "$dir" != / && -d "$dir" ]] || die "refusing to remove $dir"
    if [[ ! -e "$dir/data/PG_VERSION" && ! -e "$dir/pid" && ! -e "$dir/initdb.log" && -n "$(ls -A -- "$dir")" ]]; then
        die "$dir does not look like a pg.sh cluster; not removing it"
    fi
    cmd_halt "$dir"
    rm -rf -- "$dir"
}

[[ $# -eq 2 && -n "$2" ]] || usage
case "$1" in
start) cmd_start "$2" ;;
stop) cmd_stop "$2" ;;
url) url_of "$(abs_dir "$2")" ;;
*) usage ;;
esac
