"""pacflow indicator import: a CRM export's actuals, all or nothing, safe to run again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.plan_fixtures import PLAN, build_example, event_count, ok, refused

QUARTERLY = [
    ["indicator", "define", PLAN, "K6", "--name", "Marge brute", "--kind", "result",
     "--unit", "percent", "--owner", "hg", "--per", "quarter", "--aggregation",
     "rate_per_period"],
    ["indicator", "set-targets", PLAN, "K6", "--from", "2025-Q1", "--values", "28,29,30,31"],
]  # fmt: skip

CRM_EXPORT = (
    "Indicateur;Période;Valeur;Commentaire\n"
    "I1;2025-01;120,5;CRM janvier\n"
    "I2;01/2025;3;\n"
    "K6;T1 2025;28,5;\n"
)


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    build_example(runner, *QUARTERLY)
    return runner


def history(runner: CliRunner, indicator: str) -> dict[str, dict[str, object]]:
    data = json.loads(ok(runner, ["indicator", "history", PLAN, indicator, "--json"]).stdout)
    return {period["period"]: period for period in data["periods"]}


def write(tmp_path: Path, text: str, name: str = "crm.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_a_crm_export_is_recorded_in_one_change_and_a_rerun_records_nothing(
    example: CliRunner, tmp_path: Path
) -> None:
    file = write(tmp_path, CRM_EXPORT)
    before = event_count(example)
    dry = ok(example, ["indicator", "import", PLAN, file, "--dry-run"])
    assert dry.stdout.splitlines()[0] == f"{PLAN}: would record 3 values from {file}"
    assert "4     K6         2025-Q1  28.5   record" in dry.stdout
    assert event_count(example) == before

    done = ok(example, ["indicator", "import", PLAN, file])
    assert done.stdout.splitlines()[0] == f"{PLAN}: recorded 3 values from {file}"
    assert event_count(example) == before + 3
    assert history(example, "I1")["2025-01"]["actual"] == "120.5"
    assert history(example, "I2")["2025-01"]["actual"] == "3"
    assert history(example, "K6")["2025-Q1"]["actual"] == "28.5"

    again = ok(example, ["indicator", "import", PLAN, file])
    assert again.stdout.splitlines()[0] == (
        f"{PLAN}: nothing to record from {file}; 3 values already recorded"
    )
    assert event_count(example) == before + 3


def test_a_changed_value_is_a_correction_only_with_a_reason(
    example: CliRunner, tmp_path: Path
) -> None:
    ok(example, ["indicator", "import", PLAN, write(tmp_path, CRM_EXPORT)])
    changed = write(tmp_path, CRM_EXPORT.replace("120,5", "118"), "changed.csv")
    message = refused(example, ["indicator", "import", PLAN, changed])
    assert message == (
        f"{changed}:2:3: I1 2025-01 already has the value 120.5, the file says 118; give "
        "--reason to record the file's values as corrections"
    )
    result = ok(example, ["indicator", "import", PLAN, changed, "--reason", "avoir", "--json"])
    data = json.loads(result.stdout)
    assert (data["recorded"], data["corrected"], data["unchanged"]) == (0, 1, 2)
    assert data["events"][0]["type"] == "IndicatorValueCorrected"
    january = history(example, "I1")["2025-01"]
    assert january["actual"] == "118"
    assert january["corrected"] is True


def test_a_wide_export_comma_separated_in_windows_1252(example: CliRunner, tmp_path: Path) -> None:
    text = 'Période,I1,I2,Commentaire\n2025-02,"130,5",2,février\n2025-03,140,,\n'
    file = write(tmp_path, text, encoding="cp1252")
    data = json.loads(ok(example, ["indicator", "import", PLAN, file, "--json"]).stdout)
    assert [(x["line"], x["indicator"], x["period"], x["value"]) for x in data["lines"]] == [
        (2, "I1", "2025-02", "130.5"),
        (2, "I2", "2025-02", "2"),
        (3, "I1", "2025-03", "140"),
    ]
    assert data["lines"][0]["note"] == "février"
    assert history(example, "I2")["2025-03"]["actual"] is None


def test_one_indicator_with_columns_named_by_option(example: CliRunner, tmp_path: Path) -> None:
    file = write(tmp_path, "Mois;CA_HT\n2025-01;100\n2025-02;210\n")
    args = ["indicator", "import", PLAN, file, "--indicator", "I1", "--column", "value=ca_ht"]
    assert "recorded 2 values" in ok(example, args).stdout
    assert history(example, "I1")["2025-02"]["actual"] == "210"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "indicator;period;value\nI1;2025-01;100\nI2;2025-01;trois\n",
            "{file}:3:3: value 'trois': expected a number such as 28.5 or 28,5",
        ),
        (
            "indicator;period;value\nI1;2025-01;100\nI9;2025-01;3\n",
            "{file}:3:1: indicator 'I9': unknown in plan PAC-2025",
        ),
        (
            "indicator;period;value\nI1;2025-01;100\nK6;2025-02;3\n",
            "{file}:3:2: indicator K6: period '2025-02': expected a quarter such as 2025-Q1",
        ),
        (
            "indicator;period;value\nI1;2026-01;100\n",
            "{file}:2:2: indicator I1: period 2026-01 is outside the plan period",
        ),
        (
            "indicator;period;value\nI1;2025-01;100\nI1;2025-01;101\n",
            "{file}:3:3: I1 2025-01 is 100 on line 2 and 101 here",
        ),
        ("indicator;mois;chiffre\nI1;2025-01;100\n", "{file}:1: no value column"),
        ("indicateur;valeur\nI1;100\n", "{file}:1: no period column"),
        ("période;I1;X9\n2025-01;1;2\n", "{file}:1:3: column 'X9' is not an indicator"),
    ],
)
def test_a_bad_line_names_file_line_and_column_and_nothing_is_recorded(
    example: CliRunner, tmp_path: Path, text: str, message: str
) -> None:
    file = write(tmp_path, text)
    assert message.format(file=file) in refused(example, ["indicator", "import", PLAN, file])
    assert history(example, "I1")["2025-01"]["actual"] is None


def test_a_value_recorded_twice_by_hand_is_not_an_error(example: CliRunner) -> None:
    record = ["indicator", "record", PLAN, "I2", "--period", "2025-03", "--value", "2,0"]
    ok(example, record)
    before = event_count(example)
    assert ok(example, [*record[:-1], "2"]).stdout == f"{PLAN}: nothing to change\n"
    assert event_count(example) == before


def test_quarterly_targets_from_a_quarter(example: CliRunner) -> None:
    targets = history(example, "K6")
    assert [targets[q]["target"] for q in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4")] == [
        "28",
        "29",
        "30",
        "31",
    ]
    ok(example, ["indicator", "set-targets", PLAN, "K6", "--from", "2025-Q3", "--value", "32,5"])
    assert history(example, "K6")["2025-Q4"]["target"] == "32.5"
