"""A django-tasks backend that hands tasks to Huey.

Application code only uses the django-tasks API (`@task` and `.enqueue()`), so the queue
can be swapped (e.g. for Django 6's built-in tasks) without touching the rooms.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id

from core.huey_app import get_huey, huey_task


class HueyBackend(BaseTaskBackend):
    supports_defer = True
    supports_async_task = False
    supports_get_result = False
    supports_priority = False

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        result: TaskResult = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        run = huey_task()
        eta = task.run_after
        # normalize_json in TaskResult guarantees args are JSON-serialisable, like any real queue needs.
        if eta is not None:
            run.schedule(args=(task.module_path, result.args, result.kwargs), eta=eta)
        else:
            run(task.module_path, result.args, result.kwargs)
        object.__setattr__(result, "enqueued_at", timezone.now())
        if get_huey().immediate:
            object.__setattr__(result, "status", TaskResultStatus.SUCCESSFUL)
        task_enqueued.send(type(self), task_result=result)
        return result
