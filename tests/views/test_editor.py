"""The content editor's pages: versions per diagnosis, a patient's-eye preview, publish and retire."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from portal.content.services import store as content
from portal.content.services.pack import load_pack
from portal.models import ContentTemplate, Role, TemplateStatus, User
from tests import factories
from tests.conftest import HTMX_HEADERS, csrf_from, sign_in
from tests.content_pack import ARTICLE, write_diagnosis

ARTICLES = {
    "fragor-till-lakaren": ("investigation", "Frågor till läkaren", "Questions for the doctor"),
    "trotthet": ("treatment", "Trötthet under behandlingen", "Tiredness during treatment"),
}


@pytest.fixture
def pack(tmp_path: Path, session: Session) -> None:
    """Breast cancer as a draft (version 1), and prostate cancer published (version 1)."""
    write_diagnosis(tmp_path, key="brostcancer", articles=ARTICLES)
    content.import_packs(session, load_pack(tmp_path)[0])
    other = tmp_path / "other"
    write_diagnosis(other, key="prostatacancer")
    content.import_packs(session, load_pack(other)[0], publish=True)


def _sign_in_editor(client: FlaskClient, session: Session) -> None:
    editor = factories.user(session, role=Role.EDITOR, email="elin@example.se")
    editor.locale = "en"
    session.add(editor)
    session.commit()
    sign_in(client, editor.email, factories.PASSWORD)


def _version(session: Session, key: str = "brostcancer", number: int = 1) -> ContentTemplate:
    session.commit()
    session.expire_all()
    return content.template_version(session, key, number)


def _post(client: FlaskClient, action: str, key: str = "brostcancer", number: int = 1,  # noqa: ANN202
          confirm: str | None = "yes"):
    page = f"/editor/{key}/{number}"
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(f"{page}/{action}", data={"csrf_token": token, "lang": "sv",
                                                 **({"confirm": confirm} if confirm else {})})


@pytest.mark.usefixtures("pack")
def test_index_lists_every_version_with_status_and_articles(client: FlaskClient, session: Session) -> None:
    _sign_in_editor(client, session)
    page = client.get("/editor/").get_data(as_text=True)
    assert "Breast cancer" in page
    assert "Prostate cancer" in page
    assert 'href="/editor/brostcancer/1"' in page
    assert 'href="/editor/prostatacancer/1"' in page
    assert "Draft" in page
    assert "Published" in page
    assert "2 articles" in page
    assert "1 article" in page
    assert "Demo content" in page
    assert "National content: published" in page


def test_index_without_content_says_how_to_import(client: FlaskClient, session: Session) -> None:
    _sign_in_editor(client, session)
    assert "flask content import" in client.get("/editor/").get_data(as_text=True)


@pytest.mark.usefixtures("pack")
def test_index_fragment_for_htmx(client: FlaskClient, session: Session) -> None:
    _sign_in_editor(client, session)
    response = client.get("/editor/", headers=HTMX_HEADERS)
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert 'href="/editor/brostcancer/1"' in body
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.usefixtures("pack")
@pytest.mark.parametrize(("lang", "shown", "hidden"), [
    ("sv", ["Frågor till läkaren", "Trötthet under behandlingen", "Du har bröstcancer.", "Mammografi"],
     "Tiredness during treatment"),
    ("en", ["Questions for the doctor", "Tiredness during treatment", "You have breast cancer.", "Mammography"],
     "Trötthet under behandlingen"),
])
def test_preview_shows_the_content_in_the_chosen_language(client: FlaskClient, session: Session, lang: str,
                                                          shown: list[str], hidden: str) -> None:
    _sign_in_editor(client, session)
    page = client.get(f"/editor/brostcancer/1?lang={lang}").get_data(as_text=True)
    for text in shown:
        assert text in page
    assert hidden not in page
    assert f'<div class="mv-narrow" lang="{lang}"' in page
    assert f'href="/editor/brostcancer/1/articles/trotthet?lang={lang}"' in page
    assert page.count("<h1") == 1


@pytest.mark.usefixtures("pack")
def test_preview_defaults_to_the_editors_language(client: FlaskClient, session: Session) -> None:
    _sign_in_editor(client, session)
    page = client.get("/editor/brostcancer/1?lang=de").get_data(as_text=True)
    assert "Tiredness during treatment" in page
    assert "Investigation" in page  # phase names in the preview language


@pytest.mark.usefixtures("pack")
def test_draft_has_a_publish_button_and_published_a_retire_button(client: FlaskClient, session: Session) -> None:
    _sign_in_editor(client, session)
    draft = client.get("/editor/brostcancer/1").get_data(as_text=True)
    assert 'action="/editor/brostcancer/1/publish"' in draft
    assert "/retire" not in draft
    assert "A published version never changes." in draft
    published = client.get("/editor/prostatacancer/1").get_data(as_text=True)
    assert 'action="/editor/prostatacancer/1/retire"' in published
    assert "/publish" not in published


@pytest.mark.usefixtures("pack")
def test_article_preview_as_a_patient_reads_it(client: FlaskClient, session: Session) -> None:
    _sign_in_editor(client, session)
    page = client.get("/editor/brostcancer/1/articles/trotthet?lang=sv").get_data(as_text=True)
    assert '<h1 tabindex="-1">Trötthet under behandlingen</h1>' in page
    assert "Om Trötthet under behandlingen." in page
    assert "<h2>Trötthet under behandlingen</h2>" in page
    assert 'href="https://www.1177.se/sjukdomar--besvar/cancer/"' in page
    assert ">https://www.1177.se/sjukdomar--besvar/cancer/</span>" in page
    assert 'href="/editor/brostcancer/1?lang=sv"' in page


@pytest.mark.usefixtures("pack")
def test_publish_turns_a_draft_into_published(client: FlaskClient, session: Session) -> None:
    _sign_in_editor(client, session)
    response = _post(client, "publish")
    assert response.status_code == 303
    assert response.headers["Location"] == "/editor/brostcancer/1?lang=sv&done=published"
    assert _version(session).status == TemplateStatus.PUBLISHED
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'role="status"' in page
    assert "Version 1 is published." in page


@pytest.mark.usefixtures("pack")
def test_retire_turns_published_into_retired(client: FlaskClient, session: Session) -> None:
    _sign_in_editor(client, session)
    response = _post(client, "retire", key="prostatacancer")
    assert response.status_code == 303
    assert response.headers["Location"] == "/editor/prostatacancer/1?lang=sv&done=retired"
    retired = _version(session, "prostatacancer")
    assert retired.status == TemplateStatus.RETIRED
    assert retired.retired_at is not None
    assert "Version 1 is retired." in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.usefixtures("pack")
def test_publishing_twice_is_refused_and_changes_nothing(client: FlaskClient, session: Session) -> None:
    _sign_in_editor(client, session)
    _post(client, "publish")
    published_at = _version(session).published_at
    response = _post(client, "publish")
    assert response.headers["Location"] == "/editor/brostcancer/1?lang=sv&error=not_draft"
    again = _version(session)
    assert (again.status, again.published_at) == (TemplateStatus.PUBLISHED, published_at)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Only a draft can be published. Nothing was changed." in page
    assert 'role="alert"' in page


@pytest.mark.usefixtures("pack")
def test_retiring_a_draft_is_refused(client: FlaskClient, session: Session) -> None:
    _sign_in_editor(client, session)
    response = _post(client, "retire")
    assert response.headers["Location"] == "/editor/brostcancer/1?lang=sv&error=not_published"
    assert _version(session).status == TemplateStatus.DRAFT
    assert "Only a published version can be retired." in client.get(response.headers["Location"]).get_data(
        as_text=True)


@pytest.mark.usefixtures("pack")
def test_publish_without_csrf_token_is_refused(client: FlaskClient, session: Session) -> None:
    _sign_in_editor(client, session)
    assert client.post("/editor/brostcancer/1/publish").status_code == 400
    assert _version(session).status == TemplateStatus.DRAFT


@pytest.mark.usefixtures("pack")
@pytest.mark.parametrize("path", ["/editor/brostcancer/9", "/editor/okand/1", "/editor/brostcancer/1/articles/okand"])
def test_unknown_version_or_article_is_404(client: FlaskClient, session: Session, path: str) -> None:
    _sign_in_editor(client, session)
    assert client.get(path).status_code == 404


@pytest.mark.usefixtures("pack")
@pytest.mark.parametrize("role", [Role.PATIENT, Role.STAFF])
def test_patient_and_staff_get_403(client: FlaskClient, session: Session, role: str) -> None:
    if role == Role.PATIENT:
        sign_in(client, factories.patient(session).personal_id, factories.PASSWORD)
    else:
        nurse = factories.staff(session, factories.unit(session))
        sign_in(client, session.get(User, nurse.user_id).email, factories.PASSWORD)
    response = client.get("/editor/")
    assert response.status_code == 403
    assert "Breast cancer" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/editor/", "/editor/brostcancer/1"])
def test_anonymous_is_sent_to_sign_in(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/login?next={path}")


def test_admin_may_use_the_editor(client: FlaskClient, session: Session) -> None:
    sign_in(client, factories.user(session, role=Role.ADMIN, email="admin@example.se").email, factories.PASSWORD)
    assert client.get("/editor/").status_code == 200


def _second_version(session: Session, root: Path) -> None:
    """Version 1 published; version 2 a draft that adds an article, removes one, changes one's text and the
    illness in plain words."""
    content.publish_version(session, _version(session))
    folder = write_diagnosis(root, about="Du har bröstcancer. Den upptäcktes tidigt.", articles={
        "trotthet": ARTICLES["trotthet"], "sex-och-narhet": ("treatment", "Sex och närhet", "Sex and closeness")})
    title = "Trötthet under behandlingen"
    body = f"## {title}\n\nVila när du behöver, och gå en kort promenad.\n\nRing oss om det inte går över."
    (folder / "articles" / "trotthet.sv.md").write_text(
        ARTICLE.format(phase="treatment", title=title, summary=f"Om {title}.", body=body), encoding="utf-8")
    content.import_packs(session, load_pack(root)[0])
    session.commit()


@pytest.mark.usefixtures("pack")
def test_publish_without_confirmation_shows_the_changes_and_publishes_nothing(
        client: FlaskClient, session: Session, tmp_path: Path) -> None:
    _second_version(session, tmp_path / "v2")
    _sign_in_editor(client, session)
    response = _post(client, "publish", number=2, confirm=None)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _version(session, number=2).status == TemplateStatus.DRAFT
    assert "<title>Publish version 2?" in page
    assert page.count("<h1") == 1
    assert "Compared with version 1, published" in page
    for summary in ("1 article added", "1 article removed", "1 article changed"):
        assert summary in page
    added = page.split('id="added-heading"')[1].split("</section>")[0]
    removed = page.split('id="removed-heading"')[1].split("</section>")[0]
    assert "Sex och närhet" in added
    assert "Frågor till läkaren" not in added
    assert "Frågor till läkaren" in removed
    changed = page.split('id="changed-heading"')[1]
    assert '<h3 class="mv-card__title" id="changed-trotthet" lang="sv">Trötthet under behandlingen</h3>' in changed
    assert "<h4>Text</h4>" in changed
    assert "Changed:</span>" in changed
    assert '<ins><span class="mv-visually-hidden">[added: </span>' in changed  # words, not colour only
    assert "<del" in changed
    assert 'Added:</span> <ins lang="sv">Ring oss om det inte går över.</ins>' in changed
    assert "The illness in plain words" in page
    assert "Den upptäcktes tidigt." in page
    assert 'name="confirm" value="yes"' in page
    assert ">Publish version 2</button>" in page


@pytest.mark.usefixtures("pack")
def test_publish_with_confirmation_publishes(client: FlaskClient, session: Session, tmp_path: Path) -> None:
    _second_version(session, tmp_path / "v2")
    _sign_in_editor(client, session)
    response = _post(client, "publish", number=2)
    assert response.headers["Location"] == "/editor/brostcancer/2?lang=sv&done=published"
    assert _version(session, number=2).status == TemplateStatus.PUBLISHED


@pytest.mark.usefixtures("pack")
def test_publishing_the_first_version_lists_every_article_as_new(client: FlaskClient, session: Session) -> None:
    _sign_in_editor(client, session)
    page = _post(client, "publish", confirm=None).get_data(as_text=True)
    assert "No version of this diagnosis is published now, so every article is new." in page
    assert "2 articles added" in page
    assert _version(session).status == TemplateStatus.DRAFT


@pytest.mark.usefixtures("pack")
def test_the_diff_is_in_the_preview_language(client: FlaskClient, session: Session, tmp_path: Path) -> None:
    _second_version(session, tmp_path / "v2")
    _sign_in_editor(client, session)
    page = client.get("/editor/brostcancer/2?lang=en").get_data(as_text=True)
    token = csrf_from(page)
    page = client.post("/editor/brostcancer/2/publish", data={"csrf_token": token, "lang": "en"}).get_data(
        as_text=True)
    assert "Sex and closeness" in page
    assert "Changed only in another language." in page  # only the Swedish text of the article changed


@pytest.mark.usefixtures("pack")
def test_retire_without_confirmation_asks_and_changes_nothing(client: FlaskClient, session: Session) -> None:
    _sign_in_editor(client, session)
    response = _post(client, "retire", key="prostatacancer", confirm=None)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _version(session, "prostatacancer").status == TemplateStatus.PUBLISHED
    assert "<title>Retire version 1?" in page
    assert "0 care plans use this version. They keep it." in page
    assert "No other version is published" in page
    assert ">Retire version 1</button>" in page
    assert 'name="confirm" value="yes"' in page
