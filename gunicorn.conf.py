"""gunicorn's settings for `make run` and production: `gunicorn wsgi:app` reads this file from the working directory.

Options on the command line win over this file (`gunicorn -b 10.0.0.11:5000 wsgi:app`, or GUNICORN_CMD_ARGS).
See docs/deploy.md for running several of these behind a load balancer.
"""

from __future__ import annotations

import os
from datetime import timedelta

from gunicorn.glogging import Logger


def _cores() -> int:
    """The CPUs this process may use (a container's share, not the whole machine's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


bind = ["127.0.0.1:5000"]
# Sync workers: each answers one request at a time, so a page's one unit of work never shares its process. They need
# a buffering proxy in front (a load balancer or nginx) so that a slow phone cannot hold one for long.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * _cores() + 1, 9))
timeout = 30  # a worker silent this long is killed and replaced (no page should take more than a second)
graceful_timeout = 30  # on restart or deploy, requests under way get this long to finish
keepalive = 2
proc_name = "min-vardplan"

# Only a proxy on this machine may say a request came over https (X-Forwarded-Proto); the app believes load balancers
# elsewhere through TRUSTED_PROXIES (portal/web/proxies.py).
forwarded_allow_ips = "127.0.0.1"

# The access log: the path without its query string (%(U)s, never %(r)s, %(q)s or the referrer, which carry them),
# and the request id that the app's own log line (stderr, JSON in production) carries too.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'


class AccessLog(Logger):
    """gunicorn's logger, with a path shaped like a personal number masked, and the health checks left out."""

    def atoms(self, resp: object, req: object, environ: dict[str, str], request_time: timedelta) -> dict[str, object]:
        from portal.web.request_log import safe_path  # in the worker, where the app is loaded (not in the master)

        atoms = super().atoms(resp, req, environ, request_time)
        path = safe_path(str(atoms.get("U") or ""))
        atoms.update(U=path, q="-", f="-", r=f"{atoms['m']} {path} {atoms['H']}")
        return atoms

    def access(self, resp: object, req: object, environ: dict[str, str], request_time: timedelta) -> None:
        if environ.get("PATH_INFO") == "/healthz" and str(getattr(resp, "status", "")).startswith("200"):
            return
        super().access(resp, req, environ, request_time)


logger_class = AccessLog
