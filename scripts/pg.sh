#!/usr/bin/env bash
# pg.sh start DIR: private PostgreSQL cluster in DIR; prints its URL on stdout.
# pg.sh stop DIR:  stops it.
set -euo pipefail

die() { echo "pg.sh: error: $*" >&2; exit 1; }
say() { echo "pg.sh: $*" >&2; }

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] \
    || die "no PostgreSQL server under /usr/lib/postgresql (run scripts/bootstrap.sh)"
psql_bin=$bindir/psql
[ -x "$psql_bin" ] || psql_bin=psql

# As root the cluster belongs to user postgres; otherwise to the caller.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

start() {
    mkdir -p "$1"
    dir=$(cd "$1" && pwd -P)
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
    chmod 700 "$dir"

    say "initdb in $dir ($bindir)"
    as_owner "$bindir/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null

    for attempt in 1 2 3; do
        port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        say "starting on 127.0.0.1:$port (attempt $attempt)"
        if as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >&2; then
            break
        fi
        port=
    done
    if [ -z "$port" ]; then
        tail -n 20 "$dir/server.log" >&2 || true
        die "postgres did not start"
    fi
    trap 'say "stopping after failure"; as_owner "$bindir/pg_ctl" -D "$dir" -m fast stop >&2 || true' EXIT

    pid=$(head -n 1 "$dir/postmaster.pid")
    kill -0 "$pid" 2>/dev/null || die "postmaster $pid is not running"
    admin=("$psql_bin" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres)
    got=$("${admin[@]}" -Atc "select setting from pg_settings where name = 'data_directory'")
    [ "$got" = "$dir" ] || die "127.0.0.1:$port is served by another cluster ($got), not ours (pid $pid)"
    say "postmaster $pid listening on 127.0.0.1:$port"

    "${admin[@]}" -c "CREATE ROLE app LOGIN PASSWORD 'app' CREATEDB" \
        -c "CREATE DATABASE app OWNER app" >&2
    url="postgres://app:app@127.0.0.1:$port/app"
    "$psql_bin" -X -q -v ON_ERROR_STOP=1 "$url" -Atc 'select 1' >/dev/null \
        || die "cannot connect as app"
    trap - EXIT
    echo "$url"
}

stop() {
    local dir
    dir=$(cd "$1" && pwd -P)
    as_owner "$bindir/pg_ctl" -D "$dir" -m fast -w stop >&2
}

case "${1:-}" in
    start | stop)
        [ $# -eq 2 ] || die "usage: $0 $1 DIR"
        "$1" "$2"
        ;;
    *) die "usage: $0 start|stop DIR" ;;
esac
