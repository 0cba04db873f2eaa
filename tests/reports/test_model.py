"""The report model on the demo plan: grouping, dates, late steps and progress."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import TypeVar

import pytest

from pacflow.domain import PlanState
from pacflow.domain.values import StepStatus
from pacflow.reports import Report, ReportKind, StepState, VisitState, build_report, progress_of
from pacflow.reports.model import PersonSection, SectorSection, TargetSection, ThemeSection
from pacflow.reports.timeline import Scale
from tests.reports.conftest import MID_YEAR

T = TypeVar("T")


def _sections(report: Report, kind: type[T]) -> list[T]:
    found = [s for s in report.sections if isinstance(s, kind)]
    assert len(found) == len(report.sections)
    return found


def test_by_theme_follows_the_method_and_shows_every_step_once(
    mid_year: dict[ReportKind, Report], mid_year_state: PlanState
) -> None:
    themes = _sections(mid_year[ReportKind.THEME], ThemeSection)
    assert [t.key for t in themes] == [
        "information",
        "internal",
        "sales-notoriety",
        "sales-hunting",
        "sales-farming",
        "steering",
    ]
    keys = [step.key for theme in themes for track in theme.tracks for step in track.steps]
    assert sorted(keys) == sorted(mid_year_state.steps)
    hunting = themes[3]
    assert [t.key for t in hunting.tracks] == ["T2-CHASSE", "T3-CHASSE"]
    assert all(t.theme == "sales-hunting" for t in hunting.tracks)


def test_step_lines_carry_dates_people_and_status(mid_year: dict[ReportKind, Report]) -> None:
    steps = {s.key: s for s in mid_year[ReportKind.THEME].steps()}
    s01 = steps["S01"]
    assert (s01.start, s01.end, s01.milestone) == (None, date(2025, 1, 31), True)
    assert (s01.responsible, s01.participants, s01.state) == ("cd", ("jm",), StepState.DONE)
    assert s01.done_on == date(2025, 1, 28)
    s19 = steps["S19"]  # a due date with a start date: a span
    assert (s19.start, s19.end, s19.milestone) == (date(2025, 6, 11), date(2025, 6, 12), False)
    s08 = steps["S08"]  # a visit series spans its visits
    assert (s08.start, s08.end) == (date(2025, 1, 14), date(2025, 12, 23))
    assert s08.visits[0].key == "S08@2025-01-14"
    assert s08.visits[0].at == "10:00"
    assert Counter(v.state for v in s08.visits)[VisitState.CANCELLED] == 1


def test_late_steps_and_overdue_visits_are_judged_against_the_given_day(
    mid_year_state: PlanState,
) -> None:
    on_time = build_report(mid_year_state, ReportKind.THEME, today=date(2025, 1, 1))
    assert (on_time.progress.late, on_time.progress.overdue) == (0, 0)
    mid = build_report(mid_year_state, ReportKind.THEME, today=MID_YEAR)
    late = [s.key for s in mid.steps() if s.state is StepState.LATE]
    assert late == ["S16"]  # due 2025-05-30, not done by 10 June
    overdue = [v.key for s in mid.steps() for v in s.visits if v.state is VisitState.OVERDUE]
    assert overdue == ["S22@2025-01-22", "S22@2025-01-27", "S22@2025-01-30", "S22@2025-02-27"]
    after = build_report(mid_year_state, ReportKind.THEME, today=date(2026, 1, 1))
    assert after.progress.late == after.progress.steps - after.progress.done
    assert after.progress.held + after.progress.overdue == after.progress.visits


def test_progress_counts_steps_and_visits_and_leaves_cancelled_ones_out(
    mid_year_state: PlanState,
) -> None:
    report = build_report(mid_year_state, ReportKind.THEME, today=MID_YEAR)
    progress = report.progress
    assert (progress.steps, progress.done, progress.late) == (46, 22, 1)
    assert (progress.visits, progress.held, progress.overdue) == (267, 115, 4)
    assert progress.visits_cancelled == 1
    assert progress.step_share == pytest.approx(22 / 46)
    mid_year_state.steps["S17"].status = StepStatus.CANCELLED
    again = build_report(mid_year_state, ReportKind.THEME, today=MID_YEAR)
    assert (again.progress.steps, again.progress.cancelled) == (45, 1)
    assert next(s for s in again.steps() if s.key == "S17").state is StepState.CANCELLED


def test_progress_counts_a_step_once_even_when_listed_twice(
    mid_year: dict[ReportKind, Report],
) -> None:
    steps = mid_year[ReportKind.THEME].steps()
    assert progress_of([*steps, *steps]) == progress_of(steps)
    assert progress_of([]).step_share is None


def test_by_person_lists_what_each_one_is_responsible_for_or_takes_part_in(
    mid_year: dict[ReportKind, Report], mid_year_state: PlanState
) -> None:
    people = {s.person.key: s for s in _sections(mid_year[ReportKind.REP], PersonSection)}
    assert list(people) == list(mid_year_state.people)
    cd = people["cd"]
    roles = {a.step.key: a.role for a in cd.assignments}
    assert roles["S08"] == "responsible"
    assert roles["S14"] == "participant"
    expected = {
        k
        for k, s in mid_year_state.steps.items()
        if s.responsible == "cd" or "cd" in s.participants
    }
    assert set(roles) == expected
    dates = [a.step.start or a.step.end for a in cd.assignments]
    assert dates == sorted(d for d in dates if d is not None)
    assert cd.targets == (("T1", "Banque Régionale du Centre"),)
    assert ("I2", "Visites chez BRC") in cd.indicators
    assert cd.person.sector == "SEG-BA"


def test_visits_per_month_add_up_to_the_visits_of_the_person(
    mid_year: dict[ReportKind, Report],
) -> None:
    for section in _sections(mid_year[ReportKind.REP], PersonSection):
        visits = [v for a in section.assignments for v in a.step.visits]
        assert sum(m.total for m in section.months) == len(visits)
        if visits:
            assert [m.month for m in section.months] == list(mid_year[ReportKind.REP].months)
    kb = next(s for s in _sections(mid_year[ReportKind.REP], PersonSection) if s.person.key == "kb")
    january = kb.months[0]
    assert january.month == "2025-01"
    assert january.overdue == 3  # three hunting meetings of January not marked held


def test_by_sector_groups_targets_by_their_responsibles_sector(
    mid_year: dict[ReportKind, Report],
) -> None:
    report = mid_year[ReportKind.SECTOR]
    sectors = _sections(report, SectorSection)
    assert [(s.key, [t.key for t in s.targets]) for s in sectors] == [
        ("SEG-BA", ["T1", "T2"]),
        ("OFF-CRM", ["T3"]),
        ("SEG-IND", ["T4"]),
    ]
    assert [p.key for p in sectors[0].people] == ["cd", "kb"]
    assert sectors[0].progress == progress_of(
        step for t in sectors[0].targets for b in t.tracks for step in b.steps
    )
    assert [t.key for t in report.plan_tracks] == ["PILOT"]


def test_a_target_without_a_sector_comes_last(mid_year_state: PlanState) -> None:
    mid_year_state.people["sm"].sector = None
    sectors = build_report(mid_year_state, ReportKind.SECTOR, today=MID_YEAR).sections
    assert [s.key for s in sectors if isinstance(s, SectorSection)] == [
        "SEG-BA",
        "OFF-CRM",
        None,
    ]


def test_by_target_has_objectives_tracks_and_progress(
    mid_year: dict[ReportKind, Report],
) -> None:
    report = mid_year[ReportKind.TARGET]
    targets = _sections(report, TargetSection)
    assert [t.key for t in targets] == ["T1", "T2", "T3", "T4"]
    t1 = targets[0]
    assert [(o.key, o.value, o.baseline) for o in t1.objectives] == [
        ("main", Decimal(600), Decimal(180))
    ]
    assert [b.key for b in t1.tracks] == ["T1-INFO", "T1-DEV", "T1-ELEV"]
    assert (t1.progress.steps, t1.progress.done, t1.progress.held) == (11, 8, 12)
    t2 = targets[1]
    assert [o.key for o in t2.objectives] == ["main", "secondary"]
    assert (t2.progress.late, t2.progress.overdue) == (1, 4)
    assert [t.progress for t in report.targets] == [t.progress for t in targets]


def test_an_empty_plan_gives_an_empty_report(mid_year_state: PlanState) -> None:
    empty = dataclasses.replace(
        mid_year_state, tracks={}, steps={}, occurrences={}, targets={}, objectives={}
    )
    for kind in ReportKind:
        report = build_report(empty, kind, today=MID_YEAR)
        assert report.steps() == ()
        assert report.progress.step_share is None


def test_elapsed_share_of_the_period(mid_year: dict[ReportKind, Report]) -> None:
    report = mid_year[ReportKind.THEME]
    assert report.elapsed() == pytest.approx(161 / 365)
    assert dataclasses.replace(report, today=date(2024, 1, 1)).elapsed() == 0
    assert dataclasses.replace(report, today=date(2027, 1, 1)).elapsed() == 1


def test_the_timeline_scale_maps_the_period_onto_its_width() -> None:
    scale = Scale(date(2025, 1, 1), date(2025, 12, 31))
    assert scale.at(date(2025, 1, 1)) == 0
    assert scale.span(date(2025, 1, 1), date(2025, 12, 31)) == (0, 100)
    months = scale.months(tuple(f"2025-{m:02d}" for m in range(1, 13)))
    assert sum(width for _, _, width in months) == pytest.approx(100)
    assert months[1][1] == pytest.approx(100 * 31 / 365)
    assert scale.middle(date(2025, 12, 31)) <= 100
    assert scale.at(date(2030, 1, 1)) == 100
