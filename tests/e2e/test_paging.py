"""Long staff lists in the browser: 'Show more' adds the next rows in place (focus on the first new one, a word in the
live region), and without JavaScript the same link opens the next page. axe-core on every state it can run in."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session

from portal.models import AccessEvent, CarePlan, Patient, StaffMember, User
from tests import factories
from tests.e2e.conftest import assert_accessible, sign_in_with


def _busy_nurse(session: Session, count: int) -> tuple[str, list[CarePlan]]:
    """A nurse with `count` patients, each with a message; the first plan read 130 times, 31 minutes apart (130
    visits in its access log)."""
    where = factories.unit(session)
    nurse: StaffMember = factories.staff(session, where)
    plans = [factories.plan(session, factories.patient(session, name=f"Anna Svensson {n:03d}"), where, nurse)
             for n in range(count)]
    for plan in plans:
        factories.message(session, plan, session.get(User, session.get(Patient, plan.patient_id).user_id), "Hej")
    now = datetime.now(UTC)
    session.add_all(AccessEvent(at=now - timedelta(minutes=31 * n + 1), actor_user_id=nurse.user_id, role="staff",
                                patient_id=plans[0].patient_id, action="read", resource=f"plan:{plans[0].id}")
                    for n in range(130))
    session.commit()
    return session.get(User, nurse.user_id).email or "", plans


def test_show_more_adds_the_next_threads_and_patients_in_place(desktop_page: Page, session: Session) -> None:
    email, plans = _busy_nurse(session, 55)
    page = desktop_page
    page.goto("/login")
    sign_in_with(page, email, factories.PASSWORD)
    expect(page.locator("#caseload-list > tr")).to_have_count(50)
    page.locator("#caseload-more a").click()
    expect(page.locator("#caseload-list > tr")).to_have_count(55)
    expect(page.locator("#caseload-list > tr").nth(50).locator("a").first).to_be_focused()
    expect(page.locator("#caseload-more a")).to_have_count(0)
    expect(page.locator("#live-region")).to_contain_text("5")
    assert re.search(r"/staff/$", page.url)  # the address stays the list's
    assert_accessible(page)

    page.locator("#site-nav a[href='/staff/inbox']").click()
    expect(page.locator("#inbox-list > tr")).to_have_count(50)
    page.locator("#inbox-more a").click()
    expect(page.locator("#inbox-list > tr")).to_have_count(55)
    expect(page.locator("#inbox-list > tr").nth(50).locator("a")).to_be_focused()
    assert_accessible(page)
    last = re.search(r"/plans/(\d+)/", page.locator("#inbox-list > tr").nth(49).locator("a").get_attribute("href"))
    page.goto(f"/staff/inbox?after={last.group(1)}")  # the next page, as without JavaScript
    expect(page.locator("#inbox-list > tr")).to_have_count(5)
    expect(page.locator("main .mv-notice")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/staff/plans/{plans[0].id}/access-log")
    expect(page.locator("#log-rows > tr")).to_have_count(25)
    page.locator("#log-more a").click()
    expect(page.locator("#log-rows > tr")).to_have_count(50)
    expect(page.locator("#log-rows > tr").nth(25).locator("td").first).to_be_focused()
    assert_accessible(page)

    page.goto("/staff/find")
    page.locator("#q").fill("svens")
    page.locator("main form[role=search] button").click()
    expect(page.locator("#find-list > li")).to_have_count(20)
    page.locator("#find-more button").click()
    expect(page.locator("#find-list > li")).to_have_count(40)
    expect(page.locator("#find-list > li").nth(20).locator("h3")).to_be_focused()
    assert_accessible(page)


def test_without_javascript_show_more_opens_the_next_page(make_context: Callable[..., BrowserContext],
                                                           session: Session) -> None:
    email, _plans = _busy_nurse(session, 55)
    page = make_context(java_script_enabled=False, viewport={"width": 1280, "height": 800}).new_page()
    page.goto("/login")
    sign_in_with(page, email, factories.PASSWORD)
    page.goto("/staff/inbox")
    page.locator("#inbox-more a").click()
    expect(page).to_have_url(re.compile(r"/staff/inbox\?after=\d+$"))
    expect(page.locator("#inbox-list > tr")).to_have_count(5)
    page.locator("main .mv-notice a").click()  # back to the start of the list
    expect(page.locator("#inbox-list > tr")).to_have_count(50)
