"""'Ladda ner mina uppgifter' in a real browser: reached from the settings, accessible at phone and desktop width,
the summary readable, the FHIR file a valid bundle of Maria's plan and forms."""

from __future__ import annotations

import json
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle
from playwright.sync_api import Page, expect

from tests.e2e.conftest import MARIA, assert_accessible, screenshot, sign_in_with


def test_maria_downloads_her_data(device_page: Page, demo: None, tmp_path: Path) -> None:
    page = device_page
    page.goto("/login")
    sign_in_with(page, MARIA)
    page.locator("#site-nav a[href='/plan/more']").click()  # "Mer"
    page.locator("main a[href$='/plan/my-data']").click()
    expect(page.locator("main h1")).to_have_text("Ladda ner mina uppgifter")
    assert_accessible(page)
    screenshot(page, f"my-data-{page.viewport_name}")  # type: ignore[attr-defined]

    with page.expect_download() as download:
        page.locator("main a[href$='/plan/my-data/fhir.json']").click()
    saved = tmp_path / "bundle.json"
    download.value.save_as(saved)
    bundle = Bundle.model_validate_json(saved.read_text(encoding="utf-8"))
    kinds = {entry.resource.get_resource_type() for entry in bundle.entry or []}
    assert {"Patient", "CarePlan", "QuestionnaireResponse"} <= kinds
    assert json.loads(saved.read_text(encoding="utf-8"))["type"] == "collection"

    with page.expect_download() as log_file:
        page.locator("main a[href$='/plan/my-data/access-log.csv']").click()
    assert log_file.value.suggested_filename.endswith(".csv")

    page.locator("main a[href$='/plan/my-data/summary']").click()
    expect(page.locator("main h1")).to_have_text("Uppgifter för Maria Ek")
    expect(page.locator("main")).to_contain_text("Första strålbehandlingen")
    expect(page.locator("main")).to_contain_text("Hur mår du?")
    assert_accessible(page)
    screenshot(page, f"my-data-summary-{page.viewport_name}")  # type: ignore[attr-defined]
