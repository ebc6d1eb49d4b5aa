#!/usr/bin/env bash
# Runs the example project on http://127.0.0.1:${PORT:-8000}/ with demo data, and moto_server
# on a free loopback port as the STS and S3 of its identity-pool page (/aws/).
# EXAMPLE_AWS_ENDPOINT_URL set (even empty, which means AWS itself): no moto_server.
set -euo pipefail
cd "$(dirname "$0")/.."

BOOTSTRAP_DEMO_ONLY=1 bash scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=example_project.settings
export PORT=${PORT:-8000}
python=.venv/bin/python

moto_pid=
stop_moto() { if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; fi; }
trap stop_moto EXIT
trap 'exit 130' INT TERM
if [ -z "${EXAMPLE_AWS_ENDPOINT_URL+set}" ]; then
    moto_port=${EXAMPLE_MOTO_PORT:-$("$python" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
    moto_log=${TMPDIR:-/tmp}/cognito-demo-moto.log
    "$python" -m moto.server -H 127.0.0.1 -p "$moto_port" >"$moto_log" 2>&1 &
    moto_pid=$!
    export EXAMPLE_AWS_ENDPOINT_URL=http://127.0.0.1:$moto_port
fi

"$python" manage.py migrate --noinput
"$python" manage.py cognito_demo

if [ -n "$moto_pid" ]; then
    # moto needs a few seconds to load; fail loudly if it could not listen.
    for _ in $(seq 300); do
        kill -0 "$moto_pid" 2>/dev/null || { echo "demo: moto_server exited:" >&2;
                                             tail -20 "$moto_log" >&2; exit 1; }
        "$python" -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)' "$EXAMPLE_AWS_ENDPOINT_URL" \
            2>/dev/null && break
        sleep 0.1
    done
    echo "STS and S3 (moto_server, log $moto_log): $EXAMPLE_AWS_ENDPOINT_URL"
fi
"$python" manage.py runserver "127.0.0.1:$PORT"
