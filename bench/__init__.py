"""Benchmarks: ``make bench`` runs ``python -m bench.run``; figures land in bench/results.json
and docs/benchmarks.md (bench/results.py)."""
