"""python manage.py promote SELLER_ID --weekly-budget 25 [--listings all|ID,ID...] [--manual-cpc 0.40]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from campaigns import selectors, services
from campaigns.models import Campaign
from campaigns.services import CampaignError
from core import clock
from core.money import MICROS_PER_CENT, MoneyError, format_money, to_micros
from sellers.models import Listing, Seller


def _money(option: str, value: str) -> int:
    try:
        micros = to_micros(value)
    except MoneyError as exc:
        raise CommandError(f"{option} {value!r}: {exc}.") from None
    if micros <= 0:
        raise CommandError(f"{option} must be above 0.")
    if micros % MICROS_PER_CENT:
        raise CommandError(f"{option} must be in whole cents.")
    return micros


def _listing_ids(seller: Seller, value: str) -> list[int]:
    wanted = [part.strip() for part in value.split(",") if part.strip()]
    if not wanted:
        raise CommandError("--listings needs 'all' or marketplace listing ids separated by commas.")
    found = dict(Listing.objects.filter(marketplace_id__in=wanted).values_list("marketplace_id", "seller_id"))
    unknown = [i for i in wanted if i not in found]
    if unknown:
        raise CommandError(f"Unknown listing ids: {', '.join(unknown)}.")
    foreign = [i for i in wanted if found[i] != seller.pk]
    if foreign:
        raise CommandError(f"Not listings of seller {seller.marketplace_id}: {', '.join(foreign)}.")
    return list(Listing.objects.filter(marketplace_id__in=wanted).values_list("pk", flat=True))


class Command(BaseCommand):
    help = ("Create or update a seller's Promoted Closet campaign and launch it. Without --manual-cpc the "
            "campaign bids automatically; without --listings a new campaign promotes the whole closet and an "
            "existing one keeps its listings.")

    def add_arguments(self, parser):
        parser.add_argument("seller_id", help="The marketplace's seller id, e.g. S100.")
        parser.add_argument("--weekly-budget", required=True, help="Weekly budget in dollars, e.g. 25 or 25.50.")
        parser.add_argument("--listings", default=None,
                            help="'all' (whole closet, new listings join) or marketplace listing ids: L1,L2.")
        parser.add_argument("--manual-cpc", default=None, help="Manual bidding with this maximum cost per click.")

    def handle(self, *args, seller_id: str, weekly_budget: str, listings: str | None, manual_cpc: str | None,
               **options):
        seller = Seller.objects.filter(marketplace_id=seller_id).first()
        if seller is None:
            raise CommandError(f"No seller with marketplace id {seller_id!r}.")
        budget_micros = _money("--weekly-budget", weekly_budget)
        max_cpc = _money("--manual-cpc", manual_cpc) if manual_cpc is not None else None
        bidding = Campaign.Bidding.MANUAL if max_cpc is not None else Campaign.Bidding.AUTO
        chosen = None if listings in (None, "all") else _listing_ids(seller, listings)
        try:
            with transaction.atomic():
                campaign, change = self._apply(seller, budget_micros, bidding, max_cpc, listings, chosen)
        except CampaignError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self._summary(seller, campaign, change))

    def _apply(self, seller: Seller, budget_micros: int, bidding: str, max_cpc: int | None,
               listings: str | None, chosen: list[int] | None):
        campaign = selectors.campaign_live_for_seller(seller)
        change = None
        if campaign is None:
            campaign = services.campaign_create(
                seller, weekly_budget_micros=budget_micros, bidding=bidding, max_cpc_micros=max_cpc,
                selection=Campaign.Selection.CHOSEN if chosen else Campaign.Selection.ALL, listing_ids=chosen or ())
        else:
            if budget_micros != campaign.weekly_budget_micros or campaign.next_weekly_budget_micros:
                change = services.campaign_budget_change(campaign, budget_micros)
                campaign.refresh_from_db()
            services.campaign_bidding_set(campaign, bidding, max_cpc)
            if listings == "all":
                services.campaign_listings_set(campaign, Campaign.Selection.ALL)
            elif chosen:
                services.campaign_listings_set(campaign, Campaign.Selection.CHOSEN, chosen)
        if campaign.status != Campaign.Status.ACTIVE:
            services.campaign_launch(campaign)
        campaign.refresh_from_db()
        services.budget_forecast_record(campaign, budget_micros)
        return campaign, change

    def _summary(self, seller: Seller, campaign: Campaign, change) -> str:
        amount = format_money(change.weekly_budget_micros if change else campaign.weekly_budget_micros)
        when = ""
        if change is not None and not change.applies_now:
            when = f" from {change.applies_from.astimezone(clock.marketplace_tz()):%Y-%m-%d} (next budget week)"
        promoted = selectors.promoted_listings(campaign).count()
        what = "whole closet" if campaign.selection == Campaign.Selection.ALL else "chosen listings"
        bids = (f"manual bidding up to {format_money(campaign.max_cpc_micros or 0)} a click"
                if campaign.bidding == Campaign.Bidding.MANUAL else "automatic bidding")
        return (f"Campaign {campaign.pk} of {seller.username} ({seller.marketplace_id}): {campaign.status}, "
                f"{amount} a week{when}, {what} ({promoted} available listings), {bids}.")
