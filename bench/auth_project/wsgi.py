"""WSGI entry point for gunicorn: ``bench.auth_project.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.auth_project.settings")
application = get_wsgi_application()
