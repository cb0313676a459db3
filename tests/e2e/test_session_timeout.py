"""Honest session limits in a real browser: the stay-signed-in dialog (WCAG 2.2.1) and what happens at the end.

The limits are shortened on the running app for these tests (a few seconds instead of 30 minutes), so the dialog
and the sign-out happen while the test watches; the rules are the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import MARIA, assert_accessible, screenshot, sign_in_with

DIALOG_TITLE = "Vill du vara inloggad längre?"
STAY = "Fortsätt vara inloggad"


def _sign_in(page: Page) -> None:
    page.goto("/login")
    sign_in_with(page, MARIA)
    expect(page).to_have_url(re.compile(r"/plan/$"))


def _limits(app: Flask, monkeypatch: pytest.MonkeyPatch, idle: int, warning: int) -> None:
    monkeypatch.setitem(app.config, "SESSION_IDLE_LIFETIME", timedelta(seconds=idle))
    monkeypatch.setitem(app.config, "SESSION_WARNING", timedelta(seconds=warning))


@pytest.mark.parametrize("width", [390, 1280])
def test_the_dialog_offers_to_stay_signed_in(make_context: Callable[..., BrowserContext], app: Flask,
                                             monkeypatch: pytest.MonkeyPatch, demo: None, width: int) -> None:
    page = make_context(viewport={"width": width, "height": 800}).new_page()
    _sign_in(page)
    _limits(app, monkeypatch, idle=1800, warning=1800 - 3)  # the dialog opens 3 s after a page is drawn
    page.goto("/plan/timeline")
    dialog = page.get_by_role("dialog", name=DIALOG_TITLE)
    expect(dialog).to_be_visible(timeout=10_000)
    expect(page.get_by_role("button", name=STAY)).to_be_focused()  # a modal dialog: focus moves into it
    assert_accessible(page)
    screenshot(page, f"session-dialog-{width}")

    monkeypatch.setitem(app.config, "SESSION_WARNING", timedelta(seconds=60))
    page.get_by_role("button", name=STAY).click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/plan/timeline$"))  # the person stays where they were
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('dialog') === null")


def test_at_the_end_the_page_signs_out_and_keeps_the_message_being_written(
        make_context: Callable[..., BrowserContext], app: Flask, monkeypatch: pytest.MonkeyPatch,
        demo: None) -> None:
    page = make_context(viewport={"width": 1280, "height": 800}).new_page()
    _sign_in(page)
    _limits(app, monkeypatch, idle=8, warning=4)
    page.goto("/plan/messages")
    page.locator("textarea#body").fill("Min fråga om provsvaret")
    expect(page.get_by_role("dialog", name=DIALOG_TITLE)).to_be_visible(timeout=10_000)
    expect(page.get_by_role("heading", name="Logga in igen")).to_be_visible(timeout=15_000)
    assert page.locator("input[name=draft]").input_value() == "Min fråga om provsvaret"
    assert_accessible(page)

    monkeypatch.setitem(app.config, "SESSION_IDLE_LIFETIME", timedelta(minutes=30))
    sign_in_with(page, MARIA)
    expect(page).to_have_url(re.compile(r"/plan/messages$"))
    expect(page.locator("textarea#body")).to_have_value("Min fråga om provsvaret")


def test_at_the_end_an_idle_page_goes_to_sign_in_and_says_why(make_context: Callable[..., BrowserContext],
                                                              app: Flask, monkeypatch: pytest.MonkeyPatch,
                                                              demo: None) -> None:
    page = make_context(viewport={"width": 390, "height": 800}).new_page()
    _sign_in(page)
    _limits(app, monkeypatch, idle=6, warning=3)
    page.goto("/plan/timeline")
    expect(page).to_have_url(re.compile(r"/login\?next=/plan/timeline$"), timeout=15_000)
    expect(page.get_by_text("Du loggades ut eftersom inget hände på en stund.")).to_be_visible()
    assert_accessible(page)


def test_without_javascript_the_next_request_finds_the_session_over(make_context: Callable[..., BrowserContext],
                                                                    app: Flask, monkeypatch: pytest.MonkeyPatch,
                                                                    demo: None) -> None:
    page = make_context(java_script_enabled=False, viewport={"width": 1280, "height": 800}).new_page()
    _sign_in(page)
    _limits(app, monkeypatch, idle=2, warning=1)
    page.goto("/plan/timeline")
    expect(page.get_by_role("dialog")).to_have_count(0)  # closed <dialog>: nothing to see or reach
    page.wait_for_timeout(3_000)
    page.get_by_role("link", name="Meddelanden").first.click()
    expect(page).to_have_url(re.compile(r"/login\?next=/plan/messages$"))
