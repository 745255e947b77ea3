"""Background jobs of the environment room (django-tasks API, run by Huey)."""

from __future__ import annotations

from django_tasks import task


@task()
def evaluate_alerts(sensor_pks: list[int]) -> int:
    """Run after a batch of readings commits: step the hysteresis trackers, record and publish events
    (the notifications pipeline delivers them)."""
    from environment.alerts import evaluate

    return len(evaluate(sensor_pks))


@task()
def replay_demo_readings() -> int:
    """Top the demo sensors' re-timed readings up to now (a recurring job; no-op without demo sensors)."""
    from environment.demo import replay_demo_readings as replay

    return replay()
