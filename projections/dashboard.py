"""The commercial dashboard: every indicator of a plan for one period, as known at a moment.

Figures come from `projections.indicators` (target, actual, gap, cumulative, attainment);
this module picks the period, adds a trend and a status.

Status rule, on the period's attainment (already direction-aware: for an indicator where
lower is better it is target ÷ actual):

- `on track`: attainment ≥ ON_TRACK_PCT (100 %);
- `at risk`: attainment ≥ AT_RISK_PCT (90 %);
- `off track`: below that;
- `no data`: no actual or no target for the period (or a zero divisor).

The trend is a sparkline of the attainment of the last TREND_PERIODS periods up to the one
shown (a blank where it is unknown), scaled between the lowest and highest of them.

Default period: the last period with an actual value typed in, among all indicators, as
known at the moment asked about (derived indicators count theirs as visits are held, so
the current period would always win; they decide only when no value was typed in).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pacflow.domain.indicator import Indicator
from pacflow.domain.kinds import IndicatorKind, Per
from pacflow.domain.periods import period_bounds, period_key
from pacflow.errors import InvalidInputError
from projections.indicators import (
    IndicatorHistory,
    PeriodFigures,
    PlanHeader,
)
from slotted import FrozenValue, frozen_record

ON_TRACK_PCT = Decimal(100)
AT_RISK_PCT = Decimal(90)
TREND_PERIODS = 6
_BARS = "▁▂▃▄▅▆▇█"


class Status(enum.StrEnum):
    """Where an indicator stands against its target for a period."""

    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"
    NO_DATA = "no data"


def status_of(attainment: Decimal | None) -> Status:
    """The status the documented rule gives an attainment in percent."""
    if attainment is None:
        return Status.NO_DATA
    if attainment >= ON_TRACK_PCT:
        return Status.ON_TRACK
    if attainment >= AT_RISK_PCT:
        return Status.AT_RISK
    return Status.OFF_TRACK


def sparkline(values: Sequence[Decimal | None]) -> str:
    """One bar per value, scaled between the lowest and highest known; blanks for unknowns."""
    known = [value for value in values if value is not None]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    top = len(_BARS) - 1
    bars = []
    for value in values:
        if value is None:
            bars.append(" ")
        elif high == low:
            bars.append(_BARS[top // 2])
        else:
            bars.append(_BARS[round((value - low) * top / (high - low))])
    return "".join(bars)


@frozen_record
class DashboardRow(FrozenValue):
    """One indicator on the dashboard: its figures for the period, trend and status.

    `periods` is the indicator's whole history as known then (every period of the plan,
    later ones included), for the charts of the HTML dashboard.
    """

    indicator: Indicator
    figures: PeriodFigures | None
    trend: str
    status: Status
    periods: tuple[PeriodFigures, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        figures = self.figures
        definition = self.indicator
        return {
            "indicator": definition.key,
            "name": definition.name,
            "kind": definition.kind,
            "unit": definition.unit,
            "direction": definition.direction,
            "aggregation": definition.aggregation,
            "period": figures.period if figures else None,
            "target": figures.target if figures else None,
            "actual": figures.actual if figures else None,
            "gap": figures.gap if figures else None,
            "cumulative": figures.cumulative if figures else None,
            "cumulative_target": figures.cumulative_target if figures else None,
            "attainment_pct": figures.attainment if figures else None,
            "corrected": figures.corrected if figures else False,
            "trend": self.trend,
            "status": self.status,
            **({"derived": True} if definition.derived is not None else {}),
        }


@frozen_record
class Dashboard(FrozenValue):
    """Every indicator of a plan for one period, as known at `as_of` (None: now)."""

    plan: str
    timezone: str
    period: str | None
    as_of: datetime | None
    rows: tuple[DashboardRow, ...]

    def group(self, kind: IndicatorKind) -> list[DashboardRow]:
        """The rows of one kind of indicator (activity or result), in definition order."""
        return [row for row in self.rows if row.indicator.kind is kind]

    def as_json(self) -> dict[str, Any]:
        """JSON-ready data, grouped by kind."""
        return {
            "plan": self.plan,
            "period": self.period,
            "as_of": self.as_of,
            "rule": {"on_track_pct": ON_TRACK_PCT, "at_risk_pct": AT_RISK_PCT},
            **{kind.value: [row.as_json() for row in self.group(kind)] for kind in IndicatorKind},
        }


def dashboard_of(
    plan: PlanHeader,
    histories: Sequence[IndicatorHistory],
    as_of: datetime | None = None,
    period: str | None = None,
) -> Dashboard:
    """The dashboard of a plan from its indicators' histories (as known at `as_of`)."""
    start, end = plan.period.start, plan.period.end
    last_day = _last_day(period, start, end) if period else _latest_with_actual(histories)
    rows = tuple(_row(history, last_day) for history in histories)
    shown = period or (period_key(last_day, Per.MONTH) if last_day else None)
    return Dashboard(plan.key, plan.period.timezone, shown, as_of, rows)


def _last_day(period: str, start: date, end: date) -> date:
    """The last day of `period` (a month, week or quarter key), checked against the plan."""
    for per in (Per.MONTH, Per.QUARTER, Per.WEEK):
        try:
            first, last = period_bounds(period, per, "--period")
        except InvalidInputError:
            continue
        if last < start or first > end:
            raise InvalidInputError(
                f"--period {period}: outside the plan period {start.isoformat()}.."
                f"{end.isoformat()}",
                code="outside-plan",
            )
        return min(last, end)
    raise InvalidInputError(
        f"--period {period!r}: expected a month such as 2025-06 (or 2025-Q2, 2025-W24)"
    )


def _latest_with_actual(histories: Sequence[IndicatorHistory]) -> date | None:
    typed = [history for history in histories if history.indicator.derived is None]
    return _latest_of(typed) or _latest_of(histories)


def _latest_of(histories: Sequence[IndicatorHistory]) -> date | None:
    latest: date | None = None
    for history in histories:
        per = history.indicator.per
        for figures in reversed(history.periods):  # periods are in order: the last one wins
            if figures.actual is not None:
                last = period_bounds(figures.period, per)[1]
                latest = last if latest is None else max(latest, last)
                break
    return latest


def _row(history: IndicatorHistory, last_day: date | None) -> DashboardRow:
    periods = history.periods
    index = _index_of(history, last_day)
    if index is None:
        return DashboardRow(history.indicator, None, sparkline([]), Status.NO_DATA, periods)
    figures = periods[index]
    window = periods[max(0, index - TREND_PERIODS + 1) : index + 1]
    trend = sparkline([f.attainment for f in window])
    status = status_of(figures.attainment)
    return DashboardRow(history.indicator, figures, trend, status, periods)


def _index_of(history: IndicatorHistory, last_day: date | None) -> int | None:
    if last_day is None:
        return None
    wanted = period_key(last_day, history.indicator.per)
    for index, figures in enumerate(history.periods):
        if figures.period == wanted:
            return index
    return None
