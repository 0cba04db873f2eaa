"""One indicator's chart for the HTML dashboard: an inline SVG drawn here, no script.

Target as a line, actual as bars (as dots on a line for rates), one band per period of the
plan. The period shown is highlighted, later periods are greyed and carry no actual, and a
corrected value gets a marker (and a dashed tick at the value first recorded) whose
`<title>` tells the earlier value, the new one, when, by whom and why. Every mark has a
`<title>`, so its figures show on hover; the numbers are also in the table next to it.

Coordinates are written with one decimal, so the same figures always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from pacflow.domain.values import Aggregation
from pacflow.reports.html_parts import esc
from pacflow.reports.labels import Labels
from pacflow.reports.text import NOTHING, number
from projections.dashboard import DashboardRow, Status, status_of
from projections.indicators import PeriodFigures

WIDTH, HEIGHT = 720, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 52, 10, 18, 26
_PLOT_W = WIDTH - _LEFT - _RIGHT
_PLOT_H = HEIGHT - _TOP - _BOTTOM
_MAX_LABELS = 16  # beyond this many periods (weeks), only every n-th one is labelled
_RATES = (Aggregation.RATE_PER_PERIOD, Aggregation.RATE_ROLLING_3M)
_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


def is_rate(row: DashboardRow) -> bool:
    """Whether the indicator is a rate (drawn as a line, never summed)."""
    return row.indicator.aggregation in _RATES


def status_class(status: Status) -> str:
    """The CSS class of a status: `st-on_track`."""
    return f"st-{status.name.lower()}"


def status_word(status: Status, labels: Labels) -> str:
    """A status in the page's language."""
    return labels[f"dash.status.{status.name.lower()}"]


def figure(value: Decimal | None, labels: Labels) -> str:
    """A figure as the table and JSON show it (`98.5`; `98,5` in French), or a dash."""
    if value is None:
        return NOTHING
    text = str(value)
    return text.replace(".", ",") if labels.lang == "fr" else text


def percent(value: Decimal | None, labels: Labels) -> str:
    """An attainment: `98.5%` (`98,5 %` in French), or a dash."""
    if value is None:
        return NOTHING
    return figure(value, labels) + ("\u00a0%" if labels.lang == "fr" else "%")


def with_unit(value: Decimal | None, unit: str, labels: Labels) -> str:
    """A figure followed by its unit (`%` for percent, nothing for a count)."""
    if value is None:
        return NOTHING
    if unit == "percent":
        return percent(value, labels)
    return figure(value, labels) + ("" if unit == "count" else f" {unit}")


def period_label(key: str, labels: Labels) -> str:
    """`May 2025` (`mai 2025`) for a month, the key itself for a week or a quarter."""
    if len(key) == 7 and key[4] == "-" and key[5:].isdigit():
        return f"{labels.month(key)} {key[:4]}"
    return key


def shown_index(row: DashboardRow) -> int | None:
    """The position of the period shown among the row's periods (None: none shown)."""
    if row.figures is None:
        return None
    for index, figures in enumerate(row.periods):
        if figures.period == row.figures.period:
            return index
    return None


def correction_lines(figures: PeriodFigures, unit: str, labels: Labels, zone: tzinfo) -> list[str]:
    """Each correction of a period's value: earlier and new value, when, by whom, why."""
    lines = []
    for entry in figures.corrections:
        moment = labels.moment(entry.recorded_at.astimezone(zone))
        change = (
            f"{with_unit(entry.previous, unit, labels)} → {with_unit(entry.value, unit, labels)}"
        )
        why = f" — {entry.reason}" if entry.reason else ""
        lines.append(
            f"{figures.period}: {labels['dash.corrected_on']} {moment} {labels['dash.by']} "
            f"{entry.actor}: {change}{why}"
        )
    return lines


def chart(row: DashboardRow, number_on_page: int, labels: Labels, zone: tzinfo) -> str:
    """The indicator's chart as an inline SVG (`number_on_page` keeps its ids unique)."""
    return _Chart(row, number_on_page, labels, zone).svg()


class _Chart:
    def __init__(self, row: DashboardRow, number_on_page: int, labels: Labels, zone: tzinfo):
        self.row = row
        self.t = labels
        self.zone = zone
        self.ident = f"chart-{number_on_page}"
        self.periods = row.periods
        self.cut = shown_index(row)
        self.rate = is_rate(row)
        self.band = _PLOT_W / max(len(self.periods), 1)
        self.low, self.high, self.ticks = _scale(self._values(), include_zero=not self.rate)

    def _visible(self, index: int) -> bool:
        """Whether the actual of period `index` is shown (later periods carry none)."""
        return self.cut is None or index <= self.cut

    def _values(self) -> list[Decimal]:
        values = [f.target for f in self.periods if f.target is not None]
        values += [
            f.actual
            for i, f in enumerate(self.periods)
            if f.actual is not None and self._visible(i)
        ]
        values += [
            entry.previous
            for i, f in enumerate(self.periods)
            if self._visible(i)
            for entry in f.corrections
            if entry.previous is not None
        ]
        return values

    def x(self, index: int) -> float:
        return _LEFT + self.band * (index + 0.5)

    def y(self, value: Decimal) -> float:
        share = (value - self.low) / (self.high - self.low)
        return _TOP + _PLOT_H * (1 - float(share))

    def svg(self) -> str:
        title, desc = self._words()
        parts = [
            f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-labelledby="{self.ident}-t {self.ident}-d">',
            f'<title id="{self.ident}-t">{esc(title)}</title>',
            f'<desc id="{self.ident}-d">{esc(desc)}</desc>',
            self._bands(),
            self._grid(),
            self._targets(),
            self._actuals(),
            self._corrections(),
            self._axis(),
            "</svg>",
        ]
        return "".join(part for part in parts if part)

    def _words(self) -> tuple[str, str]:
        t, row = self.t, self.row
        definition = row.indicator
        title = f"{definition.key} — {definition.name}: {t['dash.chart']}"
        how = t["dash.chart.line" if self.rate else "dash.chart.bars"]
        unit = definition.unit
        sentences = [f"{how[:1].upper()}{how[1:]} ({unit})."]
        if self.periods:
            sentences.append(f"{self.periods[0].period} → {self.periods[-1].period}.")
        if row.figures is not None:
            figures = row.figures
            sentences.append(
                f"{t['dash.period_shown']} {figures.period}: {t['dash.actual']} "
                f"{with_unit(figures.actual, unit, t)}, {t['dash.target']} "
                f"{with_unit(figures.target, unit, t)}, {status_word(row.status, t)}."
            )
        for index, figures in enumerate(self.periods):
            if self._visible(index):
                sentences += [f"{line}." for line in correction_lines(figures, unit, t, self.zone)]
        return title, " ".join(sentences)

    def _bands(self) -> str:
        parts = []
        top, height = _TOP - 4, _PLOT_H + 4
        if self.cut is not None:
            left = _LEFT + self.band * self.cut
            parts.append(
                f'<rect class="shown" x="{left:.1f}" y="{top}" width="{self.band:.1f}" '
                f'height="{height}"><title>{esc(self.t["dash.legend.shown"])}</title></rect>'
            )
            later = len(self.periods) - self.cut - 1
            if later > 0:
                left += self.band
                parts.append(
                    f'<rect class="later" x="{left:.1f}" y="{top}" '
                    f'width="{self.band * later:.1f}" height="{height}">'
                    f"<title>{esc(self.t['dash.legend.later'])}</title></rect>"
                )
        return "".join(parts)

    def _grid(self) -> str:
        parts = []
        right = WIDTH - _RIGHT
        for tick in self.ticks:
            y = self.y(tick)
            parts.append(
                f'<line class="grid{" zero" if tick == 0 else ""}" x1="{_LEFT}" y1="{y:.1f}" '
                f'x2="{right}" y2="{y:.1f}"/>'
                f'<text class="yl" x="{_LEFT - 6}" y="{y + 4:.1f}">'
                f"{esc(self._tick_text(tick))}</text>"
            )
        return "".join(parts)

    def _tick_text(self, tick: Decimal) -> str:
        text = number(tick) if tick else "0"
        return text.replace(".", ",") if self.t.lang == "fr" else text

    def _targets(self) -> str:
        t, unit = self.t, self.row.indicator.unit
        points = [(i, f.target) for i, f in enumerate(self.periods) if f.target is not None]
        parts = [
            f'<polyline class="tline" points="{_points(run)}"/>'
            for run in _runs([(i, self.x(i), self.y(v)) for i, v in points])
            if len(run) > 1
        ]
        for index, value in points:
            label = f"{self.periods[index].period} — {t['dash.target']} {with_unit(value, unit, t)}"
            parts.append(
                f'<circle class="tpt" cx="{self.x(index):.1f}" cy="{self.y(value):.1f}" r="3">'
                f"<title>{esc(label)}</title></circle>"
            )
        return "".join(parts)

    def _actuals(self) -> str:
        known = [
            (i, f, f.actual)
            for i, f in enumerate(self.periods)
            if f.actual is not None and self._visible(i)
        ]
        parts = []
        if self.rate:
            coordinates = [(i, self.x(i), self.y(actual)) for i, _, actual in known]
            parts += [
                f'<polyline class="aline" points="{_points(run)}"/>'
                for run in _runs(coordinates)
                if len(run) > 1
            ]
        for index, figures, actual in known:
            css = status_class(status_of(figures.attainment))
            title = f"<title>{esc(self._tooltip(figures))}</title>"
            x, y = self.x(index), self.y(actual)
            if self.rate:
                parts.append(
                    f'<circle class="pt {css}" cx="{x:.1f}" cy="{y:.1f}" r="4.5">{title}</circle>'
                )
                continue
            zero = self.y(Decimal(0))
            width = self.band * 0.56
            top, height = min(y, zero), max(abs(zero - y), 1.0)
            parts.append(
                f'<rect class="abar {css}" x="{x - width / 2:.1f}" y="{top:.1f}" '
                f'width="{width:.1f}" height="{height:.1f}">{title}</rect>'
            )
        return "".join(parts)

    def _tooltip(self, figures: PeriodFigures) -> str:
        t, unit = self.t, self.row.indicator.unit
        words = [
            f"{figures.period} — {t['dash.actual']} {with_unit(figures.actual, unit, t)}",
            f"{t['dash.target']} {with_unit(figures.target, unit, t)}",
            f"{t['dash.gap']} {figure(figures.gap, t)}",
        ]
        if figures.cumulative is not None and self.row.indicator.aggregation is not (
            Aggregation.CUMULATIVE_YTD
        ):
            words.append(f"{t['dash.cumulative']} {figure(figures.cumulative, t)}")
        words += [
            f"{t['dash.attainment']} {percent(figures.attainment, t)}",
            status_word(status_of(figures.attainment), t),
        ]
        if figures.corrected:
            words.append(t["dash.corrected"])
        return " · ".join(words)

    def _corrections(self) -> str:
        parts = []
        unit = self.row.indicator.unit
        for index, figures in enumerate(self.periods):
            if not figures.corrections or figures.actual is None or not self._visible(index):
                continue
            x = self.x(index)
            tops = [self.y(figures.actual)]
            ticks = ""
            half = self.band * 0.36
            for entry in figures.corrections:
                if entry.previous is None:
                    continue
                y = self.y(entry.previous)
                tops.append(y)
                ticks += (
                    f'<line class="was" x1="{x - half:.1f}" y1="{y:.1f}" '
                    f'x2="{x + half:.1f}" y2="{y:.1f}"/>'
                )
            top = max(min(tops) - 12, 6.0)
            title = "\n".join(correction_lines(figures, unit, self.t, self.zone))
            parts.append(
                f'<g class="corr" data-period="{esc(figures.period)}"><title>{esc(title)}</title>'
                f"{ticks}"
                f'<path d="M{x:.1f} {top - 6:.1f}l6 6l-6 6l-6-6z"/></g>'
            )
        return "".join(parts)

    def _axis(self) -> str:
        count = len(self.periods)
        every = -(-count // _MAX_LABELS) if count > _MAX_LABELS else 1
        bottom = _TOP + _PLOT_H
        parts = [f'<line class="axis" x1="{_LEFT}" y1="{bottom}" x2="{WIDTH - _RIGHT}" '
                 f'y2="{bottom}"/>']  # fmt: skip
        years = {figures.period[:4] for figures in self.periods}
        for index, figures in enumerate(self.periods):
            if index % every and index != self.cut:
                continue
            css = "xl"
            if index == self.cut:
                css += " shown"
            elif self.cut is not None and index > self.cut:
                css += " later"
            text = self._tick_label(figures.period, multi_year=len(years) > 1)
            parts.append(
                f'<text class="{css}" x="{self.x(index):.1f}" y="{HEIGHT - 8}">{esc(text)}</text>'
            )
        return "".join(parts)

    def _tick_label(self, key: str, *, multi_year: bool) -> str:
        if len(key) == 7 and key[4] == "-" and key[5:].isdigit():
            label = self.t.month(key)
            return f"{label} {key[2:4]}" if multi_year and key.endswith("-01") else label
        return key[5:] if len(key) > 5 else key


def _runs(
    coordinates: Sequence[tuple[int, float, float]],
) -> list[list[tuple[float, float]]]:
    """Points of consecutive periods, split where a period has no value."""
    runs: list[list[tuple[float, float]]] = []
    previous = -2
    for index, x, y in coordinates:
        if index != previous + 1:
            runs.append([])
        runs[-1].append((x, y))
        previous = index
    return runs


def _points(run: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in run)


def _scale(
    values: Sequence[Decimal], *, include_zero: bool
) -> tuple[Decimal, Decimal, list[Decimal]]:
    """Low and high ends of the value axis, on round ticks (about four of them)."""
    if not values:
        return Decimal(0), Decimal(1), [Decimal(0), Decimal(1)]
    low, high = min(values), max(values)
    if include_zero:
        low, high = min(low, Decimal(0)), max(high, Decimal(0))
    elif low == high:
        low, high = low - 1, high + 1
    else:
        pad = (high - low) / 8
        low, high = low - pad, high + pad
        if min(values) >= 0:
            low = max(low, Decimal(0))
    if low == high:
        high = low + 1
    step = _step(high - low)
    first = (low / step).to_integral_value(ROUND_FLOOR) * step
    last = (high / step).to_integral_value(ROUND_CEILING) * step
    ticks = []
    tick = first
    while tick <= last:
        ticks.append(tick)
        tick += step
    return first, last, ticks


def _step(span: Decimal) -> Decimal:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving at most four intervals."""
    wanted = span / 4
    power = Decimal(10) ** wanted.adjusted()  # the power of ten at or just below `wanted`
    return next(base * power for base in _STEPS if base * power >= wanted)


__all__ = [
    "HEIGHT",
    "WIDTH",
    "chart",
    "correction_lines",
    "figure",
    "is_rate",
    "percent",
    "period_label",
    "shown_index",
    "status_class",
    "status_word",
    "with_unit",
]
