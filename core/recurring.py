"""Recurring background jobs, run by whichever worker consumes the queue (`manage.py run_huey` in
production, the worker inside `manage.py serve` under `make serve`), so daily digests, event reminders
and the closing of votes happen without a cron entry.

A room registers its jobs in its AppConfig.ready():

    recurring.register("participation.tasks.send_daily_digests", hour="7", minute="0")

The schedule is Huey's crontab in the city's time (TIME_ZONE, Europe/Bucharest): 07:00 is 07:00 in winter and
in summer (core.huey_app.local_schedule). Each job is a django-tasks task (dotted path) run in the worker.
Jobs are idempotent (nothing is sent or closed twice), so running one a second time does no harm.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecurringJob:
    task_path: str  # a django-tasks Task, e.g. "participation.tasks.send_daily_digests"
    minute: str = "*"
    hour: str = "*"
    day: str = "*"
    month: str = "*"
    day_of_week: str = "*"


_jobs: dict[str, RecurringJob] = {}


def register(task_path: str, *, minute: str = "*", hour: str = "*", day: str = "*", month: str = "*",
             day_of_week: str = "*") -> None:
    _jobs[task_path] = RecurringJob(task_path, minute=minute, hour=hour, day=day, month=month,
                                    day_of_week=day_of_week)


def jobs() -> list[RecurringJob]:
    return [_jobs[key] for key in sorted(_jobs)]
