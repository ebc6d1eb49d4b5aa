.PHONY: demo demo-idps test bench load faults lint clean docs messages screenshots

VENV := .venv
LINT_PATHS := $(wildcard django_cognito tests bench example_project)

demo:
	bash scripts/demo.sh

# Local OpenID Connect and SAML identity providers for the demo pool (run beside make demo).
demo-idps:
	BOOTSTRAP_SKIP_POSTGRES=1 bash scripts/bootstrap.sh
	DJANGO_SETTINGS_MODULE=example_project.settings $(VENV)/bin/python -m example_project.idps

test:
	bash scripts/test.sh $(ARGS)

bench:
	bash scripts/bench.sh $(ARGS)

docs:
	BOOTSTRAP_SKIP_POSTGRES=1 bash scripts/bootstrap.sh
	DJANGO_SETTINGS_MODULE=tests.settings $(VENV)/bin/python -c 'import django; django.setup(); from django_cognito.api.catalog import render; print(render(), end="")' > docs/operations.md

# The managed login's pages photographed by headless Chromium (tests/hosted/test_browser*.py)
# into docs/screenshots, which the README shows.
screenshots:
	BOOTSTRAP_SKIP_POSTGRES=1 bash scripts/bootstrap.sh
	COGNITO_SCREENSHOTS=docs/screenshots $(VENV)/bin/pytest -p no:cacheprovider -q \
		tests/hosted/test_browser.py tests/hosted/test_browser_account.py

# Four gunicorn workers on a private PostgreSQL and Redis under a mixed workload at 70 % of
# the measured capacity (bench/load.py; ARGS="--seconds 60" for a quick run); `make faults`
# restarts Redis and PostgreSQL and kills a worker during it, then audits what survived.
load:
	bash scripts/bootstrap.sh
	$(VENV)/bin/python -m bench.load $(ARGS)

faults:
	bash scripts/bootstrap.sh
	$(VENV)/bin/python -m bench.load --faults $(ARGS)

lint:
	BOOTSTRAP_SKIP_POSTGRES=1 bash scripts/bootstrap.sh
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache example_project/db.sqlite3
	find . -path ./.venv -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

# The managed login's messages (django_cognito/locale): extract, then compile after translating.
messages:
	cd django_cognito && ../$(VENV)/bin/django-admin makemessages -a -i "admin/*" -i "api/*" \
		-i "templates/admin/*" -i "management/*" -i "contrib/*" -i "services/*" \
		-i "models/*" -i "migrations/*" && ../$(VENV)/bin/django-admin compilemessages
