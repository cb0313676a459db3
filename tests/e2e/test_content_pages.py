"""Content pages in the browser: the editor previews and publishes a version; the nurse chooses reading and moves a
plan to newer content; the patient writes what matters. axe-core on every page."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from portal import db
from portal.content.services import store as content
from portal.content.services.pack import CONTENT, load_pack
from portal.models import CarePlan, Patient
from tests.e2e.conftest import EVA, MARIA, assert_accessible, screenshot, sign_in_with

ELIN = "elin.redaktor@demo.vardplan.se"


def _new_breast_cancer_draft(app: Flask, tmp_path: object) -> None:
    """A changed copy of the breast cancer content, imported as a draft version 2."""
    import shutil
    from pathlib import Path

    root = Path(str(tmp_path)) / "pack"
    shutil.copytree(CONTENT / "brostcancer", root / "brostcancer")
    first = sorted((root / "brostcancer" / "articles").glob("behandling-*.sv.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n\nEtt nytt stycke i version 2.\n", encoding="utf-8")
    packs, errors = load_pack(root)
    assert not errors
    with Session(db.get_engine(app)) as session:
        content.import_packs(session, packs)
        session.commit()


def test_editor_previews_and_publishes_a_version(desktop_page: Page, demo: None, app: Flask, tmp_path: object) -> None:
    _new_breast_cancer_draft(app, tmp_path)
    page = desktop_page
    page.goto("/login")
    sign_in_with(page, ELIN)
    expect(page).to_have_url(re.compile(r"/editor/$"))
    assert_accessible(page)
    screenshot(page, "editor-index-desktop")

    page.locator("main a[href='/editor/brostcancer/2']").click()
    expect(page).to_have_url(re.compile(r"/editor/brostcancer/2$"))
    assert_accessible(page)
    screenshot(page, "editor-version-desktop")
    page.locator("main a[href^='/editor/brostcancer/2/articles/']").first.click()
    expect(page).to_have_url(re.compile(r"/editor/brostcancer/2/articles/[^/?]+(\?.*)?$"))
    expect(page.locator("main h1")).to_be_visible()
    assert_accessible(page)
    page.go_back()

    # Publishing first shows what changes since version 1 (the new paragraph, marked with words) and asks.
    page.locator("form[action$='/publish'] button").click()
    expect(page.locator("main h1")).to_have_text("Publicera version 2?")
    expect(page.locator(".mv-diff__line--added ins")).to_contain_text("Ett nytt stycke i version 2.")
    expect(page.locator(".mv-diff__line--added .mv-diff__label")).to_have_text("Tillagt:")
    assert_accessible(page)
    screenshot(page, "editor-publish-confirm-desktop")
    page.set_viewport_size({"width": 390, "height": 844})  # and on a phone: the diff reflows, nothing sticks out
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    screenshot(page, "editor-publish-confirm-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator("main form button[name=confirm]").click()
    expect(page).to_have_url(re.compile(r"/editor/brostcancer/2\?(lang=sv&)?done=published$"))
    expect(page.locator("form[action$='/retire']")).to_be_visible()
    assert_accessible(page)

    # The nurse sees that newer content exists for Maria's plan and what it changes.
    page.locator("header form[action='/logout'] button").click()
    page.goto("/login")
    sign_in_with(page, EVA)
    with Session(db.get_engine(app)) as session:
        maria = session.exec(select(Patient).where(Patient.personal_id == MARIA.replace("-", ""))).one()
        plan_id = session.exec(select(CarePlan.id).where(CarePlan.patient_id == maria.id)).one()
    page.goto(f"/staff/plans/{plan_id}")
    page.locator(f"main a[href='/staff/plans/{plan_id}/version']").click()
    expect(page.locator("main li")).to_have_count(1)  # one changed text
    assert_accessible(page)
    screenshot(page, "staff-version-desktop")
    page.locator("main form button").click()
    expect(page).to_have_url(re.compile(rf"/staff/plans/{plan_id}\?moved_version=2$"))
    expect(page.locator(f"main a[href='/staff/plans/{plan_id}/version']")).to_have_count(0)

    page.locator(f"main a[href='/staff/plans/{plan_id}/reading']").click()
    expect(page.locator("input[name=article]:checked").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "staff-reading-desktop")
    first = page.locator("input[name=article]:checked").first
    first.uncheck()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_be_visible()
    assert_accessible(page)


def test_patient_writes_what_matters_and_the_nurse_reads_it(desktop_page: Page, demo: None) -> None:
    page = desktop_page
    page.goto("/login")
    sign_in_with(page, MARIA)
    page.locator("main a[href='/plan/what-matters']").click()
    expect(page.locator("main h1")).to_be_focused()
    page.locator("#what_matters").fill("Att orka gå med hunden varje dag.")
    page.locator("main form.mv-form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_be_visible()
    assert_accessible(page)

    page.locator("header form[action='/logout'] button").click()
    page.goto("/login")
    sign_in_with(page, EVA)
    maria = page.locator("#caseload-list > tr").filter(has_text="Maria Ek")
    maria.get_by_role("link", name="Maria Ek", exact=True).click()
    expect(page.locator("#matters-heading").locator("xpath=..")).to_contain_text("Att orka gå med hunden varje dag.")
