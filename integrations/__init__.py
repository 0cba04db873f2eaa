"""Calendar integrations (iCalendar rendering, CalDAV sync)."""
