"""The content pack on disk: one folder per diagnosis, read and checked strictly before anything reaches the database.

A broken file stops its whole diagnosis with an error that names the file and the line, so that an editor can fix it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CONTENT = Path(__file__).resolve().parent.parent / "pack"
LANGUAGES = ("sv", "en")  # every text has these
OPTIONAL_LANGUAGES = ("ar", "fi")  # a text may have these too; without them the reader gets Swedish, marked as such
EASY_READ = "sv-lattlast"  # lättläst: easy-to-read Swedish, an optional variant of an article
ARTICLE_VARIANTS = LANGUAGES + OPTIONAL_LANGUAGES + (EASY_READ,)
PHASES = ("investigation", "treatment", "rehabilitation", "follow_up")
KINDS = ("examination", "treatment", "appointment", "milestone")
NATIONAL_STATUSES = ("published", "coming")
MAX_WEEK = 520
MAX_SUMMARY = 200

_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
_URL = re.compile(r"https://[^\s\"'<>]+")
_RAW_HTML = re.compile(r"<[A-Za-z!/?]")
_TOP_FIELDS = {"key", "demo", "national_status", "name", "about", "self_care", "skeleton"}
_TOP_OPTIONAL = {"safety"}
_SAFETY_FIELDS = {"phases", "treatments"}
_TREATMENT_FIELDS = {"words", "text"}
_STEP_FIELDS = {"phase", "kind", "week", "title"}
_STEP_OPTIONAL = {"preparation"}
_FRONT_FIELDS = {"phase", "title", "summary"}
_FRONT_OPTIONAL = {"links"}


class PackError(ValueError):
    """A content file that cannot be used: which file, which line and what is wrong."""

    def __init__(self, file: str, problem: str, line: int | None = None) -> None:
        self.file = file
        self.problem = problem
        self.line = line
        super().__init__(f"{file}{f', line {line}' if line else ''}: {problem}")


class _Located(dict):
    """A YAML mapping that remembers the line it started on."""

    line: int = 0


class _DuplicateKey(ValueError):
    def __init__(self, key: object, line: int) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when built with it: ~10× faster
    """Safe YAML that refuses a key given twice and keeps line numbers."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> _Located:
    loader.flatten_mapping(node)
    seen: set[object] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        seen.add(key)
    mapping = _Located(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class ArticlePack:
    slug: str
    phase: str
    position: int
    data: dict[str, dict[str, Any]]

    @property
    def content_hash(self) -> str:
        return _hash({"slug": self.slug, "phase": self.phase, "data": self.data})


@dataclass(frozen=True)
class DiagnosisPack:
    key: str
    demo: bool
    national_status: str
    data: dict[str, Any]
    articles: list[ArticlePack] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        body = {"key": self.key, "demo": self.demo, "national_status": self.national_status, "data": self.data,
                "articles": [article.content_hash for article in self.articles]}
        return _hash(body)


def _hash(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _shift_lines(value: Any, offset: int) -> Any:
    """Line numbers of a YAML block that starts further down a file (front matter after '---')."""
    if isinstance(value, _Located):
        value.line += offset
    if isinstance(value, dict):
        for child in value.values():
            _shift_lines(child, offset)
    elif isinstance(value, list):
        for child in value:
            _shift_lines(child, offset)
    return value


def _parse_yaml(text: str, file: str, line_offset: int = 0) -> Any:
    try:
        return _shift_lines(yaml.load(text, Loader=_StrictLoader), line_offset)  # noqa: S506 - SafeLoader subclass
    except _DuplicateKey as exc:
        raise PackError(file, f"the key '{exc.key}' is given twice", exc.line + line_offset) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        raise PackError(file, f"broken YAML: {exc.problem or exc.context}", line) from exc


def _line(value: object, default: int = 1) -> int:
    return getattr(value, "line", default) or default


def _fields(mapping: object, required: set[str], optional: set[str], file: str, what: str, line: int) -> _Located:
    if not isinstance(mapping, dict):
        raise PackError(file, f"{what} must be a mapping of fields", line)
    line = _line(mapping, line)
    missing = sorted(required - mapping.keys())
    if missing:
        raise PackError(file, f"{what} is missing {', '.join(missing)}", line)
    unknown = sorted(str(key) for key in mapping.keys() - required - optional)
    if unknown:
        raise PackError(file, f"{what} has unknown field {', '.join(unknown)}", line)
    return mapping  # type: ignore[return-value]


def _text(value: object, file: str, what: str, line: int) -> dict[str, str]:
    """A text in every language: {sv: ..., en: ...}, each non-empty; ar and fi may be given too."""
    mapping = _fields(value, set(LANGUAGES), set(OPTIONAL_LANGUAGES), file, what, line)
    given = [language for language in LANGUAGES + OPTIONAL_LANGUAGES if language in mapping]
    for language in given:
        if not isinstance(mapping[language], str) or not mapping[language].strip():
            raise PackError(file, f"{what} needs a {language} text", _line(mapping, line))
    return {language: mapping[language].strip() for language in given}


def _choice(value: object, allowed: tuple[str, ...], file: str, what: str, line: int) -> str:
    if value not in allowed:
        raise PackError(file, f"unknown {what} '{value}' (use one of: {', '.join(allowed)})", line)
    return str(value)


def _load_diagnosis_file(path: Path, key: str, file: str) -> tuple[bool, str, dict[str, Any]]:
    raw = _parse_yaml(path.read_text(encoding="utf-8"), file)
    top = _fields(raw, _TOP_FIELDS, _TOP_OPTIONAL, file, "the file", 1)
    if top["key"] != key:
        raise PackError(file, f"key '{top['key']}' does not match the folder name '{key}'", top.line)
    if top["demo"] is not True:
        raise PackError(file, "demo must be true: every text in this pack is demo content", top.line)
    status = _choice(top["national_status"], NATIONAL_STATUSES, file, "national_status", top.line)
    self_care = top["self_care"]
    if not isinstance(self_care, list) or not self_care:
        raise PackError(file, "self_care must be a list with at least one piece of advice", top.line)
    skeleton = top["skeleton"]
    if not isinstance(skeleton, list) or not skeleton:
        raise PackError(file, "skeleton must be a list with at least one item", top.line)
    steps = []
    for step in skeleton:
        checked = _fields(step, _STEP_FIELDS, _STEP_OPTIONAL, file, "a skeleton item", top.line)
        line = checked.line
        week = checked["week"]
        if not isinstance(week, int) or isinstance(week, bool) or not 1 <= week <= MAX_WEEK:
            raise PackError(file, f"week must be a whole number from 1 to {MAX_WEEK}", line)
        entry = {
            "phase": _choice(checked["phase"], PHASES, file, "phase", line),
            "kind": _choice(checked["kind"], KINDS, file, "kind", line),
            "week": week,
            "title": _text(checked["title"], file, "title", line),
        }
        if "preparation" in checked:
            entry["preparation"] = _text(checked["preparation"], file, "preparation", line)
        steps.append(entry)
    data = {
        "name": _text(top["name"], file, "name", top.line),
        "about": _text(top["about"], file, "about", top.line),
        "self_care": [_text(advice, file, "self_care advice", top.line) for advice in self_care],
        "skeleton": steps,
    }
    if "safety" in top:
        data["safety"] = _safety(top["safety"], file, top.line)
    return True, status, data


def _safety(value: object, file: str, line: int) -> dict[str, Any]:
    """When to call the unit: a text per phase, and a text per treatment found by words in a treatment item's title.

    `generell` holds the texts for everyone; a diagnosis may replace a phase's or a treatment's text or add one."""
    safety = _fields(value, set(), _SAFETY_FIELDS, file, "safety", line)
    line = _line(safety, line)
    phases = safety.get("phases") or {}
    if not isinstance(phases, dict):
        raise PackError(file, "safety phases must be a mapping of phase to text", line)
    checked: dict[str, Any] = {"phases": {}, "treatments": {}}
    for phase, text in phases.items():
        checked["phases"][_choice(phase, PHASES, file, "phase", line)] = _text(text, file, "a safety text", line)
    treatments = safety.get("treatments") or {}
    if not isinstance(treatments, dict):
        raise PackError(file, "safety treatments must be a mapping of treatment to words and text", line)
    for key, treatment in treatments.items():
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise PackError(file, f"a treatment is named with a-z, 0-9 and - only ({key})", line)
        entry = _fields(treatment, _TREATMENT_FIELDS, set(), file, f"the treatment '{key}'", line)
        words = entry["words"]
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise PackError(file, f"the treatment '{key}' needs a list of words found in item titles", _line(entry))
        checked["treatments"][key] = {"words": [word.strip().lower() for word in words],
                                      "text": _text(entry["text"], file, "a safety text", _line(entry, line))}
    return checked


def _split_front_matter(text: str, file: str) -> tuple[Any, str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise PackError(file, "the file must start with front matter between two '---' lines", 1)
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            front = _parse_yaml("\n".join(lines[1:number - 1]), file, line_offset=1)
            return front, "\n".join(lines[number:]).strip()
    raise PackError(file, "the front matter has no closing '---' line", 1)


def _load_article_file(path: Path, file: str) -> dict[str, Any]:
    front, body = _split_front_matter(path.read_text(encoding="utf-8"), file)
    front = _fields(front, _FRONT_FIELDS, _FRONT_OPTIONAL, file, "the front matter", 2)
    line = front.line
    for name in ("title", "summary"):
        if not isinstance(front[name], str) or not front[name].strip():
            raise PackError(file, f"{name} must be a text", line)
    if len(front["summary"]) > MAX_SUMMARY:
        raise PackError(file, f"summary is longer than {MAX_SUMMARY} characters", line)
    if not body:
        raise PackError(file, "the article has no text after the front matter", line)
    match = _RAW_HTML.search(body)
    if match:
        number = body[: match.start()].count("\n") + 1
        raise PackError(file, "raw HTML is not allowed in articles", number + body_offset(path))
    links = []
    for link in front.get("links") or []:
        checked = _fields(link, {"title", "url"}, set(), file, "a link", line)
        if not isinstance(checked["url"], str) or not _URL.fullmatch(checked["url"]):
            raise PackError(file, f"link address must start with https:// ({checked['url']})", checked.line)
        links.append({"title": str(checked["title"]).strip(), "url": checked["url"]})
    return {"phase": _choice(front["phase"], PHASES, file, "phase", line), "title": front["title"].strip(),
            "summary": front["summary"].strip(), "body": body, "links": links}


def body_offset(path: Path) -> int:
    """How many lines come before the body (front matter and its fences)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    closing = next(number for number, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    skipped = 0
    for line in lines[closing + 1:]:
        if line.strip():
            break
        skipped += 1
    return closing + 1 + skipped


def _load_articles(folder: Path, root: Path) -> list[ArticlePack]:
    articles_dir = folder / "articles"
    files = sorted(articles_dir.glob("*.md")) if articles_dir.is_dir() else []
    by_slug: dict[str, dict[str, dict[str, Any]]] = {}
    for path in files:
        file = str(path.relative_to(root))
        parts = path.name.rsplit(".", 2)
        if len(parts) != 3 or parts[1] not in ARTICLE_VARIANTS or not _SLUG.fullmatch(parts[0]):
            raise PackError(file, "an article file is named <slug>.<variant>.md, the variant one of "
                                  f"{', '.join(ARTICLE_VARIANTS)} (slug: a-z, 0-9 and -)")
        by_slug.setdefault(parts[0], {})[parts[1]] = _load_article_file(path, file)
    articles = []
    for position, slug in enumerate(sorted(by_slug)):
        versions = by_slug[slug]
        for language in LANGUAGES:
            if language not in versions:
                other = next(iter(versions))
                file = str((articles_dir / f"{slug}.{other}.md").relative_to(root))
                raise PackError(file, f"the {language} version {slug}.{language}.md is missing")
        given = [variant for variant in ARTICLE_VARIANTS if variant in versions]
        phases = {versions[variant].pop("phase") for variant in given}
        if len(phases) != 1:
            file = str((articles_dir / f"{slug}.en.md").relative_to(root))
            raise PackError(file, "the versions of this article have different phases", 2)
        articles.append(ArticlePack(slug, phases.pop(), position, {variant: versions[variant] for variant in given}))
    return articles


def load_diagnosis(folder: Path, root: Path | None = None) -> DiagnosisPack:
    """One diagnosis folder, checked whole; any problem raises PackError."""
    root = root or folder.parent
    key = folder.name
    file = str((folder / "diagnosis.yaml").relative_to(root))
    if not _KEY.fullmatch(key):
        raise PackError(str(folder.relative_to(root)), "a diagnosis folder is named with a-z, 0-9 and - only")
    if not (folder / "diagnosis.yaml").is_file():
        raise PackError(file, "diagnosis.yaml is missing")
    demo, status, data = _load_diagnosis_file(folder / "diagnosis.yaml", key, file)
    return DiagnosisPack(key, demo, status, data, _load_articles(folder, root))


def load_pack(root: Path = CONTENT) -> tuple[list[DiagnosisPack], list[PackError]]:
    """Every diagnosis that loads, and the errors of those that do not (each stops only its own diagnosis)."""
    packs, errors = [], []
    for folder in sorted(path for path in root.iterdir() if path.is_dir() and not path.name.startswith((".", "_"))):
        try:
            packs.append(load_diagnosis(folder, root))
        except PackError as error:
            errors.append(error)
    return packs, errors
