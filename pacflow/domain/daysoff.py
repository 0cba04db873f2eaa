"""Public holidays and weekends: the days no cadence slot lands on (docs/time.md).

Holidays come from the `holidays` library, by country (ISO 3166 code such as `FR`) and
optionally subdivision (`57` for Moselle, `NY`…), for the plan and, where a team spans
regions, for a person. A plan created without a country takes the one its time zone
names when only one country uses that zone (`Europe/Paris` → `FR`), and says so.

Pure: the holiday rules are computed, and the zone → country table is read from the IANA
time zone database (`zone.tab`), like the zones themselves. Computing them imports the
library and every country it knows (~90 ms): an application may keep the tables it
computed (`use_holiday_source`; `pacflow.holiday_cache` keeps them in the user's cache).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field
from datetime import date
from functools import lru_cache
from pathlib import Path
from zoneinfo import TZPATH

from pacflow.errors import InvalidInputError
from slotted import FrozenValue, frozen_record

NO_COUNTRY = "none"
"""What a user types to say the plan (or a person) observes no public holiday."""


def _supported() -> dict[str, list[str]]:
    import holidays

    supported: dict[str, list[str]] = holidays.list_supported_countries()
    return supported


HolidaySource = Callable[[str, str | None, int, int], Mapping[date, str]]
"""The public holidays of a country (and subdivision) from a first to a last year."""


def computed_holidays(
    country: str, subdivision: str | None, first_year: int, last_year: int
) -> Mapping[date, str]:
    """The public holidays of `country` (and `subdivision`) in those years, by date, as the
    holidays library computes them."""
    import holidays  # with every country it knows: ~90 ms, when first needed

    found = holidays.country_holidays(
        country, subdiv=subdivision, years=range(first_year, last_year + 1)
    )
    return {day: str(name) for day, name in sorted(found.items())}


_source: HolidaySource = computed_holidays


def use_holiday_source(source: HolidaySource) -> None:
    """Take public holidays from `source` (which must give what `computed_holidays` gives,
    e.g. tables it computed before) from now on."""
    global _source
    _source = source
    public_holidays.cache_clear()


def public_holidays_source() -> HolidaySource:
    """Where public holidays come from (`computed_holidays` unless told otherwise)."""
    return _source


@lru_cache(maxsize=64)
def public_holidays(
    country: str, subdivision: str | None, first_year: int, last_year: int
) -> Mapping[date, str]:
    """The public holidays of `country` (and `subdivision`) in those years, by date."""
    return _source(country, subdivision, first_year, last_year)


def check_country(country: str, subdivision: str | None, field_name: str) -> None:
    """Refuse a country or subdivision the holidays library does not know, listing what it
    knows when the list is short."""
    supported = _supported()
    if country not in supported:
        raise InvalidInputError(
            f"{field_name} {country!r}: expected an ISO 3166 country code such as FR, DE or "
            f"US (or {NO_COUNTRY})",
            code="unknown-country",
            subject=country,
        )
    if subdivision is not None and subdivision not in supported[country]:
        known = ", ".join(supported[country][:30]) or "none"
        raise InvalidInputError(
            f"{field_name} {country}: subdivision {subdivision!r} is not one of its "
            f"subdivisions ({known})",
            code="unknown-subdivision",
            subject=subdivision,
        )


def _zone_table() -> str:
    for folder in TZPATH:
        path = Path(folder) / "zone.tab"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    import importlib.resources  # (with tempfile, zipfile…): only where the system has none

    try:  # the tzdata package, where the system has no time zone database
        return (importlib.resources.files("tzdata.zoneinfo") / "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return ""


@lru_cache(maxsize=1)
def _countries_by_zone() -> Mapping[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for line in _zone_table().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            found.setdefault(parts[2].strip(), set()).add(parts[0].strip())
    return {zone: frozenset(codes) for zone, codes in found.items()}


def country_of_zone(timezone: str) -> str | None:
    """The one country that uses `timezone` (`Europe/Paris` → `FR`), or None when several
    do, none does, or the holidays library does not know it."""
    codes = _countries_by_zone().get(timezone, frozenset())
    if len(codes) != 1:
        return None
    (code,) = codes
    return code if code in _supported() else None


@frozen_record
class DaysOff(FrozenValue):
    """The public holidays of one calendar (a plan's or a person's) over a plan's years,
    and whether cadence slots may land on them or on weekends all the same."""

    holidays: Mapping[date, str] = field(default_factory=dict)
    country: str | None = None
    holidays_allowed: bool = False
    weekends_allowed: bool = False

    def holiday(self, day: date) -> str | None:
        """The name of the public holiday on `day`, if any."""
        return self.holidays.get(day)

    def open_for_slots(self, day: date) -> bool:
        """Whether a cadence slot may land on `day`."""
        if day.weekday() >= 5 and not self.weekends_allowed:
            return False
        return self.holidays_allowed or day not in self.holidays


NO_DAYS_OFF = DaysOff()


def days_off(
    country: str | None,
    subdivision: str | None,
    first: date,
    last: date,
    *,
    holidays_allowed: bool = False,
    weekends_allowed: bool = False,
) -> DaysOff:
    """The days off of `country` over the years from `first` to `last` (a plan's period)."""
    found = public_holidays(country, subdivision, first.year, last.year) if country else {}
    return DaysOff(found, country, holidays_allowed, weekends_allowed)
