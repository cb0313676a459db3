"""The CSS, JavaScript and icon the browser loads: one of each, gzipped, no file left open on the server, and a first
load in Chromium of at most 4 requests and 30 KB.

Asked with Chromium's Accept-Encoding. Flask-Compress used to stream-compress these files and never close
them ("ResourceWarning: unclosed file" in the live server, blamed on whichever browser test ran).
"""

from __future__ import annotations

import gc
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, Request

from portal.web.assets import BUNDLES
from tests.e2e.conftest import MARIA, screenshot, sign_in_with

CHROMIUM_ACCEPT_ENCODING = "gzip, deflate, br, zstd"
ASSET_RE = re.compile(r'(?:href|src)="(/(?:static/|favicon\.ico)[^"]+)"')
STATIC = Path(__file__).resolve().parents[2] / "portal" / "static"
MAX_REQUESTS = 4
MAX_BYTES = 30 * 1024
WIDTHS = {"phone": 390, "desktop": 1280}


def test_static_assets_gzipped_and_files_closed(app: Flask) -> None:
    client = app.test_client()
    assets = ASSET_RE.findall(client.get("/login").get_data(as_text=True))
    # one stylesheet, one script and the icon; and the home-screen icon and the web app manifest, which a browser
    # fetches only when the page is added to a home screen (not on a first load: see the test below)
    assert len(assets) == 5, "the sign-in page links a stylesheet, a script, the icon, the home-screen icon, a manifest"

    encodings = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for asset in assets:
            response = client.get(asset, headers={"Accept-Encoding": CHROMIUM_ACCEPT_ENCODING})
            assert response.status_code == 200
            assert response.get_data()
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            encodings[asset] = response.headers.get("Content-Encoding")
            response.close()
            del response
        gc.collect()

    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []
    text = [asset for asset in assets if asset.startswith(("/static/css/", "/static/js/"))]  # the icons as they are
    assert {asset: encodings[asset] for asset in text} == dict.fromkeys(text, "gzip")


def test_stylesheet_bundle_keeps_the_layer_order_and_the_print_rules(app: Flask) -> None:
    css = app.test_client().get("/static/css/portal.css").get_data(as_text=True)
    assert css.startswith("@layer reset,tokens,base,components,utilities;")
    screen, print_rules = css.split("@media print{@page")
    assert screen.index("@layer tokens{") < screen.index("@layer base{") < screen.index("@layer components{")
    assert "/*" not in css
    assert "\n" not in css.strip()  # no line breaks, no spaces around braces, colons or semicolons
    assert "body{background:#fff;color:#000;font-size:11pt}" in print_rules
    assert print_rules.rstrip().endswith("}}")
    assert "calc(-1 * var(--mv-space-3) - 0.6rem)" in css  # calc() keeps the spaces it needs


def test_script_bundle_is_htmx_then_our_scripts_without_comment_lines(app: Flask) -> None:
    js = app.test_client().get("/static/js/portal.js").get_data(as_text=True)
    htmx, *ours = [(STATIC / name).read_text(encoding="utf-8") for name in BUNDLES["js/portal.js"]]
    lines = [[line.strip() for line in source.splitlines()] for source in ours]
    # each line of code kept as a line, in order; comment lines, blank lines and indentation gone
    code = ["\n".join(line for line in source if line and not line.startswith("//")) for source in lines]
    assert js == "\n;\n".join([htmx.strip(), *code]) + "\n"
    assert js.startswith("var htmx=")
    assert 'document.getElementById("session-dialog")' in js  # session.js: does nothing without its dialog


def test_favicon_ico_is_the_icon(app: Flask) -> None:
    with app.test_client().get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert response.get_data() == (STATIC / "favicon.svg").read_bytes()
        assert "Set-Cookie" not in response.headers


def _first_load(context: BrowserContext, path: str) -> tuple[Page, dict[str, int], list[str]]:
    """Open `path` in a context with an empty cache: bytes on the wire per URL fetched, and the console's errors."""
    page = context.new_page()
    finished: list[Request] = []
    errors: list[str] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path, wait_until="networkidle")
    sizes = {request.url: request.sizes() for request in finished}
    return page, {url: size["responseHeadersSize"] + size["responseBodySize"] for url, size in sizes.items()}, errors


@pytest.mark.parametrize("path", ["/login", "/plan/", "/plan/timeline", "/plan/messages"])
def test_first_load_in_chromium_is_at_most_4_requests_and_30_kb(
        make_context: Callable[..., BrowserContext], demo: None, path: str) -> None:
    cookies = []
    if path != "/login":
        signing_in = make_context().new_page()
        signing_in.goto("/login")
        sign_in_with(signing_in, MARIA)
        signing_in.wait_for_url(re.compile(r"/plan/$"))
        cookies = signing_in.context.cookies()
    for name, width in WIDTHS.items():
        context = make_context(viewport={"width": width, "height": 844})  # a fresh context: an empty cache
        context.add_cookies(cookies)
        page, fetched, errors = _first_load(context, path)
        print(f"first load of {path} at {width} px: {len(fetched)} requests, {sum(fetched.values()) / 1024:.1f} KB")
        assert len(fetched) <= MAX_REQUESTS, list(fetched)
        assert sum(fetched.values()) <= MAX_BYTES, fetched
        assert not [url for url in fetched if url.endswith("/favicon.ico")], "the page's own icon link is used"
        assert errors == []
        screenshot(page, f"first-load{path.replace('/', '-').rstrip('-')}-{name}")
