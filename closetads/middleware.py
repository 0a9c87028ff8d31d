"""Browser-only middleware, skipped by the auction endpoint.

POST /api/v1/auctions is called by the storefront's servers, never by a browser, hundreds
of times a second per process. Sessions, CSRF (the view is exempt), authentication,
messages, htmx and whitenoise's static files do nothing for it, yet each ran on every
auction: their per-request work was about a tenth of the request's CPU (measured
in-process, bench catalog). Each of them is listed in ``MIDDLEWARE`` wrapped in a
``BrowserOnlyMiddleware`` subclass below: for a path in ``SKIPPED_PATHS`` the request goes
straight on and the middleware's view hooks do nothing; for every other path it runs
exactly as before. The security, common and clickjacking middleware and the simulated
clock still run for the auction endpoint: the same SSL redirect and response headers.
"""

from __future__ import annotations

from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.contrib.sessions.middleware import SessionMiddleware as _Sessions
from django.middleware.csrf import CsrfViewMiddleware as _Csrf
from django_htmx.middleware import HtmxMiddleware as _Htmx
from whitenoise.middleware import WhiteNoiseMiddleware as _WhiteNoise

# Exact request paths (path_info) that skip the browser-only middleware: the auction
# endpoint (closetads/urls.py; a test checks that it is still this path).
SKIPPED_PATHS = frozenset({"/api/v1/auctions"})


class BrowserOnlyMiddleware:
    """Runs ``wrapped`` (a middleware class) except for ``SKIPPED_PATHS``."""

    wrapped: type

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.inner = self.wrapped(get_response)  # MiddlewareNotUsed passes through: not loaded
        for hook in ("process_view", "process_exception"):
            method = getattr(self.inner, hook, None)
            if method is not None:
                setattr(self, hook, _unless_skipped(method))
        method = getattr(self.inner, "process_template_response", None)
        if method is not None:
            def process_template_response(request, response, method=method):
                return response if request.path_info in SKIPPED_PATHS else method(request, response)
            self.process_template_response = process_template_response

    def __call__(self, request):
        if request.path_info in SKIPPED_PATHS:
            return self.get_response(request)
        return self.inner(request)


def _unless_skipped(method):
    def hook(request, *args, **kwargs):
        if request.path_info in SKIPPED_PATHS:
            return None
        return method(request, *args, **kwargs)
    return hook


def _browser_only(middleware: type) -> type:
    return type(middleware.__name__, (BrowserOnlyMiddleware,), {
        "wrapped": middleware, "__module__": __name__,
        "__doc__": f"{middleware.__module__}.{middleware.__name__}, skipped for SKIPPED_PATHS.",
    })


WhiteNoiseMiddleware = _browser_only(_WhiteNoise)
SessionMiddleware = _browser_only(_Sessions)
CsrfViewMiddleware = _browser_only(_Csrf)
AuthenticationMiddleware = _browser_only(_Authentication)
MessageMiddleware = _browser_only(_Messages)
HtmxMiddleware = _browser_only(_Htmx)
