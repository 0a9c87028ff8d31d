"""Writes for sellers: single sign-on links, seller logins, and the demo closets' stand-in photos."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from sellers.models import Listing, Seller, SsoToken

_SSO_SALT = "closetads.sso"


class SsoError(Exception):
    """An SSO link that cannot sign anyone in; the message is safe to show."""


def sso_link_create(seller: Seller, *, max_age: int | None = None, base_url: str | None = None) -> str:
    """A one-time, expiring, signed sign-in URL for ``seller``."""
    max_age = max_age or settings.SSO_LINK_MAX_AGE
    nonce = secrets.token_urlsafe(24)
    SsoToken.objects.create(
        nonce=nonce, seller=seller, expires_at=clock.now() + dt.timedelta(seconds=max_age)
    )
    token = signing.dumps({"n": nonce, "s": seller.pk}, salt=_SSO_SALT, compress=True)
    return f"{(base_url or settings.BASE_URL)}{reverse('sso_login', args=[token])}"


def sso_token_consume(token: str) -> Seller:
    """Check a link's token, claim it (once), and return its seller; SsoError otherwise.

    The claim is one conditional UPDATE (unused and unexpired), so two simultaneous uses
    of the same link sign in at most one browser.
    """
    try:
        payload = signing.loads(token, salt=_SSO_SALT)
    except signing.BadSignature:
        raise SsoError(_("This sign-in link is not valid. Ask the marketplace for a new one.")) from None
    if not isinstance(payload, dict) or "n" not in payload or "s" not in payload:
        raise SsoError(_("This sign-in link is not valid. Ask the marketplace for a new one."))
    now = clock.now()
    claimed = SsoToken.objects.filter(
        nonce=payload["n"], seller_id=payload["s"], used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if claimed != 1:
        raise SsoError(_("This sign-in link has expired or was already used. Ask the marketplace for a new one."))
    return Seller.objects.get(pk=payload["s"])


def seller_user_ensure(seller: Seller):
    """The seller's Django user, created (without a usable password) on first sign-in.

    Locks the seller row so two first sign-ins at once create one user.
    """
    User = get_user_model()
    with transaction.atomic():
        locked = Seller.objects.select_for_update().get(pk=seller.pk)
        if locked.user_id:
            return locked.user
        base = (locked.username or f"seller-{locked.pk}")[:140]
        username = base
        while User.objects.filter(username=username).exists():
            username = f"{base}-{secrets.token_hex(3)}"
        user = User(username=username, email=locked.email)
        user.set_unusable_password()
        user.save()
        locked.user = user
        locked.save(update_fields=["user"])
    seller.user = user
    return user


def listing_demo_photos_set(listings: QuerySet[Listing], *, base_url: str | None = None) -> int:
    """Point each of ``listings`` at its generated stand-in photo (``sellers.views.demo_photo``)
    on ``base_url`` (default settings.BASE_URL), in one UPDATE; returns the number of listings.

    For the demo only: its marketplace has no real photos, and the catalog API takes https
    URLs only while the demo runs on http://127.0.0.1, so the demo writes these directly
    instead of sending them through the API. They show while settings.DEMO_IMAGES is on.
    """
    before, after = reverse("demo_photo", args=["0"]).rsplit("0", 1)
    prefix = f"{(base_url or settings.BASE_URL).rstrip('/')}{before}"
    return listings.update(image_url=Concat(Value(prefix), F("marketplace_id"), Value(after)),
                           updated_at=clock.now())


def seller_language_set(seller: Seller, language: str) -> None:
    """Store the seller's language (one of ``settings.LANGUAGES``): their pages, alerts and
    emails use it from now on, whatever their browser asks for."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    Seller.objects.filter(pk=seller.pk).update(language=language, updated_at=clock.now())
    seller.language = language
