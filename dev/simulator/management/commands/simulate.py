import datetime as dt
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from auction.index import auction_index
from core import clock, periodic
from dev.simulator import shared_db
from dev.simulator.arguments import world_arguments
from dev.simulator.platform import HttpPlatform, InProcessPlatform, PlatformError
from dev.simulator.report import campaigns_launch, run_report
from dev.simulator.runner import Options, Simulation

DEFAULT_START = dt.datetime(2026, 10, 5, tzinfo=dt.UTC)  # a Monday
# Organic history before the launch, as a marketplace that installs ClosetAds has: the
# platform's models and shoppers' tastes start from it (docs/simulator.md). Each day of it
# costs about 8 s of a run: two keep the standard scenario well within its 150 s here.
DEFAULT_WARMUP_DAYS = 2


def _slot_positions(value: str) -> tuple[int, ...]:
    try:
        positions = tuple(int(part) for part in value.split(","))
    except ValueError:
        positions = ()
    if (not positions or len(positions) > 40 or any(p < 1 or p > 1000 for p in positions)
            or list(positions) != sorted(set(positions))):
        raise CommandError(f"--slot-positions must be 1 to 40 distinct ascending page positions in 1..1000 such as "
                           f"1,5,9,13, not {value!r}")
    return positions


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
    help = ("Play a synthetic resale marketplace against ClosetAds (in-process, or a running server with "
            "--http) on the platform's clock, and report what happened against the ground truth.")

    def add_arguments(self, parser):
        world_arguments(parser, days=7, sellers=200, buyers=20_000, seed=1)
        parser.add_argument("--start", default=None,
                            help="A Monday (YYYY-MM-DD), UTC midnight. Default 2026-10-05; with --http the "
                                 "first Monday five weeks after the newest data in the database.")
        parser.add_argument("--no-pacing", action="store_true", help="Baseline: no pacing (bids at x1, no throttle).")
        parser.add_argument("--bidding", default="auto", help="auto (default) or fixed:<CPC in dollars>.")
        parser.add_argument("--budget-scale", type=float, default=1.0,
                            help="Multiply every campaign's weekly budget by this (to compare bidding at equal spend).")
        parser.add_argument("--holdout", type=float, default=0.0,
                            help="Share of buyers (by hashed user id) who see no ads (0 to 0.5).")
        parser.add_argument("--margin", type=float, default=None,
                            help="The incrementality gate's margin m for this run (admin setting; default: as set).")
        parser.add_argument("--sigma", type=float, default=None,
                            help="The gate's substitution share sigma for this run (admin setting; default: as set).")
        parser.add_argument("--pricing", choices=["first", "second"], default=None,
                            help="The auction's pricing for this run (admin setting; default: as set).")
        parser.add_argument("--reserve-cpc", type=float, default=None, metavar="DOLLARS",
                            help="The least a click may cost for this run (dollars; admin setting; default: as set).",
                            )
        parser.add_argument("--least-bid-share", type=float, default=None, metavar="SHARE",
                            help="With second price, the least share of its bid a winner pays for this run "
                                 "(0-1; admin setting; default: as set).")
        parser.add_argument("--promote-share", type=float, default=0.35, help="Share of sellers who promote.")
        parser.add_argument("--slot-positions", default="1,5,9,13",
                            help="The storefront's page layout: page positions (1-based) of sponsored slots 1, 2, "
                                 "... (default 1,5,9,13). Sent to the auction as slotPositions.")
        parser.add_argument("--organic-impression-share", type=float, default=0.25,
                            help="Share of sessions whose organic impressions are reported (default 0.25; clicks "
                                 "and purchases are always reported).")
        parser.add_argument("--no-organic-impressions", action="store_true",
                            help="Do not report organic impressions (faster; the models then have less to learn).")
        parser.add_argument("--tick-minutes", type=int, default=30, choices=[5, 10, 15, 20, 30, 60],
                            help="Run the periodic work every so many simulated minutes (default 30).")
        parser.add_argument("--http", metavar="URL", default=None,
                            help="Send the storefront traffic (catalog, auctions, events) to the server at URL. "
                                 "It must share this database and run with CLOSETADS_SIMULATED_CLOCK=1 "
                                 "(make demo does); campaigns, periodic work and the report act on the database.")
        parser.add_argument("--api-key", metavar="KEY", default=None,
                            help="With --http: a key with the catalog, auctions and events scopes.")
        parser.add_argument("--prefix", default=None,
                            help="Put this before every marketplace and event id (default: none; with --http a "
                                 "fresh one per run, so runs sharing a database never collide).")
        parser.add_argument("--warmup-days", type=int, default=DEFAULT_WARMUP_DAYS, metavar="DAYS",
                            help="Organic-only days before the campaigns launch (the marketplace's history: "
                                 "models, shoppers' tastes); not measured. Default %(default)s; 0 is a cold "
                                 "start.")
        parser.add_argument("--json", action="store_true",
                            help="Print the figures as one JSON object on the last line.")

    def handle(self, *args, **o):
        if not 0 <= o["holdout"] <= 0.5:
            raise CommandError("--holdout must be between 0 and 0.5")
        if o["margin"] is not None and not 0 <= o["margin"] <= 10:
            raise CommandError("--margin must be between 0 and 10")
        if o["sigma"] is not None and not 0 <= o["sigma"] <= 0.95:
            raise CommandError("--sigma must be between 0 and 0.95")
        if o["reserve_cpc"] is not None and not 0.01 <= o["reserve_cpc"] <= 100:
            raise CommandError("--reserve-cpc must be between 0.01 and 100 dollars")
        if o["least_bid_share"] is not None and not 0 <= o["least_bid_share"] <= 1:
            raise CommandError("--least-bid-share must be between 0 and 1")
        if not 0.0 < o["organic_impression_share"] <= 1.0:
            raise CommandError("--organic-impression-share must be in (0, 1]")
        if not 0.01 <= o["budget_scale"] <= 100:
            raise CommandError("--budget-scale must be between 0.01 and 100")
        if o["days"] < 1 or o["sellers"] < 1 or o["buyers"] < 1:
            raise CommandError("--days, --sellers and --buyers must be positive")
        if not 0 <= o["warmup_days"] <= 28:
            raise CommandError("--warmup-days must be between 0 and 28")
        start = None
        if o["start"] is not None:
            try:
                start = dt.datetime.fromisoformat(o["start"]).replace(tzinfo=dt.UTC)
            except ValueError:
                raise CommandError("--start must be a date such as 2026-10-05") from None
        if o["api_key"] and not o["http"]:
            raise CommandError("--api-key goes with --http URL")
        try:
            if o["http"]:
                platform, start, prefix = self._http_setup(o, start)
            else:
                platform, start, prefix = InProcessPlatform(), start or DEFAULT_START, o["prefix"] or ""
                if prefix:
                    shared_db.prefix_check(prefix)
        except (PlatformError, shared_db.SharedDatabaseError) as exc:
            raise CommandError(str(exc)) from None
        options = Options(
            days=o["days"], sellers=o["sellers"], buyers=o["buyers"], seed=o["seed"], start=start,
            pacing=not o["no_pacing"], fixed_cpc=_bidding(o["bidding"]), holdout=o["holdout"],
            budget_scale=o["budget_scale"],
            promote_share=o["promote_share"], organic_impressions=not o["no_organic_impressions"],
            tick_minutes=o["tick_minutes"], prefix=prefix, slot_positions=_slot_positions(o["slot_positions"]),
            organic_impression_share=o["organic_impression_share"], margin=o["margin"], sigma=o["sigma"],
            pricing=o["pricing"],
            reserve_cpc_micros=None if o["reserve_cpc"] is None else round(o["reserve_cpc"] * 1_000_000),
            least_bid_share=o["least_bid_share"], warmup_days=o["warmup_days"],
        )
        sim = Simulation(options, platform, periodic=_periodic(options), campaign_setup=campaigns_launch)
        try:
            sim.run()
            periodic.run(["rollups", "attribution"])
            report = run_report(sim)
        except PlatformError as exc:
            raise CommandError(f"{exc} (simulated time {clock.now():%Y-%m-%d %H:%M})") from None
        finally:
            if isinstance(platform, HttpPlatform):
                platform.clear_clock()
            clock.reset()
            auction_index().background_reloads = True
        report["start"] = start.date().isoformat()
        report["prefix"] = prefix
        report["auctions_failed_open"] = sim.failed_open
        if isinstance(platform, HttpPlatform):
            report["http_calls"] = platform.calls
            report["http_wait_seconds"] = round(platform.seconds, 1)
        if o["json"]:
            self.stdout.write(json.dumps(report, sort_keys=True))
        else:
            for key, value in report.items():
                self.stdout.write(f"{key:34} {value}")

    def _http_setup(self, o: dict, start: dt.datetime | None) -> tuple[HttpPlatform, dt.datetime, str]:
        """The server's platform, the run's start and id prefix; checks before anything is written."""
        if not o["api_key"]:
            raise CommandError("--http needs --api-key KEY (manage.py create_api_key NAME "
                               "--scopes catalog,auctions,events prints one)")
        if settings.PRODUCTION:
            raise CommandError("simulate --http is for development and demo servers, not production "
                               "(DATABASE_URL set and DEBUG off)")
        try:
            shared_db.database_check()
        except shared_db.SharedDatabaseError as exc:
            raise CommandError(
                f"--http sets up campaigns, runs the periodic work and reads the report directly on the "
                f"server's database, and {exc}: run simulate with the server's settings (the same "
                "CLOSETADS_DATA_DIR or DATABASE_URL)") from None
        held = shared_db.clock_holder()
        if held is not None:
            raise CommandError(f"the simulated clock is held by another run ({held}): one run at a time. If that "
                               "run was killed, give the server the real time with manage.py simulated_clock --clear")
        horizon = shared_db.data_horizon()
        earliest = shared_db.first_monday_after(horizon)
        if start is None:
            start = earliest
        elif start < earliest:
            self.stderr.write(
                f"Warning: --start {start:%Y-%m-%d} is less than five weeks after the newest data in this database "
                f"({horizon:%Y-%m-%d %H:%M}); training, pacing and budget recommendations will see that data, "
                f"so the figures will differ from a run on an empty database (first clean start: {earliest:%Y-%m-%d}).")
        prefix = o["prefix"] or shared_db.fresh_prefix()
        if o["prefix"]:
            shared_db.prefix_check(prefix)
        platform = HttpPlatform(o["http"], o["api_key"], run=f"simulate --http {prefix}")
        try:
            platform.check()
        finally:
            platform.clear_clock()
        return platform, start, prefix


def _periodic(options: Options):
    available = {job.name for job in periodic.jobs()}

    def run(names: set[str]) -> None:
        periodic.run(sorted(names & available))

    return run
