from django.core.management.base import BaseCommand, CommandError

from sellers.models import Seller
from sellers.services import sso_link_create


class Command(BaseCommand):
    help = "Print a one-time, expiring, signed sign-in URL for a seller (the marketplace's seller id)."

    def add_arguments(self, parser):
        parser.add_argument("seller_id", help="The marketplace's seller id, e.g. S100.")
        parser.add_argument("--max-age", type=int, default=None, help="Seconds the link stays valid.")
        parser.add_argument("--base-url", default=None, help="Default: CLOSETADS_BASE_URL.")

    def handle(self, *args, seller_id: str, max_age: int | None, base_url: str | None, **options):
        seller = Seller.objects.filter(marketplace_id=seller_id).first()
        if seller is None:
            raise CommandError(f"No seller with marketplace id {seller_id!r}.")
        if max_age is not None and max_age <= 0:
            raise CommandError("--max-age must be a positive number of seconds.")
        self.stdout.write(sso_link_create(seller, max_age=max_age, base_url=base_url))
