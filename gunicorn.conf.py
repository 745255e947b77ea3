"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py smartcity.wsgi` (docs/operations.md).

Every value can be overridden from the environment, so one file serves every machine.

- Threaded workers (gthread): most of a request's time is spent waiting on PostgreSQL and Redis, and
  a thread waiting gives the core to another; 2 processes × 8 threads per core keep a small machine
  busy without the memory of 16 processes. Django's connections are per thread (CONN_MAX_AGE keeps
  them open), so PostgreSQL sees at most workers × threads connections from one instance.
- No control socket by default: gunicorn ≥ 24 opens one at a fixed per-user path, so a second
  instance on the same machine (a blue/green deploy, the bench) collided with the first. Set
  GUNICORN_CONTROL_SOCKET to a path of the instance's own to have one.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", str(max(2, multiprocessing.cpu_count()))))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A request that takes longer than this is stuck, not slow: the worker is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then (with jitter, so not all at once) to bound any slow leak.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
# Behind the reverse proxy: request lines and headers are bounded there too.
limit_request_line = 8190
limit_request_fields = 100
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
if _control_socket:
    control_socket = _control_socket
else:
    control_socket_disable = True
