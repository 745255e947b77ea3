"""The Huey instance behind the django-tasks API.

SQLite storage by default (no extra service for a development install), Redis when
REDIS_URL is set (production: several web servers and workers share one queue).
Run workers with `manage.py run_huey` (see docs/operations.md).
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey


@lru_cache(maxsize=1)
def get_huey() -> Huey:
    immediate = bool(getattr(settings, "HUEY_IMMEDIATE", False))
    if immediate:
        # Tests and one-off scripts: run tasks synchronously, in-process. With HUEY_IMMEDIATE_NAME (the
        # test settings, when REDIS_URL is set) results and schedules still go through Redis, as in
        # production, under a name of their own.
        name = getattr(settings, "HUEY_IMMEDIATE_NAME", "")
        if settings.REDIS_URL and name:
            return RedisHuey(name, url=settings.REDIS_URL, immediate=True, immediate_use_memory=False)
        return MemoryHuey("smartcity", immediate=True)
    if settings.REDIS_URL:
        return RedisHuey("smartcity", url=settings.REDIS_URL)
    return SqliteHuey("smartcity", filename=str(settings.HUEY_SQLITE_PATH))


def run_django_task(module_path: str, args: list, kwargs: dict) -> object:
    """Executed by the Huey worker: resolve the django-tasks Task and call its function."""
    from django.utils.module_loading import import_string

    task = import_string(module_path)
    return task.call(*args, **kwargs)


_registered: dict[int, object] = {}


def huey_task():  # type: ignore[no-untyped-def]
    huey = get_huey()
    key = id(huey)
    if key not in _registered:
        _registered[key] = huey.task(name="smartcity.run_django_task")(run_django_task)
        _register_recurring(huey)
    return _registered[key]


def _register_recurring(huey: Huey) -> None:
    """The rooms' recurring jobs (core.recurring) as Huey periodic tasks: a consumer's scheduler enqueues
    each when its crontab matches, and a worker runs it."""

    from core import recurring

    for job in recurring.jobs():
        def run(task_path: str = job.task_path) -> object:
            return run_django_task(task_path, [], {})

        huey.periodic_task(local_schedule(job), name=f"recurring:{job.task_path}")(run)


def local_schedule(job: object, zone: str | None = None):  # type: ignore[no-untyped-def]
    """A job's crontab read in the city's time (TIME_ZONE), the way people state it ("digests at 07:00"),
    whatever the season: Huey's scheduler passes its clock in UTC (naive), which is converted first."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from huey import crontab

    from core.recurring import RecurringJob

    assert isinstance(job, RecurringJob)
    matches = crontab(minute=job.minute, hour=job.hour, day=job.day, month=job.month, day_of_week=job.day_of_week)
    city = ZoneInfo(zone or settings.TIME_ZONE)

    def due(utc_now: dt.datetime) -> bool:
        return bool(matches(utc_now.replace(tzinfo=dt.UTC).astimezone(city).replace(tzinfo=None)))

    return due
