"""The content pack: read strictly from disk, errors that name file and line, and versions that never change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session

from portal.content.services import store as content
from portal.content.services.pack import CONTENT, PHASES, PackError, load_pack
from portal.models import Article, ContentTemplate, TemplateStatus
from portal.web.labels import DIAGNOSES
from tests.conftest import count_rows
from tests.content_pack import write_diagnosis

PUBLISHED_NATIONALLY = {"brostcancer", "peniscancer", "prostatacancer", "tjock-och-andtarmscancer",
                        "tumorer-i-centrala-nervsystemet", "aggstockscancer"}


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line)


def _only_error(root: Path) -> PackError:
    packs, errors = load_pack(root)
    assert packs == []
    assert len(errors) == 1
    return errors[0]


def test_pack_loads_a_diagnosis_with_its_articles(tmp_path: Path) -> None:
    write_diagnosis(tmp_path)
    packs, errors = load_pack(tmp_path)
    assert errors == []
    assert [(p.key, p.national_status, p.demo) for p in packs] == [("brostcancer", "published", True)]
    article = packs[0].articles[0]
    assert (article.slug, article.phase) == ("trotthet", "treatment")
    assert article.data["en"]["title"] == "Tiredness during treatment"


def test_import_is_idempotent(tmp_path: Path, session: Session) -> None:
    write_diagnosis(tmp_path)
    packs, _errors = load_pack(tmp_path)
    first = content.import_packs(session, packs)
    second = content.import_packs(session, load_pack(tmp_path)[0])
    assert [(r.version, r.created) for r in first] == [(1, True)]
    assert [(r.version, r.created) for r in second] == [(1, False)]
    assert count_rows(session, ContentTemplate) == 1
    assert count_rows(session, Article) == 1


def test_changed_text_becomes_a_new_version_and_the_published_one_stays(tmp_path: Path, session: Session) -> None:
    write_diagnosis(tmp_path, about="Du har bröstcancer.")
    content.import_packs(session, load_pack(tmp_path)[0], publish=True)
    old = content.template_version(session, "brostcancer", 1)
    old_data, old_hash = old.data, old.content_hash
    write_diagnosis(tmp_path, about="Du har bröstcancer. Den är liten.")
    results = content.import_packs(session, load_pack(tmp_path)[0])
    assert [(r.version, r.created) for r in results] == [(2, True)]
    session.commit()
    session.expire_all()
    old = content.template_version(session, "brostcancer", 1)
    assert old.status == TemplateStatus.PUBLISHED
    assert (old.data, old.content_hash) == (old_data, old_hash)
    assert json.loads(old.data)["about"]["sv"] == "Du har bröstcancer."
    new = content.template_version(session, "brostcancer", 2)
    assert new.status == TemplateStatus.DRAFT
    assert content.template_data(new, "sv")["about"] == "Du har bröstcancer. Den är liten."
    assert len(content.articles_of(session, old.id)) == 1


def test_missing_field_names_file_and_line(tmp_path: Path) -> None:
    folder = write_diagnosis(tmp_path)
    path = folder / "diagnosis.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    kind: treatment\n", ""), encoding="utf-8")
    error = _only_error(tmp_path)
    assert error.file == "brostcancer/diagnosis.yaml"
    assert error.line == _line_of(path, "phase: treatment")
    assert "missing kind" in error.problem
    assert str(error).startswith(f"brostcancer/diagnosis.yaml, line {error.line}: ")


def test_missing_field_in_an_article_names_the_file(tmp_path: Path) -> None:
    folder = write_diagnosis(tmp_path)
    path = folder / "articles" / "trotthet.en.md"
    path.write_text(path.read_text(encoding="utf-8").replace("summary: Om Tiredness during treatment.\n", ""),
                    encoding="utf-8")
    error = _only_error(tmp_path)
    assert error.file == "brostcancer/articles/trotthet.en.md"
    assert error.line is not None
    assert "missing summary" in error.problem


def test_unknown_phase_names_file_and_line(tmp_path: Path) -> None:
    folder = write_diagnosis(tmp_path, phase="banana")
    error = _only_error(tmp_path)
    assert error.file == "brostcancer/diagnosis.yaml"
    assert error.line == _line_of(folder / "diagnosis.yaml", "phase: banana")
    assert "unknown phase 'banana'" in error.problem


def test_unknown_phase_in_an_article_names_the_file(tmp_path: Path) -> None:
    write_diagnosis(tmp_path, articles={"trotthet": ("banana", "Trötthet", "Tiredness")})
    error = _only_error(tmp_path)
    assert error.file == "brostcancer/articles/trotthet.en.md"
    assert error.line is not None
    assert "unknown phase 'banana'" in error.problem


def test_front_matter_without_closing_line_is_refused(tmp_path: Path) -> None:
    folder = write_diagnosis(tmp_path)
    path = folder / "articles" / "trotthet.sv.md"
    path.write_text(path.read_text(encoding="utf-8").replace("---\n\n", "\n"), encoding="utf-8")
    error = _only_error(tmp_path)
    assert error.file == "brostcancer/articles/trotthet.sv.md"
    assert error.line == 1
    assert "no closing '---'" in error.problem


def test_duplicate_key_names_file_and_line(tmp_path: Path) -> None:
    folder = write_diagnosis(tmp_path)
    path = folder / "diagnosis.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "demo: true\n", encoding="utf-8")
    error = _only_error(tmp_path)
    assert error.file == "brostcancer/diagnosis.yaml"
    assert error.line == len(path.read_text(encoding="utf-8").splitlines())
    assert "'demo' is given twice" in error.problem


def test_duplicate_key_in_front_matter_names_the_line_in_the_file(tmp_path: Path) -> None:
    folder = write_diagnosis(tmp_path)
    path = folder / "articles" / "trotthet.sv.md"
    path.write_text(path.read_text(encoding="utf-8").replace("summary:", "title: Igen\nsummary:"), encoding="utf-8")
    error = _only_error(tmp_path)
    assert error.file == "brostcancer/articles/trotthet.sv.md"
    assert error.line == _line_of(path, "title: Igen")


def test_missing_english_file_is_named(tmp_path: Path) -> None:
    folder = write_diagnosis(tmp_path)
    (folder / "articles" / "trotthet.en.md").unlink()
    error = _only_error(tmp_path)
    assert error.file == "brostcancer/articles/trotthet.sv.md"
    assert "trotthet.en.md is missing" in error.problem


def test_a_broken_diagnosis_imports_nothing_while_the_others_load(tmp_path: Path, session: Session) -> None:
    write_diagnosis(tmp_path, key="brostcancer", phase="banana")
    write_diagnosis(tmp_path, key="prostatacancer")
    packs, errors = load_pack(tmp_path)
    assert [error.file for error in errors] == ["brostcancer/diagnosis.yaml"]
    content.import_packs(session, packs)
    assert [t.diagnosis_key for t in content.versions(session)] == ["prostatacancer"]


def _article_with_script(root: Path) -> Path:
    path = write_diagnosis(root) / "articles" / "trotthet.sv.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nText.\n\n<script>alert(1)</script>\n", encoding="utf-8")
    return path


def test_raw_html_in_an_article_is_refused(tmp_path: Path) -> None:
    _article_with_script(tmp_path)
    error = _only_error(tmp_path)
    assert error.file == "brostcancer/articles/trotthet.sv.md"
    assert error.line is not None
    assert "raw HTML is not allowed" in error.problem


def test_raw_html_error_names_the_line_of_the_html(tmp_path: Path) -> None:
    path = _article_with_script(tmp_path)
    assert _only_error(tmp_path).line == _line_of(path, "<script>")


def test_markdown_escapes_script() -> None:
    html = content.render_markdown("Hej <script>alert(1)</script>\n\n<b>fet</b>")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b>" not in html


def test_markdown_renders_headings_lists_and_safe_links() -> None:
    html = content.render_markdown("## Rubrik\n\n- ett\n- två\n\n[klicka](javascript:alert(1))")
    assert "<h2>Rubrik</h2>" in html
    assert "<li>ett</li>" in html
    assert 'href="javascript' not in html


def test_the_real_pack_loads_without_errors_and_covers_every_diagnosis() -> None:
    packs, errors = load_pack(CONTENT)
    assert [str(error) for error in errors] == []
    folders = {path.name for path in CONTENT.iterdir() if path.is_dir()}
    assert folders == set(DIAGNOSES)
    assert len(folders) == 17
    assert {pack.key for pack in packs} == set(DIAGNOSES)


@pytest.mark.parametrize("key", sorted(DIAGNOSES))
def test_the_real_pack_has_articles_for_every_phase(key: str) -> None:
    packs, _errors = load_pack(CONTENT)
    pack = next((p for p in packs if p.key == key), None)
    assert pack is not None, f"{key} did not load"
    least = 2 if key in PUBLISHED_NATIONALLY else 1
    per_phase = {phase: sum(a.phase == phase for a in pack.articles) for phase in PHASES}
    assert all(count >= least for count in per_phase.values()), per_phase
    if key != "generell":
        assert pack.national_status == ("published" if key in PUBLISHED_NATIONALLY else "coming")
