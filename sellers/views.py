"""Seller sign-in (password and marketplace SSO), the language switcher, and the demo's stand-in listing photos.
(The seller's home page reads campaigns: campaigns/views/home.py.)"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from sellers.models import Listing
from sellers.selectors import seller_for_user
from sellers.services import SsoError, seller_language_set, seller_user_ensure, sso_token_consume


@never_cache
@require_GET
def sso_login(request, token: str):
    """Sign a seller in from a marketplace SSO link (one use, expiring)."""
    try:
        seller = sso_token_consume(token)
    except SsoError as exc:
        return render(request, "sellers/sso_error.html", {"message": str(exc)}, status=403)
    user = seller_user_ensure(seller)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(reverse("home"))


@require_POST
def language_set(request):
    """The header's language switcher: stores the choice on the signed-in seller (it then wins
    over the browser's Accept-Language) and in the language cookie (the sign-in page, and
    anyone not signed in as a seller), then goes back to ``next``."""
    language = request.POST.get("language", "")
    target = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    if language not in dict(settings.LANGUAGES):
        return response
    seller = seller_for_user(request.user)
    if seller is not None:
        seller_language_set(seller, language)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response


_DEMO_PHOTO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">'
    '<rect width="96" height="96" fill="hsl({hue} 45% 80%)"/>'
    '<text x="48" y="62" font-family="sans-serif" font-size="44" font-weight="700" text-anchor="middle" '
    'fill="hsl({hue} 45% 28%)">{initial}</text></svg>'
)


@require_GET
def demo_photo(request, marketplace_id: str):
    """A stand-in photo for the demo and the tests (settings.DEMO_IMAGES): a square in a
    colour drawn from the listing id, with its category's initial, so that thumbnails show
    without any request leaving the site. Demo listings point their ``image_url`` here."""
    if not settings.DEMO_IMAGES:
        raise Http404
    category = Listing.objects.filter(marketplace_id=marketplace_id).values_list("category", flat=True).first()
    if category is None:
        raise Http404
    hue = int.from_bytes(hashlib.sha256(marketplace_id.encode()).digest()[:2]) % 360
    initial = (category.rsplit("/", 1)[-1].strip()[:1] or "?").upper()
    response = HttpResponse(_DEMO_PHOTO.format(hue=hue, initial=escape(initial)), content_type="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
