#!/usr/bin/env bash
# make bench: seeds BENCH_USERS users (default 1,000,000) into one pool and times lookups,
# ListUsers pages, the admin changelist and sign-up + confirm on SQLite and on a private
# PostgreSQL. Results: a table per backend, a summary, bench/results/<backend>.json.
#
# Arguments: the backends to run (sqlite, postgresql; default both).
# Environment: BENCH_USERS, BENCH_ROUNDS (100), BENCH_SIGNUPS (100),
#   BENCH_DIR (where the SQLite files live, reused across runs),
#   BENCH_PG_URL (use this PostgreSQL server instead of starting one; its seeds persist),
#   BENCH_STRICT=1 (exit non-zero when a read misses the 50 ms target on PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "bench: $*" >&2; }

backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgresql)
for backend in "${backends[@]}"; do
    case $backend in
        sqlite | postgresql) ;;
        *) say "error: unknown backend $backend (sqlite, postgresql)"; exit 2 ;;
    esac
done
if [[ " ${backends[*]} " == *" postgresql "* ]] && [ -z "${BENCH_PG_URL:-}" ]; then
    bash scripts/bootstrap.sh
else
    BOOTSTRAP_SKIP_POSTGRES=1 bash scripts/bootstrap.sh
fi

python=.venv/bin/python
users=${BENCH_USERS:-1000000}
users=${users//_/}
export BENCH_USERS=$users
workdir=${BENCH_DIR:-${TMPDIR:-/tmp}/django_cognito_bench}
mkdir -p "$workdir" bench/results

pgdir=
cleanup() {
    if [ -n "$pgdir" ]; then
        bash scripts/pg.sh stop "$pgdir" 2>/dev/null || true
        rm -rf "$pgdir"
    fi
}
trap cleanup EXIT

status=0
outputs=()
for backend in "${backends[@]}"; do
    output=bench/results/$backend.json
    rm -f "$output"
    if [ "$backend" = sqlite ]; then
        database=$workdir/sqlite-$users.sqlite3
    elif [ -n "${BENCH_PG_URL:-}" ]; then
        database=$BENCH_PG_URL
    else
        pgdir=$(mktemp -d)
        database=$(bash scripts/pg.sh start "$pgdir")
    fi
    say "$backend: $users users"
    if "$python" -m bench.run --backend "$backend" --database "$database" --output "$output"; then
        outputs+=("$output")
    else
        say "$backend: FAILED"
        status=1
    fi
done

if [ ${#outputs[@]} -gt 0 ]; then
    echo
    "$python" -m bench.report "${outputs[@]}"
fi
if [ "${BENCH_STRICT:-0}" = 1 ] && [ -e bench/results/postgresql.json ]; then
    "$python" -c 'import json, sys
rows = json.load(open("bench/results/postgresql.json"))["measurements"]
sys.exit(any(r.get("error") or r.get("over_target") for r in rows))' || status=1
fi
"$python" -m bench.drf_bench || status=1
"$python" -m bench.auth_bench || status=1
"$python" -m bench.oauth_bench || status=1
"$python" -m bench.identity_bench || status=1
exit "$status"
