"""`pacflow person|target|objective|track|indicator ...`: the plan's team and structure."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.cli.plan_fixtures import (
    CREATE,
    PLAN,
    TEAM,
    build_example,
    event_count,
    invoke,
    ok,
    ok_json,
    plan_json,
    refused,
    run_all,
    usage_error,
)

MOTTO = "choisir, c'est renoncer"


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    build_example(runner)
    return runner


def _target(key: str, responsible: str = "cd", *extra: str) -> list[str]:
    return [
        "target", "add", PLAN, key, "--kind", "customer", "--title", f"Compte {key}",
        "--responsible", responsible, *extra,
    ]  # fmt: skip


# --- person add | leave --------------------------------------------------------------------


def test_person_add_records_a_team_member(runner: CliRunner, db_url: str) -> None:
    ok(runner, CREATE)
    result = ok(runner, TEAM[1])
    assert result.stdout.splitlines() == [
        "PAC-2025: recorded 1 change",
        "  cd joins the team: Claire Dubois (rep)",
    ]
    [person] = plan_json(runner)["people"]
    assert person == {
        "key": "cd",
        "name": "Claire Dubois",
        "kind": "rep",
        "email": "claire.dubois@numeria.example",
        "role": None,
        "sector": "SEG-BA",
        "timezone": None,
        "left_on": None,
    }


def test_person_add_json_and_dry_run(runner: CliRunner, db_url: str) -> None:
    ok(runner, CREATE)
    args = [*TEAM[3], "--timezone", "Europe/Paris", "--role", "Responsable avant-vente"]
    dry = ok_json(runner, [*args, "--dry-run"])
    assert event_count(runner) == 1
    assert dry["dry_run"] is True
    outcome = ok_json(runner, args)
    [event] = outcome["events"]
    assert event["type"] == "PersonAdded"
    assert event["data"]["kind"] == "back_office"
    assert event["data"]["timezone"] == "Europe/Paris"
    assert event["summary"] == "jm joins the team: Julien Moreau (back_office)"
    assert event["position"] == 2
    assert outcome["version"] == 2


def test_person_leave_records_the_date_and_shows_it(example: CliRunner) -> None:
    result = ok(example, ["person", "leave", PLAN, "kb", "--on", "2025-09-30"])
    assert "kb left the team on 2025-09-30" in result.stdout
    people = {p["key"]: p for p in plan_json(example)["people"]}
    assert people["kb"]["left_on"] == "2025-09-30"
    outcome = ok_json(example, ["person", "leave", PLAN, "jm", "--on", "2025-12-31", "--dry-run"])
    assert outcome["events"][0]["data"] == {"person": "jm", "on": "2025-12-31"}


def test_person_leave_twice_is_refused(example: CliRunner) -> None:
    ok(example, ["person", "leave", PLAN, "kb", "--on", "2025-09-30"])
    message = refused(example, ["person", "leave", PLAN, "kb", "--on", "2025-10-31"])
    assert message == "person kb already left the team on 2025-09-30"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["person", "add", PLAN, "cd", "--name", "Claire Dupont", "--kind", "rep"],
            "person cd: the key is already used by person cd in plan PAC-2025",
            id="duplicate",
        ),
        pytest.param(
            ["person", "add", PLAN, "CD", "--name", "Claire Dupont", "--kind", "rep"],
            "person CD: the key is already used by person cd in plan PAC-2025",
            id="duplicate-other-case",
        ),
        pytest.param(
            ["person", "add", PLAN, "S01", "--name", "Someone", "--kind", "rep"],
            "person S01: the key is already used by step S01 in plan PAC-2025",
            id="key-of-a-step",
        ),
        pytest.param(
            ["person", "add", PLAN, "tl", "--name", "Thomas Leroy", "--kind", "seller"],
            "kind 'seller': expected one of rep, manager, back_office",
            id="bad-kind",
        ),
        pytest.param(
            [
                "person",
                "add",
                PLAN,
                "tl",
                "--name",
                "Thomas Leroy",
                "--kind",
                "rep",
                "--email",
                "thomas.leroy",
            ],
            "person tl: email 'thomas.leroy': expected an address such as "
            "claire.dubois@numeria.example",
            id="bad-email",
        ),  # fmt: skip
        pytest.param(
            [
                "person",
                "add",
                PLAN,
                "tl",
                "--name",
                "Thomas Leroy",
                "--kind",
                "rep",
                "--timezone",
                "Paris",
            ],
            "timezone 'Paris': expected an IANA time zone name such as Europe/Paris",
            id="bad-timezone",
        ),  # fmt: skip
        pytest.param(
            ["person", "add", PLAN, "t l", "--name", "Thomas Leroy", "--kind", "rep"],
            "key 't l': expected 1-40 letters, digits, '-', '_' or '.', starting with a letter "
            "or a digit",
            id="bad-key",
        ),
        pytest.param(
            ["person", "add", "PAC-1999", "tl", "--name", "Thomas Leroy", "--kind", "rep"],
            "plan PAC-1999: no such plan",
            id="unknown-plan",
        ),
        pytest.param(
            ["person", "leave", PLAN, "zz", "--on", "2025-05-01"],
            "person zz: unknown person in plan PAC-2025",
            id="leave-unknown-person",
        ),
        pytest.param(
            ["person", "leave", PLAN, "kb", "--on", "2025-13-01"],
            "on '2025-13-01': ",
            id="leave-bad-date",
        ),
    ],
)
def test_person_bad_input_is_refused(example: CliRunner, args: list[str], expected: str) -> None:
    assert refused(example, args).startswith(expected)


def test_person_add_without_kind_is_a_usage_error(example: CliRunner) -> None:
    error = usage_error(example, ["person", "add", PLAN, "tl", "--name", "Thomas Leroy"])
    assert error == "Error: Missing option '--kind'."


# --- target add | drop, and "choisir, c'est renoncer" --------------------------------------


def test_target_add_records_the_target(runner: CliRunner, db_url: str) -> None:
    run_all(runner, [CREATE, *TEAM])
    outcome = ok_json(
        runner,
        [
            "target", "add", PLAN, "T5", "--kind", "offer_segment", "--title", "CRM pour la B&A",
            "--responsible", "kb", "--ref", "OFF-CRM", "--segment", "SEG-BA",
            "--rationale", "good margin, low conversion",
        ],
    )  # fmt: skip
    [event] = outcome["events"]
    assert event["type"] == "TargetAdded"
    assert event["summary"] == "target T5 added: CRM pour la B&A (offer_segment), responsible kb"
    assert event["data"]["segments"] == ["SEG-BA"]
    assert outcome["warnings"] == []
    [target] = plan_json(runner)["targets"]
    assert (target["key"], target["kind"], target["ref"], target["dropped"]) == (
        "T5",
        "offer_segment",
        "OFF-CRM",
        False,
    )


DROPPED_T1 = [
    "  target T1 dropped",
    "  step S01 cancelled on 2025-01-10: target T1 dropped",
    "  step S02 cancelled on 2025-01-10: target T1 dropped",
    "  step S08 cancelled on 2025-01-10: target T1 dropped",
]


def test_target_drop_marks_it_dropped_and_cancels_its_open_steps(example: CliRunner) -> None:
    result = ok(example, ["target", "drop", PLAN, "T1", "--on", "2025-01-10"])
    assert result.stdout.splitlines() == ["PAC-2025: recorded 4 changes", *DROPPED_T1]
    assert plan_json(example)["targets"][0]["dropped"] is True
    assert (
        "T1  Banque Régionale du Centre (customer, cd) [dropped]"
        in ok(example, ["plan", "show", PLAN]).stdout.splitlines()
    )
    assert refused(example, ["target", "drop", PLAN, "T1"]) == "target T1 was already dropped"


def test_target_drop_dry_run_records_nothing(example: CliRunner) -> None:
    before = event_count(example)
    result = ok(example, ["target", "drop", PLAN, "T1", "--on", "2025-01-10", "--dry-run"])
    assert result.stdout.splitlines() == ["PAC-2025: would record 4 changes", *DROPPED_T1]
    assert event_count(example) == before
    assert plan_json(example)["targets"][0]["dropped"] is False


def test_a_third_target_for_a_rep_warns_without_refusing(example: CliRunner) -> None:
    second = ok(example, _target("T2"))
    assert second.stderr == ""
    third = ok(example, _target("T3"))
    assert "target T3 added" in third.stdout
    assert third.stderr == (
        f"warning: {MOTTO}: cd is responsible for 3 live targets (T1, T2, T3), more than 2\n"
    )
    assert len(plan_json(example)["targets"]) == 3
    outcome = ok_json(example, _target("T4", "kb"))
    assert outcome["warnings"] == [
        f"{MOTTO}: cd is responsible for 3 live targets (T1, T2, T3), more than 2"
    ]


def test_dropping_a_target_lifts_the_warning(example: CliRunner) -> None:
    run_all(example, [_target("T2"), _target("T3")])
    dropped = ok(example, ["target", "drop", PLAN, "T3"])
    assert dropped.stderr == ""


def test_more_targets_than_the_team_can_carry_warns(example: CliRunner) -> None:
    run_all(
        example,
        [
            ["person", "add", PLAN, "tl", "--name", "Thomas Leroy", "--kind", "rep"],
            ["person", "add", PLAN, "sm", "--name", "Sophie Martin", "--kind", "rep"],
            _target("T2"),
            _target("T3", "kb"),
            _target("T4", "kb"),
            _target("T5", "tl"),
            _target("T6", "tl"),
        ],
    )
    seventh = ok(example, _target("T7", "sm"))
    assert seventh.stderr == (
        f"warning: {MOTTO}: plan PAC-2025 has 7 live targets, more than 6 in all\n"
    )


def test_a_rep_leaving_can_overload_the_others(example: CliRunner) -> None:
    run_all(example, [_target("T2", "kb"), _target("T3", "kb"), _target("T4")])
    result = ok(example, ["person", "leave", PLAN, "kb", "--on", "2025-06-30"])
    assert (
        f"warning: {MOTTO}: plan PAC-2025 has 4 live targets for 1 rep, more than 2 per rep"
        in result.stderr.splitlines()
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            _target("T1"),
            "target T1: the key is already used by target T1 in plan PAC-2025",
            id="duplicate",
        ),
        pytest.param(
            _target("t1"),
            "target t1: the key is already used by target T1 in plan PAC-2025",
            id="duplicate-other-case",
        ),
        pytest.param(
            _target("T1-INFO"),
            "target T1-INFO: the key is already used by track T1-INFO in plan PAC-2025",
            id="key-of-a-track",
        ),
        pytest.param(
            [
                "target",
                "add",
                PLAN,
                "T2",
                "--kind",
                "prospect",
                "--title",
                "x",
                "--responsible",
                "kb",
            ],
            "kind 'prospect': expected one of customer, segment, offer, offer_segment",
            id="bad-kind",
        ),  # fmt: skip
        pytest.param(
            _target("T2", "zz"),
            "responsible zz of target T2: unknown person in plan PAC-2025",
            id="unknown-responsible",
        ),
        pytest.param(
            _target("T2", "kb", "--segment", "SEG-BA"),
            "target T2: segments apply to offer_segment targets only (this one is customer)",
            id="segment-of-a-customer",
        ),
        pytest.param(
            ["target", "drop", PLAN, "T9"],
            "target T9: unknown target in plan PAC-2025",
            id="drop-unknown",
        ),
    ],
)
def test_target_bad_input_is_refused(example: CliRunner, args: list[str], expected: str) -> None:
    assert refused(example, args) == expected


def test_a_person_who_left_cannot_take_a_target(example: CliRunner) -> None:
    ok(example, ["person", "leave", PLAN, "kb", "--on", "2025-06-30"])
    assert refused(example, _target("T2", "kb")) == (
        "responsible kb of target T2: Karim Benali left the team on 2025-06-30; expected "
        "someone still in the team"
    )


# --- objective set -------------------------------------------------------------------------

OBJECTIVE = [
    "objective", "set", PLAN, "T1", "--statement", "Porter les prises de commandes BRC à 400 kEUR",
    "--value", "400", "--unit", "kEUR", "--due", "2025-12-31",
]  # fmt: skip


def test_objective_set_replaces_the_main_objective(example: CliRunner) -> None:
    result = ok(example, OBJECTIVE)
    assert result.stdout.splitlines()[1] == (
        "  T1 objective main: 400 kEUR by 2025-12-31 — Porter les prises de commandes BRC à "
        "400 kEUR"
    )
    [objective] = plan_json(example)["targets"][0]["objectives"]
    assert (objective["value"], objective["indicator"], objective["baseline"]) == (
        "400",
        None,
        None,
    )


def test_objective_set_a_secondary_objective(example: CliRunner) -> None:
    outcome = ok_json(
        example,
        [
            "objective", "set", PLAN, "T1", "--objective", "big-project",
            "--statement", "Au moins un projet > 100 kEUR", "--value", "1", "--unit", "projects",
            "--due", "2025-12-15",
        ],
    )  # fmt: skip
    assert outcome["events"][0]["data"]["objective"] == "big-project"
    keys = [o["key"] for o in plan_json(example)["targets"][0]["objectives"]]
    assert keys == ["main", "big-project"]


def test_objective_set_twice_records_nothing_the_second_time(example: CliRunner) -> None:
    ok(example, OBJECTIVE)
    before = event_count(example)
    assert ok(example, OBJECTIVE).stdout == "PAC-2025: nothing to change\n"
    assert ok_json(example, OBJECTIVE)["events"] == []
    assert event_count(example) == before


def test_objective_dry_run_records_nothing(example: CliRunner) -> None:
    before = event_count(example)
    assert ok_json(example, [*OBJECTIVE, "--dry-run"])["events"][0]["type"] == "ObjectiveSet"
    assert event_count(example) == before


def _objective(option: str, value: str) -> list[str]:
    args = list(OBJECTIVE)
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    return args


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            _objective("--value", "-5"),
            "value '-5': must not be negative",
            id="negative",
        ),
        pytest.param(
            _objective("--baseline", "-180"),
            "baseline '-180': must not be negative",
            id="negative-baseline",
        ),
        pytest.param(
            _objective("--value", "beaucoup"),
            "value 'beaucoup': expected a number such as 28.5 or 28,5",
            id="not-a-number",
        ),
        pytest.param(
            _objective("--value", "NaN"),
            "value 'NaN': expected a number such as 28.5 or 28,5",
            id="nan",
        ),
        pytest.param(
            _objective("--due", "2026-01-31"),
            "due date 2026-01-31 of objective main of target T1 is outside the plan period "
            "2025-01-01..2025-12-31",
            id="due-after-the-period",
        ),
        pytest.param(_objective("--due", "2025-02-30"), "due '2025-02-30': ", id="bad-date"),
        pytest.param(
            _objective("--indicator", "I9"),
            "indicator I9 of objective main of target T1: unknown indicator in plan PAC-2025",
            id="unknown-indicator",
        ),
        pytest.param(
            [*OBJECTIVE[:3], "T9", *OBJECTIVE[4:]],
            "target T9: unknown target in plan PAC-2025",
            id="unknown-target",
        ),
    ],
)
def test_objective_bad_input_is_refused(example: CliRunner, args: list[str], expected: str) -> None:
    assert refused(example, args).startswith(expected)


def test_an_objective_of_a_dropped_target_is_refused(example: CliRunner) -> None:
    ok(example, ["target", "drop", PLAN, "T1", "--on", "2025-01-10"])
    assert refused(example, OBJECTIVE) == "target T1: this target was dropped"


# --- track add -----------------------------------------------------------------------------


def test_track_add_records_target_and_plan_tracks(example: CliRunner) -> None:
    internal = ok(
        example,
        ["track", "add", PLAN, "T1-DEV", "--target", "T1", "--domain", "internal",
         "--title", "Être référencé et crédible chez BRC"],
    )  # fmt: skip
    assert "track T1-DEV added to T1: Être référencé et crédible chez BRC (internal)" in (
        internal.stdout
    )
    steering = ok_json(
        example,
        ["track", "add", PLAN, "PILOTAGE", "--domain", "steering", "--title", "Pilotage du PAC"],
    )
    assert steering["events"][0]["summary"] == (
        "track PILOTAGE added to the plan: Pilotage du PAC (steering)"
    )
    tracks = {t["key"]: t for t in plan_json(example)["tracks"]}
    assert tracks["PILOTAGE"]["target"] is None
    assert tracks["T1-DEV"]["domain"] == "internal"
    text = ok(example, ["plan", "show", PLAN]).stdout.splitlines()
    assert "Plan-level tracks" in text
    assert "  PILOTAGE  steering — Pilotage du PAC" in text


def _track(*extra: str) -> list[str]:
    return ["track", "add", PLAN, "T1-X", "--title", "Une piste", *extra]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            _track("--target", "T1", "--domain", "sales"),
            "track T1-X: a sales track needs an approach: one of notoriety, hunting, farming",
            id="sales-without-approach",
        ),
        pytest.param(
            _track("--target", "T1", "--domain", "sales", "--approach", "breeding"),
            "approach 'breeding': expected one of notoriety, hunting, farming",
            id="bad-approach",
        ),
        pytest.param(
            _track("--target", "T1", "--domain", "marketing"),
            "domain 'marketing': expected one of information, internal, sales, steering",
            id="bad-domain",
        ),
        pytest.param(
            _track("--target", "T1", "--domain", "information", "--approach", "farming"),
            "track T1-X: only sales tracks have an approach (this one is information)",
            id="approach-off-sales",
        ),
        pytest.param(
            _track("--target", "T9", "--domain", "information"),
            "target T9 of track T1-X: unknown target in plan PAC-2025",
            id="unknown-target",
        ),
        pytest.param(
            _track("--target", "T1", "--domain", "steering"),
            "track T1-X: a steering track belongs to the plan, not to target T1",
            id="steering-with-target",
        ),
        pytest.param(
            [
                "track",
                "add",
                PLAN,
                "T1-INFO",
                "--target",
                "T1",
                "--domain",
                "information",
                "--title",
                "Encore",
            ],
            "track T1-INFO: the key is already used by track T1-INFO in plan PAC-2025",
            id="duplicate",
        ),  # fmt: skip
    ],
)
def test_track_bad_input_is_refused(example: CliRunner, args: list[str], expected: str) -> None:
    assert refused(example, args) == expected


def test_a_target_track_without_target_is_refused(example: CliRunner) -> None:
    message = refused(example, _track("--domain", "information"))
    assert message.startswith("track T1-X: ")
    assert message.endswith("information track needs a target")


# --- indicator define | set-targets --------------------------------------------------------

I8 = [
    "indicator", "define", PLAN, "I8", "--name", "Rendez-vous de prospection B&A",
    "--kind", "activity", "--unit", "count", "--owner", "kb",
]  # fmt: skip


def test_indicator_define_records_the_definition(example: CliRunner) -> None:
    result = ok(example, [*I8, "--per", "month", "--direction", "up", "--serves", "T1"])
    assert result.stdout.splitlines()[1] == (
        "  indicator I8 defined: Rendez-vous de prospection B&A (activity, count)"
    )
    indicator = {i["key"]: i for i in plan_json(example)["indicators"]}["I8"]
    assert indicator == {
        "key": "I8",
        "name": "Rendez-vous de prospection B&A",
        "kind": "activity",
        "unit": "count",
        "aggregation": "per_period",
        "direction": "up",
        "owner": "kb",
        "per": "month",
        "serves": ["T1"],
        "targets": {},
    }


def test_indicator_redefined_identically_records_nothing(example: CliRunner) -> None:
    ok(example, I8)
    before = event_count(example)
    assert ok(example, I8).stdout == "PAC-2025: nothing to change\n"
    assert event_count(example) == before


def test_indicator_set_targets_from_a_month_or_one_by_one(example: CliRunner) -> None:
    ok(example, I8)
    spread = ok_json(
        example, ["indicator", "set-targets", PLAN, "I8", "--from", "2025-07", "--values", "8,4"]
    )
    [event] = spread["events"]
    assert event["type"] == "IndicatorTargetsSet"
    assert event["data"] == {"indicator": "I8", "targets": {"2025-07": "8", "2025-08": "4"}}
    assert event["summary"] == "indicator I8 targets set for 2 period(s) from 2025-07 to 2025-08"
    one = ok(example, ["indicator", "set-targets", PLAN, "I8", "--period-target", "2025-08=3.5"])
    assert "indicator I8 targets set for 1 period(s) from 2025-08 to 2025-08" in one.stdout
    targets = {i["key"]: i for i in plan_json(example)["indicators"]}["I8"]["targets"]
    assert targets == {"2025-07": "8", "2025-08": "3.5"}


def test_indicator_set_targets_dry_run_records_nothing(example: CliRunner) -> None:
    before = event_count(example)
    args = ["indicator", "set-targets", PLAN, "I2", "--period-target", "2025-08=1", "--dry-run"]
    assert "would record 1 change" in ok(example, args).stdout
    assert event_count(example) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            [*I8[:7], "lagging", *I8[8:]],
            "kind 'lagging': expected one of activity, result",
            id="bad-kind",
        ),
        pytest.param(
            [*I8, "--aggregation", "sum"],
            "aggregation 'sum': expected one of per_period, cumulative_ytd, rate_per_period, "
            "rate_rolling_3m",
            id="bad-aggregation",
        ),
        pytest.param(
            [*I8, "--direction", "sideways"],
            "direction 'sideways': expected one of up, down",
            id="bad-direction",
        ),
        pytest.param(
            [*I8, "--per", "year"], "per 'year': expected one of week, month, quarter", id="per"
        ),
        pytest.param(
            [*I8[:-1], "zz"],
            "owner zz of indicator I8: unknown person in plan PAC-2025",
            id="unknown-owner",
        ),
        pytest.param(
            [*I8, "--serves", "T9"],
            "target T9 of indicator I8: unknown target in plan PAC-2025",
            id="unknown-target",
        ),
        pytest.param(
            ["indicator", "set-targets", PLAN, "I2", "--values", "1,1,1"],
            "--values needs --from PERIOD (e.g. --from 2025-07)",
            id="values-without-from",
        ),
        pytest.param(
            ["indicator", "set-targets", PLAN, "I2", "--from", "2025-13", "--values", "1"],
            "--from '2025-13': expected a month (2026-01), a quarter (2026-Q1) or a week "
            "(2026-W02)",
            id="bad-from",
        ),
        pytest.param(
            ["indicator", "set-targets", PLAN, "I2", "--period-target", "2025-03=-1"],
            "targets.2025-03 '-1': must not be negative",
            id="negative",
        ),
        pytest.param(
            ["indicator", "set-targets", PLAN, "I2", "--period-target", "2025-03"],
            "--period-target '2025-03': expected PERIOD=VALUE, e.g. 2025-03=170",
            id="no-value",
        ),
        pytest.param(
            ["indicator", "set-targets", PLAN, "I2", "--period-target", "2026-01=2"],
            "indicator I2: target period 2026-01 is outside the plan period "
            "2025-01-01..2025-12-31",
            id="outside-the-period",
        ),
        pytest.param(
            ["indicator", "set-targets", PLAN, "I2", "--period-target", "mars=2"],
            "indicator I2: target period 'mars': expected a month such as 2025-03",
            id="bad-period",
        ),
        pytest.param(
            ["indicator", "set-targets", PLAN, "I2"],
            "give --period-target PERIOD=VALUE or --from PERIOD --values V1,V2,...",
            id="no-targets",
        ),
        pytest.param(
            ["indicator", "set-targets", PLAN, "I9", "--period-target", "2025-03=1"],
            "indicator I9: unknown indicator in plan PAC-2025",
            id="unknown-indicator",
        ),
    ],
)
def test_indicator_bad_input_is_refused(example: CliRunner, args: list[str], expected: str) -> None:
    assert refused(example, args) == expected


def test_commands_need_their_required_options(example: CliRunner) -> None:
    result = invoke(example, ["indicator", "define", PLAN, "I9", "--name", "x"])
    assert result.exit_code == 2
    assert "Missing option" in result.stderr


def test_limits_are_set_from_the_cli_and_steps_do_not_repeat_the_warning(
    example: CliRunner,
) -> None:
    run_all(example, [_target("T2"), _target("T3")])
    quiet = ok(example, ["step", "done", PLAN, "S01", "--on", "2025-01-28"])
    assert quiet.stderr == ""
    raised = ok(example, ["plan", "set-limits", PLAN, "--per-rep", "3", "--total", "8"])
    assert "target limits: 3 per rep, 8 in all" in raised.stdout
    assert raised.stderr == ""
    assert plan_json(example)["limits"] == {"max_targets_per_rep": 3, "max_targets_total": 8}
    refused(example, ["plan", "set-limits", PLAN, "--per-rep", "-1", "--total", "8"])
