"""The CSS and JavaScript the browser loads: served compressed, without leaving files open on the server."""

from __future__ import annotations

import gc
import re
import warnings

from flask import Flask

CHROMIUM_ACCEPT_ENCODING = "gzip, deflate, br, zstd"
ASSET_RE = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def test_static_assets_close_their_files(app: Flask) -> None:
    client = app.test_client()
    assets = ASSET_RE.findall(client.get("/login").get_data(as_text=True))
    assert assets, "the sign-in page links no CSS or JavaScript"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for asset in assets:
            response = client.get(asset, headers={"Accept-Encoding": CHROMIUM_ACCEPT_ENCODING})
            assert response.status_code == 200
            assert response.get_data()
            response.close()
            del response
        gc.collect()

    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []
