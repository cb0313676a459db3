"""Static files for a light first load: one stylesheet, one script, an icon, each cached for a year by its hash.

A page's first load is the page, `css/portal.css`, `js/portal.js` and the icon (issue 15: at most 4 requests and
30 KB). The two bundles are joined from the files we edit under portal/static, in memory, and served by the
`static` endpoint like any file; they are made again when a source changes, so a restart is never needed.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
import time
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from flask import Flask, Response, current_app, request, session, url_for

# Each bundle and its sources, in order. tokens.css comes first: it declares the order of the @layers.
BUNDLES: dict[str, tuple[str, ...]] = {
    "css/portal.css": ("css/tokens.css", "css/base.css", "css/components.css", "css/print.css"),
    # The staff's pages: the same and their wide tables (layout.py's `wide`), still one stylesheet per page.
    "css/staff.css": ("css/tokens.css", "css/base.css", "css/components.css", "css/wide.css", "css/print.css"),
    "js/portal.js": ("vendor/htmx-2.0.11.min.js", "js/app.js", "js/session.js"),
}
MEDIA = {"css/print.css": "print"}  # sources that apply only to this medium, as <link media="print"> did
FAVICON = "favicon.svg"  # also answered at /favicon.ico, for clients that ask without reading the page
# The web app manifest (name, colours, home-screen icons under icons/), whatever the system's mime.types says.
mimetypes.add_type("application/manifest+json", ".webmanifest")
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
# Spaces that mean nothing in CSS: around braces, semicolons and commas, after a colon, and a rule's last semicolon
# (never around + - * /, which calc() needs, nor before a colon, where "a :hover" differs from "a:hover").
CSS_SPACE = re.compile(r"\s*([{};,])\s*|(:)\s+")
CSS_LAST_SEMICOLON = re.compile(r";}")
WHITESPACE = re.compile(r"\s+")
CHECK_EVERY = 1.0  # seconds between looks at the files behind asset_url
# (static folder, file, where the app is mounted): (when looked at, the address with its digest)
_checked: dict[tuple[str, str, str], tuple[float, str]] = {}


class Bundle(NamedTuple):
    body: bytes
    gzipped: bytes  # once, here: not again for each new visitor
    digest: str


@cache
def _digest(path: Path, _mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _css(source: str, text: str) -> str:
    """A stylesheet without comments and indentation, inside @media when it applies to one medium only."""
    text = WHITESPACE.sub(" ", CSS_COMMENT.sub("", text))  # our stylesheets hold no string with two spaces in a row
    text = CSS_SPACE.sub(lambda match: match.group(1) or match.group(2), text).strip()
    text = CSS_LAST_SEMICOLON.sub("}", text)
    return f"@media {MEDIA[source]}{{{text}}}" if source in MEDIA else text


def _js(source: str, text: str) -> str:
    """Our own scripts without whole-line comments, blank lines and indentation (lines stay lines, so automatic
    semicolons mean what they meant); vendored ones, already minified, as they are."""
    if source.startswith("vendor/"):
        return text.strip()
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


@lru_cache(maxsize=8)
def _build(name: str, paths: tuple[Path, ...], _mtimes: tuple[float, ...]) -> Bundle:
    """The bundle's sources joined in order, each script ending its own statement."""
    texts = [path.read_text(encoding="utf-8") for path in paths]
    if name.endswith(".css"):
        body = "".join(_css(source, text) for source, text in zip(BUNDLES[name], texts, strict=True)) + "\n"
    else:
        body = "\n;\n".join(_js(source, text) for source, text in zip(BUNDLES[name], texts, strict=True)) + "\n"
    data = body.encode("utf-8")
    return Bundle(data, gzip.compress(data, compresslevel=9, mtime=0), hashlib.sha256(data).hexdigest()[:12])


def _bundle(folder: Path, name: str) -> Bundle:
    """The bundle as its sources are now (read again only when one of them has changed)."""
    paths = tuple(folder / source for source in BUNDLES[name])
    return _build(name, paths, tuple(path.stat().st_mtime for path in paths))


def bundle(name: str) -> Bundle:
    """A bundle of this app's static files: `bundle("css/portal.css").body`."""
    return _bundle(Path(current_app.static_folder or ""), name)


def _current_digest(folder: str, filename: str) -> str:
    if filename in BUNDLES:
        return _bundle(Path(folder), filename).digest
    path = Path(folder) / filename
    return _digest(path, path.stat().st_mtime)


def asset_url(filename: str) -> str:
    """`/static/css/portal.css?v=<hash>` for a bundle or a file under portal/static.

    Every page links three of them: the files are looked at again, and the address built, at most once a second
    (CHECK_EVERY), not on every page, and still no restart is needed after an edit.
    """
    key = (current_app.static_folder or "", filename, request.script_root)
    now = time.monotonic()
    checked = _checked.get(key)
    if checked is None or now - checked[0] >= CHECK_EVERY:
        address = url_for("static", filename=filename, v=_current_digest(key[0], filename))
        checked = _checked[key] = (now, address)
    return checked[1]


def _static(filename: str) -> Response:
    """The `static` endpoint: a bundle from memory, any other file from portal/static."""
    if filename not in BUNDLES:
        return current_app.send_static_file(filename)
    made = bundle(filename)
    zipped = request.accept_encodings.quality("gzip") > 0
    response = Response(made.gzipped if zipped else made.body, mimetype=mimetypes.guess_type(filename)[0])
    if zipped:
        response.content_encoding = "gzip"  # so Flask-Compress leaves it as it is
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{made.digest}-gzip" if zipped else made.digest)
    response.cache_control.no_cache = True  # as for files; with ?v= security.py caches it for a year instead
    return response.make_conditional(request)


def _buffer_static(response: Response) -> Response:
    """Read small static files into memory so that they can be gzipped (streams are not)."""
    if request.endpoint == "static" and response.direct_passthrough and response.status_code == 200:
        response.direct_passthrough = False
        response.make_sequence()
    return response


def _same_for_everyone(response: Response) -> Response:
    """A static file is the same for every visitor: no `Vary: Cookie` (Flask-Login's own after-request hook reads the
    session on every response), else a browser fetches the stylesheet and script again whenever the session cookie
    changes, which is on nearly every page."""
    if request.endpoint == "static":
        session.accessed = False  # runs after Flask-Login's hook (registered later), before the session is saved
    return response


def init_app(app: Flask) -> None:
    """Registered after Flask-Compress, so `_buffer_static` runs before it on each response."""
    app.view_functions["static"] = _static
    # The icon's one address: url_for("static", filename=FAVICON) builds this rule (its default matches).
    app.add_url_rule("/favicon.ico", endpoint="static", defaults={"filename": FAVICON})
    app.jinja_env.globals["asset_url"] = asset_url
    app.after_request(_buffer_static)
    app.after_request(_same_for_everyone)
    for name in BUNDLES:
        _bundle(Path(app.static_folder or ""), name)  # made at start: a missing source fails here, not for a visitor
