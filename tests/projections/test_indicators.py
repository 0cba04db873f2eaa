"""Indicator history, bitemporally: targets and values per period as known at a moment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from events.memory import InMemoryEventStore
from pacflow.demo import DEMO_PLAN, SettableClock, build_demo
from pacflow.domain import PlanEvent, fold
from pacflow.domain import events as ev
from pacflow.domain.values import Aggregation, Direction, IndicatorKind
from pacflow.errors import InvalidInputError, NotFoundError
from pacflow.service import PlanService
from projections.indicator_folds import indicator_histories, indicator_history
from projections.indicators import (
    IndicatorHistory,
    PeriodFigures,
)
from projections.state_json import dump_state, load_state
from tests.projections.test_history import PARIS, Records, paris, record

C04 = "Avoir émis pour Métallurgie Vallée sur la facturation de mars"


@pytest.fixture(scope="module")
def demo() -> Records:
    opened: list[InMemoryEventStore] = []

    def open_store(clock: SettableClock) -> InMemoryEventStore:
        opened.append(InMemoryEventStore(clock=clock))
        return opened[-1]

    build_demo(open_store)
    return list(PlanService(opened[-1]).history(DEMO_PLAN))


def period(history: IndicatorHistory, key: str) -> PeriodFigures:
    (found,) = [figures for figures in history.periods if figures.period == key]
    return found


def column(history: IndicatorHistory, name: str) -> list[Decimal | None]:
    return [getattr(figures, name) for figures in history.periods]


# --- the demo ------------------------------------------------------------------------------


def test_what_we_knew_about_march_on_1_may_and_what_we_know_now(demo: Records) -> None:
    then = indicator_history(demo, "I7", as_of=paris("2025-05-01T23:59:59"))
    march = period(then, "2025-03")
    assert (march.actual, march.target, march.gap, march.attainment) == (
        Decimal(730),
        Decimal(725),
        Decimal(5),
        Decimal("100.7"),
    )
    assert not march.corrected
    assert march.recorded is not None
    assert march.recorded.recorded_at == paris("2025-04-05T09:00")
    assert march.recorded.actor == "sm"
    assert period(then, "2025-04").actual is None  # entered on 5 May

    now = period(indicator_history(demo, "I7"), "2025-03")
    assert (now.actual, now.gap, now.attainment) == (Decimal(725), Decimal(0), Decimal("100.0"))
    assert now.corrected
    (correction,) = now.corrections
    assert correction.recorded_at == paris("2025-05-06T09:00")
    assert (correction.actor, correction.previous, correction.value) == (
        "lf",
        Decimal(730),
        Decimal(725),
    )
    assert correction.reason == C04
    assert now.recorded is not None
    assert now.recorded.value == Decimal(730)


def test_the_correction_counts_from_the_minute_it_was_recorded(demo: Records) -> None:
    before = indicator_history(demo, "I7", as_of=paris("2025-05-06T08:59"))
    after = indicator_history(demo, "I7", as_of=paris("2025-05-06T09:00"))
    assert period(before, "2025-03").actual == Decimal(730)
    assert period(after, "2025-03").actual == Decimal(725)


def test_cumulative_values_are_year_to_date_figures(demo: Records) -> None:
    i1 = indicator_history(demo, "I1", first_period="2025-01", last_period="2025-06")
    assert column(i1, "actual") == [Decimal(v) for v in (20, 45, 90, 120, 170, 250)]
    assert column(i1, "cumulative") == column(i1, "actual")
    assert column(i1, "period_value") == [Decimal(v) for v in (20, 25, 45, 30, 50, 80)]
    # What the June revision says: "I1 à 52 % de l'objectif cumulé à fin mai (170 / 330)".
    may = period(i1, "2025-05")
    assert (may.target, may.attainment, may.gap) == (Decimal(330), Decimal("51.5"), Decimal(-160))


def test_targets_are_those_recorded_at_the_as_of_time(demo: Records) -> None:
    before = indicator_history(demo, "I1", as_of=paris("2025-06-01T00:00"))
    after = indicator_history(demo, "I1")
    assert column(before, "target")[6:] == [Decimal(v) for v in (500, 560, 680, 800, 920, 1050)]
    assert column(after, "target")[6:] == [Decimal(v) for v in (300, 330, 420, 560, 700, 850)]


def test_per_period_values_add_up_over_the_year(demo: Records) -> None:
    i2 = indicator_history(demo, "I2", last_period="2025-04")
    assert column(i2, "actual") == [Decimal(v) for v in (2, 2, 1, 2)]
    assert column(i2, "cumulative") == [Decimal(v) for v in (2, 4, 5, 7)]
    assert column(i2, "cumulative_target") == [Decimal(v) for v in (2, 4, 6, 8)]
    assert column(i2, "attainment") == [Decimal(v) for v in ("100.0", "100.0", "50.0", "100.0")]
    assert column(i2, "period_value") == [None] * 4


@pytest.mark.parametrize("indicator", ["I4", "I5", "I6"])
def test_rates_are_compared_as_they_are_never_summed(demo: Records, indicator: str) -> None:
    rates = indicator_history(demo, indicator)
    assert column(rates, "cumulative") == [None] * 12
    assert all(figures.actual is not None for figures in rates.periods)


def test_i6_margins_keep_their_decimals(demo: Records) -> None:
    january = period(indicator_history(demo, "I6"), "2025-01")
    assert (january.actual, january.gap, january.attainment) == (
        Decimal("18.5"),
        Decimal("-1.5"),
        Decimal("92.5"),
    )


def test_nothing_known_before_the_first_value(demo: Records) -> None:
    january_first = indicator_history(demo, "I7", as_of=paris("2025-02-05T08:59"))
    assert column(january_first, "actual") == [None] * 12
    assert column(january_first, "target")[0] == Decimal(242)


# --- aggregation, direction and periods, on small histories ---------------------------------

CREATED = ev.PlanCreated(
    key="PAC-2025",
    title="Plan 2024-2025",
    start=date(2023, 12, 1),
    end=date(2024, 3, 31),
    timezone="Europe/Paris",
    owner="hg",
)


def defined(aggregation: Aggregation, direction: Direction = Direction.UP) -> ev.IndicatorDefined:
    return ev.IndicatorDefined(
        key="I9",
        name="Délai de réponse aux appels d'offres",
        kind=IndicatorKind.RESULT,
        unit="days",
        aggregation=aggregation,
        direction=direction,
        owner="hg",
    )


def value(period: str, amount: int | str) -> ev.IndicatorValueRecorded:
    return ev.IndicatorValueRecorded(indicator="I9", period=period, value=Decimal(amount))


def targets(**values: int) -> ev.IndicatorTargetsSet:
    return ev.IndicatorTargetsSet(
        indicator="I9",
        targets={key[1:].replace("_", "-"): Decimal(v) for key, v in values.items()},
    )


def history_of(*events: PlanEvent) -> IndicatorHistory:
    return indicator_history(record([CREATED, *events]), "I9")


def test_where_lower_is_better_the_gap_is_positive_below_target() -> None:
    found = history_of(
        defined(Aggregation.PER_PERIOD, Direction.DOWN),
        targets(m2023_12=10, m2024_01=10, m2024_02=0),
        value("2023-12", 8),
        value("2024-01", 12),
        value("2024-02", 5),
    )
    assert column(found, "gap")[:3] == [Decimal(2), Decimal(-2), Decimal(-5)]
    assert column(found, "attainment")[:3] == [Decimal(125), Decimal("83.3"), Decimal(0)]


def test_a_zero_target_has_no_attainment_where_higher_is_better() -> None:
    found = history_of(defined(Aggregation.PER_PERIOD), targets(m2023_12=0), value("2023-12", 3))
    figures = period(found, "2023-12")
    assert (figures.gap, figures.attainment) == (Decimal(3), None)


def test_running_sums_start_again_in_january_and_february_2024_has_29_days() -> None:
    found = history_of(
        defined(Aggregation.PER_PERIOD),
        targets(m2023_12=5, m2024_01=5, m2024_02=5),
        value("2023-12", 4),
        value("2024-01", 6),
        value("2024-02", 7),
    )
    assert [f.period for f in found.periods] == ["2023-12", "2024-01", "2024-02", "2024-03"]
    assert column(found, "cumulative") == [Decimal(4), Decimal(6), Decimal(13), None]
    assert column(found, "cumulative_target") == [Decimal(5), Decimal(5), Decimal(10), None]


def test_a_missing_month_leaves_the_next_period_value_unknown() -> None:
    found = history_of(
        defined(Aggregation.CUMULATIVE_YTD),
        value("2023-12", 40),
        value("2024-01", 10),
        value("2024-03", 30),
    )
    assert column(found, "period_value") == [Decimal(40), Decimal(10), None, None]


def test_a_correction_of_a_value_never_recorded_is_ignored_as_a_foreign_fact() -> None:
    stray = ev.IndicatorValueCorrected(
        indicator="I9", period="2024-01", value=Decimal(1), previous=Decimal(2), reason="test"
    )
    found = history_of(defined(Aggregation.PER_PERIOD), stray)
    assert period(found, "2024-01").actual is None


def test_the_periods_shown_can_be_narrowed() -> None:
    found = indicator_history(
        record([CREATED, defined(Aggregation.PER_PERIOD)]), "I9", None, "2024-01", "2024-02"
    )
    assert [f.period for f in found.periods] == ["2024-01", "2024-02"]


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("2024-04", None, "indicator I9: --from 2024-04 is outside the plan period"),
        (None, "2024-13", "indicator I9: --to '2024-13': expected a month such as 2025-03"),
        ("2024-02", "2024-01", "indicator I9: --from 2024-02 is after --to 2024-01"),
    ],
)
def test_bad_period_ranges(first: str | None, last: str | None, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        indicator_history(
            record([CREATED, defined(Aggregation.PER_PERIOD)]), "I9", None, first, last
        )


def test_unknown_plans_and_indicators() -> None:
    with pytest.raises(NotFoundError, match="no such plan"):
        indicator_history([], "I9")
    records = record([CREATED, defined(Aggregation.PER_PERIOD)])
    with pytest.raises(NotFoundError, match="indicator I8: unknown in plan PAC-2025"):
        indicator_history(records, "I8")
    with pytest.raises(NotFoundError, match="indicator I9: unknown yet in plan PAC-2025"):
        indicator_history(records, "I9", as_of=records[0][0].recorded_at)


def test_json_gives_times_in_utc_and_in_the_plan_zone(demo: Records) -> None:
    data = indicator_history(demo, "I7", last_period="2025-03").as_json(PARIS)
    march = data["periods"][2]
    assert march["corrected"] is True
    assert march["corrections"][0]["local_time"] == "2025-05-06T09:00:00+02:00"
    assert march["corrections"][0]["recorded_at"] == datetime(2025, 5, 6, 7, tzinfo=UTC)
    assert march["recorded"] == {
        "value": Decimal(730),
        "recorded_at": datetime(2025, 4, 5, 7, tzinfo=UTC),
        "local_time": "2025-04-05T09:00:00+02:00",
        "actor": "sm",
    }


def test_snapshots_keep_actual_values(demo: Records) -> None:
    state = fold(event for _recorded, event in demo)
    assert state is not None
    assert state.indicators["I7"].actuals["2025-03"] == Decimal(725)
    assert load_state(dump_state(state)).indicators == state.indicators


@pytest.mark.parametrize("as_of", [None, paris("2025-05-01T00:00"), paris("2025-05-06T10:00")])
def test_all_histories_from_one_fold_match_one_by_one(
    demo: Records, as_of: datetime | None
) -> None:
    every = indicator_histories(demo, as_of)
    assert [h.indicator.key for h in every] == [f"I{n}" for n in range(1, 9)]
    assert every == [indicator_history(demo, h.indicator.key, as_of) for h in every]
