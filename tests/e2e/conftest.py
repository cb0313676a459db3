"""Browser tests: the real app on a local port, in Debian's Chromium via Playwright, checked by axe-core; and the
steps several browser tests share (signing in, sharing a draft plan with the patient)."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect
from sqlmodel import Session
from werkzeug.serving import make_server

from portal import db
from portal.core.clock import stockholm_today
from portal.demo.services import load_demo_data
from tests.conftest import second_factor_code

CHROMIUM = "/usr/bin/chromium"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
_LIVE_APP: Flask | None = None  # the app the live server serves (its database has the accounts' TOTP secrets)
VIEWPORTS = {
    "iphone13": "iPhone 13",
    "ipad": "iPad (gen 7)",
    "desktop": None,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium, quiet on a machine without internet, on the real clock even under `make test-clock`."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "env": {name: value for name, value in os.environ.items() if not name.startswith(("LD_PRELOAD", "FAKETIME"))},
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The app served by Werkzeug in a thread on a free local port."""
    global _LIVE_APP  # noqa: PLW0603 - for sign_in_with, which only gets the page
    _LIVE_APP = app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def demo(app: Flask) -> None:
    """The invented demo data, as `make run` loads it but without Eva's 320 extra patients: they would make each
    browser test's nurse pages several times heavier (busy_demo has them)."""
    with Session(db.get_engine(app)) as session:
        load_demo_data(session, stockholm_today(), busy_caseload=False)
        session.commit()


@pytest.fixture
def busy_demo(app: Flask) -> None:
    """The invented demo data exactly as `make run` loads it, Eva's busy caseload included."""
    with Session(db.get_engine(app)) as session:
        load_demo_data(session, stockholm_today())
        session.commit()


def device_options(playwright: Playwright, viewport: str) -> dict[str, Any]:
    """Context options for a phone, a tablet or a 1280×800 desktop (a key of VIEWPORTS)."""
    name = VIEWPORTS[viewport]
    options = dict(playwright.devices[name]) if name else {"viewport": {"width": 1280, "height": 800}}
    options.pop("default_browser_type", None)
    return options


def context_for(browser: Browser, playwright: Playwright, viewport: str, base_url: str) -> BrowserContext:
    """A fresh browser context shaped like a phone, a tablet or a 1280×800 desktop."""
    return browser.new_context(**device_options(playwright, viewport), base_url=base_url, locale="sv-SE")


@pytest.fixture(params=list(VIEWPORTS))
def device_page(request: pytest.FixtureRequest, browser: Browser, playwright: Playwright,
                live_server: str) -> Iterator[Page]:
    """A page at each of phone, tablet and desktop size."""
    context = context_for(browser, playwright, request.param, live_server)
    page = context.new_page()
    page.viewport_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture
def make_context(browser: Browser, live_server: str) -> Iterator[Callable[..., BrowserContext]]:
    """Open browser contexts with any options (JavaScript off, a narrow window…); all closed afterwards."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(**{"base_url": live_server, "locale": "sv-SE", **options})
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def desktop_page(browser: Browser, playwright: Playwright, live_server: str) -> Iterator[Page]:
    """A page in a 1280×800 desktop window."""
    context = context_for(browser, playwright, "desktop", live_server)
    yield context.new_page()
    context.close()


_axe = Axe()


_AXE_OPTIONS = json.dumps({"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})


def assert_accessible(page: Page) -> None:
    """axe-core finds no WCAG 2.2 A/AA violation on the page as it is now. axe (570 KB) is put into a document once,
    not again after an htmx swap, and reports only violations in detail: the browser tests' largest cost halved."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe.axe_script)
    results = AxeResults(page.evaluate(f"axe.run(document, {_AXE_OPTIONS})"))
    assert results.violations_count == 0, results.generate_report()


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0 when nothing sticks out)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def screenshot(page: Page, name: str) -> None:
    """Keep a full-page picture for people to look at (test-results/screenshots)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


MARIA = "19680412-9820"  # demo patient: breast cancer, treatment phase
EVA = "eva.lund@demo.vardplan.se"
DEMO_PASSWORD = "vardplan-demo"


def sign_in_with(page: Page, identifier: str, password: str = DEMO_PASSWORD, *, enrolled: bool = True) -> None:
    """Fill in and send the sign-in form on the page that is open (by field id, not by label copy); then, as the
    account's owner would, the code their authenticator app shows (tests/conftest.py computes it). An account made
    by a test without a second factor gets the test key first, unless `enrolled=False` (its first sign-in, which
    asks it to set one up)."""
    if enrolled and _LIVE_APP is not None:
        totp_code(identifier)  # gives an account without a second factor the test key
    page.locator("#identifier").fill(identifier)
    page.locator("#password").fill(password)
    page.locator("form.mv-form button[type=submit]").click()
    page.wait_for_load_state()
    if not page.url.split("?")[0].endswith("/login/verify") or _LIVE_APP is None:
        return
    page.locator("#code").fill(totp_code(identifier))
    page.locator("form[action$='/login/verify'] button[type=submit]").click()


def share_plan(page: Page) -> None:
    """From the staff plan page of a draft: 'Dela med patienten', then yes on the confirmation page."""
    page.locator("main form[action$='/share'] button[type=submit]").click()
    expect(page.locator("main h1")).to_have_text("Dela planen med patienten")
    assert_accessible(page)
    page.locator("main button[name=confirm][value=yes]").click()
    expect(page).to_have_url(re.compile(r"/staff/plans/\d+\?shared=1$"))


def totp_code(identifier: str) -> str:
    """The code the account's authenticator app shows now (one not used yet), for the live server's database."""
    assert _LIVE_APP is not None, "start the live_server fixture first"
    return second_factor_code(_LIVE_APP, identifier) or ""

