#!/usr/bin/env bash
# The whole test suite: ruff, mypy, the import contracts, pytest on SQLite, pytest on a private
# PostgreSQL.
# Extra arguments go to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
export PATH="$PWD/.venv/bin:$PATH"
export DJANGO_SETTINGS_MODULE=tests.settings
unset COGNITO_TEST_DATABASE_URL

summary=()
failed=0
step() {
    local name=$1
    shift
    echo "==> $name: $*"
    if "$@"; then
        summary+=("PASS  $name")
    else
        summary+=("FAIL  $name")
        failed=1
    fi
}

lint_paths=()
for p in django_cognito tests bench example_project; do
    [ -e "$p" ] && lint_paths+=("$p")
done
step ruff ruff check "${lint_paths[@]}"
step mypy mypy
step import-linter lint-imports --no-cache

pytest_cmd=(pytest -p no:cacheprovider -n 2 --dist loadgroup "$@")
step "pytest (SQLite)" "${pytest_cmd[@]}"

pgdir=$(mktemp -d)
trap 'bash scripts/pg.sh stop "$pgdir" 2>/dev/null || true; rm -rf "$pgdir"' EXIT
if url=$(bash scripts/pg.sh start "$pgdir"); then
    step "pytest (PostgreSQL)" env COGNITO_TEST_DATABASE_URL="$url" "${pytest_cmd[@]}"
else
    summary+=("FAIL  pytest (PostgreSQL): server did not start")
    failed=1
fi

echo "==> summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
