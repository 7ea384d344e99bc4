"""WSGI entry point (gunicorn, granian or any WSGI server): leadledger.wsgi:application."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadledger.settings")
application = get_wsgi_application()
