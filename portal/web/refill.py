"""Put what was typed back into a form on a drawn page: the form posted to `action`, and no other.

Used when a form came back with an expired token: the page is drawn again as a GET would draw it, and this fills
that one form's fields with the posted values. Passwords, hidden fields and the CSRF token are never filled.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from werkzeug.datastructures import MultiDict

NEVER = {"hidden", "password", "submit", "button", "reset", "image", "file"}
Attrs = list[tuple[str, str | None]]


def _tag(name: str, attrs: Attrs, closing: bool = False) -> str:
    parts = [name] + [key if value is None else f'{key}="{escape(value, quote=True)}"' for key, value in attrs]
    return "<" + " ".join(parts) + (" />" if closing else ">")


def _set(attrs: Attrs, key: str, value: str | None, present: bool = True) -> Attrs:
    kept = [(k, v) for k, v in attrs if k != key]
    return [*kept, (key, value)] if present else kept


class _Refiller(HTMLParser):
    def __init__(self, action: str, page: str, values: MultiDict[str, str]) -> None:
        super().__init__(convert_charrefs=False)
        self.action, self.page, self.values = action, page, values
        self.out: list[str] = []
        self.in_form = False
        self.select: str | None = None
        self.skip_text = False

    def _changed(self, tag: str, attrs: Attrs) -> Attrs | None:
        """The attributes this control gets with the posted value, or None to leave it as drawn."""
        found = dict(attrs)
        name = found.get("name") or ""
        if tag == "form":
            target = urlsplit(found.get("action") or self.page).path or self.page
            self.in_form = target == self.action
            return None
        if not self.in_form or (tag == "option" and self.select is None):
            return None
        if tag == "option":
            return _set(attrs, "selected", None, (found.get("value") or "") in self.values.getlist(self.select or ""))
        if name not in self.values or name == "csrf_token":
            return None
        if tag == "select":
            self.select = name
        elif tag == "textarea":
            self.out.append(self.get_starttag_text() or "")
            self.out.append(escape(self.values.get(name, ""), quote=False))
            self.skip_text = True
            return attrs
        elif tag == "input":
            kind = (found.get("type") or "text").lower()
            if kind in NEVER:
                return None
            if kind in ("checkbox", "radio"):
                return _set(attrs, "checked", None, (found.get("value") or "on") in self.values.getlist(name))
            return _set(attrs, "value", self.values.get(name, ""))
        return None

    def _start(self, tag: str, attrs: Attrs, closing: bool) -> None:
        changed = self._changed(tag, attrs)
        if tag == "textarea" and self.skip_text:
            return
        self.out.append(self.get_starttag_text() or "" if changed is None else _tag(tag, changed, closing))

    def handle_starttag(self, tag: str, attrs: Attrs) -> None:
        self._start(tag, attrs, False)

    def handle_startendtag(self, tag: str, attrs: Attrs) -> None:
        self._start(tag, attrs, True)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.skip_text = False
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.in_form = False
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skip_text:
            self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        if not self.skip_text:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self.skip_text:
            self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")


def refill(html: str, action: str, page: str, values: MultiDict[str, str]) -> str:
    """`html` with the form that posts to the path `action` showing `values` (`page`: the drawn page's path)."""
    parser = _Refiller(action, page, values)
    parser.feed(html)
    parser.close()
    return "".join(parser.out)
