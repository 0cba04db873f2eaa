"""pacflow check, rule by rule, on a small plan recorded at known moments (freezegun).

Month ends, a leap year, the DST changes of Europe/Paris (2025-03-30 and 2025-10-26),
thresholds changed mid-year, the unclosable-gap rule firing and not, and the findings a
revision answered. Moments given to freeze_time are UTC; --as-of is local (Paris) time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from pacflow.cli import main
from tests.cli.plan_fixtures import exit_code_for, invoke, ok, refused, usage_error

PLAN = "PAC-T"

_PLAN_2025: list[tuple[str, list[list[str]]]] = [
    (
        "2024-12-16 09:00:00",
        [
            ["plan", "create", PLAN, "--title", "PAC test", "--start", "2025-01-01",
             "--end", "2025-12-31", "--timezone", "Europe/Paris", "--owner", "hg"],
            ["person", "add", PLAN, "hg", "--name", "Hélène Garnier", "--kind", "manager"],
            ["person", "add", PLAN, "cd", "--name", "Claire Dubois", "--kind", "rep"],
            ["person", "add", PLAN, "kb", "--name", "Karim Benali", "--kind", "rep"],
            ["target", "add", PLAN, "T1", "--kind", "customer", "--title", "BRC",
             "--responsible", "cd", "--ref", "ACC-BRC"],
            ["track", "add", PLAN, "T1-INFO", "--target", "T1", "--domain", "information",
             "--title", "Connaître BRC"],
            ["track", "add", PLAN, "T1-ELEV", "--target", "T1", "--domain", "sales",
             "--approach", "farming", "--title", "Développer BRC"],
            ["step", "add", PLAN, "S01", "--track", "T1-INFO", "--title", "Organigramme",
             "--responsible", "cd", "--due", "2025-01-31"],
            ["step", "add", PLAN, "S02", "--track", "T1-INFO", "--title", "Étude concurrence",
             "--responsible", "cd", "--due", "2025-03-30"],
            ["step", "add", PLAN, "S03", "--track", "T1-INFO", "--title", "Bilan d'automne",
             "--responsible", "kb", "--due", "2025-10-26"],
            ["step", "add", PLAN, "V1", "--track", "T1-ELEV", "--title", "Visites BRC",
             "--responsible", "cd", "--cadence", "2 per month"],
            ["indicator", "define", PLAN, "I1", "--name", "Commandes BRC", "--kind", "result",
             "--unit", "kEUR", "--owner", "hg", "--serves", "T1"],
            ["indicator", "set-targets", PLAN, "I1", "--from", "2025-01", "--values",
             ",".join(["100"] * 12)],
            ["indicator", "define", PLAN, "I2", "--name", "CA BRC (cumul)", "--kind", "result",
             "--unit", "kEUR", "--owner", "hg", "--aggregation", "cumulative_ytd",
             "--serves", "T1"],
            ["indicator", "set-targets", PLAN, "I2", "--from", "2025-01", "--values",
             ",".join(str(100 * month) for month in range(1, 13))],
            ["indicator", "define", PLAN, "I3", "--name", "Coûts d'avant-vente", "--kind",
             "activity", "--unit", "kEUR", "--owner", "hg", "--direction", "down"],
            ["indicator", "set-targets", PLAN, "I3", "--from", "2025-01", "--values",
             ",".join(["50"] * 12)],
        ],
    ),
    (
        "2025-01-02 09:00:00",
        [
            ["plan", "approve", PLAN, "--reason", "comité de direction"],
            ["plan", "publish", PLAN, "--reason", "v1"],
        ],
    ),
]  # fmt: skip
"""PAC-T: S01 due on a month end, S02 and S03 due on the days clocks change in Paris, V1 two
visits a month, I1 monthly (targets 100), I2 year to date (100 … 1200), I3 where lower is
better (targets 50); published on 2 January 2025 at 10:00 Paris time."""

_TEMPLATES: dict[str, Path] = {}


def _template(factory: pytest.TempPathFactory) -> Path:
    """PAC-T's store, built once through the CLI; each test gets a copy."""
    if "2025" not in _TEMPLATES:
        folder = factory.mktemp("pac-t")
        path = folder / "pac-t.db"
        env = {"PACFLOW_DB": f"sqlite:///{path}", "PACFLOW_ACTOR": "hg"}
        runner = CliRunner()
        for moment, commands in _PLAN_2025:
            with freeze_time(moment):
                for command in commands:
                    result = runner.invoke(main, command, env=env)
                    assert result.exit_code == 0, (command, result.output)
        _TEMPLATES["2025"] = path
    return _TEMPLATES["2025"]


@pytest.fixture
def plan_2025(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    target = Path(db_url.removeprefix("sqlite:///"))
    source = _template(tmp_path_factory)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def at(runner: CliRunner, moment: str, *commands: Sequence[str]) -> None:
    """Run commands, each of which must succeed, with the clock at `moment` (UTC)."""
    with freeze_time(moment):
        for command in commands:
            ok(runner, command)


def report(runner: CliRunner, *args: str, plan: str = PLAN) -> Any:
    """`pacflow check PLAN --json ARGS`, parsed (exit 0 or 1 both mean it ran)."""
    result = invoke(runner, ["check", plan, "--json", *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def messages(runner: CliRunner, rule: str, *args: str, plan: str = PLAN) -> list[str]:
    """The messages of one rule's findings."""
    return [f["message"] for f in report(runner, *args, plan=plan)["findings"] if f["rule"] == rule]


def subjects(runner: CliRunner, rule: str, *args: str, plan: str = PLAN) -> list[str]:
    """The subjects of one rule's findings (step, indicator, person, plan keys)."""
    found = report(runner, *args, plan=plan)["findings"]
    return [f["subject"] for f in found if f["rule"] == rule]


def record(runner: CliRunner, moment: str, indicator: str, values: dict[str, str]) -> None:
    """Record actual values of `indicator` (period -> value) at `moment` (UTC)."""
    at(
        runner,
        moment,
        *(
            ["indicator", "record", PLAN, indicator, "--period", period, "--value", value]
            for period, value in values.items()
        ),
    )


pytestmark = pytest.mark.usefixtures("plan_2025")


# --- step-overdue: month ends, DST, grace days --------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "late"),
    [
        ("2025-01-31", []),
        ("2025-01-31T23:59", []),
        (
            "2025-02-01T00:00",
            ["step S01 (Organigramme, cd) is planned, due 2025-01-31: 1 day late"],
        ),
        ("2025-02-28", ["step S01 (Organigramme, cd) is planned, due 2025-01-31: 28 days late"]),
    ],
)
def test_a_step_due_on_a_month_end_is_late_from_the_first_of_the_next(
    runner: CliRunner, as_of: str, late: list[str]
) -> None:
    assert messages(runner, "step-overdue", "--as-of", as_of) == late


@pytest.mark.parametrize(
    ("utc", "late"),
    [
        ("2025-03-30 21:59:59", ["S01"]),  # 23:59:59 CEST: the day clocks went forward
        ("2025-03-30 22:00:00", ["S01", "S02"]),  # midnight on 31 March in Paris
        ("2025-10-26 22:59:59", ["S01", "S02"]),  # 23:59:59 CET: the day clocks went back
        ("2025-10-26 23:00:00", ["S01", "S02", "S03"]),  # midnight on 27 October in Paris
    ],
)
def test_a_step_due_on_a_dst_day_is_late_once_that_local_day_ends(
    runner: CliRunner, utc: str, late: list[str]
) -> None:
    with freeze_time(utc):
        assert subjects(runner, "step-overdue") == late


@pytest.mark.parametrize(
    ("as_of", "late"),
    [
        ("2025-03-30T03:00", ["S01"]),  # the first local time after the clocks skip an hour
        ("2025-03-30T23:59", ["S01"]),
        ("2025-03-31T00:00", ["S01", "S02"]),
        ("2025-10-26T02:30~2", ["S01", "S02"]),  # the second of a local time that happens twice
        ("2025-10-26T02:30+02:00", ["S01", "S02"]),  # the first, by its offset
        ("2025-10-26T23:59", ["S01", "S02"]),
        ("2025-10-27T00:00", ["S01", "S02", "S03"]),
    ],
)
def test_as_of_in_local_time_on_dst_days(runner: CliRunner, as_of: str, late: list[str]) -> None:
    assert subjects(runner, "step-overdue", "--as-of", as_of) == late


@pytest.mark.parametrize(
    ("as_of", "problem"),
    [
        (
            "2025-03-30T02:30",
            "--as-of 2025-03-30T02:30 does not exist in Europe/Paris (the clocks go from 02:00 "
            "to 03:00 that day); the nearest valid times are 2025-03-30T01:59 and "
            "2025-03-30T03:00",
        ),
        (
            "2025-10-26T02:30",
            "--as-of 2025-10-26T02:30 happens twice in Europe/Paris (the clocks go back that "
            "day); say which: 2025-10-26T02:30+02:00 or 2025-10-26T02:30~1 for the first "
            "(CEST), 2025-10-26T02:30+01:00 or 2025-10-26T02:30~2 for the second (CET)",
        ),
    ],
)
def test_as_of_refuses_a_local_time_the_clocks_skip_or_repeat(
    runner: CliRunner, as_of: str, problem: str
) -> None:
    assert refused(runner, ["check", PLAN, "--as-of", as_of]) == problem


def test_grace_days_set_mid_year_apply_from_then_on(runner: CliRunner) -> None:
    at(runner, "2025-02-10 09:00:00", ["plan", "set-check", PLAN, "--overdue-grace-days", "3",
                                      "--reason", "une semaine de battement"])  # fmt: skip
    assert subjects(runner, "step-overdue", "--as-of", "2025-02-03") == ["S01"]  # before: 0
    assert subjects(runner, "step-overdue", "--as-of", "2025-02-11") == ["S01"]  # 11 days
    assert subjects(runner, "step-overdue", "--as-of", "2025-04-02") == ["S01"]  # S02: 3 days
    late = messages(runner, "step-overdue", "--as-of", "2025-04-03")
    assert late[1] == "step S02 (Étude concurrence, cd) is planned, due 2025-03-30: 4 days late"


def test_a_step_done_is_not_late(runner: CliRunner) -> None:
    at(runner, "2025-02-03 09:00:00", ["step", "done", PLAN, "S01", "--on", "2025-02-03"])
    assert subjects(runner, "step-overdue", "--as-of", "2025-02-02") == ["S01"]
    assert subjects(runner, "step-overdue", "--as-of", "2025-02-04") == []


# --- no-review: thresholds changed mid-year -----------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "stale"),
    [
        ("2025-04-02", []),  # 90 days after 2 January: not more than 90
        ("2025-04-03", ["no revision or review for 91 days (more than 90)"]),
    ],
)
def test_no_review_for_more_than_90_days(runner: CliRunner, as_of: str, stale: list[str]) -> None:
    assert messages(runner, "no-review", "--as-of", as_of) == stale


def test_stale_after_days_changed_mid_year(runner: CliRunner) -> None:
    at(runner, "2025-02-15 09:00:00", ["plan", "set-check", PLAN, "--stale-after-days", "30",
                                      "--reason", "revue mensuelle"])  # fmt: skip
    before = report(runner, "--as-of", "2025-02-15T09:59")  # 10:00 in Paris it was set
    after = report(runner, "--as-of", "2025-02-15T10:01")
    assert [f["rule"] for f in before["findings"]].count("no-review") == 0
    assert before["thresholds"]["stale_after_days"] == 90
    assert after["thresholds"]["stale_after_days"] == 30
    stale = [f for f in after["findings"] if f["rule"] == "no-review"]
    assert stale[0]["message"] == "no revision or review for 44 days (more than 30)"
    assert stale[0]["facts"][0]["summary"] == "plan published (revision 1)"
    text = ok(runner, ["check", PLAN, "--as-of", "2025-02-16"]).stdout
    assert text.splitlines()[-1] == (
        "thresholds: no review for more than 30 days, off track for 2 periods, overdue 0 days "
        "after the due date, pace over the last 3 periods (plan set-check); too many targets: "
        "more than 2 per rep or 6 in all (plan set-limits)"
    )


# --- visits-below-cadence: month ends ------------------------------------------------------


def test_visits_below_cadence_once_the_month_is_over(runner: CliRunner) -> None:
    at(runner, "2025-01-08 17:00:00", ["visit", "done", PLAN, "V1@2025-01-08", "--on",
                                      "2025-01-08"])  # fmt: skip
    assert messages(runner, "visits-below-cadence", "--as-of", "2025-01-31T23:59") == []
    assert messages(runner, "visits-below-cadence", "--as-of", "2025-02-01T00:00") == [
        "step V1 (Visites BRC, cd): fewer visits held than its cadence (2 per month) in "
        "2025-01 1/2"
    ]
    assert messages(runner, "visits-below-cadence", "--as-of", "2025-03-01")[0].endswith(
        "in 2025-01 1/2, 2025-02 0/2"
    )


# --- indicator-off-track: K periods, changed mid-year --------------------------------------


def test_off_track_for_k_periods_with_k_changed_mid_year(runner: CliRunner) -> None:
    record(runner, "2025-02-05 08:00:00", "I1", {"2025-01": "80"})
    record(runner, "2025-03-05 08:00:00", "I1", {"2025-02": "70"})
    at(runner, "2025-03-20 09:00:00", ["plan", "set-check", PLAN, "--off-track-periods", "3",
                                      "--reason", "lisser les mois creux"])  # fmt: skip
    record(runner, "2025-04-05 08:00:00", "I1", {"2025-03": "60"})
    assert messages(runner, "indicator-off-track", "--as-of", "2025-03-04") == []
    found = [
        f
        for f in report(runner, "--as-of", "2025-03-06")["findings"]
        if f["rule"] == "indicator-off-track"
    ]
    assert [(f["severity"], f["message"]) for f in found] == [
        (
            "warning",
            "indicator I1 (Commandes BRC) off track for 2 consecutive periods: 2025-01 80.0%, "
            "2025-02 70.0%",
        )
    ]
    assert [fact["date"] for fact in found[0]["facts"]] == ["2025-01-31", "2025-02-28"]
    assert messages(runner, "indicator-off-track", "--as-of", "2025-03-21") == []  # K = 3
    assert messages(runner, "indicator-off-track", "--as-of", "2025-04-06") == [
        "indicator I1 (Commandes BRC) off track for 3 consecutive periods: 2025-01 80.0%, "
        "2025-02 70.0%, 2025-03 60.0%"
    ]


def test_off_track_for_twice_k_periods_is_an_error(runner: CliRunner) -> None:
    for month, value in (("01", "80"), ("02", "70"), ("03", "60"), ("04", "50")):
        record(runner, f"2025-{int(month) + 1:02}-05 08:00:00", "I1", {f"2025-{month}": value})
    found = report(runner, "--as-of", "2025-05-06")["findings"]
    severities = [f["severity"] for f in found if f["rule"] == "indicator-off-track"]
    assert severities == ["error"]
    at(runner, "2025-05-07 08:00:00", ["indicator", "record", PLAN, "I1", "--period",
                                      "2025-05", "--value", "100"])  # fmt: skip
    assert messages(runner, "indicator-off-track", "--as-of", "2025-05-08") == []  # on track


def test_off_track_in_a_leap_february_ends_on_the_29th(runner: CliRunner) -> None:
    leap_plan(runner)
    at(
        runner,
        "2024-03-05 08:00:00",
        ["indicator", "record", "PAC-L", "IL", "--period", "2024-01", "--value", "5"],
        ["indicator", "record", "PAC-L", "IL", "--period", "2024-02", "--value", "5"],
    )
    found = report(runner, "--as-of", "2024-03-06", plan="PAC-L")["findings"]
    off = next(f for f in found if f["rule"] == "indicator-off-track")
    assert [fact["date"] for fact in off["facts"]] == ["2024-01-31", "2024-02-29"]


# --- indicator-gap-unclosable ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("march", "fires"),
    [("300", False), ("290", True)],
)
def test_year_to_date_gap_at_the_recent_pace(runner: CliRunner, march: str, fires: bool) -> None:
    record(runner, "2025-02-05 08:00:00", "I2", {"2025-01": "100"})
    record(runner, "2025-03-05 08:00:00", "I2", {"2025-02": "200"})
    record(runner, "2025-04-05 08:00:00", "I2", {"2025-03": march})
    assert messages(runner, "indicator-gap-unclosable", "--as-of", "2025-03-06") == []  # 2 known
    found = [
        f
        for f in report(runner, "--as-of", "2025-04-06")["findings"]
        if f["rule"] == "indicator-gap-unclosable"
    ]
    if not fires:  # 300 + 9 periods x 100 = 1200: the target, just
        assert found == []
        return
    assert [(f["severity"], f["subject"], f["message"]) for f in found] == [
        (
            "warning",
            "I2",
            "indicator I2 (CA BRC (cumul)) cannot reach its 2025 target of 1200 kEUR at the "
            "recent pace: 290 by 2025-03, plus 96.67 a period (mean of 2025-01, 2025-02, "
            "2025-03) over the 9 periods left, makes 1160; it needs 101.11 a period",
        )
    ]
    assert [fact["position"] for fact in found[0]["facts"]] == sorted(
        fact["position"] for fact in found[0]["facts"]
    )
    assert [fact["date"] for fact in found[0]["facts"]] == [
        "2025-01-31",
        "2025-02-28",
        "2025-03-31",
    ]
    assert found[0]["command"] == (
        "pacflow indicator set-targets PAC-T I2 --from 2025-04 --values …  (or: pacflow target "
        'drop PAC-T T1 --reason "…"), in a revision'
    )


@pytest.mark.parametrize(
    ("cost", "fires"),
    [("40", False), ("60", True)],
)
def test_gap_where_lower_is_better(runner: CliRunner, cost: str, fires: bool) -> None:
    record(runner, "2025-04-05 08:00:00", "I3", {"2025-01": cost, "2025-02": cost, "2025-03": cost})
    expected = [
        "indicator I3 (Coûts d'avant-vente) cannot stay within its 2025 target of 600 kEUR at "
        "the recent pace: 180 by 2025-03, plus 60 a period (mean of 2025-01, 2025-02, 2025-03) "
        "over the 9 periods left, makes 720; it needs at most 46.67 a period"
    ]
    found = messages(runner, "indicator-gap-unclosable", "--as-of", "2025-04-06")
    assert found == (expected if fires else [])


def test_pace_periods_changed_mid_year(runner: CliRunner) -> None:
    record(runner, "2025-03-05 08:00:00", "I1", {"2025-01": "50", "2025-02": "50"})
    at(runner, "2025-03-10 09:00:00", ["plan", "set-check", PLAN, "--pace-periods", "2",
                                      "--reason", "deux mois suffisent"])  # fmt: skip
    assert messages(runner, "indicator-gap-unclosable", "--as-of", "2025-03-09") == []
    assert messages(runner, "indicator-gap-unclosable", "--as-of", "2025-03-11") == [
        "indicator I1 (Commandes BRC) cannot reach its 2025 target of 1200 kEUR at the recent "
        "pace: 100 by 2025-02, plus 50 a period (mean of 2025-01, 2025-02) over the 10 periods "
        "left, makes 600; it needs 110 a period"
    ]


def test_no_gap_finding_once_the_year_is_over(runner: CliRunner) -> None:
    record(runner, "2025-12-05 08:00:00", "I1", {f"2025-{m:02}": "50" for m in range(1, 12)})
    record(runner, "2026-01-05 08:00:00", "I1", {"2025-12": "50"})
    assert subjects(runner, "indicator-gap-unclosable", "--as-of", "2025-12-06") == ["I1"]
    assert subjects(runner, "indicator-gap-unclosable", "--as-of", "2026-01-06") == []
    assert subjects(runner, "indicator-off-track", "--as-of", "2026-01-06") == ["I1"]


# --- owner-left, too-many-targets ------------------------------------------------------------


def test_owner_left_from_the_last_day_in_the_team(runner: CliRunner) -> None:
    at(runner, "2025-01-20 09:00:00", ["person", "leave", PLAN, "kb", "--on", "2025-01-31",
                                      "--reason", "démission"])  # fmt: skip
    assert messages(runner, "owner-left", "--as-of", "2025-01-30") == []
    assert messages(runner, "owner-left", "--as-of", "2025-01-31") == [
        "kb (Karim Benali) left the team on 2025-01-31 but still owns open steps S03"
    ]


def test_too_many_targets_for_one_rep(runner: CliRunner) -> None:
    at(
        runner,
        "2025-02-03 09:00:00",
        ["plan", "revise", PLAN, "--reason", "nouvelle cible"],
        ["target", "add", PLAN, "T2", "--kind", "customer", "--title", "Mutuelle du Centre",
         "--responsible", "cd", "--reason", "appel d'offres"],
        ["plan", "set-limits", PLAN, "--per-rep", "1", "--total", "6", "--reason", "focus"],
    )  # fmt: skip
    assert subjects(runner, "too-many-targets", "--as-of", "2025-02-02") == []
    found = report(runner, "--as-of", "2025-02-04")
    assert [f["subject"] for f in found["findings"] if f["rule"] == "too-many-targets"] == ["cd"]
    assert (
        found["thresholds"]["max_targets_per_rep"],
        found["thresholds"]["max_targets_total"],
    ) == (1, 6)


# --- answered by a revision ------------------------------------------------------------------


def test_a_market_change_answered_by_a_revision(runner: CliRunner) -> None:
    at(runner, "2025-05-05 09:00:00", ["market", "record", PLAN, "--summary", "Fusion de BRC",
                                      "--affects", "account:ACC-BRC", "--on",
                                      "2025-05-05", "--impact", "medium"])  # fmt: skip
    at(runner, "2025-05-20 09:00:00", ["plan", "revise", PLAN, "--reason", "fusion BRC"])
    # The revision changes T1, the target the market change touches.
    at(runner, "2025-05-21 14:00:00", ["step", "move", PLAN, "S03", "--due", "2025-11-28",
                                      "--reason", "fusion BRC"])  # fmt: skip
    at(runner, "2025-05-21 15:00:00", ["--actor", "dg", "plan", "publish", PLAN, "--reason",
                                      "v2"])  # fmt: skip
    during = report(runner, "--as-of", "2025-05-20T12:00")  # revision open, not published
    assert subjects(runner, "market-change", "--as-of", "2025-05-20T12:00") != []
    assert during["answered"] == []
    after = report(runner, "--as-of", "2025-05-21T17:01")
    assert "market-change" not in [f["rule"] for f in after["findings"]]
    answered = [(a["rule"], a["revision"], a["published_by"]) for a in after["answered"]]
    assert ("market-change", 2, "dg") in answered
    market = next(a for a in after["answered"] if a["rule"] == "market-change")
    assert market["published_at"] == "2025-05-21T15:00:00Z"
    assert market["message"] == (
        "market change of 2025-05-05 (medium impact) touches T1, and no revision was published "
        "in the 15 days since it was recorded"
    )
    no_review = next(a for a in after["answered"] if a["rule"] == "no-review")
    assert no_review["subject"] == PLAN  # 138 days without a review, answered too
    text = ok(runner, ["check", PLAN, "--as-of", "2025-05-22"]).stdout.splitlines()
    start = text.index("Answered by revisions:")
    assert text[start + 1] == "  revision 2 (published 2025-05-21 17:00 by dg):"
    revisions = json.loads(ok(runner, ["plan", "revisions", PLAN, "--json"]).stdout)
    assert [a["rule"] for a in revisions[0]["answered"]] == []
    assert "market-change" in [a["rule"] for a in revisions[1]["answered"]]


def test_a_revision_answers_only_the_findings_whose_subjects_it_changed(
    runner: CliRunner,
) -> None:
    # I1 off track from January; a market change on BRC (T1) in May.
    at(runner, "2025-02-05 09:00:00", ["indicator", "record", PLAN, "I1", "--period", "2025-01",
                                      "--value", "40"])  # fmt: skip
    at(runner, "2025-03-05 09:00:00", ["indicator", "record", PLAN, "I1", "--period", "2025-02",
                                      "--value", "45"])  # fmt: skip
    at(runner, "2025-05-05 09:00:00", ["market", "record", PLAN, "--summary", "Fusion de BRC",
                                      "--affects", "account:ACC-BRC", "--on",
                                      "2025-05-05", "--impact", "medium"])  # fmt: skip
    assert subjects(runner, "indicator-off-track", "--as-of", "2025-05-06") == ["I1"]
    # A revision that changes only I3's targets, and publishes.
    at(
        runner,
        "2025-05-20 09:00:00",
        ["plan", "revise", PLAN, "--reason", "coûts"],
        ["indicator", "set-targets", PLAN, "I3", "--from", "2025-06", "--values",
         ",".join(["40"] * 7), "--reason", "coûts"],
        ["plan", "publish", PLAN, "--reason", "v2"],
    )  # fmt: skip
    after = report(runner, "--as-of", "2025-05-21")
    # Neither I1 nor T1 was changed: both findings stand, and none is said answered by it.
    assert subjects(runner, "indicator-off-track", "--as-of", "2025-05-21") == ["I1"]
    assert subjects(runner, "market-change", "--as-of", "2025-05-21") != []
    assert [a for a in after["answered"] if a["rule"] != "no-review"] == []
    # A revision that sets I1's targets answers I1, and the market change on T1, the target
    # I1 serves (what the revision changed is the touch map's answer).
    at(
        runner,
        "2025-05-22 09:00:00",
        ["plan", "revise", PLAN, "--reason", "I1"],
        ["indicator", "set-targets", PLAN, "I1", "--from", "2025-06", "--values",
         ",".join(["50"] * 7), "--reason", "objectif revu"],
        ["plan", "publish", PLAN, "--reason", "v3"],
    )  # fmt: skip
    later = report(runner, "--as-of", "2025-05-23")
    assert subjects(runner, "indicator-off-track", "--as-of", "2025-05-23") == []
    assert subjects(runner, "market-change", "--as-of", "2025-05-23") == []
    assert sorted((a["rule"], a["subject"], a["revision"]) for a in later["answered"]) == [
        ("indicator-off-track", "I1", 3),
        ("market-change", "#24", 3),
        ("no-review", PLAN, 2),
    ]


def test_a_finding_that_outlives_the_revision_is_not_answered(runner: CliRunner) -> None:
    at(runner, "2025-02-20 09:00:00", ["plan", "revise", PLAN, "--reason", "point février"])
    at(runner, "2025-02-20 10:00:00", ["plan", "publish", PLAN, "--reason", "v2"])
    after = report(runner, "--as-of", "2025-02-21")
    assert subjects(runner, "step-overdue", "--as-of", "2025-02-21") == ["S01"]
    assert ("step-overdue", "S01") not in [(a["rule"], a["subject"]) for a in after["answered"]]


def test_a_step_moved_in_a_revision_answers_its_overdue_finding(runner: CliRunner) -> None:
    at(
        runner,
        "2025-02-20 09:00:00",
        ["plan", "revise", PLAN, "--reason", "point février"],
        ["step", "move", PLAN, "S01", "--due", "2025-03-31", "--reason", "DSI en congés"],
        ["plan", "publish", PLAN, "--reason", "v2"],
    )
    answered = report(runner, "--as-of", "2025-02-21")["answered"]
    assert [(a["rule"], a["subject"], a["revision"]) for a in answered] == [
        ("step-overdue", "S01", 2)
    ]
    lines = ok(runner, ["plan", "revisions", PLAN]).stdout.splitlines()
    assert lines[-1] == (
        "  answered   [step-overdue S01] step S01 (Organigramme, cd) is planned, due "
        "2025-01-31: 20 days late"
    )


# --- plan set-check ---------------------------------------------------------------------------


def test_set_check_records_only_what_changes(runner: CliRunner) -> None:
    args = ["plan", "set-check", PLAN, "--reason", "revue mensuelle"]
    with freeze_time("2025-02-15 09:00:00"):
        dry = json.loads(
            ok(runner, [*args, "--stale-after-days", "30", "--dry-run", "--json"]).stdout
        )
        assert dry["dry_run"] is True
        assert dry["events"][0]["type"] == "CheckThresholdsSet"
        result = ok(runner, [*args, "--stale-after-days", "30", "--off-track-periods", "2"])
        assert result.stdout == (
            "PAC-T: recorded 1 change\n  check thresholds: no review for more than 30 days\n"
        )
        assert (
            ok(runner, [*args, "--stale-after-days", "30"]).stdout == "PAC-T: nothing to change\n"
        )
    history = ok(runner, ["plan", "history", PLAN, "--from", "2025-02-15"]).stdout
    assert history.splitlines() == [
        "2025-02-15 10:00 hg — check thresholds: no review for more than 30 days — reason: "
        "revue mensuelle [rev 1, cli]"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stale-after-days", "0"], "plan PAC-T: stale_after_days 0: expected 1 to 3660"),
        (["--off-track-periods", "61"], "plan PAC-T: off_track_periods 61: expected 1 to 60"),
        (["--overdue-grace-days", "-1"], "plan PAC-T: overdue_grace_days -1: expected 0 to 365"),
        (["--pace-periods", "three"], "--pace-periods 'three': expected a whole number"),
    ],
)
def test_bad_thresholds_are_refused(runner: CliRunner, args: list[str], message: str) -> None:
    command = ["plan", "set-check", PLAN, *args, "--reason", "x"]
    assert refused(runner, command, exit_code_for(message)).startswith(message)


def test_set_check_needs_a_reason_once_published_and_a_threshold(runner: CliRunner) -> None:
    assert refused(runner, ["plan", "set-check", PLAN, "--stale-after-days", "30"]) == (
        "plan PAC-T: a reason is required, plan PAC-T is published"
    )
    assert "give at least one threshold" in usage_error(
        runner, ["plan", "set-check", PLAN, "--reason", "x"]
    )
    assert refused(runner, ["plan", "set-check", "PAC-9", "--pace-periods", "2"]).startswith(
        "plan PAC-9: no such plan"
    )


# --- a leap year ------------------------------------------------------------------------------


def leap_plan(runner: CliRunner) -> None:
    """PAC-L over 2024: L1 due on 29 February, visits twice a month, published on 1 January."""
    at(
        runner,
        "2023-12-15 09:00:00",
        ["plan", "create", "PAC-L", "--title", "PAC 2024", "--start", "2024-01-01", "--end",
         "2024-12-31", "--timezone", "Europe/Paris", "--owner", "hg"],
        ["person", "add", "PAC-L", "hg", "--name", "Hélène Garnier", "--kind", "manager"],
        ["person", "add", "PAC-L", "cd", "--name", "Claire Dubois", "--kind", "rep"],
        ["target", "add", "PAC-L", "T1", "--kind", "customer", "--title", "BRC",
         "--responsible", "cd"],
        ["track", "add", "PAC-L", "T1-ELEV", "--target", "T1", "--domain", "sales",
         "--approach", "farming", "--title", "Développer BRC"],
        ["step", "add", "PAC-L", "L1", "--track", "T1-ELEV", "--title", "Bilan",
         "--responsible", "cd", "--due", "2024-02-29"],
        ["step", "add", "PAC-L", "LV", "--track", "T1-ELEV", "--title", "Visites",
         "--responsible", "cd", "--cadence", "2 per month"],
        ["indicator", "define", "PAC-L", "IL", "--name", "Visites faites", "--kind",
         "activity", "--unit", "count", "--owner", "hg"],
        ["indicator", "set-targets", "PAC-L", "IL", "--from", "2024-01", "--values",
         ",".join(["10"] * 12)],
    )  # fmt: skip
    at(
        runner,
        "2024-01-01 09:00:00",
        ["plan", "approve", "PAC-L", "--reason", "ok"],
        ["plan", "publish", "PAC-L", "--reason", "v1"],
    )


@pytest.mark.parametrize(
    ("as_of", "late", "short", "stale"),
    [
        ("2024-02-29", [], "2024-01 0/2", []),
        ("2024-03-01", ["L1"], "2024-01 0/2, 2024-02 0/2", []),
        ("2024-03-31", ["L1"], "2024-01 0/2, 2024-02 0/2", []),  # 90 days, 29 February counted
        ("2024-04-01", ["L1"], "2024-01 0/2, 2024-02 0/2, 2024-03 0/2", ["PAC-L"]),
    ],
)
def test_a_leap_year(
    runner: CliRunner, as_of: str, late: list[str], short: str, stale: list[str]
) -> None:
    leap_plan(runner)
    assert subjects(runner, "step-overdue", "--as-of", as_of, plan="PAC-L") == late
    visits = messages(runner, "visits-below-cadence", "--as-of", as_of, plan="PAC-L")
    assert visits[0].endswith(f"in {short}")
    assert subjects(runner, "no-review", "--as-of", as_of, plan="PAC-L") == stale
    if late:
        day = messages(runner, "step-overdue", "--as-of", "2024-03-01", plan="PAC-L")[0]
        assert day.endswith("due 2024-02-29: 1 day late")
