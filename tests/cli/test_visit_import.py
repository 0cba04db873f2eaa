"""pacflow visit import: a CRM's visit reports matched to the plan's visits, all or nothing,
safe to run again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from tests.cli.plan_fixtures import (
    PLAN,
    build_example,
    event_count,
    invoke,
    occurrence_json,
    ok,
    ok_json,
    refused,
)
from tests.cli.test_everyday_lists import PROSPECTION

REPORTS = (
    "Visite;Commercial;Client;Date;Tenue;Motif\n"
    "S08@2025-03-11;;;2025-03-11;oui;\n"  # by key
    ";cd;Banque Régionale du Centre;26/03/2025;oui;\n"  # S08@2025-03-25, a day late
    ";kb;Prospection BRC;2025-03-06;non;client absent\n"  # S30@2025-03-06 not held
)


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> Iterator[CliRunner]:
    with freeze_time("2025-01-05 09:00:00"):
        build_example(runner, PROSPECTION)
    with freeze_time("2025-04-02 09:00:00"):
        yield runner


def write(tmp_path: Path, text: str, name: str = "visites.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def visit(runner: CliRunner, key: str) -> Any:
    return occurrence_json(runner, key)


def test_a_month_of_visit_reports_goes_in_once(example: CliRunner, tmp_path: Path) -> None:
    file = write(tmp_path, REPORTS)
    before = event_count(example)
    dry = ok(example, ["visit", "import", PLAN, file, "--dry-run"])
    assert dry.stdout.splitlines()[0] == (
        f"{PLAN}: would record 2 visits held, 1 visit not held from {file}"
    )
    assert dry.stdout.splitlines()[3].split() == [
        "2", "S08@2025-03-11", "2025-03-11", "held", "key"
    ]  # fmt: skip
    assert dry.stdout.splitlines()[4].split() == [
        "3", "S08@2025-03-25", "2025-03-26", "held", "date", "±1d"
    ]  # fmt: skip
    assert "S30@2025-03-06  2025-03-06  not held: client absent  date" in dry.stdout
    assert event_count(example) == before

    ok(example, ["visit", "import", PLAN, file])
    assert event_count(example) == before + 3
    held = visit(example, "S08@2025-03-11")
    assert (held["status"], held["done_on"]) == ("done", "2025-03-11")
    assert visit(example, "S08@2025-03-25")["done_on"] == "2025-03-26"
    assert visit(example, "S30@2025-03-06")["status"] == "cancelled"

    again = ok(example, ["visit", "import", PLAN, file])
    assert again.stdout.splitlines()[0] == (
        f"{PLAN}: nothing to record from {file}; 3 lines already recorded"
    )
    assert event_count(example) == before + 3


def test_the_json_says_what_each_line_did(example: CliRunner, tmp_path: Path) -> None:
    data = ok_json(example, ["visit", "import", PLAN, write(tmp_path, REPORTS)])
    assert (data["held"], data["not_held"], data["unchanged"]) == (2, 1, 0)
    assert data["lines"][2] == {
        "line": 4,
        "occurrence": "S30@2025-03-06",
        "step": "S30",
        "date": "2025-03-06",
        "action": "not-held",
        "matched_by": "date",
        "previous": None,
        "reason": "client absent",
    }
    assert [e["type"] for e in data["events"]] == [
        "OccurrenceCompleted", "OccurrenceCompleted", "OccurrenceCancelled"
    ]  # fmt: skip


def test_every_unmatched_line_is_named_and_nothing_is_recorded(
    example: CliRunner, tmp_path: Path
) -> None:
    file = write(
        tmp_path,
        "step;date;held\nS08;2025-03-11;yes\nS08;2025-03-18;yes\nS08;2025-03-19;yes\n",
    )
    message = refused(example, ["visit", "import", PLAN, file])
    assert message == (
        f"2 lines match no visit of plan {PLAN}: {file}:3 (held 2025-03-18: no visit of S08 "
        f"within 3 days); {file}:4 (held 2025-03-19: no visit of S08 within 3 days)"
    )


def test_extra_records_a_visit_outside_the_schedule_once(
    example: CliRunner, tmp_path: Path
) -> None:
    file = write(tmp_path, "step;date;held\nS08;2025-03-18 15:00;yes\n")
    before = event_count(example)
    data = ok_json(example, ["visit", "import", PLAN, file, "--extra"])
    assert data["lines"][0]["occurrence"] == "S08@2025-03-18"
    assert data["lines"][0]["action"] == "extra"
    assert visit(example, "S08@2025-03-18")["status"] == "done"
    again = ok_json(example, ["visit", "import", PLAN, file, "--extra"])
    assert again["lines"][0]["action"] == "unchanged"
    assert event_count(example) == before + 2  # the extra occurrence, then its being held


def test_a_wider_tolerance_matches_a_visit_further_away(example: CliRunner, tmp_path: Path) -> None:
    file = write(tmp_path, "step;date;held\nS08;2025-03-17;yes\n")
    assert invoke(example, ["visit", "import", PLAN, file]).exit_code == 1
    data = ok_json(example, ["visit", "import", PLAN, file, "--tolerance", "6"])
    assert (data["lines"][0]["occurrence"], data["lines"][0]["matched_by"]) == (
        "S08@2025-03-11",
        "date ±6d",
    )


def test_a_visit_not_held_needs_a_reason(example: CliRunner, tmp_path: Path) -> None:
    file = write(tmp_path, "visit;held\nS08@2025-03-11;no\n")
    message = refused(example, ["visit", "import", PLAN, file])
    assert message == (
        f"{file}:2: S08@2025-03-11 was not held: say why (a reason column, or --reason for "
        "every such line)"
    )
    data = ok_json(example, ["visit", "import", PLAN, file, "--reason", "grève"])
    assert data["events"][0]["data"] == {"occurrence": "S08@2025-03-11", "reason": "grève"}


def test_another_held_date_is_a_correction_only_with_a_reason(
    example: CliRunner, tmp_path: Path
) -> None:
    ok(example, ["visit", "done", PLAN, "S08@2025-03-11"])
    file = write(tmp_path, "visit;date\nS08@2025-03-11;2025-03-12\n")
    message = refused(example, ["visit", "import", PLAN, file])
    assert message == (
        f"{file}:2: S08@2025-03-11 was held on 2025-03-11, the file says 2025-03-12; give "
        "--reason to record the file's dates as corrections"
    )
    data = ok_json(example, ["visit", "import", PLAN, file, "--reason", "CRM à jour"])
    assert data["corrected"] == 1
    assert visit(example, "S08@2025-03-11")["done_on"] == "2025-03-12"


def test_visits_of_two_steps_as_near_are_ambiguous(example: CliRunner, tmp_path: Path) -> None:
    file = write(tmp_path, "client;date\nBRC;2025-01-28\n")
    message = refused(example, ["visit", "import", PLAN, file])
    assert message == (
        f"{file}:2: visits of S08, S30 are as near to 2025-01-28; add a step column (or an "
        "occurrence key) to say which"
    )
    narrowed = write(tmp_path, "client;commercial;date\nBRC;Karim Benali;2025-01-28\n", "k.csv")
    data = ok_json(example, ["visit", "import", PLAN, narrowed])
    assert data["lines"][0]["occurrence"] == "S30@2025-01-28"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("step;date\nS08;2025-13-01\n", "{file}:2:2: date '2025-13-01': expected a day such "
         "as 2026-03-10 or 10/03/2026 (a time may follow: 2026-03-10 14:00)"),
        ("step;date;tenue\nS08;2025-03-11;peut-être\n", "{file}:2:3: held 'peut-être': "
         "expected yes or no (oui/non, held/not held, réalisée/annulée)"),
        ("step;date\nS99;2025-03-11\n", "{file}:2:1: step 'S99': no step of plan PAC-2025 "
         "has that key or title"),
        ("commercial;client;date\nzz;BRC;2025-03-11\n", "{file}:2:1: person 'zz': nobody of "
         "plan PAC-2025 has that key, name or e-mail"),
        ("visit;commercial\nS08@2025-03-11;kb\n", "{file}:2:2: kb has no part in step S08 "
         "(S08@2025-03-11)"),
        ("visit\nS08@2025-04-08\n", "{file}:2:1: occurrence S08@2025-04-08: held date "
         "2025-04-08 is in the future (today is 2025-04-02); record it once it has happened"),
        ("date;tenue\n2025-03-11;oui\n", "{file}:1: no column says which visit (an occurrence "
         "key such as S08@2026-03-10, a step, or a person and a customer; --column "
         "FIELD=HEADER names one; the header has date, tenue)"),
        ("step;held\nS08;yes\n", "{file}:1: no date column (a header such as date, or "
         "--column date=HEADER; the header has step, held)"),
    ],
)  # fmt: skip
def test_a_bad_line_is_named_and_nothing_is_recorded(
    example: CliRunner, tmp_path: Path, text: str, expected: str
) -> None:
    file = write(tmp_path, text)
    assert refused(example, ["visit", "import", PLAN, file]) == expected.format(file=file)


def test_columns_are_found_by_mapping(example: CliRunner, tmp_path: Path) -> None:
    file = write(tmp_path, "Ref,Date_RDV,Bilan\nS08,11/03/2025,Réalisée\n")
    mapped = ["--column", "step=Ref", "--column", "date=Date_RDV", "--column", "held=Bilan"]
    data = ok_json(example, ["visit", "import", PLAN, file, *mapped])
    assert data["lines"][0]["occurrence"] == "S08@2025-03-11"
    assert (
        json.loads(ok(example, ["visit", "list", PLAN, "--status", "done", "--json"]).stdout)[0][
            "key"
        ]
        == "S08@2025-03-11"
    )
