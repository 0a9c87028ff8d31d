from django.core.management.base import BaseCommand

from learning.service import models_train


class Command(BaseCommand):
    help = "Train the click and purchase models on recent traffic and activate those that beat the priors."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=28, help="Days of traffic to learn from (default 28).")
        parser.add_argument("--limit", type=int, default=1_000_000, help="Most rows per model (newest first).")

    def handle(self, *args, days: int, limit: int, **options):
        for result in models_train(days=days, limit=limit):
            self.stdout.write(result.message)
