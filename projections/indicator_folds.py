"""Indicators folded from a plan's records: an indicator's history (`indicator_history`),
and all of them (`indicator_histories`), as known at a moment.

The pure path, for the `(RecordedEvent, PlanEvent)` pairs `PlanService.history` yields (the
rules of `check` and the tests use it); the CLI and the server read the same answers from
the indicator read model (`projections.indicator_queries`). Both end in the same
`projections.indicators.build_history`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from events import RecordedEvent
from pacflow.domain import PlanEvent, PlanState, evolve
from pacflow.domain import events as ev
from pacflow.errors import NotFoundError, no_such_plan
from projections.derived import DoneFact
from projections.done_facts import DONE_FACTS, Standing, done_facts
from projections.indicators import IndicatorHistory, PlanHeader, ValueFact, build_history
from slotted import MutableRecord, mutable_record

Records = Iterable[tuple[RecordedEvent, PlanEvent]]


def indicator_history(
    records: Records,
    indicator: str,
    as_of: datetime | None = None,
    first_period: str | None = None,
    last_period: str | None = None,
    *,
    now: datetime | None = None,
    running: bool = False,
) -> IndicatorHistory:
    """Indicator `indicator` per period, from `first_period` to `last_period` (default: the
    plan's whole period), with targets and values as recorded up to `as_of` (None: now).

    A derived indicator has values for the periods over at `as_of` (else `now`, else the
    last record's time), and with `running` for the period still running too.
    Raises NotFoundError for a plan or indicator unknown at `as_of`, InvalidInputError for a
    period that is not the indicator's or lies outside the plan.
    """
    folded = _fold(records, as_of, indicator)
    definition = folded.state.indicators.get(indicator)
    if definition is None:
        when = " yet" if as_of is not None else ""
        raise NotFoundError(f"indicator {indicator}: unknown{when} in plan {folded.state.key}")
    return build_history(
        folded.header,
        definition,
        folded.values[indicator],
        folded.facts,
        as_of,
        folded.today(as_of or now),
        first_period,
        last_period,
        running=running,
    )


def indicator_histories(
    records: Records,
    as_of: datetime | None = None,
    *,
    now: datetime | None = None,
    running: bool = False,
) -> list[IndicatorHistory]:
    """Every indicator of the plan over the plan's whole period, as known at `as_of`, from
    one fold of the log (what a dashboard or a check needs). NotFoundError for no plan."""
    folded = _fold(records, as_of, None)
    today = folded.today(as_of or now)
    return [
        build_history(
            folded.header,
            definition,
            folded.values[key],
            folded.facts,
            as_of,
            today,
            running=running,
        )
        for key, definition in folded.state.indicators.items()
    ]


@mutable_record
class _Folded(MutableRecord):
    state: PlanState
    values: defaultdict[str, list[ValueFact]]
    facts: list[DoneFact]
    last_recorded: datetime

    @property
    def header(self) -> PlanHeader:
        return PlanHeader(self.state.key, self.state.period)

    def today(self, moment: datetime | None) -> date:
        """The plan's local date at `moment` (default: when the last record was recorded)."""
        return (moment or self.last_recorded).astimezone(ZoneInfo(self.state.timezone)).date()


def _fold(records: Records, as_of: datetime | None, only: str | None) -> _Folded:
    """The plan at `as_of`, the values typed in (for `only` one indicator, if given) and
    the facts done known then."""
    state: PlanState | None = None
    values: defaultdict[str, list[ValueFact]] = defaultdict(list)
    facts: list[DoneFact] = []
    standing: Standing = {}
    last_recorded: datetime | None = None
    for recorded, event in records:
        if as_of is not None and recorded.recorded_at > as_of:
            continue
        state = evolve(state, event)
        last_recorded = recorded.recorded_at
        if isinstance(event, ev.IndicatorValueRecorded | ev.IndicatorValueCorrected):
            if only is None or event.indicator == only:
                values[event.indicator].append(value_fact(recorded, event))
        elif type(event) in DONE_FACTS:
            actor = str(recorded.metadata.get("actor", "unknown"))
            facts += done_facts(
                recorded.position, recorded.recorded_at, actor, event, state, standing
            )
    if state is None or last_recorded is None:
        raise no_such_plan()
    return _Folded(state, values, facts, last_recorded)


def value_fact(
    recorded: RecordedEvent, event: ev.IndicatorValueRecorded | ev.IndicatorValueCorrected
) -> ValueFact:
    """The value or correction `event` records."""
    actor = str(recorded.metadata.get("actor", "unknown"))
    if isinstance(event, ev.IndicatorValueRecorded):
        return ValueFact(
            event.indicator, event.period, event.value, recorded.recorded_at, actor, note=event.note
        )
    return ValueFact(
        event.indicator,
        event.period,
        event.value,
        recorded.recorded_at,
        actor,
        previous=event.previous,
        reason=event.reason,
    )
