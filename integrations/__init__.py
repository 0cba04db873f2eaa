"""Calendar integrations: the plan in people's calendars (DESIGN §3.5, docs/calendars.md).

    items       plan state -> CalendarItem (a VTODO per due-date step, a VEVENT per visit)
    revisions   the plan's history -> SEQUENCE, CREATED, LAST-MODIFIED of every item
    ics         items + revisions -> iCalendar bytes; `export_ics` for a stored plan
    accounts    where each person's CalDAV calendar is (outside the event log, no passwords)

Modules are imported on their own (`from integrations.ics import export_ics`), so that
importing one does not load icalendar or SQLAlchemy for the others.
"""
