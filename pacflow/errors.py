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
"""

from __future__ import annotations

from typing import ClassVar


class PacflowError(Exception):
    """Root of every error pacflow reports to a user."""

    exit_code: ClassVar[int] = 1


class InvalidInputError(PacflowError):
    """A value is malformed: a date, a time, an RRULE, a timezone, an enum value, a number."""


class NotFoundError(PacflowError):
    """A key that names nothing in this plan (or a plan that does not exist)."""


class RuleViolationError(PacflowError):
    """A workflow rule refuses the change; nothing was recorded."""


class StoreError(PacflowError):
    """The event store cannot be opened, reached or written."""

    exit_code: ClassVar[int] = 3


class ConflictError(PacflowError):
    """Others kept changing the same plan while this command retried."""

    exit_code: ClassVar[int] = 4


class IntegrityError(PacflowError):
    """The event log fails verification or holds an event that cannot be read."""

    exit_code: ClassVar[int] = 5


class CalendarError(PacflowError):
    """A person's CalDAV calendar could not be synced; the others still were."""

    exit_code: ClassVar[int] = 6
