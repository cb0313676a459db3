"""Light pages: a first load (the page, its stylesheet, script and icon) is at most 4 requests and 30 KB on the wire.

Counted as a browser with an empty cache fetches it, on the demo that `make run` serves: each answer's status line,
headers and gzipped body. The headers an HTTP server adds itself (Server, Date, Connection) are allowed for.
A size check, not a timing: `make lighthouse` measures the rest (README, "Lighthouse").
"""

from __future__ import annotations

import gzip
import re

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session
from werkzeug.test import TestResponse

from portal.core.clock import stockholm_today
from portal.demo.services import DEMO_PASSWORD, load_demo_data
from tests.conftest import sign_in

MAX_REQUESTS = 4
MAX_BYTES = 30 * 1024
SERVER_HEADERS = len("Server: gunicorn\r\nDate: Tue, 01 Dec 2026 17:35:18 GMT\r\nConnection: close\r\n")  # its own
CHROMIUM_ACCEPT_ENCODING = "gzip, deflate, br, zstd"
# stylesheets, scripts, icons; not the home-screen icon and the web app manifest, which Chromium's test build leaves
# (tests/e2e/test_static_assets.py; Chrome itself fetches the manifest and an icon of it: `make lighthouse` counts them)
FETCHED = re.compile(r'<(?:link|script)\b(?![^>]*rel="(?:apple-touch-icon|manifest)")[^>]*?\b(?:href|src)="([^"]+)"')
MARIA = "19680412-9820"  # the demo patient
PAGES = ["/login", "/plan/", "/plan/timeline", "/plan/messages"]


def wire_bytes(response: TestResponse) -> int:
    """What the answer weighs on the wire: status line, headers, blank line and the (gzipped) body."""
    head = f"HTTP/1.1 {response.status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in response.headers.items())
    return len(head.encode("latin-1")) + SERVER_HEADERS + 2 + len(response.get_data())


def first_load(client: FlaskClient, path: str) -> dict[str, int]:
    """Bytes on the wire per URL a browser with an empty cache fetches for `path`."""
    headers = {"Accept-Encoding": CHROMIUM_ACCEPT_ENCODING}
    with client.get(path, headers=headers) as page:
        assert page.status_code == 200
        assert page.headers["Content-Encoding"] == "gzip"
        fetched = {path: wire_bytes(page)}
        html = gzip.decompress(page.get_data()).decode()
    for url in dict.fromkeys(FETCHED.findall(html)):
        with client.get(url, headers=headers) as asset:
            assert asset.status_code == 200, url
            fetched[url] = wire_bytes(asset)
    return fetched


@pytest.mark.parametrize("path", PAGES)
def test_first_load_is_at_most_4_requests_and_30_kb(client: FlaskClient, session: Session, path: str) -> None:
    load_demo_data(session, stockholm_today())
    if path != "/login":
        sign_in(client, MARIA, DEMO_PASSWORD)
    fetched = first_load(client, path)
    total = sum(fetched.values())
    print(f"first load of {path}: {len(fetched)} requests, {total / 1024:.1f} KB", fetched)  # `pytest -s` shows it
    assert len(fetched) <= MAX_REQUESTS, list(fetched)
    assert total <= MAX_BYTES, fetched


def test_a_page_links_one_stylesheet_one_deferred_script_the_icons_and_the_manifest(client: FlaskClient) -> None:
    head = client.get("/login").get_data(as_text=True).split("</head>")[0]
    tags = [re.sub(r"\?v=[0-9a-f]{12}", "?v=…", tag) for tag in re.findall(r"<(?:link|script)\b[^>]*>", head)]
    assert tags == [
        '<link rel="stylesheet" href="/static/css/portal.css?v=…">',
        '<script src="/static/js/portal.js?v=…" defer>',
        '<link rel="icon" href="/favicon.ico?v=…" type="image/svg+xml">',
        '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png?v=…">',
        '<link rel="manifest" href="/static/manifest.webmanifest?v=…">',
    ]


def test_static_files_do_not_vary_with_the_session_cookie(client: FlaskClient, session: Session) -> None:
    """Else a browser fetches the script again whenever the session cookie changes, which is on nearly every page."""
    load_demo_data(session, stockholm_today())
    sign_in(client, MARIA, DEMO_PASSWORD)
    page = client.get("/plan/")
    assert "Cookie" in page.headers["Vary"]
    for url in re.findall(r'(?:src|href)="(/static/[^"]+|/favicon\.ico[^"]*)"', page.get_data(as_text=True)):
        with client.get(url, headers={"Accept-Encoding": CHROMIUM_ACCEPT_ENCODING}) as asset:
            assert "Cookie" not in asset.headers.get("Vary", ""), url
            assert "Set-Cookie" not in asset.headers, url
