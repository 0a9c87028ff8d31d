import factory

from campaigns.models import Campaign
from sellers.tests.factories import SellerFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    seller = factory.SubFactory(SellerFactory)
    weekly_budget_micros = 25_000_000
    status = Campaign.Status.DRAFT


def launched_campaign(seller, weekly_budget_micros: int = 25_000_000, **kwargs) -> Campaign:
    """A seller's campaign created and launched through the services, at the clock's now."""
    from campaigns.services import campaign_create, campaign_launch

    campaign = campaign_create(seller, weekly_budget_micros=weekly_budget_micros, **kwargs)
    campaign_launch(campaign)
    campaign.refresh_from_db()
    return campaign
