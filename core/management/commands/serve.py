"""`manage.py serve [addr:port]`: what `make serve` runs — the development server, with the
background-job worker inside it and e-mail links pointing at the address being served.

Production runs gunicorn and `manage.py run_huey` as separate services (docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand
from django.db import connections

from core import embedded_worker, sites


class Command(RunserverCommand):
    help = ("Serve the site for development with the background-job worker (Huey) running inside it; "
            "links in e-mails use the served address unless SITE_DOMAIN is set.")
    addr: str  # set by runserver's handle()

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument("--no-worker", action="store_false", dest="with_worker",
                            help="Do not run the background jobs here (e.g. a `run_huey` process runs them).")

    def inner_run(self, *args: Any, **options: Any) -> None:
        self.with_worker = options.get("with_worker", True)
        super().inner_run(*args, **options)

    def on_bind(self, server_port: int) -> None:
        """Runs once the port is bound, in the process that serves (after each code reload too)."""
        super().on_bind(server_port)
        host = "127.0.0.1" if self.addr in ("0", "0.0.0.0") else self.addr  # noqa: S104
        address = f"{host}:{server_port}"
        domain = sites.configured_domain() or address
        sites.set_domain(domain)
        worker = self._start_worker()
        connections.close_all()
        self.stdout.write(self._banner(f"{self.protocol}://{address}", domain, worker))

    def _start_worker(self) -> str:
        if not getattr(self, "with_worker", True):
            return "off"
        if getattr(settings, "HUEY_IMMEDIATE", False):
            return "immediate"
        embedded_worker.start()
        return "on"

    def _banner(self, base: str, domain: str, worker: str) -> str:
        queue = "Redis" if settings.REDIS_URL else f"SQLite ({settings.HUEY_SQLITE_PATH})"
        worker_line = {
            "on": f"Background jobs (e-mails, alerts, digests, closing votes): run here, queue in {queue}.",
            "immediate": "Background jobs: run at once (HUEY_IMMEDIATE).",
            "off": "Background jobs: NOT run here (--no-worker); start `manage.py run_huey`.",
        }[worker]
        signup = f"{base}/ro/accounts/signup/"
        rows = [(f"{base}/ro/", "the site in Romanian"), (f"{base}/en/", "the site in English"),
                (f"{base}/api/docs", "the API"), (f"{base}/ro/admin/", "the back office")]
        width = max(len(url) for url, _what in rows) + 3
        confirm = ("the confirmation e-mail is printed here" if settings.EMAIL_BACKEND.endswith("console.EmailBackend")
                   else "confirms the address by e-mail")
        return "\n".join([
            "",
            "Timișoara Smart City is ready. Open:",
            *(f"  {url.ljust(width)}{what}" for url, what in rows),
            "Make an account:",
            "  .venv/bin/python manage.py createsuperuser   an administrator: signs in at once, on the site and in "
            "the back office",
            f"  {signup}   a citizen ({confirm})",
            worker_line,
            f"Links in e-mails point to {domain} (set SITE_DOMAIN to change it).",
            "",
        ])
