"""What publishing a version changes for patients: the articles it adds, removes and changes compared with the
version published now, each change as a readable text diff (lines, then words within a changed line)."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from portal.content.services.store import ArticleView, article_view, articles_of, latest_published
from portal.models import ContentTemplate

SIMILAR = 0.5  # a changed line at least this much alike is shown word by word; otherwise as removed and added
_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    """A run of words in a changed line: "same", "removed" or "added"."""

    kind: str
    text: str


@dataclass(frozen=True)
class LineChange:
    """One line that differs: "removed", "added", or "changed" (then its pieces say which words)."""

    kind: str
    text: str
    pieces: tuple[Piece, ...] = ()


@dataclass(frozen=True)
class FieldChange:
    """The changed lines of one part of an article or of the version: "title", "summary", "body", "links",
    "about", "self_care", "skeleton"."""

    name: str
    lines: list[LineChange]


@dataclass(frozen=True)
class ArticleChange:
    article: ArticleView  # as the new version has it
    fields: list[FieldChange]


@dataclass(frozen=True)
class VersionChanges:
    """A version against the published one (`base`; None when none is published, then every article is new)."""

    base: ContentTemplate | None
    added: list[ArticleView] = field(default_factory=list)
    removed: list[ArticleView] = field(default_factory=list)
    changed: list[ArticleChange] = field(default_factory=list)
    content: list[FieldChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.content)


def changes_since_published(session: Session, template: ContentTemplate, language: str) -> VersionChanges:
    """What would change for patients if `template` replaced the newest published version of its diagnosis, in
    `language`."""
    base = latest_published(session, template.diagnosis_key)
    if base is not None and base.id == template.id:
        base = None
    old = {a.slug: a for a in articles_of(session, base.id or 0)} if base is not None else {}
    new = {a.slug: a for a in articles_of(session, template.id or 0)}
    changed = [ArticleChange(article_view(new[slug], language),
                             _article_fields(article_view(old[slug], language), article_view(new[slug], language)))
               for slug in new if slug in old and old[slug].content_hash != new[slug].content_hash]
    return VersionChanges(
        base=base,
        added=[article_view(article, language) for slug, article in new.items() if slug not in old],
        removed=[article_view(article, language) for slug, article in old.items() if slug not in new],
        changed=changed,
        content=_content_fields(base, template, language) if base is not None else [],
    )


def _article_fields(old: ArticleView, new: ArticleView) -> list[FieldChange]:
    pairs = (("title", [old.title], [new.title]), ("summary", [old.summary], [new.summary]),
             ("body", _lines(old.body), _lines(new.body)), ("links", _links(old), _links(new)))
    return [FieldChange(name, lines) for name, before, after in pairs if (lines := diff_lines(before, after))]


def _content_fields(old: ContentTemplate, new: ContentTemplate, language: str) -> list[FieldChange]:
    """The illness in plain words, the self-care advice and the skeleton's steps, where they differ."""
    before, after = _texts(old, language), _texts(new, language)
    return [FieldChange(name, lines) for name in ("about", "self_care", "skeleton")
            if (lines := diff_lines(before[name], after[name]))]


def _texts(template: ContentTemplate, language: str) -> dict[str, list[str]]:
    data = json.loads(template.data)

    def pick(text: dict[str, str]) -> str:
        return text.get(language) or text.get("sv", "")

    steps: list[dict[str, Any]] = data.get("skeleton", [])
    return {"about": _lines(pick(data.get("about", {}))),
            "self_care": [pick(advice) for advice in data.get("self_care", [])],
            "skeleton": [pick(step["title"]) for step in steps]}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _links(article: ArticleView) -> list[str]:
    return [f"{link.get('title', '')} – {link.get('url', '')}" for link in article.links]


def diff_lines(before: list[str], after: list[str]) -> list[LineChange]:
    """The lines that differ, in order: a line replaced by a similar one as its changed words, others as removed
    or added."""
    found: list[LineChange] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        old, new = before[i1:i2], after[j1:j2]
        for index in range(max(len(old), len(new))):
            left = old[index] if index < len(old) else None
            right = new[index] if index < len(new) else None
            found.extend(_pair(left, right))
    return found


def _pair(left: str | None, right: str | None) -> list[LineChange]:
    if left is not None and right is not None:
        words = difflib.SequenceMatcher(None, _WORDS.findall(left), _WORDS.findall(right), autojunk=False)
        if words.ratio() >= SIMILAR:
            return [LineChange("changed", right, tuple(_pieces(words)))]
    return ([LineChange("removed", left)] if left is not None else []) + (
        [LineChange("added", right)] if right is not None else [])


def _pieces(words: difflib.SequenceMatcher) -> list[Piece]:
    old, new = words.a, words.b
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in words.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("removed", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("added", "".join(new[j1:j2])))
    return pieces
