"""How `indicator history` prints: an aligned table with correction notes, or CSV.

Times are shown in the plan's time zone; empty cells are figures not known (no target, no
value yet, or a sum that does not apply to the indicator's aggregation). A value counted
from events (a derived indicator) is marked DERIVED_MARK.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, tzinfo
from decimal import Decimal

from pacflow.cli.render import table
from projections.indicators import Entry, IndicatorHistory, PeriodFigures

DERIVED_MARK = "†"

_HEADERS = ("period", "target", "actual", "gap", "cumulative", "attainment", "corrected")
_CSV_HEADERS = (
    "period",
    "target",
    "actual",
    "gap",
    "cumulative",
    "cumulative_target",
    "period_value",
    "attainment_pct",
    "corrected",
    "recorded_at",
    "recorded_by",
    "first_value",
    "corrected_at",
    "corrected_by",
    "correction_reason",
)


def _local(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _cell(value: Decimal | None) -> str:
    return "-" if value is None else str(value)


def _actual(figures: PeriodFigures) -> str:
    return _cell(figures.actual) + (DERIVED_MARK if figures.derived else "")


def _marker(figures: PeriodFigures, zone: tzinfo) -> str:
    if not figures.corrections:
        return ""
    return f"* {_local(figures.corrections[-1].recorded_at, zone)}"


def _note(period: str, correction: Entry, zone: tzinfo) -> str:
    return (
        f"* {period}: {correction.previous} → {correction.value}, corrected "
        f"{_local(correction.recorded_at, zone)} by {correction.actor} — {correction.reason}"
    )


def render_table(history: IndicatorHistory, zone: tzinfo) -> str:
    """A title, the period table, and one note per correction (what, when, who, why)."""
    indicator = history.indicator
    better = "higher" if indicator.direction == "up" else "lower"
    known = (
        f"As known at {_local(history.as_of, zone)} {history.timezone}"
        if history.as_of is not None
        else "As known now"
    )
    lines = [
        f"{history.plan} {indicator.key} — {indicator.name} ({indicator.unit}, "
        f"{indicator.aggregation}, {better} is better)",
        known,
        "",
    ]
    rows = [
        (
            figures.period,
            _cell(figures.target),
            _actual(figures),
            _cell(figures.gap),
            _cell(figures.cumulative),
            "-" if figures.attainment is None else f"{figures.attainment}%",
            _marker(figures, zone),
        )
        for figures in history.periods
    ]
    lines.append(table(rows, _HEADERS))
    notes = [
        _note(figures.period, correction, zone)
        for figures in history.periods
        for correction in figures.corrections
    ]
    if indicator.derived is not None:
        notes.insert(
            0,
            f"{DERIVED_MARK} counted from events, not typed in: {indicator.derived.describe()}",
        )
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def render_csv(history: IndicatorHistory, zone: tzinfo) -> str:
    """One row per period; empty cells for figures not known."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_CSV_HEADERS)

    def text(value: object) -> str:
        return "" if value is None else str(value)

    for figures in history.periods:
        recorded, last = figures.recorded, (figures.corrections or (None,))[-1]
        writer.writerow(
            [
                figures.period,
                text(figures.target),
                text(figures.actual),
                text(figures.gap),
                text(figures.cumulative),
                text(figures.cumulative_target),
                text(figures.period_value),
                text(figures.attainment),
                "yes" if figures.corrected else "no",
                _local(recorded.recorded_at, zone) if recorded else "",
                recorded.actor if recorded else "",
                text(recorded.value) if recorded else "",
                _local(last.recorded_at, zone) if last else "",
                last.actor if last else "",
                text(last.reason) if last else "",
            ]
        )
    return buffer.getvalue().rstrip("\n")
