"""The background-job worker run inside the development server (`manage.py serve`, i.e. `make serve`).

A separate `manage.py run_huey` process is what production runs. On one laptop, a second process that
someone has to remember to start is what went wrong: e-mails waited in the queue while the page said
they were sent. This worker lives in the serving process instead: its threads are daemons, so it stops
when the server stops (Ctrl-C, or a code reload, after which the reloaded server starts a fresh one).
"""

from __future__ import annotations

from huey import Huey
from huey.consumer import Consumer

from core.huey_app import get_huey, huey_task


class EmbeddedConsumer(Consumer):
    """A Huey consumer that does not take over the process's signals: the server owns Ctrl-C."""

    def _set_signal_handlers(self) -> None:
        return None


def start(huey: Huey | None = None, *, workers: int = 1) -> EmbeddedConsumer:
    """Start consuming the queue in daemon threads and return the consumer (call .stop() to end it)."""
    queue = huey or get_huey()
    huey_task()  # register the task runner before consuming
    consumer = EmbeddedConsumer(queue, workers=workers, worker_type="thread")
    consumer.start()
    return consumer
