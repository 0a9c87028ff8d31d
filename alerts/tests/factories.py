import factory

from alerts.models import Alert, AlertPreference, Kind
from core import clock
from sellers.tests.factories import SellerFactory


class AlertFactory(factory.django.DjangoModelFactory):
    """A budget-spent alert (the kind whose params are simplest to make up)."""

    class Meta:
        model = Alert

    seller = factory.SubFactory(SellerFactory)
    kind = Kind.BUDGET_SPENT
    key = factory.Sequence(lambda n: f"budget_spent:{n}")
    params = factory.LazyFunction(lambda: {
        "campaign_id": 1, "period_id": 1, "exhausted_at": "2026-12-17T14:00:00+00:00",
        "week_end": "2026-12-21T00:00:00+00:00", "budget_micros": 25_000_000})
    created_at = factory.LazyFunction(clock.now)


class AlertPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlertPreference

    seller = factory.SubFactory(SellerFactory)
