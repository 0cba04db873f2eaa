"""khal as the tests drive it: a config reading one folder of .ics files in a zone."""

from __future__ import annotations

from pathlib import Path


def khal_config(folder: Path, zone: str, database: Path) -> str:
    """A khal configuration for the calendar in `folder`, its user living in `zone`, with
    ISO dates and 24-hour times (so tests can read what it lists)."""
    return "\n".join(
        [
            "[calendars]",
            "[[pac]]",
            f"path = {folder}/",
            "type = calendar",
            "[locale]",
            f"default_timezone = {zone}",
            f"local_timezone = {zone}",
            "timeformat = %H:%M",
            "dateformat = %Y-%m-%d",
            "longdateformat = %Y-%m-%d",
            "datetimeformat = %Y-%m-%d %H:%M",
            "longdatetimeformat = %Y-%m-%d %H:%M",
            "[sqlite]",
            f"path = {database}",
            "",
        ]
    )
