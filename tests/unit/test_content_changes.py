"""The editor's text diff: which lines were removed, added or changed, and which words within a changed line."""

from __future__ import annotations

from portal.content.services.changes import LineChange, Piece, diff_lines


def test_same_lines_give_no_changes() -> None:
    assert diff_lines(["Vila.", "Ring oss."], ["Vila.", "Ring oss."]) == []


def test_a_new_and_a_gone_line() -> None:
    assert diff_lines(["Vila.", "Drick vatten."], ["Vila.", "Ring oss."]) == [
        LineChange("removed", "Drick vatten."), LineChange("added", "Ring oss.")]


def test_a_similar_line_is_shown_word_by_word() -> None:
    [line] = diff_lines(["Vila när du behöver."], ["Vila när du vill."])
    assert line.kind == "changed"
    assert line.pieces == (Piece("same", "Vila när du "), Piece("removed", "behöver."), Piece("added", "vill."))


def test_lines_added_at_the_end_and_removed_at_the_start() -> None:
    assert diff_lines(["A b c.", "D e f."], ["D e f.", "G h i."]) == [
        LineChange("removed", "A b c."), LineChange("added", "G h i.")]
