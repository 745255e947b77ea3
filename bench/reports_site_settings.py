"""Settings for bench/open311_read.py: the platform's own settings, plus one trivial JSON view
(bench/reports_site_urls.py) served by the same process, as the framework's ceiling."""

from smartcity.settings import *  # noqa: F403

ROOT_URLCONF = "bench.reports_site_urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
