"""Calendar integrations: the plan in people's calendars (DESIGN §3.5, docs/calendars.md).

    items          plan state -> CalendarItem (a VTODO per due-date step, a VEVENT per visit)
    effects        what each event type may change in items (one table, every type)
    revisions      the plan's history -> SEQUENCE, CREATED, LAST-MODIFIED of every item
    calendar_view  that fold stored by stream version, continued with newer events only
    ics            items + revisions -> iCalendar bytes; `export_ics` for a stored plan
    accounts       where each person's CalDAV calendar is (outside the event log, no passwords)
    sync_state     what the sync knows of each calendar and item
    sync           `pacflow sync`, over `dav` (HTTP) and `pullback` (the rep's changes)
    schema         the Alembic migrations of the tables above (their own version table)

Modules are imported on their own (`from integrations.ics import export_ics`), so that
importing one does not load icalendar or SQLAlchemy for the others.
"""
