#!/usr/bin/env bash
# Runs the example project on http://127.0.0.1:${PORT:-8000}/ with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."

BOOTSTRAP_DEMO_ONLY=1 bash scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=example_project.settings
export PORT=${PORT:-8000}
python=.venv/bin/python

"$python" manage.py migrate --noinput
"$python" manage.py cognito_demo
exec "$python" manage.py runserver "127.0.0.1:$PORT"
