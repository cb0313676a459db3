"""The shared macros, rendered alone: each field ties its hint and error to its control; the timeline draws items."""

from __future__ import annotations

import pytest
from flask import Flask

FIELDS = {
    "field": '{% from "components/field.html" import field %}{{ field("x", "Label", hint="Hint", error="Wrong") }}',
    "select": '{% from "components/select_field.html" import select_field %}'
              '{% call select_field("x", "Label", hint="Hint", error="Wrong") %}<option>a</option>{% endcall %}',
    "textarea": '{% from "components/textarea_field.html" import textarea_field %}'
                '{{ textarea_field("x", "Label", "Typed", hint="Hint", error="Wrong") }}',
}


def render(app: Flask, source: str, **context: object) -> str:
    with app.test_request_context():
        return app.jinja_env.from_string(source).render(**context)


@pytest.mark.parametrize("source", FIELDS.values(), ids=FIELDS.keys())
def test_field_ties_hint_and_error_to_its_control(app: Flask, source: str) -> None:
    html = render(app, source)
    assert '<label class="mv-field__label" for="x">Label</label>' in html
    assert '<p class="mv-field__hint" id="x-hint">Hint</p>' in html
    assert 'id="x-error"><span class="mv-visually-hidden">' in html
    assert 'id="x" name="x"' in html
    assert 'aria-describedby="x-hint x-error" aria-invalid="true"' in html
    assert "mv-field--error" in html


@pytest.mark.parametrize("source", FIELDS.values(), ids=FIELDS.keys())
def test_field_without_hint_or_error_describes_nothing(app: Flask, source: str) -> None:
    html = render(app, source.replace(', hint="Hint", error="Wrong"', ""))
    assert "aria-describedby" not in html
    assert "aria-invalid" not in html


def test_fieldset_ties_its_error_to_the_group(app: Flask) -> None:
    source = ('{% from "components/fieldset.html" import fieldset %}'
              '{% call fieldset("scopes", "Legend", error="Wrong", id="scopes") %}<input>{% endcall %}')
    html = render(app, source)
    assert '<fieldset class="mv-fieldset mv-field--error" id="scopes" aria-describedby="scopes-error">' in html
    assert 'id="scopes-error"' in html


def test_timeline_item_takes_a_when_text_and_extras_from_its_caller(app: Flask) -> None:
    source = ('{% from "components/timeline.html" import timeline_item %}'
              '{% call timeline_item(step, when="About week 3", meta=False, id="item-7") %}<p>extra</p>{% endcall %}')
    step = {"status": "planned", "title": "X-ray", "preparation": "Fast."}
    html = render(app, source, step=step)
    assert '<li class="mv-timeline__item mv-timeline__item--planned" id="item-7">' in html
    assert '<p class="mv-timeline__when">About week 3</p>' in html
    assert '<p class="mv-timeline__prep">Fast.</p>' in html
    assert "<p>extra</p>" in html
    assert "mv-timeline__meta" not in html
