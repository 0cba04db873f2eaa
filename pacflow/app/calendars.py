"""Calendars: connecting a person's CalDAV calendar to a plan, listing the connections,
and syncing the plan with them, for every front end.

Like the other queries of this package, each function takes the `App` and what the user
typed and returns plain data; how a sync's progress is shown is the front end's business,
passed in as `progress`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pacflow.errors import NotFoundError
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from integrations.accounts import AccountStore, CalendarAccount
    from integrations.sync import Progress, SyncOptions, SyncReport
    from pacflow.app.root import App
    from pacflow.domain.state import PlanState


def _accounts(app: App) -> AccountStore:
    from integrations.accounts import AccountStore
    from projections.engine import projection_engine_for

    return AccountStore(projection_engine_for(app.store()))


@frozen_record
class Connection(FrozenValue):
    """A calendar connected to a plan, and the name of the person it belongs to."""

    account: CalendarAccount
    person_name: str


def connect_calendar(
    app: App,
    plan: str,
    person: str,
    *,
    url: str,
    username: str,
    password_env: str | None,
    password_command: str | None,
    actor: str,
) -> Connection:
    """Record where `person`'s calendar is (replacing an earlier connection); the password
    itself is never stored, only where to read it."""
    from integrations.accounts import CalendarAccount, check_url, password_source

    state = app.service().require(plan)
    member = state.people.get(person)
    if member is None:
        known = ", ".join(sorted(state.people)) or "nobody yet"
        raise NotFoundError(f"person {person}: not in plan {plan} (its people: {known})")
    checked_url = check_url(url)
    source, reference = password_source(password_env, password_command)
    account = CalendarAccount(
        plan=plan,
        person=person,
        url=checked_url,
        username=username,
        password_source=source,
        password_ref=reference,
        connected_at=app.now(),
        connected_by=actor,
    )
    _accounts(app).connect(account)
    return Connection(account, member.name)


@frozen_record
class ListedAccount(FrozenValue):
    """A connection, with the time zone its owner's times are shown in."""

    account: CalendarAccount
    zone: str


def calendar_accounts(app: App, plan: str) -> list[ListedAccount]:
    """The plan's calendar connections (never a password), with their last sync."""
    state = app.service().require(plan)
    return [
        ListedAccount(account, _zone_of(state, account.person))
        for account in _accounts(app).accounts(plan)
    ]


def _zone_of(state: PlanState, person: str) -> str:
    """The time zone a person's times are shown in: their own, else the plan's."""
    member = state.people.get(person)
    return (member.timezone if member is not None else None) or state.timezone


def sync_calendars(
    app: App,
    plan: str,
    *,
    people: Sequence[str],
    options: SyncOptions,
    progress: Progress | None = None,
) -> SyncReport:
    """The plan into each connected person's calendar, and their changes back (or, with
    `options.dry_run`, the writes a sync would make)."""
    from integrations.sync import sync_plan
    from projections.engine import projection_engine_for

    return sync_plan(
        app.service(),
        projection_engine_for(app.store()),
        plan,
        people=people,
        options=options,
        now=app.now,
        progress=progress,
    )
