"""Browser-only middleware, skipped by the auction endpoint.

POST /api/v1/auctions is called by the storefront's servers, never by a browser, hundreds
of times a second per process. Authentication, messages, htmx and whitenoise's static
files do nothing for it, yet each ran on every auction (with sessions and CSRF, about a
tenth of the request's CPU, measured in-process on the bench catalog). The classes below
are subclasses of those middleware, listed in ``MIDDLEWARE`` in their place: for a path in
``SKIPPED_PATHS`` the request goes straight on and their view hooks do nothing; for every
other path they run exactly as before.

Subclasses, not wrappers: Django's system checks look for these middleware by subclass
(admin.E408-E410). Sessions and CSRF stay Django's own classes, because the deploy checks
(``check --deploy``: secure cookies) look for them by their dotted names; on the auction
path they are cheap anyway (no cookie to read; the view is CSRF-exempt).
The security, common and clickjacking middleware and the simulated clock run for the
auction endpoint too: the same SSL redirect and response headers as every page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.middleware import CSPMiddleware as _CSP
from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Messages
from django.http import HttpRequest, HttpResponseBase
from django_htmx.middleware import HtmxMiddleware as _Htmx
from whitenoise.middleware import WhiteNoiseMiddleware as _WhiteNoise

# Exact request paths (path_info) that skip the browser-only middleware: the auction
# endpoint (config/urls.py; a test checks that it is still this path).
SKIPPED_PATHS = frozenset({"/api/v1/auctions"})


class BrowserOnly:
    """Mixin placed before a middleware class: skips it for ``SKIPPED_PATHS``.

    Django calls ``__call__`` and the ``process_*`` hooks it finds on the instance; each
    one here hands a skipped path straight on.
    """

    # Set by the middleware class this mixin precedes; Django and django-htmx type it
    # differently (sync or async), and here it is always called synchronously.
    get_response: Any

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info in SKIPPED_PATHS:
            response: HttpResponseBase = self.get_response(request)
            return response
        # The __call__ of the middleware class this mixin precedes (next in the MRO).
        return super().__call__(request)  # type: ignore[misc, no-any-return]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for hook in ("process_view", "process_exception", "process_template_response"):
            method = getattr(cls, hook, None)
            if method is not None:
                setattr(cls, hook, _unless_skipped(method))


def _unless_skipped(method: Callable[..., Any]) -> Callable[..., Any]:
    def hook(self: object, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.path_info in SKIPPED_PATHS:
            # process_template_response must hand the response back; the others pass with None.
            return args[0] if method.__name__ == "process_template_response" else None
        return method(self, request, *args, **kwargs)

    hook.__name__ = method.__name__
    return hook


class WhiteNoiseMiddleware(BrowserOnly, _WhiteNoise):  # type: ignore[misc]  # whitenoise ships no types
    """whitenoise's, skipped for ``SKIPPED_PATHS``."""


class AuthenticationMiddleware(BrowserOnly, _Authentication):
    """Django's, skipped for ``SKIPPED_PATHS``."""


class MessageMiddleware(BrowserOnly, _Messages):
    """Django's, skipped for ``SKIPPED_PATHS``."""


class HtmxMiddleware(BrowserOnly, _Htmx):
    """django-htmx's, skipped for ``SKIPPED_PATHS``."""


PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class PrivatePagesMiddleware:
    """Browser pages: a Permissions-Policy turning off what no page uses, and
    ``Cache-Control: private, no-store`` on whatever a signed-in person is served (the
    dashboard, statements, receipts, CSV exports) unless the view chose a policy: a shared
    proxy or the browser's disk must not keep a seller's figures. Skipped for ``SKIPPED_PATHS``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info in SKIPPED_PATHS:
            return self.get_response(request)
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        return response


class CSPMiddleware(BrowserOnly, _CSP):
    """django-csp's Content-Security-Policy header (settings.CONTENT_SECURITY_POLICY), for
    browser pages only: the auction endpoint's JSON goes to the storefront's servers."""
