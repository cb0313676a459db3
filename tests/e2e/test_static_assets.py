"""The CSS and JavaScript the browser loads: gzipped, and no file left open on the server.

Asked with Chromium's Accept-Encoding. Flask-Compress used to stream-compress these files and never close
them ("ResourceWarning: unclosed file" in the live server, blamed on whichever browser test ran).
"""

from __future__ import annotations

import gc
import re
import warnings

from flask import Flask

CHROMIUM_ACCEPT_ENCODING = "gzip, deflate, br, zstd"
ASSET_RE = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def test_static_assets_gzipped_and_files_closed(app: Flask) -> None:
    client = app.test_client()
    assets = ASSET_RE.findall(client.get("/login").get_data(as_text=True))
    assert assets, "the sign-in page links no CSS or JavaScript"

    encodings = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for asset in assets:
            response = client.get(asset, headers={"Accept-Encoding": CHROMIUM_ACCEPT_ENCODING})
            assert response.status_code == 200
            assert response.get_data()
            encodings[asset] = response.headers.get("Content-Encoding")
            response.close()
            del response
        gc.collect()

    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []
    assert encodings == dict.fromkeys(assets, "gzip")
