"""pacflow indicator record|correct|history: actual values, corrections, what was known when."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.cli.plan_fixtures import PLAN, build_example, ok, refused, usage_error

MARCH_I2 = ["indicator", "record", PLAN, "I2", "--period", "2025-03", "--value", "1"]


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    build_example(runner)
    return runner


def history_json(runner: CliRunner, *args: str, indicator: str = "I2") -> Any:
    command = ["indicator", "history", PLAN, indicator, *args, "--json"]
    return json.loads(ok(runner, command).stdout)


def test_record_then_correct_a_value(example: CliRunner) -> None:
    result = ok(example, [*MARCH_I2, "--note", "comptes rendus de visite"])
    assert result.stdout == (
        "PAC-2025: recorded 1 change\n  I2 2025-03: 1 recorded (comptes rendus de visite)\n"
    )
    result = ok(
        example,
        ["indicator", "correct", PLAN, "I2", "--period", "2025-03", "--value", "2",
         "--reason", "Visite du 25 oublitée dans le CRM"],
    )  # fmt: skip
    assert result.stdout == (
        "PAC-2025: recorded 1 change\n"
        "  I2 2025-03 corrected 1 → 2: Visite du 25 oublitée dans le CRM\n"
    )
    march = history_json(example)["periods"][2]
    assert (march["actual"], march["target"], march["gap"], march["corrected"]) == (
        "2",
        "2",
        "0",
        True,
    )
    assert march["recorded"]["note"] == "comptes rendus de visite"
    assert march["corrections"][0]["previous"] == "1"


def test_record_as_json_and_as_a_dry_run(example: CliRunner) -> None:
    data = json.loads(ok(example, [*MARCH_I2, "--dry-run", "--json"]).stdout)
    assert data["dry_run"] is True
    assert data["events"][0]["type"] == "IndicatorValueRecorded"
    assert data["events"][0]["data"] == {
        "indicator": "I2",
        "period": "2025-03",
        "value": "1",
        "note": None,
    }
    assert history_json(example)["periods"][2]["actual"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["record", PLAN, "I2", "--period", "2026-01", "--value", "2"],
            "indicator I2: period 2026-01 is outside the plan period 2025-01-01..2025-12-31",
        ),
        (
            ["record", PLAN, "I2", "--period", "2024-12", "--value", "2"],
            "indicator I2: period 2024-12 is outside the plan period",
        ),
        (
            ["record", PLAN, "I2", "--period", "March", "--value", "2"],
            "indicator I2: period 'March': expected a month such as 2025-03",
        ),
        (
            ["record", PLAN, "I2", "--period", "2025-03", "--value", "deux"],
            "value 'deux': expected a number such as 28.5 or 28,5",
        ),
        (
            ["record", PLAN, "I2", "--period", "2025-03", "--value", "inf"],
            "value 'inf'",
        ),
        (
            ["record", PLAN, "I9", "--period", "2025-03", "--value", "2"],
            "indicator I9: unknown indicator in plan PAC-2025",
        ),
        (
            ["record", "PAC-2099", "I2", "--period", "2025-03", "--value", "2"],
            "plan PAC-2099: no such plan",
        ),
        (
            ["correct", PLAN, "I2", "--period", "2025-04", "--value", "2", "--reason", "typo"],
            "indicator I2: no value was recorded for 2025-04, so there is nothing to correct",
        ),
        (
            ["correct", PLAN, "I2", "--period", "2025-03", "--value", "2"],
            "indicator I2 2025-03: a correction needs a reason",
        ),
        (
            ["record", PLAN, "I2", "--period", "2025-03", "--value", "3"],
            "indicator I2: 2025-03 already has the value 1; correct it to change it (see `pacflow "
            "indicator correct PAC-2025 I2 --period 2025-03 --value V --reason",
        ),
    ],
)
def test_bad_values_are_refused_and_nothing_is_recorded(
    example: CliRunner, args: list[str], message: str
) -> None:
    ok(example, MARCH_I2)
    assert message in refused(example, ["indicator", *args])


def test_record_needs_a_period_and_a_value(example: CliRunner) -> None:
    assert "--value" in usage_error(example, ["indicator", "record", PLAN, "I2", "--period", "x"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["PAC-2099", "I2"], "plan PAC-2099: no such plan"),
        ([PLAN, "I9"], "indicator I9: unknown in plan PAC-2025"),
        ([PLAN, "I2", "--as-of", "yesterday"], "--as-of 'yesterday': expected a date"),
        ([PLAN, "I2", "--as-of", "2020-01-01"], "plan PAC-2025 did not exist yet on 2020-01-01"),
        ([PLAN, "I2", "--from", "2025-06", "--to", "2025-05"], "--from 2025-06 is after --to"),
        ([PLAN, "I2", "--to", "2026-02"], "indicator I2: --to 2026-02 is outside the plan"),
    ],
)
def test_bad_history_requests(example: CliRunner, args: list[str], message: str) -> None:
    assert message in refused(example, ["indicator", "history", *args])


def test_history_formats(example: CliRunner) -> None:
    ok(example, MARCH_I2)
    table = ok(example, ["indicator", "history", PLAN, "I2", "--to", "2025-03"]).stdout
    assert table.splitlines() == [
        "PAC-2025 I2 — Visites chez BRC (count, per_period, higher is better)",
        "As known now",
        "",
        "period   target  actual  gap  cumulative  attainment  corrected",
        "-------  ------  ------  ---  ----------  ----------  ---------",
        "2025-01  2       -       -    -           -",
        "2025-02  2       -       -    -           -",
        "2025-03  2       1       -1   1           50.0%",
    ]
    text = ok(example, ["indicator", "history", PLAN, "I2", "--from", "2025-03", "--to",
                        "2025-04", "--format", "csv"]).stdout  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["period"] for row in rows] == ["2025-03", "2025-04"]
    assert (rows[0]["actual"], rows[0]["attainment_pct"], rows[0]["recorded_by"]) == (
        "1",
        "50.0",
        "hg",
    )
    assert rows[1]["actual"] == ""
    as_json = ok(example, ["indicator", "history", PLAN, "I2", "--json"]).stdout
    assert json.loads(as_json) == history_json(example, "--format", "json")


def small_plan(runner: CliRunner, plan: str, year: int) -> None:
    """A plan for `year` created on 2 January, with one indicator: I1, cumulative orders."""
    with freeze_time(f"{year}-01-02 09:00:00"):
        for args in (
            ["plan", "create", plan, "--title", f"PAC {year}", "--start", f"{year}-01-01",
             "--end", f"{year}-12-31", "--timezone", "Europe/Paris", "--owner", "hg"],
            ["person", "add", plan, "hg", "--name", "Hélène Garnier", "--kind", "manager"],
            ["indicator", "define", plan, "I1", "--name", "Commandes", "--kind", "result",
             "--unit", "kEUR", "--owner", "hg", "--aggregation", "cumulative_ytd"],
            ["indicator", "set-targets", plan, "I1", "--from", f"{year}-01", "--values",
             "40,90,170"],
        ):  # fmt: skip
            ok(runner, args)


def test_values_are_known_from_when_they_were_recorded(runner: CliRunner, db_url: str) -> None:
    small_plan(runner, PLAN, 2025)
    record = ["indicator", "record", PLAN, "I1", "--period", "2025-03", "--value", "90"]
    with freeze_time("2025-04-05 07:00:00"):  # 09:00 in Paris (summer time since 30 March)
        ok(runner, record)
    with freeze_time("2025-05-06 07:00:00"):
        ok(runner, ["indicator", "correct", PLAN, "I1", "--period", "2025-03", "--value", "85",
                    "--reason", "Avoir sur mars"])  # fmt: skip
    march = history_json(runner, indicator="I1")["periods"][2]
    assert march["recorded"]["local_time"] == "2025-04-05T09:00:00+02:00"
    assert march["corrections"][0]["local_time"] == "2025-05-06T09:00:00+02:00"

    def actual_at(moment: str) -> Any:
        return history_json(runner, "--as-of", moment, indicator="I1")["periods"][2]["actual"]

    assert actual_at("2025-04-04") is None
    assert actual_at("2025-04-05T08:59") is None
    assert actual_at("2025-04-05T09:00") == "90"
    assert actual_at("2025-05-01") == "90"
    assert actual_at("2025-05-06T07:00Z") == "85"
    assert actual_at("2025-05-06") == "85"
    table = ok(runner, ["indicator", "history", PLAN, "I1", "--to", "2025-03"]).stdout
    assert "2025-03  170     85      -85  85          50.0%       * 2025-05-06 09:00" in table
    assert table.endswith("* 2025-03: 90 → 85, corrected 2025-05-06 09:00 by hg — Avoir sur mars\n")


def test_february_of_a_leap_year_and_a_month_end_in_paris(runner: CliRunner, db_url: str) -> None:
    plan = "PAC-2024"
    small_plan(runner, plan, 2024)
    with freeze_time("2024-02-05 08:00:00"):
        ok(runner, ["indicator", "record", plan, "I1", "--period", "2024-01", "--value", "38"])
    # 23:30 UTC on 29 February 2024 is already 00:30 on 1 March in Paris.
    with freeze_time("2024-02-29 23:30:00"):
        ok(runner, ["indicator", "record", plan, "I1", "--period", "2024-02", "--value", "95"])

    def history(*args: str) -> Any:
        command = ["indicator", "history", plan, "I1", "--to", "2024-02", *args, "--json"]
        return json.loads(ok(runner, command).stdout)

    january, february = history()["periods"]
    assert february["recorded"]["local_time"] == "2024-03-01T00:30:00+01:00"
    assert (february["actual"], february["period_value"], february["attainment_pct"]) == (
        "95",
        "57",
        "105.6",
    )
    assert (january["actual"], january["gap"]) == ("38", "-2")
    assert [p["actual"] for p in history("--as-of", "2024-02-29")["periods"]] == ["38", None]
    assert [p["actual"] for p in history("--as-of", "2024-03-01")["periods"]] == ["38", "95"]
