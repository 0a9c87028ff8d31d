import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse

from auction.index import auction_index
from core import clock, periodic
from dev.simulator.arguments import world_arguments
from dev.simulator.platform import InProcessPlatform
from dev.simulator.report import campaigns_launch
from dev.simulator.runner import Options, Simulation
from sellers.models import Listing, Seller
from sellers.services import listing_demo_photos_set, sso_link_create

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "promote-my-closet"  # noqa: S105 - the public demo login, printed by make demo


class Command(BaseCommand):
    help = ("Load the demo marketplace: the simulator plays the last few weeks of a small resale "
            "marketplace (sellers, buyers, campaigns, auctions, clicks, sales), then prints the demo login.")

    def add_arguments(self, parser):
        world_arguments(parser, days=28, sellers=24, buyers=900, seed=7)

    def handle(self, *args, seed: int, days: int, sellers: int, buyers: int, **options):
        first_key = f"SS{seed}-00000"
        if not Seller.objects.filter(marketplace_id=first_key).exists():
            now = clock.now().replace(minute=0, second=0, microsecond=0)
            sim_options = Options(days=days, sellers=sellers, buyers=buyers, seed=seed,
                                  start=now - dt.timedelta(days=days), first_seller_budget=25, tick_minutes=60,
                                  holdout=0.1)  # ghost ads on: "What your ads added" has data
            jobs = {job.name for job in periodic.jobs()}
            sim = Simulation(sim_options, InProcessPlatform(),
                             periodic=lambda names: periodic.run(sorted(names & jobs)),
                             campaign_setup=campaigns_launch)
            try:
                sim.run()
                periodic.run(["rollups", "attribution", "lift"])
                # Photos served by this site (no outside request): the simulator syncs its
                # catalog through the API, which takes https photo URLs only.
                listing_demo_photos_set(Listing.objects.filter(seller__marketplace_id__startswith=f"SS{seed}-"))
            finally:
                clock.reset()
                auction_index().background_reloads = True
            t = sim.truth
            self.stdout.write(self.style.SUCCESS(
                f"Demo marketplace: {sellers} sellers, {buyers} buyers, {days} days of history in "
                f"{sim.elapsed:.0f} s: {t.auctions} auctions, {t.clicks} clicks, {t.purchases} purchases."))
        else:
            self.stdout.write("Demo marketplace already loaded.")
        seller = Seller.objects.get(marketplace_id=first_key)
        User = get_user_model()
        user, _ = User.objects.get_or_create(username=DEMO_USERNAME, defaults={"email": seller.email})
        user.set_password(DEMO_PASSWORD)
        user.save()
        Seller.objects.filter(user=user).exclude(pk=seller.pk).update(user=None)
        if seller.user_id != user.pk:
            seller.user = user
            seller.save(update_fields=["user"])
        link = sso_link_create(seller)
        self.stdout.write(f"  Seller login:  {settings.BASE_URL}{reverse('login')}  "
                          f"username {DEMO_USERNAME}  password {DEMO_PASSWORD}   ({seller.username})")
        self.stdout.write(f"  One-time SSO link (10 min): {link}")
