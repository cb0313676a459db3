"""The content pack's safety texts are checked on import, and chemotherapy has one Swedish word: 'cellgifter'."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.content.services.pack import CONTENT, PackError, load_diagnosis, load_pack

DIAGNOSIS = """key: test
demo: true
national_status: published
name: {sv: Test, en: Test}
about: {sv: Om, en: About}
self_care:
  - {sv: Råd, en: Advice}
skeleton:
  - phase: treatment
    kind: treatment
    week: 1
    title: {sv: Behandling, en: Treatment}
"""


def test_no_swedish_content_says_cytostatika() -> None:
    """Every Swedish text says 'cellgifter' (slugs may keep the old word: they tie reading across versions)."""
    files = [*CONTENT.glob("*/diagnosis.yaml"), *CONTENT.glob("*/articles/*.sv.md")]
    assert len(files) > 30
    saying = [str(path.relative_to(CONTENT)) for path in files if "cytostatika" in path.read_text("utf-8").lower()]
    assert saying == []


def test_the_pack_loads_with_its_safety_texts() -> None:
    packs, errors = load_pack()
    assert errors == []
    general = next(pack for pack in packs if pack.key == "generell")
    assert set(general.data["safety"]["phases"]) == {"investigation", "treatment", "rehabilitation", "follow_up"}
    assert {"chemotherapy", "radiotherapy", "surgery"} <= set(general.data["safety"]["treatments"])
    assert "cellgift" in general.data["safety"]["treatments"]["chemotherapy"]["words"]


@pytest.mark.parametrize(("safety", "problem"), [
    ("safety:\n  phases:\n    waiting: {sv: Ring, en: Call}\n", "unknown phase 'waiting'"),
    ("safety:\n  treatments:\n    chemo:\n      text: {sv: Ring, en: Call}\n", "missing words"),
    ("safety:\n  treatments:\n    chemo:\n      words: []\n      text: {sv: Ring, en: Call}\n", "list of words"),
    ("safety:\n  phases:\n    treatment: {sv: Ring}\n", "missing en"),
    ("safety:\n  colour: red\n", "unknown field colour"),
])
def test_a_broken_safety_text_is_refused(tmp_path: Path, safety: str, problem: str) -> None:
    folder = tmp_path / "test"
    folder.mkdir()
    (folder / "diagnosis.yaml").write_text(DIAGNOSIS + safety, encoding="utf-8")
    with pytest.raises(PackError, match=problem):
        load_diagnosis(folder, tmp_path)
