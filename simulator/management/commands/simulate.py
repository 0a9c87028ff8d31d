import json

from django.core.management.base import BaseCommand, CommandError

from auction.index import auction_index
from closetads import clock, periodic
from simulator.platform import InProcessPlatform
from simulator.report import campaigns_launch, run_report
from simulator.runner import Options, Simulation


def _bidding(value: str) -> float | None:
    if value == "auto":
        return None
    kind, _, amount = value.partition(":")
    try:
        cpc = float(amount)
    except ValueError:
        cpc = -1.0
    if kind != "fixed" or not 0.01 <= cpc <= 100:
        raise CommandError(f"--bidding must be 'auto' or 'fixed:<dollars>' such as fixed:0.30, not {value!r}")
    return cpc


class Command(BaseCommand):
    help = ("Play a synthetic resale marketplace against ClosetAds (in-process) on the platform's clock, "
            "and report what happened against the ground truth.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7)
        parser.add_argument("--sellers", type=int, default=200)
        parser.add_argument("--buyers", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--start", default="2026-10-05", help="A Monday (YYYY-MM-DD), UTC midnight.")
        parser.add_argument("--no-pacing", action="store_true", help="Baseline: no pacing (bids at x1, no throttle).")
        parser.add_argument("--bidding", default="auto", help="auto (default) or fixed:<CPC in dollars>.")
        parser.add_argument("--holdout", type=float, default=0.0,
                            help="Share of buyers (by hashed user id) who see no ads (0 to 0.5).")
        parser.add_argument("--promote-share", type=float, default=0.35, help="Share of sellers who promote.")
        parser.add_argument("--no-organic-impressions", action="store_true",
                            help="Do not report organic impressions (faster; the models then have less to learn).")
        parser.add_argument("--tick-minutes", type=int, default=30, choices=[5, 10, 15, 20, 30, 60],
                            help="Run the periodic work every so many simulated minutes (default 30).")
        parser.add_argument("--json", action="store_true",
                            help="Print the figures as one JSON object on the last line.")

    def handle(self, *args, **o):
        import datetime as dt

        try:
            start = dt.datetime.fromisoformat(o["start"]).replace(tzinfo=dt.UTC)
        except ValueError:
            raise CommandError("--start must be a date such as 2026-10-05") from None
        if not 0 <= o["holdout"] <= 0.5:
            raise CommandError("--holdout must be between 0 and 0.5")
        if o["days"] < 1 or o["sellers"] < 1 or o["buyers"] < 1:
            raise CommandError("--days, --sellers and --buyers must be positive")
        options = Options(
            days=o["days"], sellers=o["sellers"], buyers=o["buyers"], seed=o["seed"], start=start,
            pacing=not o["no_pacing"], fixed_cpc=_bidding(o["bidding"]), holdout=o["holdout"],
            promote_share=o["promote_share"], organic_impressions=not o["no_organic_impressions"],
            tick_minutes=o["tick_minutes"],
        )
        sim = Simulation(options, InProcessPlatform(), periodic=_periodic(options), campaign_setup=campaigns_launch)
        try:
            sim.run()
            periodic.run(["rollups", "attribution"])
            report = run_report(sim)
        finally:
            clock.reset()
            auction_index().background_reloads = True
        if o["json"]:
            self.stdout.write(json.dumps(report, sort_keys=True))
        else:
            for key, value in report.items():
                self.stdout.write(f"{key:34} {value}")


def _periodic(options: Options):
    available = {job.name for job in periodic.jobs()}

    def run(names: set[str]) -> None:
        periodic.run(sorted(names & available))

    return run
