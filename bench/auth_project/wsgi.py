"""WSGI entry point for gunicorn: ``bench.auth_project.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.auth_project.settings")
application = get_wsgi_application()

from bench.auth_project import meter  # noqa: E402 (after setup: it wraps app functions)

meter.install()
