"""A line chart of scores over time as SVG coordinates, so a template can draw it without any script."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from portal.questionnaires.services.definitions import Definition

PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40.0, 24.0, 40.0, 36.0  # the top holds the y axis name
MAX_TICKS = 6


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    when: datetime
    value: float

    @property
    def label(self) -> str:
        return number(self.value)


@dataclass(frozen=True)
class Tick:
    y: float
    value: float

    @property
    def label(self) -> str:
        return number(self.value)


@dataclass(frozen=True)
class XLabel:
    x: float
    when: datetime
    anchor: str  # SVG text-anchor: start, middle or end


@dataclass(frozen=True)
class Chart:
    """Where everything goes in a `width` × `height` viewBox; the plot area sits inside the padding."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    y_min: float
    y_max: float
    points: tuple[ChartPoint, ...]
    polyline: str
    y_ticks: tuple[Tick, ...]
    x_labels: tuple[XLabel, ...]

    def y_of(self, value: float) -> float:
        """The SVG y of a value (larger values higher up), kept inside the plot area."""
        share = (min(max(value, self.y_min), self.y_max) - self.y_min) / ((self.y_max - self.y_min) or 1)
        return round(self.bottom - share * (self.bottom - self.top), 1)


def nice_step(span: float, max_ticks: int = MAX_TICKS) -> float:
    """A round gridline step (1, 2 or 5 times a power of ten) giving at most `max_ticks` intervals."""
    if span <= 0:
        return 1.0
    raw = span / max_ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(f * power for f in (1, 2, 5, 10) if f * power >= raw)


def number(value: float) -> str:
    """'2', '2.5': a value as short as it can be written."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def line_chart(points: list[tuple[datetime, float]], y_min: float, y_max: float, width: int = 640,
               height: int = 240) -> Chart:
    """Coordinates for values over time: x by date, y upwards from `y_min`; one point sits in the middle."""
    left, right, top, bottom = PAD_LEFT, width - PAD_RIGHT, PAD_TOP, height - PAD_BOTTOM
    chart = Chart(width, height, left, right, top, bottom, y_min, y_max, (), "", (), ())
    ordered = sorted(points, key=lambda p: p[0])
    seconds = (ordered[-1][0] - ordered[0][0]).total_seconds() if ordered else 0.0

    def x_of(when: datetime) -> float:
        if not seconds:
            return round((left + right) / 2, 1)
        return round(left + (when - ordered[0][0]).total_seconds() / seconds * (right - left), 1)

    placed = tuple(ChartPoint(x_of(when), chart.y_of(value), when, value) for when, value in ordered)
    step = nice_step(y_max - y_min)
    ticks = tuple(Tick(chart.y_of(y_min + n * step), y_min + n * step)
                  for n in range(int((y_max - y_min) / step + 1e-9) + 1))
    labels: tuple[XLabel, ...] = ()
    if placed and seconds:
        labels = (XLabel(placed[0].x, placed[0].when, "start"), XLabel(placed[-1].x, placed[-1].when, "end"))
    elif placed:
        labels = (XLabel(placed[0].x, placed[0].when, "middle"),)
    polyline = " ".join(f"{number(p.x)},{number(p.y)}" for p in placed)
    return Chart(width, height, left, right, top, bottom, y_min, y_max, placed, polyline, ticks, labels)


def score_range(defn: Definition) -> tuple[int, int] | None:
    """The lowest and highest score a form can give (the chart's y axis), or None when it has no score."""
    return defn.score_range()


def alert_threshold(defn: Definition) -> int | None:
    """The lowest score that raises an alert, drawn as a dashed line; None when no alert looks at the score."""
    limits = [rule.when.score_min for rule in defn.alerts if rule.when.score_min is not None]
    return min(limits) if limits else None
