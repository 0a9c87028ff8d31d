"""Benchmarks: ``make bench`` runs ``python -m dev.bench.run``; figures land in dev/bench/results.json
and docs/benchmarks.md (dev/bench/results.py)."""
