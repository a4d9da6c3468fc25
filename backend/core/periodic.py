"""Jobs that the worker runs every few seconds besides sending (escalations, scheduled broadcasts, …).

Apps register them from AppConfig.ready(); each job must be safe to run concurrently in several workers.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: Callable[[], int]
    every_seconds: float


_jobs: dict[str, PeriodicJob] = {}


def register_periodic(name: str, func: Callable[[], int], *, every_seconds: float) -> None:
    _jobs[name] = PeriodicJob(name=name, func=func, every_seconds=every_seconds)


def periodic_jobs() -> list[PeriodicJob]:
    return list(_jobs.values())
