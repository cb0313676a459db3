"""The administrator's security page: the last day's figures per hour in an accessible table, for admins only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from portal.core.access_log import Action
from portal.core.clock import stockholm_today, utcnow
from portal.demo.services import demo_accounts, load_demo_data
from portal.models import AccessEvent, Role, SecurityEvent, User
from portal.security.services import EventKind
from tests import factories
from tests.conftest import HTMX_HEADERS, client_as


def test_security_page_shows_the_hours_and_totals(app: Flask, session: Session) -> None:
    now = utcnow()
    for minutes in (1, 2):
        session.add(SecurityEvent(occurred_at=now - timedelta(minutes=minutes), kind=EventKind.SIGN_IN_FAILED,
                                  account_key="a" * 64))
    session.add(AccessEvent(at=now - timedelta(hours=2), role="patient", action=Action.DENIED, resource="item:1"))
    admin = factories.user(session, role=Role.ADMIN)
    response = client_as(app, admin).get("/admin/security", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<caption class="mv-table__caption" id="security-caption">' in html
    assert html.count('<th scope="row">') == 25  # 24 hours and the totals
    assert '<th scope="col">Failed sign-ins</th>' in html
    assert "<td>2</td>" in html  # failed sign-ins this hour and in total
    assert 'href="/admin/security"' in html  # the administrator's navigation


def test_security_page_as_a_fragment_for_htmx(app: Flask, session: Session) -> None:
    admin = factories.user(session, role=Role.ADMIN)
    response = client_as(app, admin).get("/admin/security", headers=HTMX_HEADERS)
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.STAFF, Role.EDITOR, Role.RELATIVE])
def test_security_page_is_for_administrators_only(app: Flask, session: Session, role: str) -> None:
    assert client_as(app, factories.user(session, role=role)).get("/admin/security").status_code == 403


def test_security_page_asks_anonymous_visitors_to_sign_in(app: Flask) -> None:
    response = app.test_client().get("/admin/security")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_security_page_the_demo_has_an_administrator(app: Flask, session: Session) -> None:
    load_demo_data(session, stockholm_today())
    account = next(account for account in demo_accounts() if account.role == Role.ADMIN)
    admin = session.exec(select(User).where(User.email == account.sign_in)).one()
    assert admin.role == Role.ADMIN
    assert client_as(app, admin).get("/admin/security").status_code == 200
