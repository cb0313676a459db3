"""Questionnaires as data: versioned YAML definitions, refused on load when broken, and the rules that read answers."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import yaml

QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "definitions"
LANGUAGES = ("sv", "en")  # every text has these
OPTIONAL_LANGUAGES = ("ar", "fi")  # a text may have these; without them the reader gets Swedish, marked (`|t`)
ITEM_TYPES = ("scale", "single", "multiple", "yesno", "text", "date")
PROFESSIONS = ("physiotherapist", "dietitian", "counsellor", "social_worker", "contact_nurse",
               "occupational_therapist", "doctor")
YES_NO = ("yes", "no")
DEFAULT_MAX_LENGTH = 2000
SCORING_METHODS = ("item", "sum")
CALLS = ("unit", "healthcare_guide", "emergency", "suicide_line")  # whom a danger box tells the patient to call

_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
_VALUE = re.compile(r"[a-z0-9][a-z0-9_]{0,39}")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_URL = re.compile(r"https://[^\s\"'<>]+")
_TOP_FIELDS = {"key", "version", "demo", "title", "intro", "groups", "scoring", "alerts", "readings"}
_GROUP_FIELDS = {"id", "title", "items", "show_if"}
_ITEM_FIELDS = {"id", "type", "text", "help", "required", "show_if", "danger"}
_TYPE_FIELDS = {"scale": {"min", "max", "min_label", "max_label"}, "single": {"options"}, "multiple": {"options"},
                "yesno": set(), "text": {"max_length"}, "date": set()}
_ALL_ITEM_FIELDS = _ITEM_FIELDS.union(*_TYPE_FIELDS.values())
_CONDITION_FORMS = ({"item", "equals"}, {"item", "one_of"}, {"item", "contains"}, {"item", "min"}, {"score_min"})
_CONDITION_TYPES = {"equals": ("single", "yesno"), "one_of": ("single", "yesno"), "contains": ("multiple",),
                    "min": ("scale",)}

Text = dict[str, str]
Value = int | str | list[str]
Answers = dict[str, Value]


class DefinitionError(ValueError):
    """A form file that cannot be used, naming the file and the item so that an editor can fix it."""

    def __init__(self, file: str, problem: str, item: str | None = None, where: str | None = None) -> None:
        self.file = file
        self.problem = problem
        self.item = item
        self.where = where
        place = ", ".join(part for part in (file, where, f"item '{item}'" if item else None) if part)
        super().__init__(f"{place}: {problem}")


@dataclass(frozen=True)
class Condition:
    """When a screen, question, alert, reading or danger applies: one of item+equals, item+one_of, item+contains,
    item+min, score_min."""

    item: str | None = None
    equals: str | None = None
    one_of: tuple[str, ...] | None = None
    contains: str | None = None
    min: int | None = None
    score_min: int | None = None


@dataclass(frozen=True)
class Option:
    """One choice of a single or multiple item: the stored value and the words the patient sees."""

    value: str
    text: Text


@dataclass(frozen=True)
class Danger:
    """Answers that may mean the patient needs help now: a box at once, with the text and whom to call (CALLS)."""

    when: Condition
    text: Text
    call: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    """One question; which fields are set depends on its type."""

    id: str
    type: str
    text: Text
    help: Text | None = None
    required: bool = False
    min: int | None = None
    max: int | None = None
    min_label: Text | None = None
    max_label: Text | None = None
    options: tuple[Option, ...] = ()
    max_length: int | None = None
    show_if: Condition | None = None
    danger: tuple[Danger, ...] = ()

    def values(self) -> tuple[str, ...]:
        """The values a single, multiple or yes/no answer may take."""
        return YES_NO if self.type == "yesno" else tuple(option.value for option in self.options)


@dataclass(frozen=True)
class Group:
    """One screen on the phone."""

    id: str
    title: Text
    items: tuple[Item, ...]
    show_if: Condition | None = None


@dataclass(frozen=True)
class AlertRule:
    """Something the care team should act on, and the profession that can help (None: the care team)."""

    reason: str
    when: Condition
    text: Text
    profession: str | None = None


@dataclass(frozen=True)
class Reading:
    """A link to public self-care reading, offered when the answers call for it."""

    when: Condition
    title: Text
    url: str


@dataclass(frozen=True)
class Scoring:
    """How the score is made: the value of one scale item, or the sum of points over single items."""

    method: str
    item: str | None = None
    items: tuple[str, ...] = ()
    points: dict[str, int] = field(default_factory=dict)
    direction: Text | None = None  # what a higher score means, in words ("Higher scores mean more trouble.")


@dataclass(frozen=True)
class Definition:
    """One version of one form, as loaded and checked."""

    key: str
    version: int
    title: Text
    intro: Text | None
    demo: bool
    groups: tuple[Group, ...]
    scoring: Scoring | None = None
    alerts: tuple[AlertRule, ...] = ()
    readings: tuple[Reading, ...] = ()

    def items(self) -> tuple[Item, ...]:
        """Every item of the form, in the order the patient meets them."""
        return tuple(item for group in self.groups for item in group.items)

    def item(self, item_id: str) -> Item:
        """One item by id; KeyError when the form has no such item."""
        for item in self.items():
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def score_range(self) -> tuple[int, int] | None:
        """The lowest and highest score the form can give, or None when it has no score."""
        scoring = self.scoring
        if scoring is None:
            return None
        if scoring.method == "item":
            item = self.item(scoring.item or "")
            return (item.min, item.max) if item.min is not None and item.max is not None else None
        count = len(scoring.items)
        return min(0, min(scoring.points.values()) * count), max(0, max(scoring.points.values()) * count)

    def content_hash(self) -> str:
        """A fingerprint of the content, so a changed file becomes a new stored version and an unchanged one not."""
        return hashlib.sha256(to_json(self).encode("utf-8")).hexdigest()


# Reading a definition ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """Where in a file we are, so every refusal names the file and the item."""

    file: str
    where: str | None = None
    item: str | None = None

    def fail(self, problem: str) -> NoReturn:
        raise DefinitionError(self.file, problem, item=self.item, where=self.where)

    def mapping(self, raw: Any, what: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            self.fail(f"{what} must be a mapping of fields")
        unknown = sorted(str(key) for key in raw if key not in allowed)
        if unknown:
            self.fail(f"unknown field '{unknown[0]}' in {what}")
        missing = sorted(required - set(raw))
        if missing:
            self.fail(f"{what} lacks '{missing[0]}'")
        return raw

    def text(self, raw: Any, what: str) -> Text:
        if not isinstance(raw, dict):
            self.fail(f"{what} needs a text in both sv and en")
        for language in LANGUAGES:
            value = raw.get(language)
            if not isinstance(value, str) or not value.strip():
                self.fail(f"{what} lacks '{language}'")
        extra = sorted(str(key) for key in raw if key not in LANGUAGES + OPTIONAL_LANGUAGES)
        if extra:
            self.fail(f"{what} has an unknown language '{extra[0]}'")
        for language in OPTIONAL_LANGUAGES:
            if language in raw and (not isinstance(raw[language], str) or not raw[language].strip()):
                self.fail(f"{what} has an empty '{language}'")
        return {language: raw[language].strip() for language in LANGUAGES + OPTIONAL_LANGUAGES if language in raw}

    def name(self, raw: Any, what: str, pattern: re.Pattern[str] = _NAME) -> str:
        if isinstance(raw, bool):
            self.fail(f"{what} reads as yes/no in YAML; write it in quotes")
        if not isinstance(raw, str) or not pattern.fullmatch(raw):
            self.fail(f"{what} must be lower-case letters, digits and _ (at most 40), not {raw!r}")
        return raw

    def integer(self, raw: Any, what: str) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.fail(f"{what} must be a whole number, not {raw!r}")
        return raw

    def boolean(self, raw: Any, what: str) -> bool:
        if not isinstance(raw, bool):
            self.fail(f"{what} must be true or false, not {raw!r}")
        return raw

    def listing(self, raw: Any, what: str, allow_empty: bool = False) -> list[Any]:
        if not isinstance(raw, list) or not (raw or allow_empty):
            self.fail(f"{what} must be a list{'' if allow_empty else ' with at least one entry'}")
        return raw


def _condition(raw: Any, place: _Place) -> Condition:
    keys = set(raw) if isinstance(raw, dict) else set()
    if keys not in _CONDITION_FORMS:
        place.fail(f"unknown condition form {sorted(map(str, keys))}; use item with equals, contains or min, "
                   "or score_min")
    if "score_min" in raw:
        return Condition(score_min=place.integer(raw["score_min"], "score_min"))
    item = place.name(raw["item"], "the condition's item")
    if "min" in raw:
        return Condition(item=item, min=place.integer(raw["min"], "min"))
    if "one_of" in raw:
        values = tuple(place.name(v, "one_of", _VALUE) for v in place.listing(raw["one_of"], "one_of"))
        return Condition(item=item, one_of=values)
    form = "equals" if "equals" in raw else "contains"
    return Condition(item=item, **{form: place.name(raw[form], form, _VALUE)})


def _options(raw: Any, place: _Place) -> tuple[Option, ...]:
    options = []
    for entry in place.listing(raw, "options"):
        data = place.mapping(entry, "an option", {"value", "text"}, {"value", "text"})
        value = place.name(data["value"], "an option value", _VALUE)
        options.append(Option(value=value, text=place.text(data["text"], f"option '{value}'")))
    twice = [value for value, count in Counter(o.value for o in options).items() if count > 1]
    if twice:
        place.fail(f"option '{twice[0]}' is listed twice")
    return tuple(options)


def _typed_fields(data: dict[str, Any], kind: str, place: _Place) -> dict[str, Any]:
    if kind in ("single", "multiple"):
        return {"options": _options(data.get("options"), place)}
    if kind == "text":
        length = place.integer(data.get("max_length", DEFAULT_MAX_LENGTH), "max_length")
        if length < 1:
            place.fail("max_length must be at least 1")
        return {"max_length": length}
    if kind != "scale":
        return {}
    place.mapping(data, "a scale item", set(data), {"min", "max", "min_label", "max_label"})
    low, high = place.integer(data["min"], "min"), place.integer(data["max"], "max")
    if low >= high:
        place.fail(f"a scale needs min < max, not {low} and {high}")
    return {"min": low, "max": high, "min_label": place.text(data["min_label"], "min_label"),
            "max_label": place.text(data["max_label"], "max_label")}


def _dangers(raw: Any, item_id: str, kind: str, place: _Place) -> tuple[Danger, ...]:
    """An item's danger boxes; each `when` looks at the item's own answer (it names no other item)."""
    if kind in ("text", "date"):
        place.fail(f"danger does not work on a {kind} item")
    dangers = []
    for entry in place.listing(raw, "danger"):
        data = place.mapping(entry, "a danger", {"when", "text", "call"}, {"when", "text", "call"})
        when = data["when"]
        if not isinstance(when, dict) or when.get("item", item_id) != item_id:
            place.fail("a danger's when looks only at its own item: write equals, one_of, contains or min")
        calls = tuple(place.listing(data["call"], "call"))
        unknown = [call for call in calls if call not in CALLS]
        if unknown or len(set(calls)) != len(calls):
            place.fail(f"call must list some of {', '.join(CALLS)} once each, not {list(calls)!r}")
        dangers.append(Danger(when=_condition({**when, "item": item_id}, place),
                              text=place.text(data["text"], "the danger's text"), call=calls))
    return tuple(dangers)


def _item(raw: Any, file: str) -> Item:
    item_id = raw.get("id") if isinstance(raw, dict) else None
    place = _Place(file, item=item_id if isinstance(item_id, str) else None)
    data = place.mapping(raw, "the item", _ALL_ITEM_FIELDS, {"id", "type", "text"})
    kind = data["type"]
    if kind not in ITEM_TYPES:
        place.fail(f"unknown type '{kind}'; use one of {', '.join(ITEM_TYPES)}")
    place.mapping(data, f"a {kind} item", _ITEM_FIELDS | _TYPE_FIELDS[kind], set())
    return Item(
        id=place.name(data["id"], "the item id"), type=kind, text=place.text(data["text"], "text"),
        help=place.text(data["help"], "help") if "help" in data else None,
        required=place.boolean(data.get("required", False), "required"),
        show_if=_condition(data["show_if"], place) if "show_if" in data else None,
        danger=_dangers(data["danger"], data["id"], kind, place) if "danger" in data else (),
        **_typed_fields(data, kind, place))


def _group(raw: Any, file: str) -> Group:
    group_id = raw.get("id") if isinstance(raw, dict) else None
    place = _Place(file, where=f"group '{group_id}'" if isinstance(group_id, str) else "a group")
    data = place.mapping(raw, "the group", _GROUP_FIELDS, {"id", "title", "items"})
    return Group(id=place.name(data["id"], "the group id"), title=place.text(data["title"], "title"),
                 items=tuple(_item(entry, file) for entry in place.listing(data["items"], "items")),
                 show_if=_condition(data["show_if"], place) if "show_if" in data else None)


def _alert(raw: Any, file: str, number: int) -> AlertRule:
    place = _Place(file, where=f"alert {number}")
    data = place.mapping(raw, "the alert", {"reason", "when", "text", "profession"}, {"reason", "when", "text"})
    reason = place.name(data["reason"], "reason")
    place = _Place(file, where=f"alert '{reason}'")
    profession = data.get("profession")
    if profession is not None and profession not in PROFESSIONS:
        place.fail(f"unknown profession '{profession}'; use one of {', '.join(PROFESSIONS)}")
    return AlertRule(reason=reason, when=_condition(data["when"], place), text=place.text(data["text"], "text"),
                     profession=profession)


def _reading(raw: Any, file: str, number: int) -> Reading:
    place = _Place(file, where=f"reading {number}")
    data = place.mapping(raw, "the reading", {"when", "title", "url"}, {"when", "title", "url"})
    url = data["url"]
    if not isinstance(url, str) or not _URL.fullmatch(url):
        place.fail(f"url must be a public https:// address, not {url!r}")
    return Reading(when=_condition(data["when"], place), title=place.text(data["title"], "title"), url=url)


def _scoring(raw: Any, file: str) -> Scoring:
    place = _Place(file, where="scoring")
    method = raw.get("method") if isinstance(raw, dict) else None
    direction = place.text(raw["direction"], "direction") if isinstance(raw, dict) and "direction" in raw else None
    if method == "item":
        data = place.mapping(raw, "scoring by item", {"method", "item", "direction"}, {"method", "item"})
        return Scoring(method="item", item=place.name(data["item"], "the scored item"), direction=direction)
    if method != "sum":
        place.fail(f"unknown scoring method {method!r}; use one of {', '.join(SCORING_METHODS)}")
    data = place.mapping(raw, "scoring by sum", {"method", "items", "points", "direction"},
                         {"method", "items", "points"})
    items = tuple(place.name(entry, "a scored item") for entry in place.listing(data["items"], "items"))
    if not isinstance(data["points"], dict) or not data["points"]:
        place.fail("points must map each answer value to a whole number")
    return Scoring(method="sum", items=items,
                   points={place.name(k, "a points value", _VALUE): place.integer(v, f"points for '{k}'")
                           for k, v in data["points"].items()}, direction=direction)


def _parse(data: Any, file: str) -> Definition:
    top = _Place(file)
    raw = top.mapping(data, "the form", _TOP_FIELDS, {"key", "version", "title", "groups"})
    version = top.integer(raw["version"], "version")
    if version < 1:
        top.fail("version must be 1 or more")
    return Definition(
        key=top.name(raw["key"], "key"), version=version, title=top.text(raw["title"], "title"),
        intro=top.text(raw["intro"], "intro") if "intro" in raw else None,
        demo=top.boolean(raw.get("demo", False), "demo"),
        groups=tuple(_group(entry, file) for entry in top.listing(raw["groups"], "groups")),
        scoring=_scoring(raw["scoring"], file) if "scoring" in raw else None,
        alerts=tuple(_alert(e, file, n) for n, e in enumerate(top.listing(raw.get("alerts", []), "alerts", True), 1)),
        readings=tuple(_reading(e, file, n)
                       for n, e in enumerate(top.listing(raw.get("readings", []), "readings", True), 1)))


# Checking a definition as a whole ------------------------------------------------------------------------------


def _check_ids(defn: Definition, file: str) -> None:
    for group_id, count in Counter(group.id for group in defn.groups).items():
        if count > 1:
            raise DefinitionError(file, "the group id is used twice", where=f"group '{group_id}'")
    for item_id, count in Counter(item.id for item in defn.items()).items():
        if count > 1:
            raise DefinitionError(file, "the item id is used twice", item=item_id)
    for reason, count in Counter(rule.reason for rule in defn.alerts).items():
        if count > 1:
            raise DefinitionError(file, "the reason is used twice", where=f"alert '{reason}'")


def _check_condition(cond: Condition | None, earlier: dict[str, Item], defn: Definition, place: _Place,
                     score_allowed: bool = False) -> None:
    if cond is None:
        return
    if cond.score_min is not None:
        if not score_allowed:
            place.fail("score_min can only be used in alerts")
        if defn.scoring is None:
            place.fail("score_min needs a scoring")
        return
    ref = earlier.get(cond.item or "")
    if ref is None:
        later = any(item.id == cond.item for item in defn.items())
        place.fail(f"condition refers to item '{cond.item}', which comes later; conditions may only look back"
                   if later else f"condition refers to unknown item '{cond.item}'")
    form = next(name for name in _CONDITION_TYPES if getattr(cond, name) is not None)
    if ref.type not in _CONDITION_TYPES[form]:
        place.fail(f"'{form}' does not work on item '{ref.id}' of type {ref.type}")
    if form == "min" and not (ref.min or 0) <= (cond.min or 0) <= (ref.max or 0):
        place.fail(f"min {cond.min} is outside the scale of item '{ref.id}'")
    values = cond.one_of if form == "one_of" else (getattr(cond, form),)
    wrong = [value for value in values or () if value not in ref.values()]
    if form != "min" and wrong:
        place.fail(f"'{wrong[0]}' is not an option of item '{ref.id}'")


def _check_conditions(defn: Definition, file: str) -> None:
    earlier: dict[str, Item] = {}
    for group in defn.groups:
        _check_condition(group.show_if, earlier, defn, _Place(file, where=f"group '{group.id}'"))
        for item in group.items:
            _check_condition(item.show_if, earlier, defn, _Place(file, item=item.id))
            earlier[item.id] = item
            for danger in item.danger:
                _check_condition(danger.when, earlier, defn, _Place(file, where="danger", item=item.id))
    for rule in defn.alerts:
        _check_condition(rule.when, earlier, defn, _Place(file, where=f"alert '{rule.reason}'"), score_allowed=True)
    for number, reading in enumerate(defn.readings, 1):
        _check_condition(reading.when, earlier, defn, _Place(file, where=f"reading {number}"))


def _check_scoring(defn: Definition, file: str) -> None:
    scoring = defn.scoring
    if scoring is None:
        return
    items = {item.id: item for item in defn.items()}
    for item_id in (scoring.item,) if scoring.method == "item" else scoring.items:
        item = items.get(item_id or "")
        place = _Place(file, where="scoring", item=item_id)
        if item is None:
            place.fail("the scored item does not exist")
        allowed = ("scale",) if scoring.method == "item" else ("single", "yesno")
        if item.type not in allowed:
            place.fail(f"scoring by {scoring.method} needs a {' or '.join(allowed)} item, not {item.type}")
        unpriced = [value for value in item.values() if value not in scoring.points]
        if scoring.method == "sum" and unpriced:
            place.fail(f"points lack a value for '{unpriced[0]}'")
    used = {value for item_id in scoring.items for value in items[item_id].values()}
    unused = sorted(set(scoring.points) - used)
    if unused:
        raise DefinitionError(file, f"points for '{unused[0]}', which no scored item has", where="scoring")


def parse_definition(data: Any, file: str) -> Definition:
    """A checked definition from read data, so a broken form is refused before any patient sees it."""
    defn = _parse(data, file)
    _check_ids(defn, file)
    _check_scoring(defn, file)
    _check_conditions(defn, file)
    return defn


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when built with it: ~10× faster
    """A safe YAML loader that refuses a key written twice, where plain YAML would silently keep the last."""


def _strict_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[str] = set()
    for key_node, _value in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(None, None, f"the key '{key_node.value}' is written twice",
                                                        key_node.start_mark)
            seen.add(key_node.value)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _strict_mapping)


def _read_yaml(text: str, file: str) -> Any:
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}" if mark else None
        raise DefinitionError(file, f"broken YAML: {exc.problem or exc.context}", where=line) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError(file, f"broken YAML: {exc}") from exc
    finally:
        loader.dispose()


def load_definition(path: Path) -> Definition:
    """One form file, checked; the error names the file and the item when it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DefinitionError(path.name, "the file is not UTF-8") from exc
    return parse_definition(_read_yaml(text, path.name), path.name)


def load_all(directory: Path = QUESTIONNAIRES) -> dict[str, Definition]:
    """Every form in the folder by key; two files with the same key is an error, not a silent choice."""
    found: dict[str, Definition] = {}
    files: dict[str, str] = {}
    if not directory.is_dir():
        raise FileNotFoundError(f"no questionnaire folder at {directory}")
    for path in sorted(directory.glob("*.yaml")):
        defn = load_definition(path)
        if defn.key in found:
            raise DefinitionError(path.name, f"key '{defn.key}' is already used by {files[defn.key]}")
        found[defn.key] = defn
        files[defn.key] = path.name
    return found


def _pruned(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v is not None and v != () and v != {}}
    if isinstance(value, list | tuple):
        return [_pruned(v) for v in value]
    return value


def to_json(defn: Definition) -> str:
    """The definition as canonical JSON in the same shape as the YAML, to pin a version in the database."""
    return json.dumps(_pruned(asdict(defn)), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def from_json(text: str, file: str = "stored definition") -> Definition:
    """A pinned definition back from the database, checked again like a file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionError(file, f"broken JSON: {exc.msg}", where=f"line {exc.lineno}") from exc
    return parse_definition(data, file)


# Reading answers -----------------------------------------------------------------------------------------------


def _cleaned(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc").strip()


def _is_date(value: str) -> bool:
    if not _ISO_DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _parse_one(item: Item, value: str) -> tuple[Value | None, str | None]:
    if item.type == "scale":
        if not _INTEGER.fullmatch(value):
            return None, "not_a_number"
        number = int(value) if len(value) <= 12 else None
        if number is None or not (item.min or 0) <= number <= (item.max or 0):
            return None, "out_of_range"
        return number, None
    if item.type in ("single", "yesno"):
        return (value, None) if value in item.values() else (None, "not_an_option")
    if item.type == "date":
        return (value, None) if _is_date(value) else (None, "not_a_date")
    limit = item.max_length or DEFAULT_MAX_LENGTH
    return (value, None) if len(value) <= limit else (None, "too_long")


def parse_answer(item: Item, raw: list[str]) -> tuple[Value | None, str | None]:
    """A typed answer from what the phone sent, or an error code the page turns into a plain-language message."""
    values = [value for value in (_cleaned(entry) for entry in raw) if value]
    if not values:
        return None, "required" if item.required else None
    if item.type != "multiple":
        return _parse_one(item, values[0])
    if any(value not in item.values() for value in values):
        return None, "not_an_option"
    return [value for value in item.values() if value in values], None


def _fits(item: Item, value: Any) -> bool:
    """Whether a stored value is a possible answer to the item; anything else is dropped, never trusted."""
    match item.type:
        case "scale":
            return type(value) is int and (item.min or 0) <= value <= (item.max or 0)
        case "single" | "yesno":
            return isinstance(value, str) and value in item.values()
        case "multiple":
            return (isinstance(value, list) and bool(value)
                    and all(isinstance(v, str) and v in item.values() for v in value) and len(set(value)) == len(value))
        case "text":
            return isinstance(value, str) and bool(value.strip()) and len(value) <= (item.max_length or 0)
        case _:
            return isinstance(value, str) and _is_date(value)


def _holds(cond: Condition | None, answers: Answers, score_value: int | None = None) -> bool:
    if cond is None:
        return True
    if cond.score_min is not None:
        return score_value is not None and score_value >= cond.score_min
    value = answers.get(cond.item or "")
    if cond.equals is not None:
        return value == cond.equals
    if cond.one_of is not None:
        return isinstance(value, str) and value in cond.one_of
    if cond.contains is not None:
        return isinstance(value, list) and cond.contains in value
    return type(value) is int and cond.min is not None and value >= cond.min


def _walk(defn: Definition, answers: Answers) -> tuple[list[Group], Answers]:
    """The screens the patient sees and the answers that count, judged in order because conditions look back."""
    kept: Answers = {}
    shown: list[Group] = []
    for group in defn.groups:
        if not _holds(group.show_if, kept):
            continue
        items = []
        for item in group.items:
            if _holds(item.show_if, kept):
                items.append(item)
                value = answers.get(item.id)
                if value is not None and _fits(item, value):
                    kept[item.id] = list(value) if isinstance(value, list) else value
        if items:
            shown.append(replace(group, items=tuple(items)))
    return shown, kept


def visible_groups(defn: Definition, answers: Answers) -> list[Group]:
    """The screens to show for these answers, each holding only its visible items; empty screens are left out."""
    return _walk(defn, answers)[0]


def visible_items(defn: Definition, answers: Answers) -> list[Item]:
    """The questions to show for these answers, in order."""
    return [item for group in visible_groups(defn, answers) for item in group.items]


def clean_answers(defn: Definition, answers: Answers) -> Answers:
    """Only answers to visible items of this form that fit their item, so tampered or hidden answers never count."""
    return _walk(defn, answers)[1]


def missing_required(defn: Definition, answers: Answers) -> list[str]:
    """Ids of visible required questions still unanswered, so the form cannot be sent without them."""
    groups, kept = _walk(defn, answers)
    return [item.id for group in groups for item in group.items if item.required and item.id not in kept]


def _score(scoring: Scoring | None, kept: Answers) -> int | None:
    if scoring is None:
        return None
    if scoring.method == "item":
        value = kept.get(scoring.item or "")
        return value if type(value) is int else None
    points = [scoring.points[str(kept[item_id])] for item_id in scoring.items if item_id in kept]
    return sum(points) if points else None


def score(defn: Definition, answers: Answers) -> int | None:
    """The form's score over the answers that count, or None when the form has no score or nothing to score."""
    return _score(defn.scoring, clean_answers(defn, answers))


def alerts_for(defn: Definition, answers: Answers) -> list[AlertRule]:
    """The alert rules these answers set off, in the order of the definition."""
    kept = clean_answers(defn, answers)
    score_value = _score(defn.scoring, kept)
    return [rule for rule in defn.alerts if _holds(rule.when, kept, score_value)]


def readings_for(defn: Definition, answers: Answers) -> list[Reading]:
    """Self-care reading tied to what the patient answered."""
    kept = clean_answers(defn, answers)
    return [reading for reading in defn.readings if _holds(reading.when, kept)]


def dangers_for(defn: Definition, answers: Answers, item_ids: set[str] | None = None) -> list[Danger]:
    """The danger boxes these answers call for (only those of `item_ids` when given), in the form's order."""
    kept = clean_answers(defn, answers)
    return [danger for item in defn.items() if item_ids is None or item.id in item_ids
            for danger in item.danger if _holds(danger.when, kept)]


def calls_for(dangers: list[Danger]) -> list[str]:
    """Whom to call for these dangers, each once, in the order the first danger lists them."""
    calls: list[str] = []
    for danger in dangers:
        calls.extend(call for call in danger.call if call not in calls)
    return calls
