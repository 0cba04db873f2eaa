"""pacflow plan history and plan revisions, on the demo's year.

`use_demo` gives a test its own copy of a store where `pacflow demo` ran once per process;
the diff and as-of tests use it too.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from pacflow.cli import main
from tests.cli.plan_fixtures import assert_one_line_error, ok

_BUILT: list[Path] = []


def use_demo(db_url: str, factory: pytest.TempPathFactory) -> None:
    """Put the demo's store (built on first use) at `db_url`, a SQLite URL of the test's own."""
    if not _BUILT:
        folder = factory.mktemp("demo")
        source = folder / "demo.db"
        result = CliRunner().invoke(
            main,
            ["--db", f"sqlite:///{source}", "demo", "--json"],
            env={"XDG_DATA_HOME": str(folder / "xdg")},
        )
        assert result.exit_code == 0, result.output
        _BUILT.append(source)
    target = Path(db_url.removeprefix("sqlite:///"))
    with closing(sqlite3.connect(_BUILT[0])) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@pytest.fixture
def demo(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    use_demo(db_url, tmp_path_factory)


pytestmark = pytest.mark.usefixtures("demo")

S15_REASON = (
    "Le directeur de practice CRM reprend le packaging de l'offre conformité (charge avant-vente)"
)


def history(runner: CliRunner, *args: str) -> list[str]:
    return ok(runner, ["plan", "history", "PAC-2025", *args]).stdout.splitlines()


def test_history_of_a_day_one_line_per_change_in_local_time(runner: CliRunner) -> None:
    lines = history(runner, "--from", "2025-03-10", "--to", "2025-03-10")
    assert lines[:5] == [
        "2025-03-10 10:10 hg — revision 2 opened: Ajustements de mars (v1.1) [rev 2, cli]",
        f"2025-03-10 10:12 hg — S15 responsible jm → pg; participants pg, kb → jm, kb — reason: "
        f"{S15_REASON} [rev 2, cli]",
        "2025-03-10 10:14 hg — plan published (revision 2) — reason: PAC 2025 v1.1 [rev 2, cli]",
        "2025-03-10 10:15 nr — S21@2025-02-13 moved to 2025-02-20 11:00 — reason: Webinaire de "
        "février décalé d'une semaine (intervenant indisponible) ; saisi après coup [rev 2, cli]",
        "2025-03-10 10:16 nr — S21@2025-02-13 held on 2025-02-20 — reason: Saisi après coup : "
        "webinaire tenu le 20 février [rev 2, cli]",
    ]
    assert all(line.startswith("2025-03-10 ") for line in lines)
    assert len(lines) == 7  # and in the evening: S27 done, S32@2025-03-10 held


def test_history_filters_by_actor_step_and_target(runner: CliRunner) -> None:
    late = history(runner, "--changed-by", "nr", "--to", "2025-03-10T10:16")
    assert [line.split(" — ")[1] for line in late][-2:] == [
        "S21@2025-02-13 moved to 2025-02-20 11:00",
        "S21@2025-02-13 held on 2025-02-20",
    ]
    assert all(line[17:20] == "nr " for line in late)
    s15 = history(runner, "--step", "S15")
    assert [line.split(" — ")[1] for line in s15] == [
        "step S15 added to T2-DEV: Packager une offre « Conformité & data bancaire », "
        "responsible jm, due 2025-03-31",
        "S15 responsible jm → pg; participants pg, kb → jm, kb",
        "S15 done on 2025-04-04 [rev 2, cli]",
    ]
    assert s15[0].endswith("[rev 1, plan-file]")
    t1 = history(runner, "--target", "T1", "--from", "2025-06-30T17:00", "--to", "2025-06-30")
    assert [(line[11:16], line.split(" — ")[1][:11]) for line in t1] == [
        ("18:00", "T1 objectiv"),
        ("18:01", "I1 targets "),
        ("18:02", "I2 targets "),
        ("18:03", "S08 resched"),
        ("18:03", "S08: 3 occu"),
        ("18:04", "S10 due 202"),
        ("18:06", "step S44 ad"),
    ]


def test_history_as_json(runner: CliRunner) -> None:
    entries = json.loads(
        ok(runner, ["plan", "history", "PAC-2025", "--step", "S15", "--json"]).stdout
    )
    assigned = entries[1]
    assert assigned == {
        "position": assigned["position"],
        "recorded_at": "2025-03-10T09:12:00Z",
        "local_time": "2025-03-10T10:12:00+01:00",
        "actor": "hg",
        "source": "cli",
        "command": "AssignStep",
        "command_id": assigned["command_id"],
        "revision": 2,
        "reason": S15_REASON,
        "type": "StepAssigned",
        "summary": "S15 responsible jm → pg; participants pg, kb → jm, kb",
        "targets": ["T2"],
        "steps": ["S15"],
        "occurrences": [],
        "indicators": [],
        "people": ["jm", "kb", "pg"],
    }
    nothing = ok(runner, ["plan", "history", "PAC-2025", "--changed-by", "nobody", "--json"])
    assert json.loads(nothing.stdout) == []


def test_history_with_nothing_to_show(runner: CliRunner) -> None:
    assert history(runner, "--changed-by", "nobody") == ["no change matches"]


def test_revisions_with_dates_authors_and_reasons(runner: CliRunner) -> None:
    text = ok(runner, ["plan", "revisions", "PAC-2025"]).stdout
    assert text.splitlines()[:9] == [
        "revision 1  published",
        "  opened     2024-12-16 10:00 by hg — PAC 2025 v1, draft for the executive committee",
        "  approved   2025-01-06 17:00 by hg — Validation du PAC 2025 en comité de direction",
        "  published  2025-01-06 17:05 by hg — PAC 2025 v1 communiqué à l'équipe commerciale et "
        "au back-office",
        "  132 changes while open",
        "revision 2  published",
        "  opened     2025-03-10 10:10 by hg — Ajustements de mars (v1.1)",
        "  published  2025-03-10 10:14 by hg — PAC 2025 v1.1",
        "  1 change while open",
    ]
    assert "revision 3  published" in text
    assert "— PAC 2025 v2 (re-actualisation semestrielle)" in text
    data = json.loads(ok(runner, ["plan", "revisions", "PAC-2025", "--json"]).stdout)
    assert [(r["revision"], r["status"]) for r in data] == [
        (1, "published"),
        (2, "published"),
        (3, "published"),
    ]
    assert data[2]["reason"].startswith("Rapprochement annoncé de BRC")
    assert data[2]["opened_at"] == "2025-06-30T15:55:00Z"
    assert data[2]["published_by"] == "hg"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["history", "PAC-2026"], "plan PAC-2026: no such plan"),
        (["revisions", "PAC-2026"], "plan PAC-2026: no such plan"),
        (
            ["history", "PAC-2025", "--to", "2024-01-01"],
            "plan PAC-2025 did not exist yet on 2024-01-01 (created 2024-12-16 10:00)",
        ),
        (
            ["history", "PAC-2025", "--from", "2025-04-01", "--to", "2025-03-01"],
            "--from 2025-04-01 is after --to 2025-03-01",
        ),
        (["history", "PAC-2025", "--from", "last week"], "--from 'last week': expected a date"),
        (["history", "PAC-2025", "--to", "2025-02-30"], "--to '2025-02-30': expected"),
        (["history", "PAC-2025", "--target", "T9"], "--target T9: no such target"),
        (["history", "PAC-2025", "--step", "S99"], "--step S99: no such step in plan PAC-2025"),
    ],
)
def test_bad_input_is_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    assert assert_one_line_error(runner.invoke(main, ["plan", *args])).startswith(message)
