"""iCalendar (RFC 5545) rendering of a plan: tasks as VTODO, visits and sessions as VEVENT.

`render_calendar(history, person=...)` turns the items of `integrations.items` and the
revisions of `integrations.revisions` into one VCALENDAR. Every time stamp in it (DTSTAMP,
CREATED, LAST-MODIFIED) is the recorded time of a plan event, never the time of the export:
the same plan renders the same bytes. `export_ics` reads a plan's history from the
application service and renders it, as of a moment when asked.

Event times carry a TZID with its VTIMEZONE (bounded to the years around the plan period,
to keep files short); dates (due dates, all-day occurrences) are DATE values; COMPLETED is
the start of the done day in the plan's time zone, in UTC. Links back to the plan are
X-PACFLOW-PLAN, X-PACFLOW-STEP and X-PACFLOW-OCCURRENCE (pacflow has no web address).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, Todo, vDuration

from integrations.items import CalendarItem, ItemKind, calendar_items
from integrations.revisions import CalendarHistory, Revision
from pacflow.errors import NotFoundError, no_such_plan

if TYPE_CHECKING:
    import sqlalchemy as sa

    from integrations.calendar_view import CalendarViews
    from pacflow.service import PlanService

PRODID = "-//pacflow//commercial action plan//EN"
REFRESH = timedelta(hours=1)
"""How often a calendar app subscribed to a feed should fetch it again."""


def render_calendar(history: CalendarHistory, *, person: str | None = None) -> bytes:
    """The plan's items (only `person`'s, when given) as one iCalendar file."""
    state = history.state
    owner = state.people.get(person) if person is not None else None
    name = f"{state.key} — {owner.name}" if owner is not None else f"{state.key} — {state.title}"
    items = sorted(calendar_items(state, person=person), key=_order)
    return _calendar(history, items, name)


def render_resources(history: CalendarHistory, *, person: str | None = None) -> dict[str, bytes]:
    """Each item as a calendar resource of its own (what CalDAV stores), by UID."""
    items = sorted(calendar_items(history.state, person=person), key=_order)
    zones: dict[str, Timezone] = {}  # parsed once, shared by resources serialised right away
    return {item.uid: _calendar(history, [item], zones=zones) for item in items}


def _calendar(
    history: CalendarHistory,
    items: list[CalendarItem],
    name: str | None = None,
    *,
    zones: dict[str, Timezone] | None = None,
) -> bytes:
    state = history.state
    zones = {} if zones is None else zones
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name is not None:
        calendar.add("x-wr-calname", name)
        # How often a subscribed calendar app should fetch the file again (RFC 7986, and
        # the older name Outlook and Google read).
        calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH).to_ical().decode())
    tzids = sorted({item.timezone for item in items if isinstance(item.start, datetime)})
    first, last = date(state.start.year - 1, 1, 1), date(state.end.year + 2, 1, 1)
    for tzid in tzids:
        if tzid not in zones:
            zones[tzid] = _vtimezone(tzid, first, last)
        calendar.add_component(zones[tzid])
    for item in items:
        calendar.add_component(render_item(item, history.revisions[item.uid]))
    data: bytes = calendar.to_ical()
    return data


def _vtimezone(tzid: str, first: date, last: date) -> Timezone:
    """A fresh VTIMEZONE component (callers may change it), from the cached text."""
    zone: Timezone = Timezone.from_ical(_vtimezone_text(tzid, first, last))
    return zone


@lru_cache(maxsize=32)
def _vtimezone_text(tzid: str, first: date, last: date) -> bytes:
    # Building a VTIMEZONE walks the zone's transitions: once per zone and period is enough.
    text: bytes = Timezone.from_tzid(tzid, first_date=first, last_date=last).to_ical()
    return text


def render_item(item: CalendarItem, revision: Revision) -> Todo | Event:
    """One item as a VTODO or VEVENT, with its SEQUENCE and time stamps."""
    component: Todo | Event = Todo() if item.kind is ItemKind.TODO else Event()
    component.add("uid", item.uid)
    component.add("dtstamp", revision.modified.astimezone(UTC))
    component.add("created", revision.created.astimezone(UTC))
    component.add("last-modified", revision.modified.astimezone(UTC))
    component.add("sequence", revision.sequence)
    component.add("summary", item.summary)
    if item.kind is ItemKind.TODO:
        _todo_times(component, item)
    else:
        component.add("dtstart", item.start)
        if item.end is not None:
            component.add("dtend", item.end)
    component.add("status", item.status)
    if item.priority:
        component.add("priority", item.priority)
    component.add("categories", list(item.categories))
    component.add("description", item.description)
    if item.location:
        component.add("location", item.location)
    component.add("x-pacflow-plan", item.plan)
    component.add("x-pacflow-step", item.step)
    if item.occurrence is not None:
        component.add("x-pacflow-occurrence", item.occurrence)
    return component


def _todo_times(component: Todo | Event, item: CalendarItem) -> None:
    # RFC 5545: DUE must be later than DTSTART, so a start on the due day is left out.
    if item.start is not None and item.due is not None and item.start < item.due:
        component.add("dtstart", item.start)
    component.add("due", item.due)
    if item.completed is not None:
        done = datetime.combine(item.completed, time(), tzinfo=ZoneInfo(item.timezone))
        component.add("completed", done.astimezone(UTC))
        component.add("percent-complete", 100)


def _order(item: CalendarItem) -> tuple[str, str]:
    when = item.due if item.kind is ItemKind.TODO else item.start
    day = when.date() if isinstance(when, datetime) else when
    return (day.isoformat() if day is not None else "", item.uid)


def calendar_views(service: PlanService, database: sa.Engine | None = None) -> CalendarViews:
    """The calendar views of the service's store, kept in `database` (the store's own
    database when not given). Long-lived views fold only the events recorded since they
    last read the plan (not thread-safe: one caller at a time)."""
    from sqlalchemy import Engine

    from integrations.calendar_view import CalendarViews

    if database is None:
        found = getattr(service.store, "engine", None)
        database = found if isinstance(found, Engine) else None
    return CalendarViews(service.store, database)


def export_ics(
    service: PlanService,
    plan: str,
    *,
    person: str | None = None,
    until: datetime | None = None,
    database: sa.Engine | None = None,
    views: CalendarViews | None = None,
) -> bytes:
    """The plan's calendar (one person's, when given) as recorded up to `until`.

    The calendar view is continued from the one stored in `database` (the store's own
    database when not given), so that only the events recorded since are read; or from
    `views` (`calendar_views`), kept by a caller that exports again and again.
    """
    if views is None:
        views = calendar_views(service, database)
    history = views.history(plan, until=until)
    if history is None:
        if service.store.stream_version(plan) == 0:
            raise no_such_plan(plan)
        assert until is not None
        moment = until.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        raise NotFoundError(f"plan {plan} did not exist yet at {moment}")
    if person is not None and person not in history.state.people:
        known = ", ".join(sorted(history.state.people)) or "nobody yet"
        raise NotFoundError(f"person {person}: not in plan {plan} (its people: {known})")
    return render_calendar(history, person=person)
