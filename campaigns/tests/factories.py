import factory

from campaigns.models import Campaign
from sellers.tests.factories import SellerFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    seller = factory.SubFactory(SellerFactory)
    weekly_budget_micros = 25_000_000
    status = Campaign.Status.DRAFT
