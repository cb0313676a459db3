"""The score chart's geometry: x by date, y upwards, round gridlines, and no trouble with 0 or 1 points."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.questionnaires.services.chart import (
    PAD_BOTTOM,
    PAD_LEFT,
    PAD_RIGHT,
    PAD_TOP,
    alert_threshold,
    line_chart,
    nice_step,
    number,
    score_range,
)
from portal.questionnaires.services.definitions import load_all

START = datetime(2027, 3, 3, 9, tzinfo=UTC)


def test_chart_spreads_points_by_time_from_the_left_to_the_right_edge() -> None:
    chart = line_chart([(START, 2), (START + timedelta(days=30), 3), (START + timedelta(days=120), 6)], 0, 10)
    assert [p.x for p in chart.points] == [PAD_LEFT, 184.0, 640 - PAD_RIGHT]  # a quarter of the way at 30 of 120 days


def test_chart_puts_larger_values_higher_up() -> None:
    chart = line_chart([(START, 0), (START + timedelta(days=1), 10), (START + timedelta(days=2), 5)], 0, 10)
    assert [p.y for p in chart.points] == [240 - PAD_BOTTOM, PAD_TOP, 122.0]


def test_chart_sorts_points_by_date_and_writes_the_polyline() -> None:
    chart = line_chart([(START + timedelta(days=2), 10), (START, 0)], 0, 10)
    assert [p.value for p in chart.points] == [0, 10]
    assert chart.polyline == "40,204 616,40"


def test_chart_with_one_point_puts_it_in_the_middle_with_one_label() -> None:
    chart = line_chart([(START, 4)], 0, 10)
    assert chart.points[0].x == 328.0
    assert chart.polyline == "328,138.4"
    assert [(label.x, label.anchor) for label in chart.x_labels] == [(328.0, "middle")]


def test_chart_with_no_points_still_has_its_axes() -> None:
    chart = line_chart([], 0, 10)
    assert chart.points == ()
    assert chart.polyline == ""
    assert chart.x_labels == ()
    assert len(chart.y_ticks) == 6


def test_chart_labels_the_first_and_last_date() -> None:
    last = START + timedelta(days=70)
    chart = line_chart([(START, 1), (START + timedelta(days=7), 2), (last, 3)], 0, 10)
    assert [(label.when, label.anchor) for label in chart.x_labels] == [(START, "start"), (last, "end")]


def test_chart_gridlines_every_two_from_0_to_10() -> None:
    chart = line_chart([(START, 1)], 0, 10)
    assert [t.value for t in chart.y_ticks] == [0, 2, 4, 6, 8, 10]
    assert chart.y_ticks[0].y == chart.bottom
    assert chart.y_ticks[-1].y == chart.top


def test_chart_keeps_values_outside_the_range_inside_the_plot() -> None:
    chart = line_chart([(START, -3), (START + timedelta(days=1), 14)], 0, 10)
    assert [p.y for p in chart.points] == [chart.bottom, chart.top]


def test_chart_threshold_line_position() -> None:
    chart = line_chart([], 0, 10, width=400, height=200)
    assert chart.right == 400 - PAD_RIGHT
    assert chart.y_of(4) == pytest.approx(200 - PAD_BOTTOM - 0.4 * (200 - PAD_BOTTOM - PAD_TOP), abs=0.05)


@pytest.mark.parametrize(("span", "step"), [(10, 2), (30, 5), (5, 1), (100, 20), (1, 0.2), (0, 1)])
def test_nice_step(span: float, step: float) -> None:
    assert nice_step(span) == pytest.approx(step)


@pytest.mark.parametrize(("value", "text"), [(2, "2"), (2.5, "2.5"), (128.84, "128.8"), (0, "0")])
def test_number_is_short(value: float, text: str) -> None:
    assert number(value) == text


def test_score_range_and_threshold_come_from_the_definition() -> None:
    definitions = load_all()
    assert score_range(definitions["mabra"]) == (0, 10)
    assert alert_threshold(definitions["mabra"]) == 4
    assert score_range(definitions["behov"]) == (0, 48)
    assert alert_threshold(definitions["behov"]) is None
    assert score_range(definitions["viktigt"]) is None
