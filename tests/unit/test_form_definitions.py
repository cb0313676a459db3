"""Form definitions: the shipped forms load, broken files are refused by name, and answers are read by the rules."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.questionnaires.services.definitions import (
    PROFESSIONS,
    QUESTIONNAIRES,
    Answers,
    DefinitionError,
    Item,
    Option,
    alerts_for,
    calls_for,
    clean_answers,
    dangers_for,
    from_json,
    load_all,
    load_definition,
    missing_required,
    parse_answer,
    parse_definition,
    readings_for,
    score,
    to_json,
    visible_groups,
    visible_items,
)

SHIPPED = load_all()
MABRA = SHIPPED["mabra"]
BEHOV = SHIPPED["behov"]
VIKTIGT = SHIPPED["viktigt"]
CHECKLISTS = ("problems_physical", "problems_practical", "problems_family", "problems_emotional",
              "problems_existential")
BEHOV_SINGLES = tuple(item.id for item in BEHOV.items() if item.type == "single")
BEHOV_PROFESSION = {"breathing": "physiotherapist", "eating": "dietitian", "worry": "counsellor",
                    "money": "social_worker", "work": "social_worker"}
PROPERTY = settings(max_examples=100, derandomize=True, database=None, deadline=None)
T = {"sv": "Svensk text", "en": "English text"}


# The shipped forms ---------------------------------------------------------------------------------------------


def test_load_all_finds_the_three_example_forms() -> None:
    assert set(SHIPPED) == {"mabra", "behov", "viktigt"}


@pytest.mark.parametrize("key", ["mabra", "behov", "viktigt"])
def test_shipped_form_is_marked_as_an_example(key: str) -> None:
    defn = SHIPPED[key]
    assert defn.demo
    assert defn.intro is not None
    assert "exempel" in defn.intro["sv"].lower()
    assert "example" in defn.intro["en"].lower()


@pytest.mark.parametrize("key", ["mabra", "behov", "viktigt"])
def test_shipped_form_round_trips_through_json(key: str) -> None:
    defn = SHIPPED[key]
    again = from_json(to_json(defn))
    assert again == defn
    assert again.content_hash() == defn.content_hash()


def test_content_hash_changes_with_the_content() -> None:
    data = yaml.safe_load((QUESTIONNAIRES / "viktigt.yaml").read_text(encoding="utf-8"))
    data["version"] = 2
    assert parse_definition(data, "viktigt.yaml").content_hash() != VIKTIGT.content_hash()


def test_shipped_readings_only_link_to_1177() -> None:
    urls = [reading.url for defn in SHIPPED.values() for reading in defn.readings]
    assert urls
    assert all(url.startswith("https://www.1177.se/") for url in urls)


def test_mabra_has_a_scale_screen_then_five_checklists_shown_from_one() -> None:
    assert [group.id for group in MABRA.groups] == ["scale", "physical", "practical", "family", "emotional",
                                                    "existential"]
    assert MABRA.item("distress").min == 0
    assert MABRA.item("distress").max == 10
    assert all(group.show_if is not None and group.show_if.min == 1 for group in MABRA.groups[1:])


def test_behov_has_four_domains_of_three_to_five_items_and_a_closing_screen() -> None:
    counts = [len(group.items) for group in BEHOV.groups]
    assert all(3 <= count <= 5 for count in counts[:4])
    assert [item.type for item in BEHOV.groups[4].items] == ["yesno", "text"]


def test_viktigt_has_no_score_and_no_alerts() -> None:
    answers: Answers = {"what_matters": "Att hinna till dotterns bröllop", "important_date": "2027-06-12"}
    assert score(VIKTIGT, answers) is None
    assert alerts_for(VIKTIGT, answers) == []
    assert VIKTIGT.item("what_matters").max_length == 2000


def test_definition_item_raises_keyerror_for_an_unknown_id() -> None:
    with pytest.raises(KeyError):
        MABRA.item("nope")


# Validation: every refusal names the file and the item ---------------------------------------------------------


def opt(value: str) -> dict[str, Any]:
    return {"value": value, "text": T}


def base() -> dict[str, Any]:
    return {
        "key": "test", "version": 1, "title": T,
        "groups": [
            {"id": "first", "title": T, "items": [
                {"id": "level", "type": "scale", "text": T, "min": 0, "max": 10, "min_label": T, "max_label": T},
                {"id": "choice", "type": "single", "text": T, "options": [opt("a"), opt("b")]},
                {"id": "ticks", "type": "multiple", "text": T, "options": [opt("x"), opt("y")]},
                {"id": "agree", "type": "yesno", "text": T}]},
            {"id": "second", "title": T, "show_if": {"item": "level", "min": 1}, "items": [
                {"id": "note", "type": "text", "text": T}]}],
        "scoring": {"method": "item", "item": "level"},
        "alerts": [{"reason": "high", "when": {"score_min": 4}, "text": T}],
        "readings": [{"when": {"item": "ticks", "contains": "x"}, "title": T, "url": "https://www.1177.se/"}],
    }


def item_of(data: dict[str, Any], group: int, index: int) -> dict[str, Any]:
    return data["groups"][group]["items"][index]


Change = Callable[[dict[str, Any]], None]

BROKEN: list[tuple[str, Change, str | None, str]] = [
    ("unknown_type", lambda d: item_of(d, 0, 0).update(type="slider"), "level", "unknown type 'slider'"),
    ("duplicate_item_across_groups", lambda d: item_of(d, 1, 0).update(id="level"), "level", "used twice"),
    ("duplicate_group", lambda d: d["groups"][1].update(id="first"), None, "group 'first': the group id is used"),
    ("condition_on_missing_item", lambda d: item_of(d, 1, 0).update(show_if={"item": "gone", "equals": "a"}),
     "note", "unknown item 'gone'"),
    ("condition_on_later_item", lambda d: item_of(d, 0, 1).update(show_if={"item": "ticks", "contains": "x"}),
     "choice", "comes later"),
    ("group_condition_on_own_item", lambda d: d["groups"][1].update(show_if={"item": "note", "equals": "a"}),
     None, "group 'second': condition refers to item 'note', which comes later"),
    ("alert_unknown_condition_form", lambda d: d["alerts"][0].update(when={"item": "level", "above": 3}),
     None, "alert 'high': unknown condition form"),
    ("alert_missing_reason", lambda d: d["alerts"][0].pop("reason"), None, "alert 1: the alert lacks 'reason'"),
    ("alert_unknown_profession", lambda d: d["alerts"][0].update(profession="nurse"),
     None, "alert 'high': unknown profession 'nurse'"),
    ("score_min_without_scoring", lambda d: d.pop("scoring"), None, "alert 'high': score_min needs a scoring"),
    ("score_min_in_show_if", lambda d: item_of(d, 1, 0).update(show_if={"score_min": 2}), "note",
     "score_min can only be used in alerts"),
    ("duplicate_reason", lambda d: d["alerts"].append(copy.deepcopy(d["alerts"][0])), None,
     "alert 'high': the reason is used twice"),
    ("scale_min_equals_max", lambda d: item_of(d, 0, 0).update(max=0), "level", "min < max"),
    ("scale_without_max", lambda d: item_of(d, 0, 0).pop("max"), "level", "lacks 'max'"),
    ("single_without_options", lambda d: item_of(d, 0, 1).pop("options"), "choice", "options must be a list"),
    ("single_with_empty_options", lambda d: item_of(d, 0, 1).update(options=[]), "choice", "at least one"),
    ("duplicate_option", lambda d: item_of(d, 0, 2)["options"].append(opt("x")), "ticks", "'x' is listed twice"),
    ("condition_value_not_an_option", lambda d: d["alerts"].append(
        {"reason": "odd", "when": {"item": "choice", "equals": "c"}, "text": T}), None,
     "alert 'odd': 'c' is not an option of item 'choice'"),
    ("contains_value_not_an_option", lambda d: d["readings"][0].update(when={"item": "ticks", "contains": "z"}),
     None, "reading 1: 'z' is not an option of item 'ticks'"),
    ("condition_min_outside_the_scale", lambda d: d["groups"][1].update(show_if={"item": "level", "min": 11}),
     None, "outside the scale"),
    ("condition_form_wrong_for_type", lambda d: item_of(d, 1, 0).update(show_if={"item": "ticks", "equals": "x"}),
     "note", "'equals' does not work on item 'ticks'"),
    ("yesno_condition_needs_yes_or_no", lambda d: item_of(d, 1, 0).update(show_if={"item": "agree", "equals": "ja"}),
     "note", "'ja' is not an option of item 'agree'"),
    ("missing_en_text", lambda d: item_of(d, 0, 0).update(text={"sv": "Bara svenska"}), "level", "text lacks 'en'"),
    ("missing_sv_option_text", lambda d: item_of(d, 0, 1)["options"][0].update(text={"en": "Only"}), "choice",
     "option 'a' lacks 'sv'"),
    ("missing_sv_title", lambda d: d.update(title={"en": "Only English"}), None, "title lacks 'sv'"),
    ("unknown_language", lambda d: item_of(d, 0, 3).update(text={**T, "de": "Deutsch"}), "agree",
     "unknown language 'de'"),
    ("missing_key", lambda d: d.pop("key"), None, "the form lacks 'key'"),
    ("missing_version", lambda d: d.pop("version"), None, "the form lacks 'version'"),
    ("misspelt_field", lambda d: item_of(d, 0, 1).update(requred=True), "choice", "unknown field 'requred'"),
    ("field_of_another_type", lambda d: item_of(d, 1, 0).update(min=1), "note", "unknown field 'min' in a text"),
    ("unquoted_yes", lambda d: item_of(d, 1, 0).update(show_if={"item": "agree", "equals": True}), "note",
     "write it in quotes"),
    ("reading_over_http", lambda d: d["readings"][0].update(url="http://example.org/"), None,
     "reading 1: url must be a public https:// address"),
    ("unknown_scoring_method", lambda d: d.update(scoring={"method": "mean"}), None, "unknown scoring method"),
    ("scoring_item_not_a_scale", lambda d: d.update(scoring={"method": "item", "item": "choice"}), "choice",
     "needs a scale item"),
    ("scoring_sum_missing_points", lambda d: d.update(scoring={"method": "sum", "items": ["choice"],
                                                               "points": {"a": 0}}),
     "choice", "points lack a value for 'b'"),
    ("scoring_sum_unused_points", lambda d: d.update(scoring={"method": "sum", "items": ["choice"],
                                                              "points": {"a": 0, "b": 1, "c": 2}}),
     None, "points for 'c', which no scored item has"),
    ("bad_item_id", lambda d: item_of(d, 0, 0).update(id="Level 1"), "Level 1", "lower-case letters"),
    ("danger_unknown_call", lambda d: item_of(d, 0, 2).update(danger=[
        {"when": {"contains": "x"}, "text": T, "call": ["unit", "doctor_on_call"]}]), "ticks", "call must list"),
    ("danger_on_another_item", lambda d: item_of(d, 0, 2).update(danger=[
        {"when": {"item": "choice", "equals": "a"}, "text": T, "call": ["emergency"]}]), "ticks",
     "looks only at its own item"),
    ("danger_value_not_an_option", lambda d: item_of(d, 0, 1).update(danger=[
        {"when": {"one_of": ["a", "c"]}, "text": T, "call": ["emergency"]}]), "choice",
     "'c' is not an option of item 'choice'"),
    ("danger_on_free_text", lambda d: item_of(d, 1, 0).update(danger=[
        {"when": {"equals": "a"}, "text": T, "call": ["emergency"]}]), "note", "danger does not work on a text"),
    ("danger_without_text", lambda d: item_of(d, 0, 0).update(danger=[{"when": {"min": 9}, "call": ["unit"]}]),
     "level", "a danger lacks 'text'"),
]


@pytest.mark.parametrize(("change", "item", "message"), [case[1:] for case in BROKEN], ids=[c[0] for c in BROKEN])
def test_load_definition_refuses_a_broken_form_naming_file_and_item(tmp_path: Path, change: Change, item: str | None,
                                                                     message: str) -> None:
    data = base()
    change(data)
    path = tmp_path / "form.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.file == "form.yaml"
    assert caught.value.item == item
    assert str(caught.value).startswith("form.yaml")
    assert message in str(caught.value)
    if item:
        assert f"item '{item}'" in str(caught.value)


def test_base_test_form_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text(yaml.safe_dump(base(), allow_unicode=True), encoding="utf-8")
    assert load_definition(path).key == "test"


def test_definition_error_message_names_file_then_item() -> None:
    data = base()
    item_of(data, 0, 0)["type"] = "slider"
    with pytest.raises(DefinitionError, match=r"^mabra\.yaml, item 'level': unknown type 'slider'"):
        parse_definition(data, "mabra.yaml")


@pytest.mark.parametrize(("text", "line"), [
    ("key: test\nversion: 1\ntitle: {sv: a, en: b\ngroups: []\n", "line"),
    ("key: test\nversion: 1\n  bad: indent\n", "line 3"),
    ("key: test\nversion: 1\nkey: again\n", "line 3"),
])
def test_load_definition_turns_broken_yaml_into_an_error_with_the_line(tmp_path: Path, text: str, line: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"^broken\.yaml, line \d+: broken YAML") as caught:
        load_definition(path)
    assert line in str(caught.value)
    assert caught.value.item is None


def test_load_definition_refuses_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="must be a mapping"):
        load_definition(path)


def test_load_all_refuses_the_same_key_in_two_files(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(yaml.safe_dump(base()), encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"^b\.yaml: key 'test' is already used by a\.yaml"):
        load_all(tmp_path)


def test_load_all_refuses_a_missing_folder_rather_than_finding_no_forms(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_all(tmp_path / "gone")


def test_from_json_refuses_broken_json() -> None:
    with pytest.raises(DefinitionError, match="broken JSON"):
        from_json("{not json")


# Answers from the phone ----------------------------------------------------------------------------------------

SCALE = Item(id="s", type="scale", text=T, required=True, min=0, max=10, min_label=T, max_label=T)
SINGLE = Item(id="o", type="single", text=T, options=(Option("a", T), Option("b", T)))
MULTIPLE = Item(id="m", type="multiple", text=T, options=(Option("a", T), Option("b", T), Option("c", T)))
YESNO = Item(id="y", type="yesno", text=T)
TEXT = Item(id="t", type="text", text=T, max_length=10)
DATE = Item(id="d", type="date", text=T)


@pytest.mark.parametrize(("item", "raw", "expected"), [
    (SCALE, ["7"], (7, None)),
    (SCALE, [" 0 "], (0, None)),
    (SCALE, ["11"], (None, "out_of_range")),
    (SCALE, ["-1"], (None, "out_of_range")),
    (SCALE, ["9" * 5000], (None, "out_of_range")),
    (SCALE, ["sju"], (None, "not_a_number")),
    (SCALE, ["7.5"], (None, "not_a_number")),
    (SCALE, ["٧"], (None, "not_a_number")),
    (SCALE, [], (None, "required")),
    (SCALE, ["  "], (None, "required")),
    (SINGLE, ["b"], ("b", None)),
    (SINGLE, ["z"], (None, "not_an_option")),
    (SINGLE, [""], (None, None)),
    (SINGLE, [], (None, None)),
    (MULTIPLE, ["c", "a", "a"], (["a", "c"], None)),
    (MULTIPLE, ["a", "evil"], (None, "not_an_option")),
    (MULTIPLE, [], (None, None)),
    (YESNO, ["yes"], ("yes", None)),
    (YESNO, ["no"], ("no", None)),
    (YESNO, ["ja"], (None, "not_an_option")),
    (TEXT, ["  hej\r\nhopp\x00\x07 "], ("hej\nhopp", None)),
    (TEXT, ["0123456789"], ("0123456789", None)),
    (TEXT, ["0123456789X"], (None, "too_long")),
    (TEXT, ["\x00\x1b"], (None, None)),
    (DATE, ["2026-11-25"], ("2026-11-25", None)),
    (DATE, ["2026-02-30"], (None, "not_a_date")),
    (DATE, ["20261125"], (None, "not_a_date")),
    (DATE, ["25/11/2026"], (None, "not_a_date")),
])
def test_parse_answer_types_the_value_or_names_the_error(item: Item, raw: list[str],
                                                         expected: tuple[object, str | None]) -> None:
    assert parse_answer(item, raw) == expected


def test_parse_answer_takes_the_first_value_of_a_single_answer() -> None:
    assert parse_answer(SINGLE, ["a", "b"]) == ("a", None)


def test_parse_answer_requires_a_tick_on_a_required_multiple() -> None:
    required = Item(id="m", type="multiple", text=T, required=True, options=(Option("a", T),))
    assert parse_answer(required, []) == (None, "required")


# Conditions and clean answers ----------------------------------------------------------------------------------


def test_visible_groups_shows_only_the_scale_when_distress_is_zero() -> None:
    assert [group.id for group in visible_groups(MABRA, {"distress": 0})] == ["scale"]
    assert [group.id for group in visible_groups(MABRA, {})] == ["scale"]


def test_visible_groups_shows_every_checklist_from_one() -> None:
    assert len(visible_groups(MABRA, {"distress": 1})) == 6
    assert [item.id for item in visible_items(MABRA, {"distress": 1})] == ["distress", *CHECKLISTS]


def test_visible_groups_holds_only_visible_items_and_drops_empty_groups(tmp_path: Path) -> None:
    data = base()
    item_of(data, 0, 2)["show_if"] = {"item": "choice", "equals": "a"}
    item_of(data, 1, 0)["show_if"] = {"item": "ticks", "contains": "x"}
    defn = parse_definition(data, "form.yaml")
    groups = visible_groups(defn, {"level": 5, "choice": "b", "ticks": ["x"]})
    assert [group.id for group in groups] == ["first"]
    assert [item.id for item in groups[0].items] == ["level", "choice", "agree"]


def test_clean_answers_drops_tampered_ids_hidden_answers_and_wrong_values() -> None:
    answers: Answers = {"distress": 0, "problems_physical": ["breathing"], "is_admin": "yes"}
    assert clean_answers(MABRA, answers) == {"distress": 0}
    assert clean_answers(MABRA, {"distress": 11}) == {}
    assert clean_answers(MABRA, {"distress": "5"}) == {}
    assert clean_answers(MABRA, {"distress": 5, "problems_physical": ["breathing", "hacking"]}) == {"distress": 5}


def test_clean_answers_keeps_visible_valid_answers() -> None:
    answers: Answers = {"distress": 5, "problems_physical": ["pain"], "problems_family": ["children"]}
    assert clean_answers(MABRA, answers) == answers


def test_clean_answers_hides_answers_whose_condition_rests_on_a_hidden_answer() -> None:
    data = base()
    item_of(data, 1, 0)["show_if"] = {"item": "ticks", "contains": "x"}
    data["groups"][1]["show_if"] = {"item": "level", "min": 1}
    defn = parse_definition(data, "form.yaml")
    assert clean_answers(defn, {"level": 0, "ticks": ["x"], "note": "hej"}) == {"level": 0, "ticks": ["x"]}


def test_missing_required_lists_only_visible_required_items() -> None:
    assert missing_required(MABRA, {}) == ["distress"]
    assert missing_required(MABRA, {"distress": 3}) == []
    assert missing_required(VIKTIGT, {"important_date": "2027-01-01"}) == ["what_matters"]
    assert missing_required(BEHOV, {item_id: "a_little" for item_id in BEHOV_SINGLES}) == []


# Scoring, alerts and reading -----------------------------------------------------------------------------------


def test_mabra_scores_the_scale_and_raises_high_distress_from_four() -> None:
    assert score(MABRA, {"distress": 3}) == 3
    assert [rule.reason for rule in alerts_for(MABRA, {"distress": 3})] == []
    assert [rule.reason for rule in alerts_for(MABRA, {"distress": 4})] == ["high_distress"]
    assert alerts_for(MABRA, {"distress": 4})[0].text["sv"] == "Hög belastning – kontakta patienten"


def test_mabra_routes_ticked_problems_to_the_right_profession() -> None:
    answers: Answers = {"distress": 2, "problems_physical": ["breathing", "eating"],
                        "problems_practical": ["money", "work"], "problems_emotional": ["worry"]}
    routed = {rule.reason: rule.profession for rule in alerts_for(MABRA, answers)}
    assert routed == {"breathing": "physiotherapist", "eating": "dietitian", "worry": "counsellor",
                      "money": "social_worker", "work": "social_worker"}


def test_mabra_offers_reading_when_tiredness_is_ticked() -> None:
    assert readings_for(MABRA, {"distress": 2}) == []
    readings = readings_for(MABRA, {"distress": 2, "problems_physical": ["tiredness"]})
    assert [reading.url for reading in readings] == ["https://www.1177.se/sjukdomar--besvar/cancer/"]


def test_behov_sums_points_and_is_none_with_nothing_to_score() -> None:
    assert score(BEHOV, {}) is None
    assert score(BEHOV, {"pain": "troublesome", "sleep": "very_troublesome", "talk": "yes"}) == 5


def test_shipped_alerts_name_only_known_professions() -> None:
    professions = {rule.profession for defn in SHIPPED.values() for rule in defn.alerts} - {None}
    assert professions <= set(PROFESSIONS)


# Properties over every combination of answers ------------------------------------------------------------------


def value_of(item: Item) -> st.SearchStrategy[Any]:
    if item.type == "scale":
        return st.integers(item.min or 0, item.max or 0)
    if item.type in ("single", "yesno"):
        return st.sampled_from(item.values())
    if item.type == "multiple":
        return st.lists(st.sampled_from(item.values()), min_size=1, unique=True)
    if item.type == "date":
        return st.dates().map(lambda day: day.isoformat())
    return st.text(min_size=1, max_size=20).filter(str.strip)


def answers_to(items: tuple[Item, ...]) -> st.SearchStrategy[Answers]:
    return st.fixed_dictionaries({}, optional={item.id: value_of(item) for item in items})


JUNK = st.dictionaries(
    st.sampled_from([item.id for item in MABRA.items() + BEHOV.items()]) | st.text(max_size=8),
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.lists(st.text(max_size=8) | st.integers(), max_size=4),
    max_size=8)


@PROPERTY
@given(answers_to(MABRA.items()))
def test_mabra_score_is_the_scale_value_and_high_distress_fires_from_four(answers: Answers) -> None:
    distress = answers.get("distress")
    reasons = {rule.reason for rule in alerts_for(MABRA, answers)}
    assert score(MABRA, answers) == distress
    assert ("high_distress" in reasons) == (isinstance(distress, int) and distress >= 4)


@PROPERTY
@given(answers_to(MABRA.items()))
def test_mabra_checklist_alerts_fire_only_when_the_checklists_are_shown(answers: Answers) -> None:
    distress = answers.get("distress")
    shown = isinstance(distress, int) and distress >= 1
    physical = answers.get("problems_physical", [])
    reasons = {rule.reason for rule in alerts_for(MABRA, answers)}
    assert ("breathing" in reasons) == (shown and "breathing" in physical)
    assert reasons <= {"high_distress", "breathing", "eating", "worry", "money", "work"}


@PROPERTY
@given(answers_to(BEHOV.items()))
def test_behov_score_stays_within_three_points_per_item(answers: Answers) -> None:
    total = score(BEHOV, answers)
    answered = [item_id for item_id in BEHOV_SINGLES if item_id in answers]
    assert (total is None) == (not answered)
    assert total is None or 0 <= total <= 3 * len(BEHOV_SINGLES)


@PROPERTY
@given(answers_to(BEHOV.items()))
def test_behov_alerts_the_mapped_profession_iff_an_item_is_very_troublesome(answers: Answers) -> None:
    heavy = {item_id for item_id in BEHOV_SINGLES if answers.get(item_id) == "very_troublesome"}
    fired = alerts_for(BEHOV, answers)
    assert {rule.reason for rule in fired} == {f"{item_id}_very_troublesome" for item_id in heavy}
    assert {rule.profession for rule in fired} == {BEHOV_PROFESSION.get(item_id, "contact_nurse")
                                                   for item_id in heavy}


@PROPERTY
@given(JUNK)
def test_rules_never_raise_on_any_answers(answers: dict[str, Any]) -> None:
    for defn in SHIPPED.values():
        alerts_for(defn, answers)
        readings_for(defn, answers)
        score(defn, answers)
        missing_required(defn, answers)


@PROPERTY
@given(answers_to(MABRA.items()) | answers_to(BEHOV.items()) | JUNK)
def test_clean_answers_is_idempotent_and_only_keeps_visible_items(answers: dict[str, Any]) -> None:
    for defn in (MABRA, BEHOV):
        once = clean_answers(defn, answers)
        assert clean_answers(defn, once) == once
        assert set(once) <= {item.id for item in visible_items(defn, answers)}
        assert alerts_for(defn, once) == alerts_for(defn, answers)


def test_a_danger_box_is_defined_in_the_file_and_kept_through_storage() -> None:
    data = base()
    item_of(data, 0, 1)["danger"] = [{"when": {"one_of": ["b"]}, "text": T, "call": ["suicide_line", "emergency"]}]
    item_of(data, 0, 2)["danger"] = [{"when": {"contains": "x"}, "text": T, "call": ["unit", "emergency"]}]
    defn = parse_definition(data, "form.yaml")
    assert from_json(to_json(defn)) == defn
    assert dangers_for(defn, {"choice": "a", "ticks": ["y"]}) == []
    found = dangers_for(defn, {"choice": "b", "ticks": ["x", "y"]})
    assert [danger.when.item for danger in found] == ["choice", "ticks"]
    assert calls_for(found) == ["suicide_line", "emergency", "unit"]
    assert dangers_for(defn, {"choice": "b", "ticks": ["x"]}, {"ticks"}) == found[1:]
