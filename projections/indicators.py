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

`gap` (écart) is signed so that positive is good: actual - target for an indicator where
up is better, target - actual where down is better. `attainment` is actual ÷ target in
percent (target ÷ actual where down is better), None when the divisor is zero.

Pure: it folds the `(RecordedEvent, PlanEvent)` pairs `PlanService.history` yields.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from events import RecordedEvent
from pacflow.domain import PlanEvent, PlanState, evolve
from pacflow.domain import events as ev
from pacflow.domain.rules import require_indicator_period
from pacflow.domain.state import Indicator
from pacflow.domain.values import Aggregation, Direction, periods_between
from pacflow.errors import InvalidInputError, NotFoundError

Records = Iterable[tuple[RecordedEvent, PlanEvent]]
_TENTH = Decimal("0.1")
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Entry:
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


@dataclass(frozen=True, slots=True)
class PeriodFigures:
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

    @property
    def corrected(self) -> bool:
        """Whether the value shown differs from the one first recorded."""
        return bool(self.corrections)

    def as_json(self, zone: tzinfo) -> dict[str, Any]:
        """JSON-ready data, times in UTC and in `zone`."""
        return {
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


@dataclass(frozen=True, slots=True)
class IndicatorHistory:
    """An indicator's definition and its periods, as known at `as_of` (None: now)."""

    plan: str
    timezone: str
    indicator: Indicator
    as_of: datetime | None
    periods: tuple[PeriodFigures, ...]

    def as_json(self, zone: tzinfo) -> dict[str, Any]:
        """JSON-ready data for the whole history."""
        definition = self.indicator
        return {
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


@dataclass(slots=True)
class _Known:
    """What the log says about one period's value so far."""

    recorded: Entry
    corrections: list[Entry] = field(default_factory=list)

    @property
    def value(self) -> Decimal:
        return self.corrections[-1].value if self.corrections else self.recorded.value


def indicator_history(
    records: Records,
    indicator: str,
    as_of: datetime | None = None,
    first_period: str | None = None,
    last_period: str | None = None,
) -> IndicatorHistory:
    """Indicator `indicator` per period, from `first_period` to `last_period` (default: the
    plan's whole period), with targets and values as recorded up to `as_of` (None: now).

    Raises NotFoundError for a plan or indicator unknown at `as_of`, InvalidInputError for a
    period that is not the indicator's or lies outside the plan.
    """
    state, known = _fold(records, as_of, indicator)
    definition = state.indicators.get(indicator)
    if definition is None:
        when = " yet" if as_of is not None else ""
        raise NotFoundError(f"indicator {indicator}: unknown{when} in plan {state.key}")
    periods = _periods(state, definition, first_period, last_period)
    figures = [f for f in _figures(state, definition, known[indicator]) if f.period in periods]
    return IndicatorHistory(state.key, state.timezone, definition, as_of, tuple(figures))


def indicator_histories(records: Records, as_of: datetime | None = None) -> list[IndicatorHistory]:
    """Every indicator of the plan over the plan's whole period, as known at `as_of`, from
    one fold of the log (what a dashboard or a check needs). NotFoundError for no plan."""
    state, known = _fold(records, as_of, None)
    return [
        IndicatorHistory(
            state.key,
            state.timezone,
            definition,
            as_of,
            tuple(_figures(state, definition, known[key])),
        )
        for key, definition in state.indicators.items()
    ]


def _fold(
    records: Records, as_of: datetime | None, only: str | None
) -> tuple[PlanState, defaultdict[str, dict[str, _Known]]]:
    """The plan at `as_of` and the values known then, per indicator (`only` one, if given)."""
    state: PlanState | None = None
    known: defaultdict[str, dict[str, _Known]] = defaultdict(dict)
    for recorded, event in records:
        if as_of is not None and recorded.recorded_at > as_of:
            continue
        state = evolve(state, event)
        key = getattr(event, "indicator", None)
        if key is not None and (only is None or key == only):
            _note_value(known[key], recorded, event)
    if state is None:
        raise NotFoundError("no such plan (see `pacflow plan list`)")
    return state, known


def _note_value(known: dict[str, _Known], recorded: RecordedEvent, event: PlanEvent) -> None:
    actor = str(recorded.metadata.get("actor", "unknown"))
    if isinstance(event, ev.IndicatorValueRecorded):
        entry = Entry(event.value, recorded.recorded_at, actor, note=event.note)
        known[event.period] = _Known(entry)
    elif isinstance(event, ev.IndicatorValueCorrected) and event.period in known:
        correction = Entry(event.value, recorded.recorded_at, actor, event.previous, event.reason)
        known[event.period].corrections.append(correction)


def _periods(
    state: PlanState, indicator: Indicator, first: str | None, last: str | None
) -> list[str]:
    what = f"indicator {indicator.key}"
    for option, period in (("--from", first), ("--to", last)):
        if period is not None:
            require_indicator_period(state, indicator, period, option, what)
    every = periods_between(state.start, state.end, indicator.per)
    start = every.index(first) if first is not None else 0
    end = every.index(last) if last is not None else len(every) - 1
    if start > end:
        raise InvalidInputError(f"{what}: --from {first} is after --to {last}")
    return every[start : end + 1]


def _figures(
    state: PlanState, indicator: Indicator, known: dict[str, _Known]
) -> list[PeriodFigures]:
    """Every period of the plan, in order (running sums need the year's earlier periods)."""
    rows: list[PeriodFigures] = []
    year = ""
    running = running_target = Decimal(0)
    previous: Decimal | None = None  # the actual of the period before, if known
    for period in periods_between(state.start, state.end, indicator.per):
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
