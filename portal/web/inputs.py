"""Input at the edge of the app: every form value cleaned of control characters, ids bounded to what the database
can hold, numbers in the query string read safely. Bad input gets a 404 or the first page, never a 500."""

from __future__ import annotations

from flask import Flask, Request, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter

from portal.core.text import MAX_ID, clean_text, parse_id


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a whole number our id columns can hold; anything larger is simply not found."""

    def __init__(self, url_map: object, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)  # type: ignore[arg-type]


class TextConverter(UnicodeConverter):
    """`<key>` in every route: one path segment without control characters (a NUL would reach the database)."""

    def __init__(self, url_map: object, minlength: int = 1, maxlength: int | None = 200,
                 length: int | None = None) -> None:
        super().__init__(url_map, minlength=minlength, maxlength=maxlength, length=length)  # type: ignore[arg-type]
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]")


class CleanRequest(Request):
    """A request whose form values have been through `clean_text` before any view reads them."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        cleaned = [(key, clean_text(value)) for key, value in self.form.items(multi=True)]
        self.__dict__["form"] = ImmutableMultiDict(cleaned)


def id_arg(name: str, default: int | None = None) -> int | None:
    """A whole number from the query string that the database can hold ('?before=12'); otherwise `default`."""
    number = parse_id(request.args.get(name))
    return default if number is None else number


def init_app(app: Flask) -> None:
    """Before any blueprint is registered, so that every `<int:…>` route uses the bounded converter."""
    app.request_class = CleanRequest
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
