"""Indicator actuals from a CRM export: a whole month's figures in one safe command.

The file is a CSV table in one of two shapes:

- long: one value per line, columns `indicator`, `period`, `value` (and `note`), or only
  `period` and `value` when the command names the indicator;
- wide: a `period` column and one column per indicator, headed by its key (`I1;I2;…`);
  an empty cell records nothing.

Each line becomes what it means for the plan as it stands: a value recorded for a period
that has none; nothing at all for the value it already has (so re-running the same import
records nothing); a correction for a different value, only when a reason is given (a
correction always carries one). Every line is checked against the plan before anything is
recorded, and the commands go into one append: all of the file, or nothing. An error names
`FILE:LINE:COLUMN`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pacflow.app.tables import Row, Table, fold_name, read_table
from pacflow.errors import InvalidInputError, PacflowError
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from pacflow.app.root import App
    from pacflow.domain import Command, PlanState
    from pacflow.domain.values import Per
    from pacflow.service import Outcome

INDICATOR_HEADERS = ("indicator", "indicateur", "kpi", "code")
PERIOD_HEADERS = ("period", "periode", "mois", "month", "trimestre", "quarter", "date")
VALUE_HEADERS = ("value", "valeur", "actual", "realise", "montant", "amount")
NOTE_HEADERS = ("note", "commentaire", "comment", "source")
FIELDS = ("indicator", "period", "value", "note")

Action = Literal["record", "correct", "unchanged"]

_MONTH = (re.compile(r"(\d{4})[-/.](\d{1,2})"), re.compile(r"(\d{1,2})[-/.](\d{4})"))
_QUARTER = (
    re.compile(r"(\d{4})[- ]?[QT]([1-4])", re.IGNORECASE),
    re.compile(r"[QT]([1-4])[- ]?(\d{4})", re.IGNORECASE),
)
_DAY = (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"))


def read_period(text: str, per: Per) -> str:
    """A period as CRM exports write it, as a plan key: `2026-01`, `01/2026` → `2026-01`;
    `2026-Q1`, `T1 2026` (trimestre) → `2026-Q1`; a date → the indicator's period holding
    it. Anything else is returned as typed, for the plan to refuse in its own words."""
    from pacflow.domain.values import period_key

    value = text.strip()
    try:
        if match := _DAY[0].fullmatch(value):
            return period_key(date(int(match[1]), int(match[2]), int(match[3])), per)
        if match := _DAY[1].fullmatch(value):
            return period_key(date(int(match[3]), int(match[2]), int(match[1])), per)
    except ValueError:
        return value
    if match := _QUARTER[0].fullmatch(value):
        return f"{match[1]}-Q{match[2]}"
    if match := _QUARTER[1].fullmatch(value):
        return f"{match[2]}-Q{match[1]}"
    if match := _MONTH[0].fullmatch(value):
        return f"{match[1]}-{int(match[2]):02d}"
    if match := _MONTH[1].fullmatch(value):
        return f"{match[2]}-{int(match[1]):02d}"
    return value


@frozen_record
class ActualLine(FrozenValue):
    """What one value of the file does to the plan."""

    line: int
    indicator: str
    period: str
    value: Decimal
    action: Action
    previous: Decimal | None = None
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "indicator": self.indicator,
            "period": self.period,
            "value": str(self.value),
            "action": self.action,
            "previous": str(self.previous) if self.previous is not None else None,
            "note": self.note,
        }


@frozen_record
class ActualsImport(FrozenValue):
    """What an import recorded (or, in a dry run, would record), line by line."""

    plan: str
    file: str
    dry_run: bool
    lines: list[ActualLine]
    outcome: Outcome

    def count(self, action: Action) -> int:
        return sum(1 for line in self.lines if line.action == action)

    def as_json(self) -> dict[str, Any]:
        from pacflow.app.changes import outcome_json

        return {
            "plan": self.plan,
            "file": self.file,
            "dry_run": self.dry_run,
            "recorded": self.count("record"),
            "corrected": self.count("correct"),
            "unchanged": self.count("unchanged"),
            "lines": [line.as_json() for line in self.lines],
            "events": outcome_json(self.outcome, dry_run=self.dry_run)["events"],
        }


@frozen_record
class _Cell(FrozenValue):
    row: Row
    indicator: str
    indicator_column: int | None
    period: str
    period_column: int
    value: str
    value_column: int
    note: str | None


def import_actuals(
    app: App,
    plan: str,
    data: bytes,
    *,
    name: str,
    actor: str,
    reason: str | None = None,
    indicator: str | None = None,
    columns: Mapping[str, str] | None = None,
    delimiter: str | None = None,
    dry_run: bool = False,
    source: str = "import",
) -> ActualsImport:
    """Record the actuals of a CSV file (see the module docstring); `name` is how errors
    name the file, `columns` maps a field (indicator, period, value, note) to a header."""
    mapping = dict(columns or {})
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise InvalidInputError(
            f"--column {unknown[0]}=…: expected one of {', '.join(FIELDS)}", subject=unknown[0]
        )
    table = read_table(data, name, delimiter=delimiter)
    service = app.service(source)
    state = service.latest(plan)
    cells = _cells(table, state, indicator, mapping)
    lines, commands = _decide_lines(table, state, cells, actor=actor, reason=reason)
    outcome = service.execute_all(plan, commands, dry_run=dry_run)
    return ActualsImport(plan, name, dry_run, lines, outcome)


def _cells(
    table: Table, state: PlanState, indicator: str | None, mapping: dict[str, str]
) -> list[_Cell]:
    period = table.column("period", PERIOD_HEADERS, mapping, required=True)
    assert period is not None
    note = table.column("note", NOTE_HEADERS, mapping, required=False)
    value = table.column("value", VALUE_HEADERS, mapping, required=False)
    named = table.column("indicator", INDICATOR_HEADERS, mapping, required=False)
    if value is not None:  # long: one value per line
        if named is None and indicator is None:
            table.column("indicator", INDICATOR_HEADERS, mapping, required=True)
        if named is not None and indicator is not None:
            raise InvalidInputError(
                f"{table.name}: the file has an indicator column; --indicator would be ignored"
            )
        return [
            _Cell(
                row,
                indicator or row.get(named),
                named,
                row.get(period),
                period,
                row.get(value),
                value,
                row.get(note) or None,
            )
            for row in table.rows
        ]
    if indicator is not None or named is not None:
        table.column("value", VALUE_HEADERS, mapping, required=True)
    return _wide_cells(table, state, period, note)


def _wide_cells(table: Table, state: PlanState, period: int, note: int | None) -> list[_Cell]:
    """One cell per indicator column of each line (a wide table: `period;I1;I2;…`)."""
    keys = {fold_name(key): key for key in state.indicators}
    columns: list[tuple[int, str]] = []
    for index, header in enumerate(table.header):
        if index in (period, note) or not header:
            continue
        key = keys.get(fold_name(header))
        if key is None:
            raise InvalidInputError(
                f"{table.name}:{table.header_line}:{index + 1}: column {header!r} is not an "
                f"indicator of plan {state.key} (a wide file has a period column and one "
                "column per indicator key; a long one, indicator, period and value columns)"
            )
        columns.append((index, key))
    if not columns:
        raise InvalidInputError(
            f"{table.name}:{table.header_line}: no value column (value, or one column per "
            "indicator key)"
        )
    return [
        _Cell(row, key, None, row.get(period), period, row.get(index), index, row.get(note) or None)
        for row in table.rows
        for index, key in columns
        if row.get(index)
    ]


def _decide_lines(
    table: Table,
    state: PlanState,
    cells: list[_Cell],
    *,
    actor: str,
    reason: str | None,
) -> tuple[list[ActualLine], list[Command]]:
    """What each cell means for the plan, checked by the decider as it would be recorded
    (one cell after the other, on the plan as the earlier cells leave it)."""
    from pacflow.domain import build_command, decide
    from pacflow.domain.commands import CorrectIndicatorValue, RecordIndicatorValue
    from pacflow.domain.folding import Draft

    draft = Draft(state)
    lines: list[ActualLine] = []
    commands: list[Command] = []
    seen: dict[tuple[str, str], tuple[int, Decimal]] = {}
    for cell in cells:
        row = cell.row
        where_indicator = table.where(row, cell.indicator_column)
        if not cell.indicator:
            raise InvalidInputError(f"{where_indicator}: no indicator")
        current = draft.state
        assert current is not None
        indicator = current.indicators.get(cell.indicator)
        if indicator is None:
            raise InvalidInputError(
                f"{where_indicator}: indicator {cell.indicator!r}: unknown in plan {state.key}",
                code="not-found",
                subject=cell.indicator,
            )
        period = read_period(cell.period, indicator.per)
        fields = {
            "plan": state.key,
            "actor": actor,
            "indicator": indicator.key,
            "period": period,
            "value": cell.value,
        }
        try:
            command: Command = build_command(RecordIndicatorValue, {**fields, "note": cell.note})
        except InvalidInputError as error:
            raise error.prefixed(table.where(row, cell.value_column)) from None
        assert isinstance(command, RecordIndicatorValue)
        value = command.value
        earlier = seen.get((indicator.key, period))
        if earlier is not None and earlier[1] != value:
            raise InvalidInputError(
                f"{table.where(row, cell.value_column)}: {indicator.key} {period} is "
                f"{earlier[1]} on line {earlier[0]} and {value} here",
                code="conflicting-lines",
            )
        seen[(indicator.key, period)] = (row.line, value)
        previous = indicator.actuals.get(period)
        action: Action = "record"
        if previous is not None and previous != value:
            if reason is None:
                raise InvalidInputError(
                    f"{table.where(row, cell.value_column)}: {indicator.key} {period} already "
                    f"has the value {previous}, the file says {value}; give --reason to "
                    "record the file's values as corrections",
                    code="value-already-recorded",
                    subject=indicator.key,
                )
            command = build_command(CorrectIndicatorValue, {**fields, "reason": reason})
            action = "correct"
        elif previous is not None:
            action = "unchanged"
        try:
            events = decide(current, command)
        except PacflowError as error:
            column = cell.period_column if "period" in error.message else cell.value_column
            raise error.prefixed(table.where(row, column)) from None
        for event in events:
            draft.apply(event)
        if events:
            commands.append(command)
        line = ActualLine(row.line, indicator.key, period, value, action, previous, cell.note)
        lines.append(line)
    return lines, commands
