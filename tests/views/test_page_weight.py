"""Light pages: the first load of a page (HTML + CSS + JS, gzipped) stays well under 30 KB."""

from __future__ import annotations

import gzip
import re

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from tests import factories
from tests.conftest import sign_in

BUDGET = 30 * 1024
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def first_load_bytes(client: FlaskClient, path: str) -> int:
    """Gzipped size of the page and every stylesheet and script it loads (print CSS included)."""
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    total = len(response.get_data())
    assert response.headers["Content-Encoding"] == "gzip"
    for url in ASSET.findall(gzip.decompress(response.get_data()).decode()):
        with client.get(url, headers={"Accept-Encoding": "gzip"}) as asset:
            total += len(asset.get_data())
    return total


@pytest.mark.parametrize("path", ["/login", "/plan/", "/plan/timeline"])
def test_first_load_is_under_30_kb_gzip(client: FlaskClient, session: Session, path: str) -> None:
    patient, _plan, _nurse = factories.patient_with_plan(session, items=12)
    if path != "/login":
        sign_in(client, patient.personal_id, factories.PASSWORD)
    size = first_load_bytes(client, path)
    print(f"first load of {path}: {size / 1024:.1f} KB gzip")  # shown with `pytest -s`
    assert size < BUDGET
