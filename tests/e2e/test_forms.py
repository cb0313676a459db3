"""Forms ("Formulär"): the patient answers on a phone over two sessions, by keyboard alone, at 320 px and sends once;
the nurse handles the alert the answers raised and the patient sees the new plan item."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from flask import Flask
from playwright.sync_api import BrowserContext, Locator, Page, Playwright, expect
from sqlmodel import Session, col, select

from portal import db
from portal.models import Alert, FormResponse, ResponseStatus
from tests.e2e.conftest import (
    EVA,
    MARIA,
    assert_accessible,
    device_options,
    horizontal_overflow,
    screenshot,
    sign_in_with,
)

FORMS_URL = re.compile(r"/plan/forms$")
SAVED_URL = re.compile(r"/plan/forms\?saved=\d+$")
STEP_URL = re.compile(r"/plan/forms/responses/\d+/steps/\d+$")
REVIEW_URL = re.compile(r"/plan/forms/responses/\d+/review$")
RECEIPT_URL = re.compile(r"/plan/forms/responses/\d+$")
STAFF_FORMS_URL = re.compile(r"/staff/plans/\d+/forms$")
HANDLED_URL = re.compile(r"/staff/responses/\d+/alerts\?handled=1$")
ALERTS_URL = re.compile(r"/staff/responses/\d+/alerts$")

MABRA = "Hur mår du?"
BEHOV = "Mina behov just nu"
MABRA_EARLIER = 3  # the demo's earlier answers to "Hur mår du?" (scores 2, 3, 6)
NEW_ITEM = "Kontakt med fysioterapeut"
GO_TO_REVIEW = "Gå vidare och kontrollera"
MABRA_SCREENS = ("Hur du mår", "Kroppen", "Vardagen", "Familj och närstående", "Känslor", "Livet och meningen")


def _sign_in(page: Page, identifier: str, start: re.Pattern[str]) -> None:
    page.goto("/login")
    sign_in_with(page, identifier)
    expect(page).to_have_url(start)


def _open_forms_by_nav(page: Page) -> None:
    page.locator("#site-nav").get_by_role("link", name="Formulär").click()
    expect(page).to_have_url(FORMS_URL)
    expect(page.locator("main h1")).to_have_text("Formulär")


def _form_button(page: Page, verb: str, title: str) -> Locator:
    """The POST button that starts or resumes a due form; its name carries the form's title."""
    return page.get_by_role("button", name=re.compile(rf"^{verb}\s*:\s*{re.escape(title)}$"))


def _progress(page: Page) -> Locator:
    return page.locator("main p.mv-progress")


def _next(page: Page) -> Locator:
    """The form's "go on" button ("Nästa", or "Gå vidare och kontrollera" on the last screen), by its action."""
    return page.locator("form.mv-form--question button[name=action][value=next]")


def _answered_mabra(page: Page) -> Locator:
    return page.locator("main ul.mv-list > li.mv-list__item").filter(
        has=page.get_by_role("link", name=MABRA, exact=True))


def _expect_step(page: Page, progress: str, heading: str) -> None:
    expect(page).to_have_url(STEP_URL)
    expect(_progress(page)).to_have_text(progress)
    expect(page.locator("main h1")).to_have_text(heading)


def _start_mabra(page: Page) -> None:
    _open_forms_by_nav(page)
    _form_button(page, "Börja", MABRA).click()
    _expect_step(page, "Fråga 1 av 6", "Hur du mår")


def _submitted(app: Flask) -> list[FormResponse]:
    with Session(db.get_engine(app)) as session:
        query = select(FormResponse).where(FormResponse.status == ResponseStatus.SUBMITTED)
        return list(session.exec(query.order_by(col(FormResponse.id))).all())


def _alerts_for(app: Flask, response_id: int | None) -> list[str]:
    with Session(db.get_engine(app)) as session:
        return list(session.exec(select(Alert.reason).where(Alert.response_id == response_id)).all())


def test_forms_patient_saves_halfway_and_finishes_later_with_alert(
        make_context: Callable[..., BrowserContext], playwright: Playwright, demo: None) -> None:
    phone = device_options(playwright, "iphone13")
    first = make_context(**phone)
    page = first.new_page()
    _sign_in(page, MARIA, re.compile(r"/plan/$"))
    started = time.perf_counter()

    # The list: "Hur mår du?" is due, with three earlier answers.
    _open_forms_by_nav(page)
    expect(_answered_mabra(page)).to_have_count(MABRA_EARLIER)
    expect(_answered_mabra(page).first).to_contain_text("Poäng: 6")
    _form_button(page, "Börja", MABRA).click()

    # Screen 1: the 0–10 scale.
    _expect_step(page, "Fråga 1 av 6", "Hur du mår")
    expect(page.locator("input[type=radio][name=distress]")).to_have_count(11)
    expect(page.get_by_label("0", exact=True)).to_have_attribute("id", "distress-0")
    expect(page.get_by_label("10", exact=True)).to_have_attribute("id", "distress-10")
    scale_button = _next(page).inner_text().strip()
    assert_accessible(page)
    screenshot(page, "forms-step-iphone13")

    # Nothing chosen: 422, the error summary is focused and points at the first radio.
    with page.expect_response(lambda r: r.request.method == "POST" and "/steps/1" in r.url) as sent:
        _next(page).click()
    assert sent.value.status == 422
    summary = page.locator(".mv-error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Svara på frågan.")
    expect(page).to_have_title(re.compile(r"^Fel: "))
    assert_accessible(page)
    summary.locator("a[href='#distress-0']").click()
    expect(page.locator("#distress-0")).to_be_focused()

    # 7 opens the checklists: screen 2 of 6.
    page.get_by_label("7", exact=True).check()
    _next(page).click()
    _expect_step(page, "Fråga 2 av 6", "Kroppen")
    expect(page.locator("input[type=checkbox][name=problems_physical]")).to_have_count(9)
    page.get_by_label("Trötthet", exact=True).check()
    page.get_by_label("Andningen", exact=True).check()
    page.get_by_role("button", name="Spara och fortsätt senare").click()

    expect(page).to_have_url(SAVED_URL)
    expect(page.locator(".mv-notice[role=status]")).to_contain_text("Dina svar är sparade")
    draft_row = page.locator("main li.mv-list__item").filter(has=_form_button(page, "Fortsätt", MABRA))
    expect(draft_row).to_contain_text("Startat, inte skickat")
    expect(_form_button(page, "Börja", MABRA)).to_have_count(0)
    assert_accessible(page)
    first_session = time.perf_counter() - started
    first.close()

    # A new session: "Fortsätt" goes to the first screen not answered yet, with the earlier answers kept.
    page = make_context(**phone).new_page()
    _sign_in(page, MARIA, re.compile(r"/plan/$"))
    started = time.perf_counter()
    _open_forms_by_nav(page)
    _form_button(page, "Fortsätt", MABRA).click()
    _expect_step(page, "Fråga 3 av 6", "Vardagen")
    page.get_by_role("button", name="Tillbaka").click()
    _expect_step(page, "Fråga 2 av 6", "Kroppen")
    expect(page.locator("#problems_physical-tiredness")).to_be_checked()
    expect(page.locator("#problems_physical-breathing")).to_be_checked()
    expect(page.locator("input[name=problems_physical]:checked")).to_have_count(2)
    page.get_by_role("button", name="Tillbaka").click()
    _expect_step(page, "Fråga 1 av 6", "Hur du mår")
    expect(page.locator("#distress-7")).to_be_checked()
    expect(page.locator("input[name=distress]:checked")).to_have_count(1)

    for number, heading in enumerate(MABRA_SCREENS[1:], start=2):
        _next(page).click()
        _expect_step(page, f"Fråga {number} av 6", heading)
        expect(_next(page)).to_have_text("Nästa" if number < 6 else GO_TO_REVIEW)
    _next(page).click()

    # Review, then send.
    expect(page).to_have_url(REVIEW_URL)
    expect(page.locator("main h1")).to_have_text("Kontrollera dina svar")
    expect(page.locator("main section.mv-review")).to_have_count(6)
    expect(page.get_by_role("link", name=re.compile(r"^Ändra"))).to_have_count(6)
    expect(page.locator("section.mv-review").first).to_contain_text("7")
    expect(page.locator("section.mv-review").nth(1)).to_contain_text("Trötthet, Andningen")
    assert_accessible(page)
    page.get_by_role("button", name="Skicka svaren").click()

    expect(page).to_have_url(RECEIPT_URL)
    expect(page.locator("main h1")).to_have_text("Dina svar är skickade")
    expect(page.locator("main")).to_contain_text("Poäng: 7")
    reading = page.locator("section[aria-labelledby=reading-heading]")
    expect(reading.locator("h2")).to_have_text("Läsning som kan hjälpa")
    expect(reading.get_by_role("link")).to_have_count(1)
    second_session = time.perf_counter() - started
    assert_accessible(page)
    screenshot(page, "forms-receipt-iphone13")
    print(f"\n'Hur mår du?' on an iPhone 13 viewport: {first_session:.1f} s to the saved draft, "
          f"{second_session:.1f} s to finish in the new session, {first_session + second_session:.1f} s in all "
          "(incl. axe runs and screenshots)")

    page.locator("main").get_by_role("link", name="Tillbaka till dina formulär").click()
    expect(page).to_have_url(FORMS_URL)
    expect(_answered_mabra(page)).to_have_count(MABRA_EARLIER + 1)
    expect(_answered_mabra(page).first).to_contain_text("Poäng: 7")
    expect(_form_button(page, "Fortsätt", MABRA)).to_have_count(0)
    expect(_form_button(page, "Börja", MABRA)).to_have_count(0)  # next time in 2 weeks

    # The scale screen could not know that 6 screens were coming: it still has to say "Nästa", not "go to review".
    assert scale_button == "Nästa", f"the scale screen's button said {scale_button!r} although 5 more screens followed"


def test_forms_nurse_handles_alert_and_patient_sees_item(make_context: Callable[..., BrowserContext],
                                                         playwright: Playwright, demo: None) -> None:
    nurse = make_context(**device_options(playwright, "desktop")).new_page()
    _sign_in(nurse, EVA, re.compile(r"/staff/$"))

    # Mina patienter: Maria first, with her open alert.
    expect(nurse.locator("main h1")).to_have_text("Mina patienter")
    first_row = nurse.locator("main #caseload-list > tr").first
    expect(first_row.locator("a.mv-caseload__name")).to_have_text("Maria Ek")
    tag = first_row.locator("a.mv-tag--attention")
    expect(tag).to_have_text(re.compile(r"^1 öppet larm\b"))
    tag.click()

    # The plan's forms: the answers as a table and a line chart, and the open alert.
    expect(nurse).to_have_url(STAFF_FORMS_URL)
    expect(nurse.locator("main h1")).to_contain_text("Maria Ek")
    history = nurse.locator("section.mv-history").filter(has=nurse.get_by_role("heading", name=MABRA, exact=True))
    chart = history.locator("svg[role=img]")
    expect(chart).to_have_count(1)
    expect(chart.locator("title")).to_have_text(re.compile(r"\S"))
    expect(chart.locator("desc")).to_have_text(re.compile(r"2, 3, 6"))
    expect(chart.locator("circle")).to_have_count(MABRA_EARLIER)
    expect(history.locator("table tbody tr")).to_have_count(MABRA_EARLIER)
    alerts = nurse.locator("section.mv-alerts > ul > li")
    expect(alerts).to_have_count(1)
    expect(alerts.locator(".mv-tag--attention")).to_have_text(re.compile(r"^Väntar sedan \d+ dagar"))
    assert_accessible(nurse)
    screenshot(nurse, "forms-chart-desktop")

    # The response's alerts on one page: the phone to ring, what was done, and a new item in the patient's plan.
    alerts.locator("h3").get_by_role("link").click()
    expect(nurse).to_have_url(ALERTS_URL)
    expect(nurse.locator("main h1")).to_contain_text("Maria Ek")
    expect(nurse.locator("main a[href^='tel:']")).to_have_text("Ring patienten: 070-174 06 05")
    assert_accessible(nurse)
    nurse.get_by_role("radio", name="Remitterade").check()
    nurse.get_by_role("checkbox", name="Remitterade: lägg till det i patientens plan").check()
    nurse.locator("main input[name^=item_title]").fill(NEW_ITEM)
    nurse.get_by_label("Anteckning").fill("Ringde Maria och bokade ett besök hos fysioterapeuten.")
    nurse.locator("main form.mv-form button[type=submit]").click()

    expect(nurse).to_have_url(HANDLED_URL)
    expect(nurse.locator(".mv-notice[role=status]")).to_have_text("Larmen är hanterade.")
    expect(nurse.locator("main dl.mv-details")).to_contain_text("Remitterade")
    expect(nurse.locator("main dl.mv-details")).to_contain_text("Eva Lund")
    assert_accessible(nurse)
    nurse.get_by_role("link", name="Tillbaka till formulären").click()
    expect(nurse).to_have_url(STAFF_FORMS_URL)
    expect(nurse.locator("section.mv-alerts")).to_have_count(0)

    # The patient finds the item under Rehabilitering.
    patient = make_context(**device_options(playwright, "iphone13")).new_page()
    _sign_in(patient, MARIA, re.compile(r"/plan/$"))
    patient.locator("#site-nav").get_by_role("link", name="Tidslinje").click()
    expect(patient).to_have_url(re.compile(r"/plan/timeline$"))
    rehab = patient.locator("section.mv-timeline__phase").filter(
        has=patient.get_by_role("heading", name="Rehabilitering"))
    expect(rehab).to_have_count(1)
    expect(rehab.locator(".mv-timeline__item").filter(has_text=NEW_ITEM)).to_have_count(1)
    assert_accessible(patient)


def _focused(locator: Locator) -> bool:
    return bool(locator.evaluate("el => el === document.activeElement"))


def _tab_to(page: Page, target: Locator, limit: int = 60) -> int:
    """Press Tab until `target` has focus, as someone without a mouse would; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if _focused(target):
            return presses
    raise AssertionError(f"{target} was not reached with {limit} presses of Tab")


def _keyboard_radio_screen(page: Page, questions: list[str], start: int) -> int:
    """Answer every radio question on the screen: Tab into each group, then Space or ArrowRight; the points given."""
    points = 0
    for offset, question in enumerate(questions):
        level = (start + offset) % 3  # 0 "Inte alls", 1 "Lite", 2 "Besvärande": no alert
        first_radio = page.locator(f"#{question}-not_at_all")
        if offset == 0:
            print(f"\n{_tab_to(page, first_radio)} presses of Tab from the top of the page to #{question}-not_at_all")
        else:
            page.keyboard.press("Tab")
            expect(first_radio).to_be_focused()
        if level == 0:
            page.keyboard.press("Space")
        for _ in range(level):
            page.keyboard.press("ArrowRight")
        expect(page.locator(f"input[name={question}]:checked")).to_have_count(1)
        points += level
    page.keyboard.press("Tab")
    expect(_next(page)).to_be_focused()
    page.keyboard.press("Enter")
    return points


def test_forms_keyboard_only_whole_form(make_context: Callable[..., BrowserContext], playwright: Playwright,
                                        demo: None) -> None:
    page = make_context(**device_options(playwright, "desktop")).new_page()
    _sign_in(page, MARIA, re.compile(r"/plan/$"))
    page.goto("/plan/forms")  # from here on: only the keyboard

    _tab_to(page, _form_button(page, "Börja", BEHOV))
    page.keyboard.press("Enter")
    screens = [
        ("Fråga 1–5 av 18", "Kroppen", ["pain", "tiredness", "breathing", "eating", "sleep"]),
        ("Fråga 6–9 av 18", "Tankar och känslor", ["worry", "low_mood", "fear", "memory"]),
        ("Fråga 10–13 av 18", "Vardag och relationer", ["money", "work", "relationships", "daily_tasks"]),
        ("Fråga 14–16 av 18", "Livet och meningen", ["meaning", "life_thoughts", "faith"]),
    ]
    points = 0
    answered = 0
    for progress, heading, questions in screens:
        _expect_step(page, progress, heading)
        points += _keyboard_radio_screen(page, questions, answered)
        answered += len(questions)

    # "Besvärande" for thoughts about life and death: the same screen again, the box with whom to call focused.
    expect(page).to_have_url(re.compile(r"/steps/4\?danger=1#danger$"))
    expect(page.locator("#danger")).to_be_focused()
    expect(page.locator("#life_thoughts-troublesome")).to_be_checked()
    _tab_to(page, _next(page))
    page.keyboard.press("Enter")

    # The last screen: yes/no and free text; Shift+Tab back to change "Ja" to "Nej".
    _expect_step(page, "Fråga 17–18 av 18", "Till sist")
    _tab_to(page, page.locator("#talk-yes"))
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.locator("#other")).to_be_focused()
    page.keyboard.type("Jag vill gärna prata med kuratorn.")
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#talk-yes")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#talk-no")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator("#other")).to_be_focused()
    page.keyboard.press("Tab")
    expect(_next(page)).to_be_focused()
    expect(_next(page)).to_have_text(GO_TO_REVIEW)
    page.keyboard.press("Enter")

    expect(page).to_have_url(REVIEW_URL)
    expect(page.locator("main h1")).to_have_text("Kontrollera dina svar")
    last = page.locator("section.mv-review").last
    expect(last).to_contain_text("Nej")
    expect(last).to_contain_text("Jag vill gärna prata med kuratorn.")
    _tab_to(page, page.get_by_role("button", name="Skicka svaren"), limit=80)
    page.keyboard.press("Enter")

    expect(page).to_have_url(RECEIPT_URL)
    expect(page.locator("main h1")).to_have_text("Dina svar är skickade")
    assert points == 15
    expect(page.locator("main")).to_contain_text(f"Poäng: {points}")


def test_forms_submit_twice_sends_once(make_context: Callable[..., BrowserContext], playwright: Playwright,
                                       app: Flask, demo: None) -> None:
    page = make_context(**device_options(playwright, "desktop")).new_page()
    submits: list[str] = []
    page.on("request", lambda r: submits.append(r.url) if r.method == "POST" and r.url.endswith("/submit") else None)
    _sign_in(page, MARIA, re.compile(r"/plan/$"))
    _start_mabra(page)
    page.get_by_label("5", exact=True).check()
    for _ in range(6):
        _next(page).click()
    expect(page).to_have_url(REVIEW_URL)
    before = len(_submitted(app))

    form = page.locator("main form[action$='/submit']")
    action = form.get_attribute("action")
    token = form.locator("input[name=csrf_token]").input_value()
    assert action
    form.get_by_role("button", name="Skicka svaren").dblclick()
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.locator("main h1")).to_have_text("Dina svar är skickade")
    expect(page.locator("main")).to_contain_text("Poäng: 5")
    expect(page.get_by_role("button", name="Skicka svaren")).to_have_count(0)

    # The same POST once more (a reload that resends it, a slow network): the receipt again, nothing new.
    again = page.request.post(action, form={"csrf_token": token})
    assert again.ok
    assert RECEIPT_URL.search(again.url), again.url

    # Back in the browser's history: the review page now shows the receipt.
    page.go_back()
    expect(page.locator("main h1")).to_have_text("Dina svar är skickade")
    _open_forms_by_nav(page)
    expect(_answered_mabra(page)).to_have_count(MABRA_EARLIER + 1)
    expect(_answered_mabra(page).filter(has_text="Poäng: 5")).to_have_count(1)

    sent = _submitted(app)
    assert len(sent) == before + 1, f"{len(submits)} + 1 POSTs made {len(sent) - before} responses"
    assert _alerts_for(app, sent[-1].id) == ["high_distress"]
    print(f"\n{len(submits)} POST(s) to /submit from the double click, 1 resent: {len(sent) - before} response sent")


def test_forms_scale_screen_320px_no_horizontal_scrolling(make_context: Callable[..., BrowserContext],
                                                           demo: None) -> None:
    page = make_context(viewport={"width": 320, "height": 640}).new_page()
    _sign_in(page, MARIA, re.compile(r"/plan/$"))
    _start_mabra(page)
    expect(page.locator("#distress-10")).to_be_visible()
    assert horizontal_overflow(page) == 0

    _next(page).click()
    expect(page.locator(".mv-error-summary")).to_be_focused()
    assert horizontal_overflow(page) == 0
