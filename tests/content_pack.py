"""Content-pack writers for tests: a diagnosis folder on disk (diagnosis.yaml and its articles in Swedish and
English), as portal.content.services.pack reads it."""

from __future__ import annotations

from pathlib import Path

DIAGNOSIS = """\
key: {key}
demo: true
national_status: published
name: {{sv: Bröstcancer, en: Breast cancer}}
about:
  sv: {about}
  en: You have breast cancer.
self_care:
  - sv: Rör på dig en stund varje dag.
    en: Move for a while every day.
skeleton:
  - phase: investigation
    kind: examination
    week: 1
    title: {{sv: Mammografi, en: Mammography}}
    preparation:
      sv: Ta med en lista över dina mediciner.
      en: Bring a list of your medicines.
  - phase: {phase}
    kind: treatment
    week: 6
    title: {{sv: Operation, en: Surgery}}
"""

ARTICLE = """\
---
phase: {phase}
title: {title}
summary: {summary}
links:
  - title: Cancer på 1177
    url: https://www.1177.se/sjukdomar--besvar/cancer/
---

{body}
"""


def write_diagnosis(root: Path, key: str = "brostcancer", about: str = "Du har bröstcancer.",
                    phase: str = "treatment", articles: dict[str, tuple[str, str, str]] | None = None) -> Path:
    """A diagnosis folder; `articles` maps a slug to (phase, Swedish title, English title)."""
    folder = root / key
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    (folder / "diagnosis.yaml").write_text(DIAGNOSIS.format(key=key, about=about, phase=phase), encoding="utf-8")
    chosen = {"trotthet": ("treatment", "Trötthet under behandlingen", "Tiredness during treatment")}
    for slug, (article_phase, title_sv, title_en) in (chosen if articles is None else articles).items():
        for language, title in (("sv", title_sv), ("en", title_en)):
            text = ARTICLE.format(phase=article_phase, title=title, summary=f"Om {title}.",
                                  body=f"## {title}\n\nVila när du behöver.")
            (folder / "articles" / f"{slug}.{language}.md").write_text(text, encoding="utf-8")
    return folder
