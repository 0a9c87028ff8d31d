"""Start-up work of a web process, run by config/wsgi.py (and config/asgi.py) once the app
registry is ready and before the process accepts its first request.

Apps register theirs in ``AppConfig.ready()`` (the auction builds its index here), so the
configuration names no app's internals. Only web processes run it: a worker, beat, a
management command or the test suite never calls ``run``.
"""

from __future__ import annotations

from collections.abc import Callable

_hooks: dict[str, Callable[[], None]] = {}


def register(name: str, hook: Callable[[], None]) -> None:
    """Register ``hook`` to run when a web process starts (the same name again replaces it)."""
    _hooks[name] = hook


def run() -> None:
    """Run every registered start-up hook once, in registration order."""
    for hook in list(_hooks.values()):
        hook()
