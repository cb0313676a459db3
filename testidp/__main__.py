"""`python -m testidp [--host 127.0.0.1] [--port 5001] [--claim pin|ssn|nin]`: serve the test identity provider."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys

from werkzeug.serving import make_server

from testidp.app import CLAIM_LAYOUTS, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, create_app


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop quietly when the portal or a test ends us
    if os.environ.get("PORTAL_ENV") == "production":
        print("testidp: refusing to start with PORTAL_ENV=production; point OIDC_ISSUER at a real broker.",
              file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="python -m testidp", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="only 127.0.0.1 or localhost (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--claim", choices=sorted(CLAIM_LAYOUTS), default="pin",
                        help="where the personal number goes unless the tester picks another: pin = "
                             "https://id.oidc.se/claim/personalIdentityNumber (default), ssn or nin")
    parser.add_argument("--client-id", default=os.environ.get("OIDC_CLIENT_ID") or DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=os.environ.get("OIDC_CLIENT_SECRET") or DEFAULT_CLIENT_SECRET)
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost"):
        parser.error("the test identity provider listens on 127.0.0.1 or localhost only")
    issuer = f"http://{args.host}:{args.port}"
    app = create_app(issuer=issuer, claim=args.claim, client_id=args.client_id, client_secret=args.client_secret)
    server = make_server(args.host, args.port, app, threaded=True)  # listening from here on
    print(f"testidp: OpenID Connect test provider at {issuer} (claim layout {args.claim}; "
          f"client id {args.client_id!r}). Not for production.", flush=True)  # the tests wait for this line
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C, or SIGTERM from `make run` or a test
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
