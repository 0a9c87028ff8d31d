"""The WSGI application (gunicorn: ``config.wsgi:application``).

Each web process also runs the auction index's periodic reloads in a background thread
(auction/index.py). A request thread that wants the GIL while that thread holds it waits
up to the interpreter's switch interval, at every socket read and write; 1 ms instead of
Python's default 5 ms keeps those reloads out of the auction latency's tail (measured in
docs/architecture/auction.md).

The index also freezes what the process holds after each full build (``gc.freeze``), so
that the collector's full collections skip it: 100-250 ms pauses otherwise.

Each worker builds its index here, before it accepts a connection (gunicorn loads the
application in the worker after the fork): built inside the first request, it took about
360 ms against the 100 ms deadline, and every fresh worker's first auction failed open.
"""

import os
import sys

from django.core.wsgi import get_wsgi_application

SWITCH_INTERVAL_SECONDS = 0.001

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

from auction.index import AuctionIndex, auction_index  # noqa: E402 - needs the app registry set up above

AuctionIndex.freeze_after_build = True
if settings.WARM_INDEX_AT_START:
    auction_index().warm_up()
