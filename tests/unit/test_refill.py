"""Putting typed values back into the one form that was sent (web/refill.py)."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from portal.web.refill import refill

PAGE = """<!doctype html><p>Tom &amp; Jerry &#229;</p><!-- note -->
<form method="post" action="/other"><input name="title" value="other"></form>
<form method="post" action="/plan/items/new?x=1">
<input type="hidden" name="csrf_token" value="fresh"><input type="hidden" name="client_token" value="t1">
<input class="a" name="title" value="">
<input type="password" name="password">
<textarea name="body" rows="3">old &lt;text&gt;</textarea>
<select name="kind"><option value="">Choose</option><option value="visit" selected>Visit</option>
<option value="test">Test</option></select>
<input type="checkbox" name="scopes" value="read" checked><input type="checkbox" name="scopes" value="write">
<input type="radio" name="repeat" value="once"><input type="radio" name="repeat" value="every" checked>
<input type="email" name="email" value="a@b.se"/>
</form>"""


def test_only_the_sent_form_gets_the_values() -> None:
    values = MultiDict([("title", 'Ny "titel" <b>'), ("body", "Rad 1\n<script>"), ("kind", "test"),
                        ("scopes", "write"), ("repeat", "once"), ("password", "secret"), ("csrf_token", "stale"),
                        ("client_token", "t0")])
    html = refill(PAGE, "/plan/items/new", "/plan/items/new", values)
    assert '<input name="title" value="other">' in html  # another form is left as drawn
    assert 'value="Ny &quot;titel&quot; &lt;b&gt;"' in html
    assert '<textarea name="body" rows="3">Rad 1\n&lt;script&gt;</textarea>' in html
    assert '<option value="test" selected>' in html
    assert '<option value="visit">' in html
    assert '<input type="checkbox" name="scopes" value="read">' in html
    assert '<input type="checkbox" name="scopes" value="write" checked>' in html
    assert '<input type="radio" name="repeat" value="once" checked>' in html
    assert '<input type="radio" name="repeat" value="every">' in html
    for never in ("secret", "stale", "t0"):  # never passwords, tokens, hidden fields
        assert never not in html
    assert 'value="fresh"' in html
    assert 'value="t1"' in html
    assert 'value="a@b.se"' in html  # a field that was not sent keeps what the page drew
    assert "<p>Tom &amp; Jerry &#229;</p><!-- note -->" in html


def test_a_form_without_action_posts_to_its_page() -> None:
    html = refill('<form method="post"><input name="q"></form>', "/staff/find", "/staff/find", MultiDict({"q": "Nils"}))
    assert html == '<form method="post"><input name="q" value="Nils"></form>'
