"""The WSGI application (gunicorn: ``config.wsgi:application``).

Each web process also runs the auction index's periodic reloads in a background thread
(auction/index.py). A request thread that wants the GIL while that thread holds it waits
up to the interpreter's switch interval, at every socket read and write; 1 ms instead of
Python's default 5 ms keeps those reloads out of the auction latency's tail (measured in
docs/architecture/auction.md).

The apps' own start-up work for a web process runs here too, before the worker accepts a
connection (``core.web_start``; gunicorn loads the application in the worker after the fork):
the auction builds its index and freezes it after each full build (auction/apps.py).
"""

import os
import sys

from django.core.wsgi import get_wsgi_application

SWITCH_INTERVAL_SECONDS = 0.001

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
application = get_wsgi_application()

from core import web_start  # noqa: E402 - after the app registry is set up above

web_start.run()
