"""dev/bench/results.py: figures of several benchmarks share one flat file and one page."""

import json

import pytest

from dev.bench import results


@pytest.fixture(autouse=True)
def short_reference_loop(monkeypatch):
    """Every merge times the reference loop (about 2 s); a short one keeps these tests quick."""
    monkeypatch.setattr(results, "REFERENCE_LOOP", 200_000)


def test_merge_keeps_other_sections_and_regenerates_the_page(tmp_path, monkeypatch):
    path, page = tmp_path / "results.json", tmp_path / "benchmarks.md"
    path.write_text(json.dumps({"events.ingest_events_per_s": 21000.0, "events.measured_at": "earlier"}))
    monkeypatch.setitem(results.TARGETS, "events.ingest_events_per_s", (">=", 5000.0))
    merged = results.merge({"fixed_rate_p50_ms": 4.2, "fixed_rate_p99_ms": 75.0, "healthz_rps": 3000},
                           "auction", note="How it was measured.", results_path=path, doc_path=page)
    stored = json.loads(path.read_text())
    assert stored == merged
    assert stored["events.ingest_events_per_s"] == 21000.0
    assert stored["auction.fixed_rate_p50_ms"] == 4.2 and stored["auction.note"] == "How it was measured."
    assert stored["machine.nproc"] >= 1 and "auction.measured_at" in stored
    assert stored["auction.machine"].startswith(f"{stored['machine.nproc']} CPUs")
    # The machine's speed on the reference loop, beside its CPU model, in the summary's column too.
    assert stored["machine.reference_seconds"] > 0
    assert f"reference loop {stored['machine.reference_seconds']:.2f} s)" in stored["auction.machine"]
    text = page.read_text()
    assert f"on {stored['auction.machine']}." in text  # each section names its machine
    assert "Measured earlier (machine not recorded)." in text  # a section from before machines were recorded
    assert "## auction" in text and "## events" in text and "How it was measured." in text
    assert "| `fixed_rate_p50_ms` | 4.2 | <= 10 | met |" in text
    assert "| `fixed_rate_p99_ms` | 75 | <= 50 | **not met** |" in text
    assert "| `ingest_events_per_s` | 21,000 | >= 5,000 | met |" in text
    assert "| `healthz_rps` | 3,000 |  |  |" in text


def test_merging_a_section_again_replaces_its_figures(tmp_path):
    path, page = tmp_path / "results.json", tmp_path / "benchmarks.md"
    results.merge({"a": 1}, "auction", results_path=path, doc_path=page)
    results.merge({"a": 2}, "auction", results_path=path, doc_path=page)
    assert results.load(path)["auction.a"] == 2


def test_a_figure_the_new_run_no_longer_reports_does_not_stay_behind(tmp_path):
    path, page = tmp_path / "results.json", tmp_path / "benchmarks.md"
    results.merge({"a": 1, "old": 5}, "bidding", results_path=path, doc_path=page)
    results.merge({"a": 2}, "auction", results_path=path, doc_path=page)
    results.merge({"a": 3}, "bidding", results_path=path, doc_path=page)
    stored = results.load(path)
    assert stored["bidding.a"] == 3 and "bidding.old" not in stored
    assert stored["auction.a"] == 2



def test_the_page_opens_with_one_table_of_targets_with_per_seed_targets_folded(tmp_path, monkeypatch):
    path, page = tmp_path / "results.json", tmp_path / "benchmarks.md"
    monkeypatch.setattr(results, "TARGETS", {"outcomes.seed_1_overspend": ("<=", 0.0),
                                             "outcomes.seed_2_overspend": ("<=", 0.0)})
    results.merge({"seed_1_overspend": 0, "seed_2_overspend": 3, "seed_1_clicks": 10, "seed_2_clicks": 12},
                  "outcomes", results_path=path, doc_path=page)
    text = page.read_text()
    summary = text.split("## The targets", 1)[1].split("\n\n")[1]
    assert summary.splitlines()[0] == "| figure | target | measured | met | machine | date |"
    row = summary.splitlines()[2]
    assert row.startswith("| `outcomes.seed_N_overspend` | <= 0 | 3 (worst of seeds 1, 2) | **not met** | ")
    assert "| `clicks` | 10 | 12 |  |" in text  # per-seed figures: a small table, a column per seed
    assert len(results.summary_rows(results.load())) <= results.SUMMARY_MAX_ROWS
