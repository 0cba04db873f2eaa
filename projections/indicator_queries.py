"""Reading the indicator facts read model: an indicator's history, or all of a plan's, as
known at a moment, from a few selects on rows kept by `projections.indicator_facts`.

The selects go to the database driver as plain SQL: a CLI call opens a new engine, and
compiling SQLAlchemy statements (and processing each row through its types) cost more
than the database itself. Values come back as each driver gives them (SQLite: text for
dates and times, as SQLAlchemy stored them, in UTC) and are converted here.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pacflow.domain.derivation import Derivation
from pacflow.domain.indicator import Indicator
from pacflow.domain.kinds import Aggregation, Direction, IndicatorKind, Per
from pacflow.domain.periods import PlanPeriod
from pacflow.errors import NotFoundError, no_such_plan
from projections.derived import DoneFact
from projections.driver_rows import DriverRows, driver_rows
from projections.indicators import IndicatorHistory, PlanHeader, ValueFact, build_history

if TYPE_CHECKING:
    import sqlalchemy as sa

_SQLITE_MOMENT = "%Y-%m-%d %H:%M:%S.%f"


def indicator_history_at(
    database: DriverRows | sa.Engine,
    plan: str,
    indicator: str,
    as_of: datetime | None = None,
    first_period: str | None = None,
    last_period: str | None = None,
    *,
    now: datetime,
    running: bool = False,
) -> IndicatorHistory:
    """`projections.indicators.indicator_history`, from the read model; derived values
    count periods over as of `as_of`, else `now` (and with `running`, the current one)."""
    with driver_rows(database) as rows:
        reader = _Reader(rows, plan, as_of)
        header = reader.header()
        known = reader.definitions(indicator)
        if not known:
            when = " yet" if as_of is not None else ""
            raise NotFoundError(f"indicator {indicator}: unknown{when} in plan {plan}")
        definition = known[indicator]
        typed, facts = reader.values_and_facts([definition])
    today = _today(header, as_of or now)
    return build_history(
        header,
        definition,
        typed[indicator],
        facts,
        as_of,
        today,
        first_period,
        last_period,
        running=running,
    )


def indicator_histories_at(
    database: DriverRows | sa.Engine,
    plan: str,
    as_of: datetime | None = None,
    *,
    now: datetime,
    running: bool = False,
) -> tuple[PlanHeader, list[IndicatorHistory]]:
    """The plan and every indicator's history, as `indicator_histories` gives them."""
    with driver_rows(database) as rows:
        reader = _Reader(rows, plan, as_of)
        header = reader.header()
        known = reader.definitions()
        typed, facts = reader.values_and_facts(list(known.values()))
    today = _today(header, as_of or now)
    histories = [
        build_history(header, definition, typed[key], facts, as_of, today, running=running)
        for key, definition in known.items()
    ]
    return header, histories


def _today(header: PlanHeader, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(header.period.timezone)).date()


class _Reader:
    """Selects of one plan's rows known at `as_of`, through the driver's own cursor."""

    def __init__(self, rows: DriverRows, plan: str, as_of: datetime | None) -> None:
        self._cursor = rows.connection.cursor()
        self._sqlite = not rows.postgres
        self._mark = "?" if self._sqlite else "%s"
        self._plan = plan
        self._as_of = as_of

    def _select(
        self, sql: str, where: Sequence[tuple[str, Any]], order: str = "position"
    ) -> list[tuple[Any, ...]]:
        """`sql` with `plan = ?`, the `where` conditions and the as-of filter."""
        conditions = [f"plan = {self._mark}", *(c.replace("?", self._mark) for c, _ in where)]
        parameters: list[Any] = [self._plan, *(p for _, ps in where for p in _listed(ps))]
        if self._as_of is not None:
            conditions.append(f"recorded_at <= {self._mark}")
            parameters.append(self._moment_parameter(self._as_of))
        self._cursor.execute(
            f"{sql} WHERE {' AND '.join(conditions)} ORDER BY {order}", tuple(parameters)
        )
        rows: list[tuple[Any, ...]] = self._cursor.fetchall()
        return rows

    def _moment_parameter(self, moment: datetime) -> Any:
        utc = moment.astimezone(UTC)
        return utc.strftime(_SQLITE_MOMENT) if self._sqlite else utc

    def _moment(self, value: Any) -> datetime:
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        moment: datetime = value
        return moment.astimezone(UTC)

    def _day(self, value: Any) -> date:
        return date.fromisoformat(value) if isinstance(value, str) else value

    def header(self) -> PlanHeader:
        self._cursor.execute(
            'SELECT timezone, start, "end", created_at FROM rm_ind_plans '
            f"WHERE plan = {self._mark}",
            (self._plan,),
        )
        row = self._cursor.fetchone()
        if row is None or (self._as_of is not None and self._moment(row[3]) > self._as_of):
            raise no_such_plan()
        timezone, start, end, _created_at = row
        return PlanHeader(self._plan, PlanPeriod(self._day(start), self._day(end), timezone))

    def definitions(self, only: str | None = None) -> dict[str, Indicator]:
        """Each indicator as last defined at `as_of`, in the order they were first defined,
        with the targets known then."""
        where = [("indicator = ?", only)] if only is not None else []
        found: dict[str, Indicator] = {}
        rows = self._select(
            "SELECT indicator, name, kind, unit, aggregation, direction, owner, per, serves, "
            "derived FROM rm_ind_definitions",
            where,
        )
        for key, name, kind, unit, aggregation, direction, owner, per, serves, derived in rows:
            previous = found.get(key)
            found[key] = Indicator(
                key,
                name,
                IndicatorKind(kind),
                unit,
                Aggregation(aggregation),
                Direction(direction),
                owner,
                Per(per),
                tuple(json.loads(serves)),
                previous.targets if previous is not None else {},
                previous.actuals if previous is not None else {},
                Derivation.from_data(json.loads(derived)) if derived else None,
            )
        if found:
            targets = self._select("SELECT indicator, period, value FROM rm_ind_targets", where)
            for key, period, value in targets:
                if key in found:
                    found[key].targets[period] = Decimal(value)
        return found

    def values_and_facts(
        self, indicators: Sequence[Indicator]
    ) -> tuple[defaultdict[str, list[ValueFact]], list[DoneFact]]:
        """The values typed in for these indicators, and the things done that the derived
        ones among them may count, known at `as_of`, in log order."""
        typed: defaultdict[str, list[ValueFact]] = defaultdict(list)
        keys = {i.key for i in indicators if i.derived is None}
        if keys:
            where = [("indicator = ?", next(iter(keys)))] if len(keys) == 1 else []
            rows = self._select(
                "SELECT indicator, period, value, recorded_at, actor, previous, reason, note "
                "FROM rm_ind_values",
                where,
            )
            for key, period, value, recorded_at, actor, previous, reason, note in rows:
                if key in keys:
                    typed[key].append(
                        ValueFact(
                            key,
                            period,
                            Decimal(value),
                            self._moment(recorded_at),
                            actor,
                            None if previous is None else Decimal(previous),
                            reason,
                            note,
                        )
                    )
        for indicator in indicators:
            for fact in typed.get(indicator.key, ()):
                indicator.actuals[fact.period] = fact.value
        derived = [i.derived for i in indicators if i.derived is not None]
        if not derived:
            return typed, []
        rows = self._select(
            'SELECT position, recorded_at, actor, step, track, target, schedule, "on", '
            "occurrence, on_time, subject, weight FROM rm_ind_done",
            _scope(derived[0]) if len(derived) == 1 else [],
        )
        facts = []
        for position, recorded_at, actor, step, track, target, *rest in rows:
            schedule, on, occurrence, on_time, subject, weight = rest
            facts.append(
                DoneFact(
                    position,
                    self._moment(recorded_at),
                    actor,
                    step,
                    track,
                    target,
                    schedule,
                    self._day(on),
                    bool(occurrence),
                    bool(on_time),
                    subject,
                    int(weight),
                )
            )
        return typed, facts


def _listed(parameter: Any) -> tuple[Any, ...]:
    return tuple(parameter) if isinstance(parameter, tuple) else (parameter,)


def _scope(derivation: Derivation) -> list[tuple[str, Any]]:
    """The rows one derivation may count (`projections.derived.counts` has the last word)."""
    where: list[tuple[str, Any]] = [("occurrence = ?", derivation.counts_occurrences)]
    if derivation.steps:
        marks = ", ".join("?" for _ in derivation.steps)
        where.append((f"step IN ({marks})", tuple(derivation.steps)))
    elif derivation.track is not None:
        where.append(("track = ?", derivation.track))
    else:
        where.append(("target = ?", derivation.target))
    return where
