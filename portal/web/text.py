"""Showing text: what people wrote (escaped first, then web addresses made into safe links), masked numbers."""

from __future__ import annotations

import re

from flask import Flask
from markupsafe import Markup, escape

from portal.core.personal_id import mask_personal_id

# Matched on the escaped text, so a quote or '<' can never end up inside the link.
# An address ends at white space or a quote (escaped as &#34; / &#39;).
_URL = re.compile(r"\b(?:https?://|www\.)(?:(?!&#34;|&#39;)[^\s<>])+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def _link(match: re.Match[str]) -> str:
    url = match.group(0)
    tail = ""
    while url and url[-1] in _TRAILING:
        url, tail = url[:-1], url[-1] + tail
    href = url if url.lower().startswith("http") else f"https://{url}"
    return f'<a href="{href}" rel="noopener noreferrer nofollow">{url}</a>{tail}'


def linkify(text: str | None) -> Markup:
    """Escape everything the user wrote; only http(s) addresses become links. Line breaks stay (CSS pre-line)."""
    escaped = str(escape(text or ""))
    return Markup(_URL.sub(_link, escaped))  # noqa: S704  (input escaped above; only our <a> is added)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(linkify=linkify, masked=mask_personal_id)
