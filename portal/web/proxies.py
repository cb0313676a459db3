"""Behind load balancers: the client's address and scheme from X-Forwarded-For/-Proto, for TRUSTED_PROXIES hops.

The rate limits (security/throttle.py) count per request.remote_addr: without this every client would share the load
balancer's address, and trusting more hops than there are proxies would let a client choose its own address.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    hops = int(app.config.get("TRUSTED_PROXIES", 0))
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
