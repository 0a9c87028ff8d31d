"""ASGI entry point (the deployment uses WSGI, config/wsgi.py; this is for ASGI servers)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_asgi_application()

from core import web_start  # noqa: E402 - after the app registry is set up above

web_start.run()
