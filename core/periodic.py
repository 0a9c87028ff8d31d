"""The registry of periodic work: name -> callable, run by Celery beat and by ``manage.py tick``.

Apps register their jobs in ``AppConfig.ready()`` (analytics registers "attribution" and
"rollups"; the pacing controller registers "pacing" itself), so ``tick`` and the simulator
run exactly what is installed, in a stable order, without knowing the apps.
Every job must be safe to run twice and return something printable (a dict of counts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], Any]
    order: int
    description: str


class UnknownJob(LookupError):
    """A job name that is not registered; the message lists the registered ones."""


_jobs: dict[str, Job] = {}


def register(name: str, func: Callable[[], Any], *, order: int = 100, description: str = "") -> None:
    """Register ``func`` as the periodic job ``name`` (registering the same name again replaces it).

    ``order`` sets the run order when several jobs run together: lower first (pacing before
    attribution before rollups, so one tick folds the credits it just made).
    """
    _jobs[name] = Job(name=name, func=func, order=order, description=description)


def jobs() -> list[Job]:
    """The registered jobs in run order."""
    return sorted(_jobs.values(), key=lambda job: (job.order, job.name))


def select(names: Iterable[str] | None = None) -> list[Job]:
    """The jobs named (all when ``names`` is None), in run order; UnknownJob for a name not registered."""
    if names is None:
        return jobs()
    wanted = [n.strip() for n in names if n.strip()]
    unknown = [n for n in wanted if n not in _jobs]
    if unknown:
        known = ", ".join(job.name for job in jobs()) or "none"
        raise UnknownJob(f"unknown periodic job(s) {', '.join(repr(n) for n in unknown)}; registered: {known}")
    return [job for job in jobs() if job.name in wanted]


def run(names: Iterable[str] | None = None) -> dict[str, Any]:
    """Run the named jobs (all by default) once, now, in order; returns each job's result by name."""
    return {job.name: job.func() for job in select(names)}
