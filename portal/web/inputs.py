"""Input at the edge of the app: every form value cleaned of control characters, ids bounded to what the database
can hold, numbers in the query string read safely. Bad input gets a 404 or the first page, never a 500."""

from __future__ import annotations

from flask import Flask, Request, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from portal.core.text import clean_text

MAX_ID = 2**63 - 1  # the largest id PostgreSQL's bigint (and SQLite's integer) can hold


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a whole number the database can hold; anything larger is simply not found."""

    def __init__(self, url_map: object, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)  # type: ignore[arg-type]


class CleanRequest(Request):
    """A request whose form values have been through `clean_text` before any view reads them."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        cleaned = [(key, clean_text(value)) for key, value in self.form.items(multi=True)]
        self.__dict__["form"] = ImmutableMultiDict(cleaned)


def id_arg(name: str, default: int | None = None) -> int | None:
    """A whole number from the query string that the database can hold ('?before=12'); otherwise `default`."""
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID else default


def init_app(app: Flask) -> None:
    """Before any blueprint is registered, so that every `<int:…>` route uses the bounded converter."""
    app.request_class = CleanRequest
    app.url_map.converters["int"] = IdConverter
