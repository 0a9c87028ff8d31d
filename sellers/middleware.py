"""The seller pages' language middleware: it reads the signed-in seller, so it lives with the
sellers app rather than in core (core imports no app)."""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as _Locale
from django.utils import translation

from sellers.selectors import seller_for_user

# Paths whose answers stay in English whatever the browser asks: the storefront API (its
# error messages are a contract; DRF would otherwise translate its own) and Django admin.
ENGLISH_ONLY_PREFIXES = ("/api/", "/admin/")


class LocaleMiddleware(_Locale):
    """The language of a request: the signed-in seller's stored choice (``Seller.language``),
    else Django's own (the language cookie the switcher sets, then Accept-Language), else
    English. Placed after authentication, so ``request.user`` is known.

    The seller read here is kept on the request for the ``current_seller`` context processor,
    so a seller page makes no extra query for it.
    """

    def process_request(self, request):
        if request.path_info.startswith(ENGLISH_ONLY_PREFIXES):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return
        super().process_request(request)
        if not hasattr(request, "_current_seller"):
            request._current_seller = seller_for_user(getattr(request, "user", None))
        chosen = getattr(request._current_seller, "language", "")
        if chosen and chosen != request.LANGUAGE_CODE:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen

    def process_response(self, request, response):
        if request.path_info.startswith(ENGLISH_ONLY_PREFIXES):
            return response
        return super().process_response(request, response)
