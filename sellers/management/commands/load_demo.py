from django.core.management.base import BaseCommand

from sellers.demo import load_demo
from sellers.models import Seller
from sellers.services import sso_link_create


class Command(BaseCommand):
    help = "Load the demo marketplace (sellers with realistic closets) and print the demo login."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--sellers", type=int, default=8, choices=range(1, 13), metavar="1..12")

    def handle(self, *args, seed: int, sellers: int, **options):
        result = load_demo(seed=seed, sellers=sellers)
        link = sso_link_create(Seller.objects.get(marketplace_id=result.demo_seller_id))
        self.stdout.write(self.style.SUCCESS(
            f"Demo marketplace: {result.sellers} sellers, {result.listings} listings."))
        self.stdout.write(f"  Seller login:  http://127.0.0.1:8000/login/  "
                          f"username {result.demo_username}  password {result.demo_password}")
        self.stdout.write(f"  One-time SSO link (10 min): {link}")
