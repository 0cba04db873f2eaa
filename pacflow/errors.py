"""Every error pacflow reports to a user, with the exit code the CLI returns for it.

    PacflowError                  1  anything pacflow refuses, with a one-line message
     ├── InvalidInputError        1  a value is malformed (date, RRULE, timezone, enum, number)
     ├── NotFoundError            1  an unknown key (plan, person, target, step, indicator)
     ├── RuleViolationError       1  a workflow rule says no (closed plan, predecessor not done)
     ├── StoreError               3  the store cannot be opened or reached
     ├── ConflictError            4  the plan kept changing under us (retries exhausted)
     ├── IntegrityError           5  the log fails verification or cannot be decoded
     └── CalendarError            6  a calendar could not be synced (server, login, conflict)

Click's usage errors keep exit code 2. Messages name the field or key at fault and say
what is expected; they never carry a password or a traceback.

Errors are data as much as sentences: each carries a stable `code` (`not-found`,
`plan-not-yet`…), the `subject` it is about (a key, an option) and, where there is one, the
suggested next step as a `Suggestion` (a pacflow command, not its wording). The message
itself never names a front end: the CLI adds "(see `pacflow plan list`)", a web page a
link, an importer nothing (`pacflow.app.words` does the wording, in English or French).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from slotted import FrozenValue, frozen_record


@frozen_record
class Suggestion(FrozenValue):
    """What the user could do next: a pacflow command (its words and arguments)."""

    command: tuple[str, ...]
    """The command, e.g. ("plan", "list") or ("indicator", "correct", "PAC-2025", "I7")."""
    note: str | None = None
    """A short alternative or condition, e.g. "or create it"."""
    placeholders: str | None = None
    """What the user fills in, after the command: '--value V --reason "…"'."""


class PacflowError(Exception):
    """Root of every error pacflow reports to a user."""

    exit_code: ClassVar[int] = 1
    default_code: ClassVar[str] = "refused"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        subject: str | None = None,
        suggestion: Suggestion | None = None,
        details: Mapping[str, str] | None = None,
        where: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.subject = subject
        self.suggestion = suggestion
        self.details: Mapping[str, str] = dict(details or {})
        """What the message says, as data (`plan`, `moment`, `kind`…), for a front end
        that words the error itself (`pacflow.app.words`) or an API client."""
        self.where = where
        """Where the error was met, outermost first (`line 3`): each in front of the message."""

    def prefixed(self, where: str) -> PacflowError:
        """The same error (type, code, subject, suggestion, details) located at `where`."""
        return type(self)(
            f"{where}: {self.message}",
            code=self.code,
            subject=self.subject,
            suggestion=self.suggestion,
            details=self.details,
            where=(where, *self.where),
        )

    def as_json(self) -> dict[str, object]:
        """The error as data, for an API or `--json` consumers."""
        data: dict[str, object] = {"code": self.code, "message": self.message}
        if self.subject is not None:
            data["subject"] = self.subject
        if self.details:
            data["details"] = dict(self.details)
        if self.suggestion is not None:
            data["suggestion"] = {
                "command": list(self.suggestion.command),
                "note": self.suggestion.note,
            }
        return data


class InvalidInputError(PacflowError):
    """A value is malformed: a date, a time, an RRULE, a timezone, an enum value, a number."""

    default_code: ClassVar[str] = "invalid-input"


class NotFoundError(PacflowError):
    """A key that names nothing in this plan (or a plan that does not exist)."""

    default_code: ClassVar[str] = "not-found"


class RuleViolationError(PacflowError):
    """A workflow rule refuses the change; nothing was recorded."""

    default_code: ClassVar[str] = "rule-violation"


class StoreError(PacflowError):
    """The event store cannot be opened, reached or written."""

    default_code: ClassVar[str] = "store-unavailable"
    exit_code: ClassVar[int] = 3


class ConflictError(PacflowError):
    """Others kept changing the same plan while this command retried."""

    default_code: ClassVar[str] = "conflict"
    exit_code: ClassVar[int] = 4


class IntegrityError(PacflowError):
    """The event log fails verification or holds an event that cannot be read."""

    default_code: ClassVar[str] = "integrity"
    exit_code: ClassVar[int] = 5


class CalendarError(PacflowError):
    """A person's CalDAV calendar could not be synced; the others still were."""

    default_code: ClassVar[str] = "calendar"
    exit_code: ClassVar[int] = 6


def dropped_plan(plan: str) -> NotFoundError:
    """The error for a key whose draft was dropped: no plan now, but one may be created."""
    return NotFoundError(
        f"plan {plan} was dropped",
        code="dropped",
        subject=plan,
        details={"plan": plan},
        suggestion=Suggestion(("plan", "create", plan), note="to start a new plan under this key"),
    )


def no_such_plan(plan: str | None = None) -> NotFoundError:
    """The one error for a plan key that names nothing in the store (or a log with no plan,
    where the caller has no key)."""
    return NotFoundError(
        f"plan {plan}: no such plan" if plan is not None else "no such plan",
        code="no-such-plan",
        subject=plan,
        details={"plan": plan} if plan is not None else None,
        suggestion=Suggestion(("plan", "list"), note="or create it"),
    )
