"""pacflow dashboard, check and market record on the demo's year: the monthly review."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.cli.plan_fixtures import exit_code_for, invoke, ok, refused, usage_error
from tests.cli.test_history_commands import use_demo

PLAN = "PAC-2025"


@pytest.fixture(autouse=True)
def demo(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    use_demo(db_url, tmp_path_factory)


def board(runner: CliRunner, *args: str) -> Any:
    return json.loads(ok(runner, ["dashboard", PLAN, "--json", *args]).stdout)


def rows(data: Any) -> dict[str, Any]:
    return {row["indicator"]: row for row in [*data["activity"], *data["result"]]}


def findings(runner: CliRunner, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = invoke(runner, ["check", PLAN, "--json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


def rules(found: list[dict[str, Any]]) -> list[str]:
    return [finding["rule"] for finding in found]


# --- dashboard ---------------------------------------------------------------------------


def test_dashboard_at_the_end_of_may(runner: CliRunner) -> None:
    lines = ok(runner, ["dashboard", PLAN, "--as-of", "2025-06-05"]).stdout.splitlines()
    assert lines[0] == "PAC-2025 dashboard — 2025-05 (as known at 2025-06-05 23:59 Europe/Paris)"
    assert lines[2] == "Activity indicators"
    assert lines[5].split() == [
        "I2", "Visites", "chez", "BRC", "count", "2", "2†", "0", "9", "100.0%", "██▁██", "on",
        "track",
    ]  # fmt: skip
    i1 = next(line for line in lines if line.startswith("I1 "))
    assert i1.split()[-8:] == ["330", "170", "-160", "170", "51.5%", "▄▄█▁▆", "off", "track"]
    i7 = next(line for line in lines if line.startswith("I7 "))
    assert i7.split()[-8:] == ["1208", "1190", "-18", "1190", "98.5%", "█▇▃▁▁", "at", "risk"]
    assert lines[-1].startswith("status: on track ≥ 100% attainment, at risk ≥ 90%")
    assert lines[-1].endswith("; † counted from events")


def test_default_period_is_the_last_with_an_actual_as_known_then(runner: CliRunner) -> None:
    assert board(runner, "--as-of", "2025-06-04")["period"] == "2025-04"
    assert board(runner, "--as-of", "2025-06-05")["period"] == "2025-05"
    assert board(runner, "--period", "2025-05", "--as-of", "2025-06-05") == board(
        runner, "--as-of", "2025-06-05"
    )


def test_dashboard_at_year_end(runner: CliRunner) -> None:
    data = board(runner, "--as-of", "2026-01-10")
    assert data["period"] == "2025-12"
    found = rows(data)
    assert [row["indicator"] for row in data["activity"]] == ["I2", "I5", "I8"]
    assert (found["I1"]["actual"], found["I1"]["target"], found["I1"]["status"]) == (
        "790",
        "850",
        "at risk",
    )
    assert (found["I3"]["attainment_pct"], found["I3"]["status"]) == ("100.0", "on track")
    assert found["I8"]["status"] == "off track"
    assert all(len(row["trend"]) == 6 for row in found.values())


MAY_FIGURES = {  # indicator: target, actual, gap, cumulative, attainment %, status
    "I2": ("2", "2", "0", "9", "100.0", "on track"),
    "I5": ("32", "33", "1", None, "103.1", "on track"),
    "I8": ("8", "10", "2", "39", "125.0", "on track"),
    "I1": ("330", "170", "-160", "170", "51.5", "off track"),
    "I3": ("1", "0", "-1", "0", "0.0", "off track"),
    "I4": ("21", "19", "-2", None, "90.5", "at risk"),
    "I6": ("20", "19.8", "-0.2", None, "99.0", "at risk"),
    "I7": ("1208", "1190", "-18", "1190", "98.5", "at risk"),
}


def test_dashboard_json_at_the_end_of_may(runner: CliRunner) -> None:
    data = board(runner, "--as-of", "2025-06-05")
    assert (data["plan"], data["period"]) == (PLAN, "2025-05")
    assert data["as_of"] == "2025-06-05T21:59:59.999999Z"  # the day's end in Paris
    assert [row["indicator"] for row in data["activity"]] == ["I2", "I5", "I8"]
    assert [row["indicator"] for row in data["result"]] == ["I1", "I3", "I4", "I6", "I7"]
    figures = {
        key: (
            row["target"],
            row["actual"],
            row["gap"],
            row["cumulative"],
            row["attainment_pct"],
            row["status"],
        )
        for key, row in rows(data).items()
    }
    assert figures == MAY_FIGURES
    assert {row["period"] for row in rows(data).values()} == {"2025-05"}


def test_dashboard_table_at_year_end(runner: CliRunner) -> None:
    lines = ok(runner, ["dashboard", PLAN, "--as-of", "2026-01-10"]).stdout.splitlines()
    assert lines[0] == "PAC-2025 dashboard — 2025-12 (as known at 2026-01-10 23:59 Europe/Paris)"
    found = [line.split() for line in lines if line.startswith("I")]
    tails = {words[0]: " ".join(words[-8:]) for words in found}  # target to status
    assert tails == {
        "I2": "2 1† -1 18 50.0% █▁███▅ off track",
        "I5": "50 49 -1 - 98.0% ▄▁▂███ at risk",
        "I8": "8 7 -1 92 87.5% ▁▁▅█▅▂ off track",
        "I1": "850 790 -60 790 92.9% ▃▁▆█▇█ at risk",
        "I3": "3 3 0 3 100.0% ██▁███ on track",
        "I4": "30 29 -1 - 96.7% ▁▃██▄█ at risk",
        "I6": "20 21.6 1.6 - 108.0% ▁▅▃▇▅█ on track",
        "I7": "2900 2810 -90 2810 96.9% █▁▃▅▅█ at risk",
    }
    assert lines.index("Activity indicators") < lines.index("Result indicators")


def test_late_i7_correction_shows_only_once_recorded(runner: CliRunner) -> None:
    before = rows(board(runner, "--period", "2025-03", "--as-of", "2025-05-01"))["I7"]
    after = rows(board(runner, "--period", "2025-03", "--as-of", "2025-05-06T09:00"))["I7"]
    assert (before["actual"], before["corrected"]) == ("730", False)
    assert (after["actual"], after["corrected"]) == ("725", True)
    text = ok(runner, ["dashboard", PLAN, "--period", "2025-03"]).stdout
    assert "725*" in text


def test_dashboard_markdown(runner: CliRunner) -> None:
    lines = ok(runner, ["dashboard", PLAN, "--as-of", "2025-06-05", "--format", "md"]).stdout
    assert lines.startswith("# PAC-2025 dashboard — 2025-05\n")
    assert "## Activity indicators" in lines
    assert "## Result indicators" in lines
    assert "| I1 | Prises de commandes Banque & Assura… | kEUR | 330 | 170 |" in lines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dashboard", "PAC-9"], "plan PAC-9: no such plan"),
        (["dashboard", PLAN, "--period", "2025-13"], "--period '2025-13': expected a month"),
        (["dashboard", PLAN, "--period", "2027-01"], "--period 2027-01: outside the plan"),
        (["dashboard", PLAN, "--as-of", "yesterday"], "--as-of 'yesterday': expected a date"),
        (["dashboard", PLAN, "--as-of", "2024-01-01"], "plan PAC-2025 did not exist yet"),
        (["check", "PAC-9"], "plan PAC-9: no such plan"),
    ],
)
def test_bad_dashboard_or_check_input_is_one_line(
    runner: CliRunner, args: list[str], message: str
) -> None:
    assert refused(runner, args, exit_code_for(message)).startswith(message)


# --- check -------------------------------------------------------------------------------


def test_merger_is_a_finding_before_the_june_revision(runner: CliRunner) -> None:
    code, found = findings(runner, "--as-of", "2025-06-20")
    assert code == 1
    merger = found[0]
    assert (merger["rule"], merger["severity"]) == ("market-change", "error")
    assert merger["message"] == (
        "market change of 2025-06-16 (high impact) touches T1, and no revision was published "
        "in the 4 days since it was recorded"
    )
    assert [(f["date"], f["recorded_at"]) for f in merger["facts"]] == [
        ("2025-06-16", "2025-06-16T09:30:00Z")
    ]
    assert merger["command"].startswith('pacflow plan revise PAC-2025 --reason "Rapprochement')
    assert [(f["rule"], f["subject"]) for f in found] == [
        ("market-change", "#318"),
        ("indicator-off-track", "I1"),
        ("no-review", "PAC-2025"),
        ("visits-below-cadence", "S22"),
        ("indicator-gap-unclosable", "I1"),
        ("indicator-gap-unclosable", "I2"),  # derived: 9 visits held by May, 24 planned
        ("indicator-gap-unclosable", "I3"),
        ("indicator-gap-unclosable", "I7"),
        ("visit-on-holiday", "S08@2025-11-11"),  # Armistice Day, until moved on 3 November
    ]


def test_the_june_revision_answers_the_merger_and_the_off_track_i1(runner: CliRunner) -> None:
    code, found = findings(runner, "--as-of", "2025-07-01")
    assert code == 0
    assert rules(found) == [
        "step-overdue",
        "step-overdue",
        "visits-below-cadence",
        "indicator-gap-unclosable",
        "indicator-gap-unclosable",
        "visit-on-holiday",
    ]
    assert [f["message"].split(" (")[0] for f in found[:2]] == ["step S17", "step S30"]
    # The revision changed I1 (its targets, T1's objective) but neither I3 nor I7: what
    # their pace says still stands.
    assert [f["subject"] for f in found[3:5]] == ["I3", "I7"]


def test_the_merger_is_answered_by_the_june_revision(runner: CliRunner) -> None:
    before = json.loads(invoke(runner, ["check", PLAN, "--json", "--as-of", "2025-06-20"]).stdout)
    # March's revision only handed S15 to another person: it answered neither I1 nor I8 off
    # track (nor anything else).
    assert before["answered"] == []
    after = json.loads(ok(runner, ["check", PLAN, "--json", "--as-of", "2025-07-01"]).stdout)
    june = [a for a in after["answered"] if a["revision"] == 3]
    assert [(a["rule"], a["subject"]) for a in june] == [
        ("market-change", "#318"),
        ("indicator-off-track", "I1"),
        ("no-review", "PAC-2025"),
        ("indicator-gap-unclosable", "I1"),
    ]
    merger = june[0]
    assert (merger["published_by"], merger["published_at"]) == ("hg", "2025-06-30T16:10:00Z")
    assert merger["message"].startswith("market change of 2025-06-16 (high impact) touches T1")
    text = ok(runner, ["check", PLAN, "--as-of", "2025-07-01"]).stdout.splitlines()
    at = text.index("  revision 3 (published 2025-06-30 18:10 by hg):")
    assert text[at + 1].startswith("    error: [market-change] market change of 2025-06-16")
    revisions = ok(runner, ["plan", "revisions", PLAN]).stdout.splitlines()
    assert revisions[revisions.index("revision 3  published") + 4] == (
        "  answered   [market-change #318] market change of 2025-06-16 (high impact) touches T1, "
        "and no revision was published in the 14 days since it was recorded"
    )


def test_before_the_merger_there_is_no_market_finding(runner: CliRunner) -> None:
    _code, found = findings(runner, "--as-of", "2025-06-16T11:00")
    assert "market-change" not in rules(found)


def test_text_output_gives_facts_and_commands(runner: CliRunner) -> None:
    result = invoke(runner, ["check", PLAN, "--as-of", "2025-07-01"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        "PAC-2025: 6 findings as of 2025-07-01 23:59",
        "",
        "warning: [step-overdue] step S17 (Recruter un consultant senior issu de la banque, "
        "mp) is planned, due 2025-06-30: 1 day late",
        "  fact #80 2024-12-16 10:00 (date 2025-06-30): step S17 added to T2-DEV: Recruter un "
        "consultant senior issu de la banque, responsible mp, due 2025-06-30",
        "  → pacflow step done PAC-2025 S17 --on DATE  (or: pacflow step move PAC-2025 S17 "
        '--due DATE --reason "…")',
    ]


@pytest.mark.parametrize(
    ("as_of", "fail_on", "code"),
    [
        ("2025-07-01", "error", 0),
        ("2025-07-01", "warning", 1),
        ("2025-06-20", "error", 1),
        ("2025-01-07", "info", 1),  # the S08 visit on 11 November (a holiday) from the start
    ],
)
def test_fail_on_sets_the_exit_code(runner: CliRunner, as_of: str, fail_on: str, code: int) -> None:
    result = invoke(runner, ["check", PLAN, "--as-of", as_of, "--fail-on", fail_on])
    assert result.exit_code == code, result.output


def test_today_comes_from_the_clock_without_as_of(runner: CliRunner) -> None:
    with freeze_time("2025-09-30 08:00:00"):
        _code, found = findings(runner)
    overdue = [f["message"] for f in found if f["rule"] == "step-overdue"]
    assert any(message.startswith("step S40 ") for message in overdue) is False
    with freeze_time("2025-12-01 08:00:00"):
        _code, found = findings(runner)
    overdue = [f["message"] for f in found if f["rule"] == "step-overdue"]
    assert [m.split(" (")[0] for m in overdue] == ["step S40"]
    assert "due 2025-09-30: 62 days late" in overdue[0]


def test_fail_on_takes_known_levels_only(runner: CliRunner) -> None:
    assert "--fail-on" in usage_error(runner, ["check", PLAN, "--fail-on", "fatal"])


# --- market record -----------------------------------------------------------------------


def test_market_change_needs_no_revision_and_is_checked(runner: CliRunner) -> None:
    with freeze_time("2026-01-20 09:00:00"):  # after the demo's last entry
        result = ok(
            runner,
            [
                "market", "record", PLAN, "--summary", "Nouvelle réglementation DORA",
                "--affects", "segment:SEG-BA", "--affects", "offer:OFF-CRM",
                "--on", "2026-01-19", "--impact", "low",
            ],
        )  # fmt: skip
        assert result.stdout == (
            "PAC-2025: recorded 1 change\n  market change (low impact, effective 2026-01-19) "
            "on segment:SEG-BA, offer:OFF-CRM: Nouvelle réglementation DORA\n"
        )
        _code, found = findings(runner, "--as-of", "2026-01-21")
    market = [f for f in found if f["rule"] == "market-change"]
    assert [f["severity"] for f in market] == ["info"]
    assert "touches T2, T3, and no revision" in market[0]["message"]  # by ref and segment
    history = ok(runner, ["plan", "history", PLAN, "--since", "2026-01-20"]).stdout
    assert "market change (low impact" in history


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--affects", "target:T9"], "affects target T9: unknown target in plan PAC-2025"),
        (["--affects", "T1"], "--affects 'T1': expected KIND:KEY"),
        (["--affects", "region:IDF"], "--affects 'region:IDF': expected KIND:KEY"),
        (["--affects", "target:T1", "--impact", "huge"], "--impact 'huge': expected one of"),
        (["--affects", "target:T1", "--on", "2025-02-30"], "--on '2025-02-30'"),
    ],
)
def test_bad_market_change_is_refused_with_nothing_recorded(
    runner: CliRunner, extra: list[str], message: str
) -> None:
    args = ["market", "record", PLAN, "--summary", "Fusion", "--on", "2025-06-16"]
    if "--on" in extra:
        args = args[:-2]
    assert refused(runner, [*args, *extra], exit_code_for(message)).startswith(message)


def test_market_change_on_an_unknown_plan(runner: CliRunner) -> None:
    args = ["market", "record", "PAC-9", "--summary", "x", "--affects", "target:T1"]
    assert refused(runner, [*args, "--on", "2025-06-16"]).startswith("plan PAC-9")


def test_owner_who_left_and_too_many_targets(runner: CliRunner) -> None:
    with freeze_time("2026-01-20 09:00:00"):  # after the demo's last entry
        for command in (
            ["plan", "revise", PLAN, "--reason", "Départ de kb"],
            ["person", "leave", PLAN, "kb", "--on", "2025-12-15", "--reason", "Départ"],
            ["plan", "set-limits", PLAN, "--per-rep", "2", "--total", "3", "--reason", "Focus"],
        ):
            ok(runner, command)
        code, found = findings(runner)
    assert code == 1
    left = next(f for f in found if f["rule"] == "owner-left")
    assert left["severity"] == "error"
    assert left["message"] == (
        "kb (Karim Benali) left the team on 2025-12-15 but still owns open steps S22"
    )
    assert left["facts"][0]["date"] == "2025-12-15"
    assert left["command"] == 'pacflow step assign PAC-2025 S22 --to PERSON --reason "…"'
    focus = next(f for f in found if f["rule"] == "too-many-targets")
    assert focus["message"].endswith("has 4 live targets, more than 3 in all")
    assert [fact["position"] for fact in focus["facts"]] == [21, 23, 25, 27]
    assert "no-review" not in rules(found)  # the revision opened counts as a review


@pytest.mark.parametrize(
    ("utc", "overdue"),
    [
        ("2025-06-30 21:30:00", []),  # 23:30 in Paris (summer time): still 30 June
        ("2025-06-30 22:30:00", ["S17", "S30"]),  # 00:30 on 1 July in Paris
    ],
)
def test_today_is_the_plans_local_date(runner: CliRunner, utc: str, overdue: list[str]) -> None:
    with freeze_time(utc):
        _code, found = findings(runner)
    late = [f["message"].split(" (")[0] for f in found if f["rule"] == "step-overdue"]
    assert late == [f"step {key}" for key in overdue]


def test_the_merger_is_in_the_history_of_t1(runner: CliRunner) -> None:
    args = ["plan", "history", PLAN, "--target", "T1", "--from", "2025-06-16", "--to"]
    lines = ok(runner, [*args, "2025-06-16"]).stdout.splitlines()
    assert lines == [
        "2025-06-16 11:30 hg — market change (high impact, effective 2025-06-16) on target:T1, "
        "account:ACC-BRC: Rapprochement annoncé de BRC avec un autre établissement : gel "
        "probable des projets SI pendant la fusion [rev 2, cli]"
    ]


@pytest.mark.parametrize(("as_of", "stale"), [("2025-06-08", False), ("2025-06-09", True)])
def test_no_review_for_more_than_90_days(runner: CliRunner, as_of: str, stale: bool) -> None:
    _code, found = findings(runner, "--as-of", as_of)
    reviews = [f for f in found if f["rule"] == "no-review"]
    assert bool(reviews) is stale
    if stale:
        assert reviews[0]["message"] == "no revision or review for 91 days (more than 90)"
        assert reviews[0]["facts"][0]["summary"] == "plan published (revision 2)"


def test_indicators_fold_the_same_without_steps_and_visits(db_url: str) -> None:
    """`check` folds the indicators without step and visit events at the moments it weighs
    on the way to --as-of; that must not change a figure (see NOT_READ_BY_INDICATORS)."""
    from pacflow.service import PlanService
    from pacflow.storage import open_store
    from projections.indicator_folds import indicator_histories
    from projections.obsolescence_rules import NOT_READ_BY_INDICATORS

    store = open_store(db_url)
    try:
        records = list(PlanService(store).history(PLAN))
    finally:
        store.close()
    kept = [pair for pair in records if not isinstance(pair[1], NOT_READ_BY_INDICATORS)]
    assert len(kept) < len(records) / 2
    # A derived indicator (I2 counts the visits of S08) needs them: check then folds it all.
    typed = [history.indicator.key for history in indicator_histories(records)]
    typed = [key for key in typed if key != "I2"]
    without = {h.indicator.key: h for h in indicator_histories(kept)}
    whole = {h.indicator.key: h for h in indicator_histories(records)}
    assert len(typed) >= 5
    assert [without[key] for key in typed] == [whole[key] for key in typed]
