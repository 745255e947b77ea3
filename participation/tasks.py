"""Background jobs of the participation room (django-tasks API, run by Huey).

Schedule daily (cron or a systemd timer), see docs/participation.md:
`python manage.py participation_daily` (event reminders; notices and digests are the notifications room's).
"""

from __future__ import annotations

from django_tasks import task


@task()
def send_event_reminders() -> int:
    from participation.services import send_event_reminders as send

    return send()


@task()
def analyse_open_answers(question_id: int) -> int:
    """Re-run the theme analysis of one question (staff start it from the results page)."""
    from participation.models import Question
    from participation.theming import analyse_question

    question = Question.objects.get(pk=question_id)
    return analyse_question("task:themes", question).themes
