"""Writes of the alerts: raising them once per event, emailing each once, marking them read."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from alerts import detection
from alerts.models import Alert, AlertPreference
from alerts.presenters import alert_text
from analytics.services.watermarks import watermark_advance, watermark_positions
from core import clock
from sellers.models import Seller

logger = logging.getLogger(__name__)

# Watermarks (analytics.Watermark rows): the attribution credit read up to, and the start
# (epoch seconds) of the last week whose return was judged.
REFUNDS_MARK = "alerts.refunds"
LOW_ROAS_MARK = "alerts.low_roas"
EMAILS_PER_RUN = 500


def preferences_for(seller_ids: Iterable[int]) -> dict[int, AlertPreference]:
    """Each seller's preferences; a seller without a row gets the defaults (not saved)."""
    seller_ids = set(seller_ids)
    found = {p.seller_id: p for p in AlertPreference.objects.filter(seller_id__in=seller_ids)}
    return {seller_id: found.get(seller_id) or AlertPreference(seller_id=seller_id) for seller_id in seller_ids}


def alerts_raise(events: Iterable[detection.Event]) -> int:
    """Store one alert per event (seller, key); an event already stored is left as it is.

    INSERT ... ON CONFLICT DO NOTHING on the (seller, key) constraint, so runs racing on the
    same events store each once. Channels follow the seller's preferences now; a seller
    without an email address is not emailed. Returns how many events were new to this run.
    """
    events = list({(e.seller_id, e.key): e for e in events}.values())
    if not events:
        return 0
    seller_ids = {e.seller_id for e in events}
    emails = dict(Seller.objects.filter(pk__in=seller_ids).values_list("pk", "email"))
    known = set(Alert.objects.filter(seller_id__in=seller_ids, key__in=[e.key for e in events])
                .values_list("seller_id", "key"))
    preferences = preferences_for(seller_ids)
    now = clock.now()
    new = [Alert(seller_id=e.seller_id, kind=e.kind, key=e.key, params=e.params, created_at=now,
                 in_app=preferences[e.seller_id].wants(e.kind, "in_app"),
                 email_to=emails.get(e.seller_id, "") if preferences[e.seller_id].wants(e.kind, "email") else "")
           for e in events if (e.seller_id, e.key) not in known and e.seller_id in emails]
    Alert.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _email(alert: Alert) -> None:
    """One alert's email, in the seller's stored language (English when they chose none)."""
    with translation.override(alert.seller.language or settings.LANGUAGE_CODE):
        text = alert_text(alert)
        preferences = f"{settings.BASE_URL}{reverse('alerts:preferences')}"
        lines = [text.body, "", f"{settings.BASE_URL}{text.url}", "",
                 _("Choose which alerts you get: %(url)s") % {"url": preferences}]
        subject = _("ClosetAds: %(title)s") % {"title": text.title}
    send_mail(subject, "\n".join(lines), None, [alert.email_to])


def alert_emails_send(limit: int = EMAILS_PER_RUN) -> int:
    """Email the alerts still to email, each at most once; returns how many were sent.

    Each alert is claimed by one conditional UPDATE (emailed_at set where it was NULL)
    before its email leaves, so runs racing on it send it once. A send that fails releases
    the claim for the next run.
    """
    sent = 0
    pending = (Alert.objects.filter(emailed_at__isnull=True).exclude(email_to="").select_related("seller")
               .order_by("id")[:limit])
    for alert in pending:
        if not Alert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(emailed_at=clock.now()):
            continue  # another run has it
        try:
            _email(alert)
        except (smtplib.SMTPException, OSError):
            logger.warning("alert %s: email to seller %s failed; retried next run", alert.pk, alert.seller_id,
                           exc_info=True)
            Alert.objects.filter(pk=alert.pk).update(emailed_at=None)
            continue
        sent += 1
    return sent


def _low_roas_due(now) -> tuple[list[detection.Event], int | None]:
    """The low-return events of the last finished week, if that week has not been judged yet."""
    start, end = detection.last_finished_week(now)
    week = int(start.timestamp())
    if now < end + detection.ROAS_SETTLE or watermark_positions([LOW_ROAS_MARK])[LOW_ROAS_MARK] >= week:
        return [], None
    return detection.low_roas_events(now), week


def alerts_run() -> dict[str, int]:
    """Find this minute's events, store them as alerts, email what is due. Safe to run twice and
    concurrently (one alert per event, one email per alert).

    Watermarks move only after the alerts they cover are stored: a run that dies midway
    is redone by the next.
    """
    now = clock.now()
    refunds = detection.refund_events(watermark_positions([REFUNDS_MARK])[REFUNDS_MARK])
    low_roas, judged_week = _low_roas_due(now)
    events = [*detection.budget_spent_events(now), *detection.empty_campaign_events(now),
              *detection.admin_pause_events(), *refunds.events, *low_roas]
    with transaction.atomic():
        raised = alerts_raise(events)
    if refunds.upto is not None:
        watermark_advance(REFUNDS_MARK, refunds.upto)
    if judged_week is not None:
        watermark_advance(LOW_ROAS_MARK, judged_week)
    return {"found": len(events), "raised": raised, "emailed": alert_emails_send()}


def alert_mark_read(alert: Alert) -> None:
    """Mark one alert read (reading it again keeps the first time)."""
    now = clock.now()
    Alert.objects.filter(pk=alert.pk, read_at__isnull=True).update(read_at=now)
    alert.read_at = alert.read_at or now


def alerts_mark_all_read(seller: Seller) -> int:
    """Mark every unread alert of the seller read; returns how many were unread."""
    return Alert.objects.filter(seller=seller, read_at__isnull=True).update(read_at=clock.now())


def alert_preference_save(preference: AlertPreference) -> None:
    """Save a seller's choices (they apply to alerts raised from now on)."""
    preference.updated_at = clock.now()
    preference.save()
