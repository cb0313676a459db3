"""Public pages, language choice, security headers, static files and error pages."""

from __future__ import annotations

import gzip
import re

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from portal import create_app, db
from portal.models import User
from portal.web.security import CSP
from tests import factories
from tests.conftest import HTMX_HEADERS, csrf_from, post_form, sign_in


def test_home_sends_anonymous_visitors_to_sign_in(client: FlaskClient) -> None:
    assert client.get("/").headers["Location"] == "/login"


def test_accessibility_statement_is_public_and_says_how_to_report(client: FlaskClient) -> None:
    page = client.get("/accessibility").get_data(as_text=True)
    assert "<h1 tabindex=\"-1\">Tillgänglighetsredogörelse</h1>" in page
    assert "mailto:" in page
    assert "digg.se" in page
    assert 'href="/accessibility"' in client.get("/login").get_data(as_text=True)


def test_layout_has_lang_viewport_skip_link_main_and_one_live_region(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<a class="mv-skip-link" href="#main-content">' in page
    assert '<main id="main-content"' in page
    assert page.count('aria-live="polite"') == 1
    assert page.count("<h1") == 1


def test_pages_have_no_inline_script_or_style(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "<style" not in page
    assert " style=" not in page
    assert not re.search(r"\son[a-z]+=", page)


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for path in ("/login", "/accessibility", "/no-such-page"):
        headers = client.get(path).headers
        assert headers["Content-Security-Policy"] == CSP
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in CSP
    assert "script-src 'self';" in CSP
    page = client.get("/login").get_data(as_text=True)
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+|/favicon[^"]*)"', page):
        with client.get(asset) as response:
            headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff", asset
        document = headers["Content-Type"].split(";")[0] not in ("text/css", "text/javascript")
        assert ("Content-Security-Policy" in headers) == document, asset  # an SVG or a manifest keeps the CSP


def test_static_files_are_versioned_cached_and_gzipped(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/portal\.css\?v=[0-9a-f]{12})"', page).group(1)
    js = re.search(r'src="(/static/js/portal\.js\?v=[0-9a-f]{12})"', page).group(1)
    for url in (css, js):
        with client.get(url, headers={"Accept-Encoding": "gzip"}) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert response.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(response.get_data())


def test_html_is_gzipped(client: FlaskClient) -> None:
    response = client.get("/accessibility", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"


def test_language_switch_remembers_the_choice_in_a_cookie(client: FlaskClient) -> None:
    token = csrf_from(client.get("/language").get_data(as_text=True))
    response = client.post("/language", data={"language": "en", "csrf_token": token},
                           headers={"Referer": "http://localhost/accessibility"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/accessibility"
    page = client.get("/accessibility").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    assert "Accessibility statement" in page
    assert ">Språk</span></a>" not in page
    assert ">Language</span></a>" in page


@pytest.mark.parametrize(("code", "name", "direction"), [("sv", "Svenska", "ltr"), ("en", "English", "ltr"),
                                                         ("ar", "العربية", "rtl"), ("fi", "Suomi", "ltr")])
def test_language_page_names_each_language_in_itself_and_goes_back(client: FlaskClient, code: str, name: str,
                                                                   direction: str) -> None:
    page = client.get("/language?next=/accessibility").get_data(as_text=True)
    assert f'value="{code}" lang="{code}" dir="{direction}"' in page
    assert f">{name}</button>" in page
    token = csrf_from(page)
    response = client.post("/language", data={"language": code, "next": "/accessibility", "csrf_token": token})
    assert response.headers["Location"] == "/accessibility"
    after = client.get("/accessibility").get_data(as_text=True)
    assert f'<html lang="{code}" dir="{direction}">' in after


def test_language_page_goes_back_only_to_this_site(client: FlaskClient) -> None:
    page = client.get("/language?next=https://evil.example/",
                      headers={"Referer": "https://evil.example/phish"}).get_data(as_text=True)
    assert "evil" not in page
    assert 'name="next" value="/"' in page
    came_from = client.get("/language", headers={"Referer": "http://localhost/plan/items/7?x=1"})
    came_from = came_from.get_data(as_text=True)
    assert 'name="next" value="/plan/items/7?x=1"' in came_from
    token = csrf_from(page)
    response = client.post("/language", data={"language": "en", "next": "//evil.example/", "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_language_switch_ignores_a_foreign_referer(client: FlaskClient) -> None:
    response = post_form(client, "/language", {"language": "en"})
    assert response.headers["Location"] == "/"
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/language", data={"language": "sv", "csrf_token": token},
                           headers={"Referer": "https://evil.example/phish"})
    assert response.headers["Location"] == "/"


def test_language_switch_is_saved_on_the_account(client: FlaskClient, session: Session) -> None:
    patient = factories.patient(session)
    sign_in(client, patient.personal_id, factories.PASSWORD)
    post_form(client, "/language", {"language": "en"}, page="/plan/")
    session.commit()
    session.expire_all()
    assert session.get(User, patient.user_id).locale == "en"
    fresh = client.application.test_client()
    sign_in(fresh, patient.personal_id, factories.PASSWORD)
    assert '<html lang="en" dir="ltr">' in fresh.get("/plan/").get_data(as_text=True)


def test_language_switch_refuses_unknown_languages(client: FlaskClient) -> None:
    response = post_form(client, "/language", {"language": "xx"})
    assert response.status_code == 400
    assert "Något gick fel med förfrågan" in response.get_data(as_text=True)


def test_accept_language_picks_english_without_a_choice(client: FlaskClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    assert "Sign in to Min vårdplan" in page
    other = client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in other
    arabic = client.get("/login", headers={"Accept-Language": "ar-SE,ar;q=0.9"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic


@pytest.mark.parametrize(("path", "status", "text"), [
    ("/no-such-page", 404, "Vi hittar inte sidan"),
    ("/accessibility?x=1", 200, "Tillgänglighetsredogörelse"),
])
def test_error_pages_use_our_layout(client: FlaskClient, path: str, status: int, text: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert text in page
    assert 'id="main-content"' in page


def test_method_not_allowed_page(client: FlaskClient) -> None:
    response = client.delete("/login")
    assert response.status_code == 405
    assert "Det går inte att göra här" in response.get_data(as_text=True)


def test_error_fragment_for_htmx(client: FlaskClient) -> None:
    body = client.get("/no-such-page", headers=HTMX_HEADERS).get_data(as_text=True)
    assert "<html" not in body
    assert "Vi hittar inte sidan" in body


def test_server_error_is_generic(database_url: str) -> None:
    broken = create_app({"DATABASE_URL": database_url, "TESTING": False})

    @broken.get("/__boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = broken.test_client().get("/__boom")
    db.get_engine(broken).dispose()
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Något gick fel hos oss" in page
    assert "secret internals" not in page
    assert "Traceback" not in page
