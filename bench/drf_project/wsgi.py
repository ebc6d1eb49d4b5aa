"""WSGI entry point for gunicorn: ``bench.drf_project.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.drf_project.settings")
application = get_wsgi_application()
