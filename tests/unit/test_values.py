"""Keys, periods, durations, local times and time zones."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from pacflow.domain.values import (
    Per,
    PersonKind,
    check_key,
    check_local_time_exists,
    format_duration,
    format_local,
    parse_duration,
    parse_enum,
    period_bounds,
    period_key,
    periods_between,
    zone,
)
from pacflow.errors import InvalidInputError


@pytest.mark.parametrize("key", ["T1", "S08", "bank-info-1", "T1-INFO", "G01", "a.b_c", "x" * 40])
def test_short_human_keys_are_accepted(key: str) -> None:
    assert check_key(key) == key


@pytest.mark.parametrize("key", ["", "-T1", ".x", "S 08", "S08@2025", "é", "x" * 41, "T/1"])
def test_other_keys_are_refused_with_what_is_expected(key: str) -> None:
    with pytest.raises(InvalidInputError, match="expected 1-40 letters, digits"):
        check_key(key, "step")


def test_an_unknown_enum_value_lists_the_allowed_ones() -> None:
    assert parse_enum(PersonKind, "rep", "kind") is PersonKind.REP
    with pytest.raises(
        InvalidInputError, match="kind 'boss': expected one of rep, manager, back_office"
    ):
        parse_enum(PersonKind, "boss", "kind")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("PT3H", timedelta(hours=3)),
        ("P1D", timedelta(days=1)),
        ("P1W", timedelta(weeks=1)),
        ("pt45m", timedelta(minutes=45)),
        ("P1DT2H", timedelta(days=1, hours=2)),
    ],
)
def test_iso_8601_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["1h", "P", "PT", "P1DT", "PT0M", "P1Y", "P1M", "-PT1H", ""])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError, match="expected an ISO 8601 duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["PT1H30M", "P1D", "P1DT2H", "PT45S", "PT2H"])
def test_durations_format_back_to_their_canonical_text(text: str) -> None:
    assert format_duration(parse_duration(text)) == text


def test_periods_have_keys_and_bounds() -> None:
    assert period_key(date(2025, 3, 11), Per.MONTH) == "2025-03"
    assert period_key(date(2025, 3, 11), Per.QUARTER) == "2025-Q1"
    assert period_key(date(2025, 3, 11), Per.WEEK) == "2025-W11"
    assert period_bounds("2025-02", Per.MONTH) == (date(2025, 2, 1), date(2025, 2, 28))
    assert period_bounds("2025-Q4", Per.QUARTER) == (date(2025, 10, 1), date(2025, 12, 31))
    assert period_bounds("2025-W01", Per.WEEK) == (date(2024, 12, 30), date(2025, 1, 5))


def test_periods_between_two_dates_include_the_partial_ones() -> None:
    assert periods_between(date(2025, 1, 15), date(2025, 3, 1), Per.MONTH) == [
        "2025-01",
        "2025-02",
        "2025-03",
    ]
    assert periods_between(date(2025, 1, 1), date(2025, 12, 31), Per.QUARTER) == [
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
    ]
    assert len(periods_between(date(2025, 1, 1), date(2025, 12, 31), Per.WEEK)) == 53


@pytest.mark.parametrize(
    ("key", "per"),
    [
        ("2025-13", Per.MONTH),
        ("2025-3", Per.MONTH),
        ("2025-Q5", Per.QUARTER),
        ("2025-W54", Per.WEEK),
    ],
)
def test_bad_period_keys_say_what_is_expected(key: str, per: Per) -> None:
    with pytest.raises(InvalidInputError, match=f"expected a {per.value} such as"):
        period_bounds(key, per, "exception")


def test_time_zones_are_iana_names() -> None:
    assert zone("Europe/Paris").key == "Europe/Paris"
    for name in ("Europe/Pariss", "CEST", "../etc/passwd", ""):
        with pytest.raises(InvalidInputError, match="expected an IANA time zone name"):
            zone(name)


def test_a_local_time_skipped_by_daylight_saving_is_refused() -> None:
    check_local_time_exists(datetime(2025, 3, 30, 3, 30), "Europe/Paris", "session")
    check_local_time_exists(datetime(2025, 10, 26, 2, 30), "Europe/Paris", "session")
    with pytest.raises(InvalidInputError, match="2025-03-30T02:30 does not exist in Europe/Paris"):
        check_local_time_exists(datetime(2025, 3, 30, 2, 30), "Europe/Paris", "session")


def test_local_times_show_seconds_only_when_set() -> None:
    assert format_local(datetime(2025, 3, 11, 14)) == "2025-03-11T14:00"
    assert format_local(datetime(2025, 3, 11, 14, 0, 5)) == "2025-03-11T14:00:05"
