"""Values of derived indicators, counted from what was done: visits and sessions held, steps
done on time (see `pacflow.domain.derivation`).

A `DoneFact` is one such event as the projections keep it: when it was recorded and by
whom (transaction time), the day it was done (valid time), and where it belongs (step,
track, target, the step's schedule then, and for a step whether it was done by its due
date). `projections.done_facts` makes them from events, for the pure fold of
`projections.indicator_folds` and for the indicator read model
(`projections.indicator_facts`); `derived_actuals` turns those recorded up to a moment into
the values of one derived indicator per period. This module does not import the domain's
models: reads from the read model count facts already made.

A period's value is known once the period is over (then it may be 0). A period still
running has no value unless `running` is asked for: then its value is what was counted so
far, if anything (what `indicator history` shows as the visits come in; rules that judge a
period, such as "off track", want periods over only). For a `cumulative_ytd` indicator the
value is the count since the start of the year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from pacflow.domain.derivation import Derivation
from pacflow.domain.kinds import Aggregation, Per
from pacflow.domain.periods import period_key
from projections.periods import plan_periods
from slotted import FrozenValue, frozen_record


@frozen_record
class DoneFact(FrozenValue):
    """A visit or session held (`occurrence`), or a step done: what derivations count.

    `subject` is the occurrence's key or the step's. `weight` is 1 for a completion and -1
    for its withdrawal (a reopen, or the old date of a corrected one): a withdrawal repeats
    the fact it withdraws, so every derivation that counted the one counts the other.
    """

    position: int
    recorded_at: datetime
    actor: str
    step: str
    track: str
    target: str | None
    schedule: str
    on: date
    occurrence: bool
    on_time: bool = False
    subject: str = ""
    weight: int = 1


def withdrawal(fact: DoneFact, position: int, recorded_at: datetime, actor: str) -> DoneFact:
    """The fact that takes `fact` back, recorded at `position`."""
    return replace(fact, position=position, recorded_at=recorded_at, actor=actor, weight=-1)


def counts(derivation: Derivation, fact: DoneFact) -> bool:
    """Whether `derivation` counts `fact`."""
    if fact.occurrence != derivation.counts_occurrences:
        return False
    if not fact.occurrence and not fact.on_time:
        return False
    return derivation.covers(fact.step, fact.track, fact.target, fact.schedule)


@frozen_record
class DerivedValue(FrozenValue):
    """A derived indicator's value for a period, and the last fact counted in it (None: a
    period over with nothing counted)."""

    value: Decimal
    last: DoneFact | None


def derived_actuals(
    derivation: Derivation,
    aggregation: Aggregation,
    per: Per,
    start: date,
    end: date,
    facts: Iterable[DoneFact],
    today: date,
    running: bool = False,
) -> dict[str, DerivedValue]:
    """The values of a derived indicator per period of `start..end`, from `facts` (those
    known at the moment asked about, in log order); `today` tells which periods are over,
    `running` whether a period not over yet shows what was counted in it so far."""
    per_period: dict[str, tuple[int, DoneFact | None]] = {}
    for fact in facts:
        if counts(derivation, fact):
            period = period_key(fact.on, per)
            number, _last = per_period.get(period, (0, fact))
            per_period[period] = (number + fact.weight, fact)
    values: dict[str, DerivedValue] = {}
    year = ""
    total = 0
    last: DoneFact | None = None
    for period, first_day, last_day in plan_periods(start, end, per):
        if period[:4] != year:
            year, total, last = period[:4], 0, None
        number, latest = per_period.get(period, (0, None))
        if latest is not None:
            last = latest
        total += number
        if aggregation is Aggregation.CUMULATIVE_YTD:
            if last_day < today or (running and (number or (first_day <= today and total))):
                values[period] = DerivedValue(Decimal(total), last)
        elif last_day < today or (running and number):
            values[period] = DerivedValue(Decimal(number), latest)
    return values
