"""Visit reports from a CRM export: a month of visits held (or not) in one safe command.

Each line of the CSV file reports one visit: which one, the day it was held, whether it was
held, and why not. "Which one" is said the way a CRM can say it:

- an occurrence key (`S08@2026-03-10`), as `visit list` shows it;
- or a step (its key or title) and a date;
- or a person (key, name or e-mail) and a customer (the target's title or reference, or
  words of the step's title or location) and a date.

A line given by date is matched to the step's visit on that day, else the nearest one still
to be held within `tolerance` days (a rep rarely goes on the exact day pacflow picked); a
visit already claimed by an earlier line is not matched twice. A visit held that matches no
planned one is an extra visit of its step (as `visit record`) only when the caller allows
it; otherwise it is reported as unmatched, with every other unmatched line, and nothing is
recorded.

What a line does to the plan: a visit marked held on that day (or not held, cancelled with
the line's reason, else the caller's); nothing when the plan already says so, so running the
same import again records nothing; a held date that differs from the one recorded is a
correction only when the caller gives a reason. Every line is checked against the plan as
the earlier lines leave it, and all the commands go into one append: the whole file, or
nothing. Errors name `FILE:LINE:COLUMN`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import field, replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Literal

from pacflow.app.tables import Row, Table, read_table
from pacflow.errors import InvalidInputError, NotFoundError, PacflowError
from slotted import FrozenValue, MutableRecord, frozen_record, mutable_record

if TYPE_CHECKING:
    from pacflow.app.root import App
    from pacflow.domain import Command, PlanState
    from pacflow.domain.state import Occurrence, Step
    from pacflow.service import Outcome

HEADERS: dict[str, tuple[str, ...]] = {
    "occurrence": ("occurrence", "visit", "visite", "visit_key", "occurrence_key", "cle", "key"),
    "step": ("step", "etape", "step_key"),
    "person": ("person", "personne", "rep", "commercial", "responsable", "owner", "vendeur"),
    "customer": ("customer", "client", "account", "compte", "company", "societe", "title"),
    "date": ("date", "held_on", "date_visite", "visit_date", "jour", "day", "le"),
    "held": ("held", "tenue", "status", "statut", "etat", "done", "realisee", "resultat"),
    "reason": ("reason", "motif", "raison", "cause", "comment", "commentaire", "note"),
}
"""Each field of a visit report and the headers (folded) that hold it, in English and
French; `--column FIELD=HEADER` names another."""
FIELDS = tuple(HEADERS)

DEFAULT_TOLERANCE = 3
"""Days between a visit's planned day and the day it was reported held, still matched."""

_Columns = dict[str, int | None]
"""Where each field is in the table (None: the file has no such column)."""

Action = Literal["held", "not-held", "extra", "correct", "unchanged"]

_YES = {"yes", "y", "oui", "o", "true", "1", "x", "held", "done", "tenue", "tenu", "realisee",
        "realise", "fait", "faite", "effectuee", "effectue", "ok"}  # fmt: skip
_NO = {"no", "n", "non", "false", "0", "not held", "not done", "cancelled", "canceled",
       "annulee", "annule", "non tenue", "non tenu", "non realisee", "non realise",
       "pas tenue", "absent", "ko"}  # fmt: skip

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2}))?")
_FRENCH = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?: (\d{1,2})[:h](\d{2}))?")


def _words(text: str) -> str:
    """`text` as compared with a customer: no accents, no case, words split on anything
    that is not a letter or digit."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def read_day(text: str, where: str) -> tuple[date, time | None]:
    """A day as CRMs write it (`2026-03-10`, `10/03/2026`, with ` 14:00` or `T14:00`)."""
    value = text.strip()
    match = _ISO.fullmatch(value)
    parts = (match[1], match[2], match[3]) if match else None
    if match is None and (match := _FRENCH.fullmatch(value)):
        parts = (match[3], match[2], match[1])
    try:
        if match is not None and parts is not None:
            day = date(int(parts[0]), int(parts[1]), int(parts[2]))
            at = time(int(match[4]), int(match[5])) if match[4] else None
            return day, at
    except ValueError:
        pass
    raise InvalidInputError(
        f"{where}: date {value!r}: expected a day such as 2026-03-10 or 10/03/2026 "
        "(a time may follow: 2026-03-10 14:00)",
        code="invalid-date",
    )


def read_held(text: str, where: str) -> bool:
    """Whether a visit was held, as a CRM's status column says it (yes/no, oui/non,
    réalisée/annulée…)."""
    value = _words(text)
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise InvalidInputError(
        f"{where}: held {text.strip()!r}: expected yes or no (oui/non, held/not held, "
        "réalisée/annulée)",
        code="invalid-held",
    )


@frozen_record
class VisitLine(FrozenValue):
    """What one line of the file does to the plan."""

    line: int
    occurrence: str
    step: str
    day: date | None
    action: Action
    matched_by: str
    previous: date | None = None
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "occurrence": self.occurrence,
            "step": self.step,
            "date": self.day.isoformat() if self.day else None,
            "action": self.action,
            "matched_by": self.matched_by,
            "previous": self.previous.isoformat() if self.previous else None,
            "reason": self.reason,
        }


@frozen_record
class VisitsImport(FrozenValue):
    """What an import recorded (or, in a dry run, would record), line by line."""

    plan: str
    file: str
    dry_run: bool
    lines: list[VisitLine]
    outcome: Outcome

    def count(self, *actions: Action) -> int:
        return sum(1 for line in self.lines if line.action in actions)

    def as_json(self) -> dict[str, Any]:
        from pacflow.app.changes import outcome_json

        return {
            "plan": self.plan,
            "file": self.file,
            "dry_run": self.dry_run,
            "held": self.count("held"),
            "not_held": self.count("not-held"),
            "extra": self.count("extra"),
            "corrected": self.count("correct"),
            "unchanged": self.count("unchanged"),
            "lines": [line.as_json() for line in self.lines],
            "events": outcome_json(self.outcome, dry_run=self.dry_run)["events"],
        }


@mutable_record
class _Matching(MutableRecord):
    """The plan as the earlier lines leave it, and what they claimed."""

    table: Table
    state: PlanState
    today: date
    tolerance: int
    extra: bool
    reason: str | None
    actor: str
    claimed: set[str] = field(default_factory=set)
    unmatched: list[str] = field(default_factory=list)


def import_visits(
    app: App,
    plan: str,
    data: bytes,
    *,
    name: str,
    actor: str,
    reason: str | None = None,
    columns: Mapping[str, str] | None = None,
    delimiter: str | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
    extra: bool = False,
    dry_run: bool = False,
    source: str = "import",
) -> VisitsImport:
    """Record the visit reports of a CSV file (see the module docstring); `name` is how
    errors name the file, `columns` maps a field (see `FIELDS`) to a header."""
    from pacflow.app.moments import local_date

    mapping = dict(columns or {})
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise InvalidInputError(
            f"--column {unknown[0]}=…: expected one of {', '.join(FIELDS)}", subject=unknown[0]
        )
    if tolerance < 0:
        raise InvalidInputError(
            f"--tolerance {tolerance}: expected a number of days, 0 or more", subject="tolerance"
        )
    table = read_table(data, name, delimiter=delimiter)
    service = app.service(source)
    state = service.latest(plan)
    found = _columns(table, mapping)
    matching = _Matching(
        table, state, local_date(app.now(), state.timezone), tolerance, extra, reason, actor
    )
    lines, commands = _decide_lines(matching, found)
    outcome = service.execute_all(plan, commands, dry_run=dry_run)
    return VisitsImport(plan, name, dry_run, lines, outcome)


def _columns(table: Table, mapping: dict[str, str]) -> _Columns:
    found = {
        field_name: table.column(field_name, aliases, mapping, required=False)
        for field_name, aliases in HEADERS.items()
    }
    which = ("occurrence", "step", "customer", "person")
    if all(found[name] is None for name in which):
        raise InvalidInputError(
            f"{table.name}:{table.header_line}: no column says which visit (an occurrence "
            "key such as S08@2026-03-10, a step, or a person and a customer; --column "
            f"FIELD=HEADER names one; the header has {', '.join(table.header)})",
            code="no-visit-column",
        )
    if found["occurrence"] is None:
        table.column("date", HEADERS["date"], mapping, required=True)
    return found


def _decide_lines(matching: _Matching, columns: _Columns) -> tuple[list[VisitLine], list[Command]]:
    """What each line means for the plan, checked by the decider as it would be recorded
    (one line after the other, on the plan as the earlier lines leave it)."""
    from pacflow.domain import decide
    from pacflow.domain.corrections import refuse_future_progress
    from pacflow.domain.folding import Draft

    draft = Draft(matching.state)
    lines: list[VisitLine] = []
    commands: list[Command] = []
    table = matching.table
    for row in table.rows:
        current = draft.state
        assert current is not None
        matching.state = current
        decided = _line(matching, columns, row)
        if decided is None:
            continue
        line, command = decided
        if command is None:
            lines.append(line)
            continue
        where = table.where(row, columns["date"] or columns["occurrence"])
        try:
            events = decide(current, command)
            refuse_future_progress(events, matching.today)
        except PacflowError as error:
            raise error.prefixed(where) from None
        for event in events:
            draft.apply(event)
        commands.append(command)
        if line.action == "extra":  # the key the new occurrence was given
            line = _with_key(line, events[0])
        lines.append(line)
    if matching.unmatched:
        shown = "; ".join(matching.unmatched[:5])
        more = len(matching.unmatched) - 5
        count = len(matching.unmatched)
        raise NotFoundError(
            f"{count} line{'s' if count != 1 else ''} match no visit of plan "
            f"{matching.state.key}: {shown}{f'; and {more} more' if more > 0 else ''}",
            code="unmatched-visits",
        )
    return lines, commands


def _with_key(line: VisitLine, event: Any) -> VisitLine:
    return replace(line, occurrence=event.occurrences[0].key)


def _line(
    matching: _Matching, columns: _Columns, row: Row
) -> tuple[VisitLine, Command | None] | None:
    """The line's visit and the command recording it (None: already so); None for an
    unmatched line (noted in `matching.unmatched`)."""
    table, state = matching.table, matching.state
    where = table.where
    day: date | None = None
    at: time | None = None
    if row.get(columns["date"]):
        day, at = read_day(row.get(columns["date"]), where(row, columns["date"]))
    held = True
    if columns["held"] is not None:
        held = read_held(row.get(columns["held"]), where(row, columns["held"]))
    note = row.get(columns["reason"]) or None
    person = _person(state, row.get(columns["person"]), where(row, columns["person"]))
    key_text = row.get(columns["occurrence"])
    if key_text:
        occurrence = _by_key(state, key_text, where(row, columns["occurrence"]))
        if person is not None and not _involves(state, occurrence, person):
            raise InvalidInputError(
                f"{where(row, columns['person'])}: {person} has no part in step "
                f"{occurrence.step} ({occurrence.key})",
                code="not-their-visit",
                subject=person,
            )
        matching.claimed.add(occurrence.key)
        return _report(matching, row, occurrence, day, held, note, "key")
    if day is None:
        raise InvalidInputError(
            f"{where(row, columns['date'])}: no date (the day the visit was held, or was "
            "to be held)",
            code="no-date",
        )
    steps = _steps(matching, columns, row, person)
    found = _nearest(matching, steps, day, held, where(row, None))
    if found is not None:
        occurrence, distance = found
        matching.claimed.add(occurrence.key)
        how = "date" if distance == 0 else f"date ±{distance}d"
        return _report(matching, row, occurrence, day, held, note, how)
    if held and matching.extra and len(steps) == 1:
        return _extra(matching, row, steps[0], day, at, note)
    said = f"{'held' if held else 'not held'} {day.isoformat()}"
    candidates = ", ".join(step.key for step in steps)
    matching.unmatched.append(
        f"{where(row, None)} ({said}: no visit of {candidates} within "
        f"{matching.tolerance} days)"
    )
    return None


def _person(state: PlanState, text: str, where: str) -> str | None:
    if not text:
        return None
    wanted = _words(text)
    for person in state.people.values():
        names = {_words(person.key), _words(person.name), _words(person.email or "")}
        if wanted in names:
            return person.key
    raise NotFoundError(
        f"{where}: person {text!r}: nobody of plan {state.key} has that key, name or e-mail",
        subject=text,
    )


def _by_key(state: PlanState, text: str, where: str) -> Occurrence:
    from pacflow.domain.steps import find_occurrence

    try:
        return find_occurrence(state, text)
    except PacflowError as error:
        raise error.prefixed(where) from None


def _involves(state: PlanState, occurrence: Occurrence, person: str) -> bool:
    step = state.steps[occurrence.step]
    return person in (step.responsible, *step.participants, occurrence.held_by)


def _visit_steps(state: PlanState) -> list[Step]:
    return [step for step in state.steps.values() if step.occurrences]


def _steps(matching: _Matching, columns: _Columns, row: Row, person: str | None) -> list[Step]:
    """The steps a line may be about: the one its step column names (key or title), else
    the visit steps of its person that its customer column names."""
    state, table = matching.state, matching.table
    step_text = row.get(columns["step"])
    if step_text:
        step = state.steps.get(step_text) or next(
            (s for s in state.steps.values() if _words(s.title) == _words(step_text)), None
        )
        if step is None:
            raise NotFoundError(
                f"{table.where(row, columns['step'])}: step {step_text!r}: no step of plan "
                f"{state.key} has that key or title",
                subject=step_text,
            )
        return [step]
    steps = _visit_steps(state)
    if person is not None:
        steps = [s for s in steps if person in (s.responsible, *s.participants)]
    customer = row.get(columns["customer"])
    if customer:
        steps = [s for s in steps if _names(state, s, customer)]
    if not steps:
        said = " and ".join(
            f"{what} {text!r}"
            for what, text in (("person", person), ("customer", customer))
            if text
        )
        raise NotFoundError(
            f"{table.where(row, columns['customer'] or columns['person'])}: no step with "
            f"visits matches {said or 'this line'} in plan {state.key}",
            code="no-visit-step",
        )
    return steps


def _names(state: PlanState, step: Step, customer: str) -> bool:
    """Whether a CRM's customer cell names this step: its target's title or reference
    exactly, or words of the step's title or location."""
    wanted = _words(customer)
    if not wanted:
        return False
    target_key = state.tracks[step.track].target
    target = state.targets.get(target_key) if target_key else None
    exact = {_words(step.key)}
    if target is not None:
        exact |= {_words(target.key), _words(target.title), _words(target.ref or "")}
    if wanted in exact:
        return True
    return any(f" {wanted} " in f" {_words(text)} " for text in (step.title, step.location or ""))


def _nearest(
    matching: _Matching, steps: list[Step], day: date, held: bool, where: str
) -> tuple[Occurrence, int] | None:
    """The visit a dated line reports: one already recorded so on that day (a re-run);
    else the nearest one still to be held within the tolerance, not claimed by an earlier
    line. Equally near visits of two steps are ambiguous."""
    from pacflow.domain.values import OccurrenceStatus

    state = matching.state
    occurrences = [
        state.occurrences[key]
        for step in steps
        for key in step.occurrences
        if key not in matching.claimed
    ]
    for occurrence in occurrences:
        if held and occurrence.status is OccurrenceStatus.DONE and occurrence.done_on == day:
            return occurrence, 0
        if (
            not held
            and occurrence.status is OccurrenceStatus.CANCELLED
            and day in (occurrence.start.date(), occurrence.scheduled_start.date())
        ):
            return occurrence, 0
    open_ones = [
        (_distance(occurrence, day), occurrence.start, occurrence)
        for occurrence in occurrences
        if occurrence.status in (OccurrenceStatus.PLANNED, OccurrenceStatus.MOVED)
    ]
    near = sorted((item for item in open_ones if item[0] <= matching.tolerance), key=_order)
    if not near:
        return None
    best = near[0]
    rivals = {item[2].step for item in near if item[0] == best[0]}
    if len(rivals) > 1:
        raise InvalidInputError(
            f"{where}: visits of {', '.join(sorted(rivals))} are as near to "
            f"{day.isoformat()}; add a step column (or an occurrence key) to say which",
            code="ambiguous-visit",
        )
    return best[2], best[0]


def _order(item: tuple[int, datetime, Occurrence]) -> tuple[int, datetime]:
    return item[0], item[1]


def _distance(occurrence: Occurrence, day: date) -> int:
    """Days between `day` and the visit's day (where it stands now, or where it was first
    scheduled, whichever is nearer)."""
    return min(
        abs((occurrence.start.date() - day).days),
        abs((occurrence.scheduled_start.date() - day).days),
    )


def _report(
    matching: _Matching,
    row: Row,
    occurrence: Occurrence,
    day: date | None,
    held: bool,
    note: str | None,
    how: str,
) -> tuple[VisitLine, Command | None]:
    """The command a matched line records, or None if the plan already says so."""
    from pacflow.domain import build_command
    from pacflow.domain.commands import (
        CancelOccurrence,
        CompleteOccurrence,
        CorrectOccurrenceDone,
    )
    from pacflow.domain.values import OccurrenceStatus

    state, table = matching.state, matching.table
    fields: dict[str, Any] = {"plan": state.key, "actor": matching.actor}
    fields["occurrence"] = occurrence.key
    line = VisitLine(row.line, occurrence.key, occurrence.step, day, "held", how)
    status = occurrence.status
    if not held:
        reason = note or matching.reason
        line = VisitLine(row.line, occurrence.key, occurrence.step, day, "not-held", how)
        if status is OccurrenceStatus.CANCELLED:
            return _unchanged(line), None
        if reason is None:
            raise InvalidInputError(
                f"{table.where(row, None)}: {occurrence.key} was not held: say why (a "
                "reason column, or --reason for every such line)",
                code="reason-required",
                subject=occurrence.key,
            )
        return _with(line, reason=reason), build_command(
            CancelOccurrence, {**fields, "reason": reason}
        )
    if status is OccurrenceStatus.DONE and occurrence.done_on is not None:
        if day is None or day == occurrence.done_on:
            return _unchanged(_with(line, day=occurrence.done_on)), None
        if matching.reason is None:
            raise InvalidInputError(
                f"{table.where(row, None)}: {occurrence.key} was held on "
                f"{occurrence.done_on.isoformat()}, the file says {day.isoformat()}; give "
                "--reason to record the file's dates as corrections",
                code="already-held",
                subject=occurrence.key,
            )
        correct = {**fields, "on": day, "reason": matching.reason}
        line = _with(line, action="correct", previous=occurrence.done_on)
        return line, build_command(CorrectOccurrenceDone, correct)
    on = day if day is not None else occurrence.start.date()
    line = _with(line, day=on, reason=note)
    return line, build_command(CompleteOccurrence, {**fields, "on": on, "reason": note})


def _extra(
    matching: _Matching, row: Row, step: Step, day: date, at: time | None, note: str | None
) -> tuple[VisitLine, Command]:
    from pacflow.domain import build_command
    from pacflow.domain.commands import RecordUnscheduledOccurrence

    when = datetime.combine(day, at).isoformat(timespec="minutes") if at else day.isoformat()
    fields = {"plan": matching.state.key, "actor": matching.actor, "step": step.key}
    command = build_command(RecordUnscheduledOccurrence, {**fields, "at": when, "reason": note})
    return VisitLine(row.line, step.key, step.key, day, "extra", "step", reason=note), command


def _unchanged(line: VisitLine) -> VisitLine:
    return _with(line, action="unchanged")


def _with(line: VisitLine, **changes: Any) -> VisitLine:
    return replace(line, **changes)


__all__ = ["DEFAULT_TOLERANCE", "FIELDS", "VisitLine", "VisitsImport", "import_visits"]
