"""An indicator's history, bitemporally: per period, its target and actual as known at a moment.

Valid time is the period a value measures (`2025-03`); transaction time is when the value,
a correction or a target was recorded. `indicator_history(records, "I7", as_of=...)` folds
only what was recorded up to `as_of`, so "what did we know about March on 1 May" and "what
do we know now" (`as_of=None`) are the same question asked at two moments.

How figures combine follows the indicator's aggregation:

- `per_period`: each period's value stands alone; `cumulative` is the running sum of the
  year's values (and `cumulative_target` of its targets).
- `cumulative_ytd`: values and targets are year-to-date figures (as billing and CRM report
  them, and as the worked example records them: I7 for March is 730, January to March),
  so `cumulative` is the value itself and `period_value` is what the period added.
- `rate_per_period`, `rate_rolling_3m`: values are rates; they are compared as they are
  and never summed (`cumulative` is None).

A derived indicator (counted from visits held, steps done on time…, see
`projections.derived`) has no typed value: its actual for a period is the count of the
facts recorded up to `as_of`, marked `derived`; a period over with nothing counted is 0.

`gap` (écart) is signed so that positive is good: actual - target for an indicator where
up is better, target - actual where down is better. `attainment` is actual ÷ target in
percent (target ÷ actual where down is better), None when the divisor is zero.

Pure: `build_history` makes the history from the values and facts known at a moment, as
the indicator read model gives them (`projections.indicator_queries`) or a fold of the
plan's records does (`projections.indicator_folds`). Nothing here imports the domain's
models, so that the dashboard and `indicator history` start as fast as `plan show`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import field
from datetime import date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pacflow.domain.indicator import Indicator
from pacflow.domain.kinds import Aggregation, Direction
from pacflow.domain.periods import PlanPeriod, require_period_in
from pacflow.errors import InvalidInputError
from projections.derived import DoneFact, derived_actuals
from projections.periods import plan_periods
from slotted import FrozenValue, MutableRecord, frozen_record, mutable_record

_TENTH = Decimal("0.1")
_HUNDRED = Decimal(100)


@frozen_record
class Entry(FrozenValue):
    """A value as it was recorded or corrected: when, by whom, and the words that went with it."""

    value: Decimal
    recorded_at: datetime
    actor: str
    previous: Decimal | None = None
    reason: str | None = None
    note: str | None = None

    def as_json(self, zone: tzinfo) -> dict[str, Any]:
        """JSON-ready data; `local_time` is in `zone` (the plan's)."""
        data: dict[str, Any] = {
            "value": self.value,
            "recorded_at": self.recorded_at,
            "local_time": self.recorded_at.astimezone(zone).isoformat(),
            "actor": self.actor,
        }
        if self.previous is not None:
            data.update(previous=self.previous, reason=self.reason)
        elif self.note is not None:
            data["note"] = self.note
        return data


@frozen_record
class PeriodFigures(FrozenValue):
    """One period of an indicator: target, actual, gap, cumulative, attainment, provenance."""

    period: str
    target: Decimal | None
    actual: Decimal | None
    gap: Decimal | None
    cumulative: Decimal | None
    cumulative_target: Decimal | None
    period_value: Decimal | None
    attainment: Decimal | None
    recorded: Entry | None
    corrections: tuple[Entry, ...]
    derived: bool = False
    """The actual was counted from events (None `recorded`: nothing counted, period over)."""

    @property
    def corrected(self) -> bool:
        """Whether the value shown differs from the one first recorded."""
        return bool(self.corrections)

    def as_json(self, zone: tzinfo) -> dict[str, Any]:
        """JSON-ready data, times in UTC and in `zone` (`derived: true` on counted values)."""
        data: dict[str, Any] = {
            "period": self.period,
            "target": self.target,
            "actual": self.actual,
            "gap": self.gap,
            "cumulative": self.cumulative,
            "cumulative_target": self.cumulative_target,
            "period_value": self.period_value,
            "attainment_pct": self.attainment,
            "corrected": self.corrected,
            "recorded": self.recorded.as_json(zone) if self.recorded else None,
            "corrections": [c.as_json(zone) for c in self.corrections],
        }
        if self.derived:
            data["derived"] = True
        return data


@frozen_record
class IndicatorHistory(FrozenValue):
    """An indicator's definition and its periods, as known at `as_of` (None: now)."""

    plan: str
    timezone: str
    indicator: Indicator
    as_of: datetime | None
    periods: tuple[PeriodFigures, ...]

    def as_json(self, zone: tzinfo) -> dict[str, Any]:
        """JSON-ready data for the whole history (with `derived` for a derived indicator)."""
        definition = self.indicator
        data: dict[str, Any] = {
            "plan": self.plan,
            "indicator": definition.key,
            "name": definition.name,
            "kind": definition.kind,
            "unit": definition.unit,
            "aggregation": definition.aggregation,
            "direction": definition.direction,
            "per": definition.per,
            "as_of": self.as_of,
            "periods": [figures.as_json(zone) for figures in self.periods],
        }
        if definition.derived is not None:
            data["derived"] = {
                **definition.derived.as_data(),
                "description": definition.derived.describe(),
            }
        return data


@frozen_record
class ValueFact(FrozenValue):
    """A value typed in for a period, or its correction (`previous` set), as recorded."""

    indicator: str
    period: str
    value: Decimal
    recorded_at: datetime
    actor: str
    previous: Decimal | None = None
    reason: str | None = None
    note: str | None = None


@frozen_record
class PlanHeader(FrozenValue):
    """What histories need of a plan: its key and its period (dates and time zone)."""

    key: str
    period: PlanPeriod


@mutable_record
class _Known(MutableRecord):
    """What the log says about one period's value so far (no `recorded`: a derived 0)."""

    recorded: Entry | None
    corrections: list[Entry] = field(default_factory=list)

    @property
    def value(self) -> Decimal:
        if self.corrections:
            return self.corrections[-1].value
        return self.recorded.value if self.recorded is not None else Decimal(0)


def build_history(
    plan: PlanHeader,
    definition: Indicator,
    values: Iterable[ValueFact],
    facts: Sequence[DoneFact],
    as_of: datetime | None,
    today: date,
    first_period: str | None = None,
    last_period: str | None = None,
    *,
    running: bool = False,
) -> IndicatorHistory:
    """The history of `definition` (as known at `as_of`, with its targets then) from the
    values typed in and the facts done known then, in log order; `today` (the plan's local
    date at the moment asked about) tells which periods are over, `running` whether derived
    values show the period still running (see `projections.derived`)."""
    periods = _periods(plan.period, definition, first_period, last_period)
    known = _known(plan.period, definition, values, facts, today, running)
    figures = _figures(plan.period, definition, known)
    if len(periods) < len(figures):
        wanted = set(periods)
        figures = [f for f in figures if f.period in wanted]
    return IndicatorHistory(plan.key, plan.period.timezone, definition, as_of, tuple(figures))


def _known(
    plan: PlanPeriod,
    definition: Indicator,
    values: Iterable[ValueFact],
    facts: Sequence[DoneFact],
    today: date,
    running: bool,
) -> dict[str, _Known]:
    """Each period's value: typed in and corrected, or counted for a derived indicator."""
    known: dict[str, _Known] = {}
    if definition.derived is not None:
        counted = derived_actuals(
            definition.derived,
            definition.aggregation,
            definition.per,
            plan.start,
            plan.end,
            facts,
            today,
            running,
        )
        for period, found in counted.items():
            last = found.last
            entry = Entry(found.value, last.recorded_at, last.actor) if last is not None else None
            known[period] = _Known(entry)
        return known
    for fact in values:
        if fact.previous is None:
            entry = Entry(fact.value, fact.recorded_at, fact.actor, note=fact.note)
            known[fact.period] = _Known(entry)
        elif fact.period in known:
            correction = Entry(fact.value, fact.recorded_at, fact.actor, fact.previous, fact.reason)
            known[fact.period].corrections.append(correction)
    return known


def _periods(
    plan: PlanPeriod, indicator: Indicator, first: str | None, last: str | None
) -> list[str]:
    what = f"indicator {indicator.key}"
    for option, period in (("--from", first), ("--to", last)):
        if period is not None:
            require_period_in(plan, indicator.per, period, option, what)
    every = [key for key, _first, _last in plan_periods(plan.start, plan.end, indicator.per)]
    start = every.index(first) if first is not None else 0
    end = every.index(last) if last is not None else len(every) - 1
    if start > end:
        raise InvalidInputError(f"{what}: --from {first} is after --to {last}")
    return every[start : end + 1]


def _figures(
    plan: PlanPeriod, indicator: Indicator, known: dict[str, _Known]
) -> list[PeriodFigures]:
    """Every period of the plan, in order (running sums need the year's earlier periods)."""
    rows: list[PeriodFigures] = []
    year = ""
    running = running_target = Decimal(0)
    previous: Decimal | None = None  # the actual of the period before, if known
    derived = indicator.derived is not None
    for period, _first, _last in plan_periods(plan.start, plan.end, indicator.per):
        first_of_year = period[:4] != year
        if first_of_year:  # year to date: sums start again each year
            year, running, running_target = period[:4], Decimal(0), Decimal(0)
        target = indicator.targets.get(period)
        entry = known.get(period)
        actual = entry.value if entry is not None else None
        cumulative = cumulative_target = period_value = None
        if indicator.aggregation is Aggregation.PER_PERIOD:
            running += actual or 0
            running_target += target or 0
            cumulative = running if actual is not None else None
            cumulative_target = running_target if target is not None else None
        elif indicator.aggregation is Aggregation.CUMULATIVE_YTD:
            cumulative, cumulative_target = actual, target
            if actual is not None and first_of_year:
                period_value = actual
            elif actual is not None and previous is not None:
                period_value = actual - previous
        previous = actual
        rows.append(
            PeriodFigures(
                period=period,
                target=target,
                actual=actual,
                gap=_gap(actual, target, indicator.direction),
                cumulative=cumulative,
                cumulative_target=cumulative_target,
                period_value=period_value,
                attainment=_attainment(actual, target, indicator.direction),
                recorded=entry.recorded if entry is not None else None,
                corrections=tuple(entry.corrections) if entry is not None else (),
                derived=derived and entry is not None,
            )
        )
    return rows


def _gap(actual: Decimal | None, target: Decimal | None, direction: Direction) -> Decimal | None:
    if actual is None or target is None:
        return None
    return actual - target if direction is Direction.UP else target - actual


def _attainment(
    actual: Decimal | None, target: Decimal | None, direction: Direction
) -> Decimal | None:
    if actual is None or target is None:
        return None
    part, whole = (actual, target) if direction is Direction.UP else (target, actual)
    if whole == 0:
        return None
    return (part * _HUNDRED / whole).quantize(_TENTH, rounding=ROUND_HALF_UP)
