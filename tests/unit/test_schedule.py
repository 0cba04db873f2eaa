"""Schedules of the worked example, expanded into keyed occurrences, and bad schedules."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from pacflow.domain import expand
from pacflow.domain.checked import validate
from pacflow.domain.schedule import (
    Cadence,
    DueDate,
    OccurrenceRef,
    PlanPeriod,
    Recurrence,
    RecurrenceRule,
    Session,
    SessionList,
    parse_occurrence_ref,
)
from pacflow.domain.values import Per
from pacflow.errors import InvalidInputError

from .example import PERIOD, S08_SCHEDULE, S11_SCHEDULE
from .gwt import literal


def rule(dtstart: datetime | date, text: str) -> Recurrence:
    return Recurrence(rules=(RecurrenceRule(dtstart=dtstart, rrule=text),))


def keys(schedule: Recurrence | SessionList | Cadence | DueDate) -> list[str]:
    return [slot.key for slot in expand("S", schedule, PERIOD)]


def test_a_due_date_has_no_occurrence() -> None:
    assert expand("S19", DueDate(due=date(2025, 6, 12), start=date(2025, 6, 11)), PERIOD) == ()


def test_visits_on_the_2nd_and_4th_tuesday_of_each_month() -> None:
    slots = expand("S08", S08_SCHEDULE, PERIOD)
    assert len(slots) == 24
    assert [slot.key for slot in slots[:4]] == [
        "S08@2025-01-14",
        "S08@2025-01-28",
        "S08@2025-02-11",
        "S08@2025-02-25",
    ]
    assert slots[-1].key == "S08@2025-12-23"
    assert slots[0].start == datetime(2025, 1, 14, 10)
    assert slots[0].duration == timedelta(hours=1, minutes=30)
    assert not slots[0].all_day


def test_monthly_review_on_the_last_weekday() -> None:
    schedule = rule(
        datetime(2025, 1, 31, 16), "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=12"
    )
    days = [slot.start.date().isoformat()[5:] for slot in expand("G02", schedule, PERIOD)]
    assert days == [
        "01-31", "02-28", "03-31", "04-30", "05-30", "06-30",
        "07-31", "08-29", "09-30", "10-31", "11-28", "12-31",
    ]  # fmt: skip


def test_several_rules_are_a_union_as_in_the_mid_year_revision_of_s08() -> None:
    revised = Recurrence(
        rules=(
            RecurrenceRule(
                dtstart=datetime(2025, 1, 14, 10), rrule="FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=12"
            ),
            RecurrenceRule(
                dtstart=datetime(2025, 7, 8, 10), rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=3"
            ),
            RecurrenceRule(
                dtstart=datetime(2025, 10, 14, 10), rrule="FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=6"
            ),
            RecurrenceRule(dtstart=datetime(2025, 1, 14, 10), rrule="FREQ=YEARLY;COUNT=1"),
        ),
        duration=timedelta(hours=1, minutes=30),
    )
    slots = expand("S08", revised, PERIOD)
    assert len(slots) == 12 + 3 + 6
    assert [slot.key for slot in slots[11:16]] == [
        "S08@2025-06-24",
        "S08@2025-07-08",
        "S08@2025-08-12",
        "S08@2025-09-09",
        "S08@2025-10-14",
    ]


def test_an_unbounded_rule_stops_at_the_end_of_the_plan_period() -> None:
    slots = expand("S31", rule(datetime(2025, 1, 7, 14), "FREQ=MONTHLY;BYDAY=1TU"), PERIOD)
    assert len(slots) == 12
    assert slots[-1].key == "S31@2025-12-02"


def test_an_rrule_with_a_date_dtstart_gives_all_day_occurrences() -> None:
    slots = expand("S14", rule(date(2025, 1, 20), "FREQ=MONTHLY;INTERVAL=3;COUNT=4"), PERIOD)
    assert [slot.key for slot in slots] == [
        "S14@2025-01-20",
        "S14@2025-04-20",
        "S14@2025-07-20",
        "S14@2025-10-20",
    ]
    assert all(slot.all_day for slot in slots)


def test_dated_sessions_and_all_day_sessions() -> None:
    assert [slot.key for slot in expand("S11", S11_SCHEDULE, PERIOD)] == [
        "S11@2025-03-27",
        "S11@2025-06-26",
        "S11@2025-09-25",
        "S11@2025-12-11",
    ]
    studies = SessionList(
        sessions=(
            Session(start=date(2025, 10, 31)),
            Session(start=date(2025, 3, 31)),
            Session(start=date(2025, 6, 30)),
        )
    )
    slots = expand("S36", studies, PERIOD)
    assert [slot.key for slot in slots] == ["S36@2025-03-31", "S36@2025-06-30", "S36@2025-10-31"]
    assert all(slot.all_day and slot.start.time() == time(0) for slot in slots)


def test_two_occurrences_on_one_day_get_the_time_in_their_key() -> None:
    schedule = SessionList(
        sessions=(
            Session(start=datetime(2025, 3, 11, 14)),
            Session(start=datetime(2025, 3, 11, 9, 30)),
            Session(start=datetime(2025, 3, 12, 9, 30)),
        )
    )
    assert keys(schedule) == ["S@2025-03-11T09:30", "S@2025-03-11T14:00", "S@2025-03-12"]


def test_a_cadence_of_8_per_month_with_4_in_august() -> None:
    slots = expand("S22", Cadence(count=8, exceptions={"2025-08": 4}), PERIOD)
    assert len(slots) == 11 * 8 + 4
    august = [slot.start.date() for slot in slots if slot.start.month == 8]
    assert august == [date(2025, 8, 5), date(2025, 8, 12), date(2025, 8, 20), date(2025, 8, 27)]
    assert all(slot.all_day and slot.start.weekday() < 5 for slot in slots)


def test_a_cadence_starting_in_february_with_an_exception() -> None:
    slots = expand("S34", Cadence(count=3, first="2025-02", exceptions={"2025-08": 1}), PERIOD)
    assert len(slots) == 10 * 3 + 1
    assert slots[0].start.date() >= date(2025, 2, 1)


def test_cadences_per_quarter_and_per_week() -> None:
    assert len(expand("S32", Cadence(count=10, per=Per.QUARTER), PERIOD)) == 40
    weekly = expand("S", Cadence(count=1, per=Per.WEEK, last="2025-W10"), PERIOD)
    assert len(weekly) == 10
    # Week 1 of 2025 starts on Monday 2024-12-30: only its days inside the plan count.
    assert weekly[0].start.date() >= date(2025, 1, 1)


def test_a_cadence_period_cut_by_the_plan_holds_at_most_one_per_weekday_left() -> None:
    period = PlanPeriod(date(2025, 1, 30), date(2025, 2, 28), "Europe/Paris")
    slots = expand("S", Cadence(count=5), period)
    assert [slot.key for slot in slots[:2]] == ["S@2025-01-30", "S@2025-01-31"]
    assert len(slots) == 2 + 5


def test_expansion_is_deterministic() -> None:
    for schedule in (S08_SCHEDULE, S11_SCHEDULE, Cadence(count=8, exceptions={"2025-08": 4})):
        assert expand("S", schedule, PERIOD) == expand("S", schedule, PERIOD)


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        (
            DueDate(due=date(2026, 2, 1)),
            "due date 2026-02-01 of step S is outside the plan period 2025-01-01..2025-12-31",
        ),
        (
            DueDate(due=date(2025, 3, 1), start=date(2024, 12, 1)),
            "start date 2024-12-01 of step S is outside the plan period",
        ),
        (
            DueDate(due=date(2025, 3, 1), start=date(2025, 4, 1)),
            "step S: start date 2025-04-01 is after its due date 2025-03-01",
        ),
        (
            SessionList(sessions=(Session(start=datetime(2026, 1, 8, 9)),)),
            "session 2026-01-08T09:00 of step S is outside the plan period",
        ),
        (
            SessionList(
                sessions=(
                    Session(start=datetime(2025, 5, 2, 9)),
                    validate(Session, {"start": "2025-05-02T09:00"}),
                )
            ),
            "step S: two sessions start at 2025-05-02T09:00",
        ),
        (
            SessionList(sessions=(Session(start=datetime(2025, 3, 30, 2, 15)),)),
            "step S: session 2025-03-30T02:15 does not exist in Europe/Paris",
        ),
    ],
)
def test_dates_outside_the_plan_and_bad_sessions_are_refused(
    schedule: DueDate | SessionList, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=literal(message)):
        expand("S", schedule, PERIOD)


@pytest.mark.parametrize(
    ("dtstart", "text", "message"),
    [
        (datetime(2025, 1, 14, 10), "FREQ=MONTHLY;BYDAY=XX", "BYDAY takes days such as TU"),
        # No month holds a ninth Tuesday (dateutil failed on it) nor a sixth (it searched
        # until year 9999); a numbered day is for monthly and yearly rules only.
        (datetime(2025, 1, 14, 10), "FREQ=MONTHLY;BYDAY=9TU", "BYDAY 9TU: a month holds 1 to 5"),
        (datetime(2025, 1, 14, 10), "FREQ=MONTHLY;BYDAY=2TU,-6FR", "-6FR: a month holds"),
        (datetime(2025, 1, 14, 10), "FREQ=YEARLY;BYMONTH=3;BYDAY=6TU", "a month holds 1 to 5"),
        (datetime(2025, 1, 14, 10), "FREQ=YEARLY;BYDAY=54TU", "a year holds 1 to 53"),
        (datetime(2025, 1, 14, 10), "FREQ=MONTHLY;BYDAY=0TU", "a month holds 1 to 5"),
        (datetime(2025, 1, 14, 10), "FREQ=WEEKLY;BYDAY=2TU", "with FREQ=MONTHLY or YEARLY"),
        (datetime(2025, 1, 14, 10), "FREQ=SOMETIMES", "FREQ must be one of DAILY, WEEKLY"),
        (datetime(2025, 1, 14, 10), "FREQ=MINUTELY", "FREQ must be one of DAILY, WEEKLY"),
        (datetime(2025, 1, 14, 10), "BYDAY=TU", "FREQ must be one of"),
        (datetime(2025, 1, 14, 10), "FREQ=DAILY;COLOR=RED", "unknown part COLOR"),
        (datetime(2025, 1, 14, 10), "FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
        (datetime(2025, 1, 14, 10), "FREQ=DAILY;COUNT", "'COUNT' is not NAME=VALUE"),
        (datetime(2025, 1, 14, 10), "FREQ=DAILY;COUNT=0", "COUNT must be a whole number from 1 to"),
        (
            datetime(2025, 1, 14, 10),
            "FREQ=DAILY;INTERVAL=0",
            "INTERVAL must be a whole number from 1",
        ),
        (datetime(2025, 1, 14, 10), "FREQ=DAILY;COUNT=\u00b2", "one rule such as"),
        (datetime(2025, 1, 14, 10), "FREQ=DAILY;COUNT=12345", "from 1 to 10000"),
        (datetime(2025, 1, 14, 10), "FREQ=DAILY;COUNT=" + "9" * 50, "too long to be meant"),
        (datetime(2025, 1, 14, 10), "FREQ=DAILY;BYSETPOS=1_0", "letters, digits"),
        (datetime(2025, 1, 14, 10), "FREQ=YEARLY;UNTIL=99991231T000000", "between 1900 and 2200"),
        (datetime(2025, 1, 14, 10), "FREQ=DAILY;COUNT=3;UNTIL=20250301T000000", "not both"),
        (datetime(2025, 1, 14, 10), "FREQ=DAILY;UNTIL=20250301T000000Z", "without Z"),
        (datetime(2025, 1, 14, 10), "FREQ=DAILY;UNTIL=20250301", "UNTIL must have a time"),
        (datetime(2025, 1, 14, 10), "DTSTART:20250114T100000\nRRULE:FREQ=DAILY", "one rule"),
        (
            datetime(2025, 1, 14, 10),
            "FREQ=DAILY;UNTIL=20250110T000000",
            "it yields no occurrence",
        ),
        (
            datetime(2025, 1, 15, 10),
            "FREQ=MONTHLY;BYDAY=2TU",
            "DTSTART 2025-01-15T10:00 is not one of its occurrences (the first is "
            "2025-02-11T10:00)",
        ),
        (
            datetime(2025, 1, 14, 10),
            "FREQ=MONTHLY;BYDAY=2TU;COUNT=13",
            "it runs past the plan period 2025-01-01..2025-12-31 (to 2026-01-13T10:00",
        ),
        (
            datetime(2025, 1, 14, 10),
            "FREQ=WEEKLY;UNTIL=20260301T000000",
            "it runs past the plan period",
        ),
        (datetime(2024, 12, 10, 10), "FREQ=MONTHLY;BYDAY=2TU", "DTSTART 2024-12-10T10:00 of step"),
        (datetime(2025, 3, 30, 2, 30), "FREQ=WEEKLY", "DTSTART 2025-03-30T02:30 does not exist"),
        (datetime(2025, 2, 1, 10), "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", "no month has that day"),
        # A month, day of the year or week that never comes: refused at once, not after a
        # search until year 9999 (a quarter to half a second each).
        (datetime(2025, 2, 1, 10), "FREQ=YEARLY;BYMONTH=13", "BYMONTH takes months 1 to 12"),
        (datetime(2025, 2, 1, 10), "FREQ=YEARLY;BYMONTH=0", "BYMONTH takes months 1 to 12"),
        (datetime(2025, 2, 1, 10), "FREQ=YEARLY;BYYEARDAY=-400", "days 1 to 366, or -366 to"),
        (datetime(2025, 2, 1, 10), "FREQ=YEARLY;BYWEEKNO=60", "BYWEEKNO takes weeks 1 to 53"),
        (datetime(2025, 2, 1, 10), "FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY takes days 1 to 31"),
        (datetime(2025, 2, 1, 10), "FREQ=YEARLY;BYWEEKNO=W1", "BYWEEKNO takes whole numbers"),
        (datetime(2025, 2, 3, 10), "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", "BYSETPOS 6 asks for more"),
        (datetime(2025, 2, 3, 10), "FREQ=DAILY;BYSETPOS=2", "than a day of this rule holds (1)"),
        (datetime(2025, 1, 1, 0), "FREQ=DAILY;BYHOUR=0,12,18", "more than 1000 occurrences"),
    ],
)
def test_bad_rrules_are_refused_naming_the_step(dtstart: datetime, text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=literal(message)) as caught:
        expand("S08", rule(dtstart, text), PERIOD)
    assert str(caught.value).startswith("step S08: ") or " of step S08 " in str(caught.value)


@pytest.mark.parametrize(
    ("cadence", "message"),
    [
        (Cadence(count=25), "step S22: 25 per month is more than the 23 weekdays of 2025-01"),
        (Cadence(count=6, per=Per.WEEK), "6 per week is more than the 5 weekdays of 2025-W02"),
        (Cadence(count=2, exceptions={"2026-01": 3}), "exception 2026-01 is outside the periods"),
        (Cadence(count=2, exceptions={"2025-1": 3}), "exception '2025-1': expected a month"),
        (Cadence(count=2, first="2025-Q1"), "step S22: first '2025-Q1': expected a month"),
        (Cadence(count=2, first="2025-06", last="2025-05"), "which leaves no day in the plan"),
        (Cadence(count=0), "step S22: the cadence yields no occurrence"),
    ],
)
def test_impossible_cadences_are_refused(cadence: Cadence, message: str) -> None:
    with pytest.raises(InvalidInputError, match=literal(message)):
        expand("S22", cadence, PERIOD)


def test_occurrence_references_as_users_type_them() -> None:
    assert parse_occurrence_ref("S08@2025-03-11") == OccurrenceRef("S08", date(2025, 3, 11), None)
    ref = parse_occurrence_ref(" S08@2025-03-11T14:00 ")
    assert ref == OccurrenceRef("S08", date(2025, 3, 11), time(14))
    assert ref.text == "S08@2025-03-11T14:00"
    for text in ("S08", "S08@2025-3-11", "S08@2025-02-30", "S08@2025-03-11T25:00", "@2025-03-11"):
        with pytest.raises(InvalidInputError, match="expected STEP@YYYY-MM-DD"):
            parse_occurrence_ref(text)
