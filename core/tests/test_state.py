"""core/state.py: one registry for process-wide state, reset in one call."""

from core import state


def test_reset_all_settles_background_work_before_resetting_anything(monkeypatch):
    monkeypatch.setattr(state, "_entries", {})
    calls = []
    state.register("a", lambda: calls.append("reset a"), settle=lambda: calls.append("settle a"))
    state.register("b", lambda: calls.append("reset b"), settle=lambda: calls.append("settle b"))
    state.reset_all()
    assert calls == ["settle a", "settle b", "reset a", "reset b"]


def test_every_process_wide_singleton_registers_itself():
    import auction.affinity
    import auction.holdout
    import auction.index
    import auction.recording
    import auction.traffic  # noqa: F401
    import core.api_auth
    import core.changes  # noqa: F401

    assert {"clock", "change counters", "API keys", "auction index", "decision counts", "traffic counts",
            "shoppers' tastes", "ghost exposures", "loaded models", "cache"} <= set(state.registered())
