"""The editors' list of content versions comes 50 at a time (keyset paging): 'Show more' is a real link to the next
page, which htmx turns into versions added to the list (to the diagnosis they continue, or as new diagnoses); odd
cursors give the first page; and a page costs the same number of SQL statements however many versions there are."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session

from portal.models import Article, ContentTemplate, Role
from tests import factories
from tests.conftest import client_as
from tests.paging import ODD_CURSORS
from tests.sql import counting

MORE = {"HX-Request": "true", "HX-Target": "versions-more"}  # what the 'Show more' link sends under htmx
VERSION_LINK = r'<h3 class="mv-list__title"><a href="/editor/(\w+)/(\d+)"'


def _versions(session: Session, counts: dict[str, int], articles: int = 2) -> dict[tuple[str, int], int]:
    """`counts[key]` versions of each diagnosis (the newest published, the others retired), each with `articles`
    articles; returns the ids by (diagnosis, version)."""
    ids = {}
    for key, count in counts.items():
        for number in range(1, count + 1):
            template = ContentTemplate(diagnosis_key=key, version=number, content_hash=f"{key}{number}", data="{}",
                                       status="published" if number == count else "retired",
                                       published_at=datetime(2026, 1, 1, tzinfo=UTC))
            session.add(template)
            session.flush()
            session.add_all(Article(template_id=template.id, slug=f"text-{n}", phase="treatment", position=n,
                                    content_hash=str(n), data="{}") for n in range(articles))
            ids[(key, number)] = template.id
    session.commit()
    return ids


def _order(counts: dict[str, int]) -> list[tuple[str, int]]:
    """By diagnosis, newest version first."""
    return [(key, number) for key in sorted(counts) for number in range(counts[key], 0, -1)]


def _shown(html: str) -> list[tuple[str, int]]:
    return [(key, int(number)) for key, number in re.findall(VERSION_LINK, html)]


def _editor(app: Flask, session: Session) -> FlaskClient:
    return client_as(app, factories.user(session, role=Role.EDITOR))


def test_editor_list_shows_50_versions_and_a_link_to_the_next(app: Flask, session: Session) -> None:
    counts = {"brostcancer": 25, "prostatacancer": 35}
    ids = _versions(session, counts)
    client = _editor(app, session)
    first = client.get("/editor/").get_data(as_text=True)
    assert _shown(first) == _order(counts)[:50]
    after = ids[("prostatacancer", 11)]
    assert f'href="/editor/?after={after}"' in first
    assert f'hx-get="/editor/?after={after}" hx-target="#versions-more" hx-swap="outerHTML"' in first
    assert 'href="/editor/"' not in first.split("<main")[1]  # no way back: this is the start
    second = client.get(f"/editor/?after={after}").get_data(as_text=True)  # without JavaScript: a page
    assert "<html" in second
    assert _shown(second) == _order(counts)[50:]
    assert 'href="/editor/?after=' not in second
    assert 'href="/editor/"' in second.split("<main")[1]  # back to the start of the list
    assert second.count("2 texter") + second.count("2 articles") == 10  # the articles of the versions shown


def test_editor_show_more_under_htmx_continues_the_diagnosis_it_stopped_in(app: Flask, session: Session) -> None:
    counts = {"brostcancer": 25, "prostatacancer": 35}
    ids = _versions(session, counts)
    response = _editor(app, session).get(f"/editor/?after={ids[('prostatacancer', 11)]}", headers=MORE)
    more = response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in more
    assert 'hx-swap-oob="beforeend:#versions-prostatacancer"' in more
    assert 'beforeend:#editor-diagnoses' not in more  # no new diagnosis on this page
    assert _shown(more) == _order(counts)[50:]
    assert more.count(" autofocus") == 1  # the first new version takes the focus
    assert '<p id="versions-more" class="mv-actions"></p>' in more  # the last page: no link
    assert 'hx-swap-oob="innerHTML:#live-region">10 ' in more


def test_editor_show_more_under_htmx_adds_new_diagnoses_after_the_last(app: Flask, session: Session) -> None:
    counts = {"brostcancer": 50, "prostatacancer": 3, "tjocktarmscancer": 2}
    ids = _versions(session, counts)
    more = _editor(app, session).get(f"/editor/?after={ids[('brostcancer', 1)]}", headers=MORE).get_data(as_text=True)
    assert 'hx-swap-oob="beforeend:#versions-brostcancer"' not in more
    assert more.count('hx-swap-oob="beforeend:#editor-diagnoses"') == 2
    assert '<ul class="mv-list" id="versions-prostatacancer">' in more
    assert _shown(more) == _order(counts)[50:]
    assert more.count(" autofocus") == 1


def test_editor_fragment_for_the_main_content_is_the_first_page(app: Flask, session: Session) -> None:
    counts = {"brostcancer": 3}
    _versions(session, counts)
    body = _editor(app, session).get("/editor/", headers={"HX-Request": "true", "HX-Target": "main-content"})
    html = body.get_data(as_text=True)
    assert "<html" not in html
    assert 'id="editor-diagnoses"' in html
    assert _shown(html) == _order(counts)
    assert '<p id="versions-more" class="mv-actions"></p>' in html  # one page: no link


@pytest.mark.parametrize("after", ODD_CURSORS)
def test_editor_list_odd_cursors_give_the_first_page(app: Flask, session: Session, after: str) -> None:
    counts = {"brostcancer": 52}
    _versions(session, counts, articles=0)
    response = _editor(app, session).get(f"/editor/?after={after}")
    assert response.status_code == 200
    assert _shown(response.get_data(as_text=True)) == _order(counts)[:50]


def test_editor_list_costs_the_same_statements_for_3_and_60_versions(app: Flask, engine: Engine,
                                                                     session: Session) -> None:
    counts = []
    for size in (3, 60):
        ids = _versions(session, {f"diagnos{size}": size})
        client = _editor(app, session)
        pages = []
        for path, headers in (("/editor/", None), (f"/editor/?after={ids[(f'diagnos{size}', size)]}", MORE)):
            client.get(path, headers=headers)  # once to warm what a process loads once
            with counting(engine) as statements:
                assert client.get(path, headers=headers).status_code == 200
            pages.append(len(statements))
        counts.append(pages)
        session.execute(delete(Article))  # the next round starts from an empty list
        session.execute(delete(ContentTemplate))
        session.commit()
    assert counts[0] == counts[1]
