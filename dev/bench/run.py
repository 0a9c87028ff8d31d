"""``make bench``: run the benchmarks and record their figures (dev/bench/results.py).

    python -m dev.bench.run                 # every benchmark
    python -m dev.bench.run --only auction  # one of them
    python -m dev.bench.run --quick         # shorter runs, for a smoke test

A benchmark is a module in dev/bench/ with ``run() -> dict`` (and optionally ``NOTE``); its
figures are merged into dev/bench/results.json under its name and docs/benchmarks.md is
regenerated. Benchmarks whose module is not there yet are skipped with a message.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys

from dev.bench import results

BENCHMARKS = ("auction", "events", "dashboard", "simulator", "models", "nodes")
# Run only when named with --only (long: the bidding comparison is 20 simulator runs, the
# outcomes and lift ones six each, the forecasts one three of 14 days, the frontier twelve,
# the scenarios beyond the seeds four).
OPTIONAL = ("bidding", "outcomes", "lift", "forecasts", "frontier", "scenarios")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help=f"comma-separated, any of {', '.join(BENCHMARKS + OPTIONAL)}")
    parser.add_argument("--quick", action="store_true", help="shorter runs (a smoke test, not a measurement)")
    args = parser.parse_args(argv)
    chosen = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = sorted(set(chosen) - set(BENCHMARKS) - set(OPTIONAL))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS + OPTIONAL)}")
    for name in chosen:
        try:
            module = importlib.import_module(f"dev.bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"dev.bench.{name}":
                raise
            print(f"== {name}: no dev/bench/{name}.py here, skipped")
            continue
        print(f"== {name}", flush=True)
        run = module.run
        figures = run(quick=args.quick) if "quick" in inspect.signature(run).parameters else run()
        if args.quick:
            print(json.dumps(figures, indent=2))
            print(f"(--quick: {name} figures not recorded)")
            continue
        results.merge(figures, name, note=getattr(module, "NOTE", None))
        print(json.dumps(figures, indent=2))
    print("figures in dev/bench/results.json, page in docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
