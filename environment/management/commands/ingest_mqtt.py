"""`manage.py ingest_mqtt`: the long-running MQTT ingest worker (see environment/ingest/mqtt.py).

Subscribes to smartcity/sensors/+ at settings.MQTT_URL with QoS 1 and a persistent session,
stores readings in batches and acknowledges each message only after its batch has committed.
Stop it with SIGTERM or Ctrl-C: it finishes the batch in hand first.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from environment.ingest.mqtt import IngestWorker, WorkerConfig, tune_garbage_collector


class Command(BaseCommand):
    help = "Ingest air-quality readings from MQTT (topic smartcity/sensors/{SENSOR_ID}) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=None, help="Broker URL (default: settings.MQTT_URL).")
        parser.add_argument("--client-id", default="smartcity-environment-ingest",
                            help="Fixed client id: the broker keeps this worker's session (and its queued "
                                 "messages) under it. Give each worker its own.")
        parser.add_argument("--shared-group", default="",
                            help="Share the subscription between several workers ($share/<group>/...).")
        parser.add_argument("--batch", type=int, default=WorkerConfig.batch_messages,
                            help="Messages per transaction at most (under load; a quiet stream commits every "
                                 "--batch-seconds).")
        parser.add_argument("--batch-seconds", type=float, default=WorkerConfig.batch_seconds,
                            help="Longest wait to fill a batch.")
        parser.add_argument("--report-every", type=float, default=60.0, help="Seconds between progress lines.")
        parser.add_argument("--no-alerts", action="store_true",
                            help="Do not enqueue alert evaluation (e.g. a backfill worker, or benchmarks).")

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("environment.mqtt").setLevel(logging.INFO)
        if not 1 <= options["batch"] <= 65_535:
            raise CommandError(f"--batch: must be between 1 and 65535 messages, got {options['batch']}")
        config = WorkerConfig(url=options["url"] or settings.MQTT_URL, client_id=options["client_id"],
                              shared_group=options["shared_group"], batch_messages=options["batch"],
                              receive_maximum=min(4 * options["batch"], 65_535),
                              batch_seconds=options["batch_seconds"], alerts=not options["no_alerts"])
        try:
            worker = IngestWorker(config)
        except ValueError as error:
            raise CommandError(str(error)) from None
        tune_garbage_collector()  # a long-running process: see the function
        stop = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            self.stderr.write("Stopping after the current batch…")
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(f"Ingesting from {config.url} as {config.client_id}; Ctrl-C to stop.")
        stats = worker.run(stop, report_every=options["report_every"], report=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Stopped. {stats.line()}"))
