"""`pacflow report --for AUDIENCE`: the demo plan handed to each audience the method names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.cli.plan_fixtures import invoke, ok
from tests.cli.test_history_commands import use_demo

PLAN = "PAC-2025"
AT = "2025-06-05"  # the May review


@pytest.fixture(autouse=True)
def demo(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    use_demo(db_url, tmp_path_factory)


def data(runner: CliRunner, audience: str, *args: str) -> Any:
    args = ("report", PLAN, "--for", audience, "--as-of", AT, "--format", "json", *args)
    return json.loads(ok(runner, args).stdout)


def steps_of(section: dict[str, Any]) -> list[str]:
    if "assignments" in section:
        return [a["step"]["key"] for a in section["assignments"]]
    return [step["key"] for track in section["tracks"] for step in track["steps"]]


def test_sales_team_and_back_office_each_get_their_people(runner: CliRunner) -> None:
    sales = data(runner, "sales")
    assert sales["audience"] == "sales"
    assert sales["label"] == "for the sales team"
    assert [s["person"]["key"] for s in sales["sections"]] == ["hg", "cd", "kb", "tl", "sm"]
    back = data(runner, "back-office", "--lang", "fr")
    assert back["label"] == "pour le back office et le service après-vente"
    assert [s["person"]["key"] for s in back["sections"]] == ["jm", "pg", "nr", "mp", "lf", "ic"]
    ic = back["sections"][-1]
    assert steps_of(ic) == ["G01", "S05"]  # the plan's presentation, the BRC referencing
    assert [t["target"] for t in back["targets"]] == ["T1", "T2", "T3", "T4"]  # why, for all


def test_engineers_see_each_target_why_and_what_it_asks_of_them(runner: CliRunner) -> None:
    engineers = data(runner, "engineers")
    t3 = next(s for s in engineers["sections"] if s["target"] == "T3")
    assert [r["decision"] for r in t3["why"]] == ["D3"]
    assert t3["objectives"][0]["value"] == "30"
    # Only the steps a back-office or technical person answers for or takes part in:
    # no rep-only visits (S32, S34), but the go/no-go grid, the kit, the certifications.
    assert steps_of(t3) == ["S26", "S27", "S28", "S29", "S30", "S31", "S33", "S35", "S36"]
    text = ok(runner, ["report", PLAN, "--for", "engineers", "--as-of", AT]).stdout
    assert text.splitlines()[0] == (
        "PAC-2025 — Plan d'action commerciale 2025 — for the engineers and technicians"
    )


def test_marketing_synthesis_has_notoriety_and_information_with_budgets(
    runner: CliRunner,
) -> None:
    marketing = data(runner, "marketing")
    assert [s["theme"] for s in marketing["sections"]] == ["information", "sales-notoriety"]
    fair = next(
        step
        for section in marketing["sections"]
        for track in section["tracks"]
        for step in track["steps"]
        if step["key"] == "S19"
    )
    assert (fair["budget"], fair["start"], fair["end"]) == ("18", "2025-06-11", "2025-06-12")
    text = ok(runner, ["report", PLAN, "--for", "marketing", "--lang", "fr"]).stdout
    assert text.startswith(
        "PAC-2025 — Plan d'action commerciale 2025 — synthèse des actions marketing et "
        "communication\n"
    )
    assert "| Stand 9 m² · budget 18 " in text


def test_appointments_per_rep_and_month_with_what_is_held(runner: CliRunner) -> None:
    appointments = data(runner, "appointments")
    by_rep = {s["person"]["key"]: s for s in appointments["sections"]}
    assert list(by_rep) == ["hg", "cd", "kb", "tl", "sm"]
    cd = by_rep["cd"]
    assert steps_of(cd) == ["S08", "S14", "S11", "S20", "S09"]  # visits, sessions
    january = next(m for m in cd["visits_per_month"] if m["month"] == "2025-01")
    assert january["held"] >= 2
    assert all(a["step"]["visits"] for a in cd["assignments"])


def test_an_audience_in_html_and_the_choice_refused(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "rdv.html"
    result = ok(runner, ["report", PLAN, "--for", "appointments", "--lang", "fr", "-o", str(out)])
    assert result.stderr == f"{PLAN}: report for appointments (html) written to {out}\n"
    page = out.read_text(encoding="utf-8")
    assert "rendez-vous à prendre avec les clients" in page
    assert page.count("<section") >= 5
    wrong = invoke(runner, ["report", PLAN, "--for", "board"])
    assert wrong.exit_code == 1
    assert wrong.stderr == (
        "error: audience 'board': expected one of sales, back-office, engineers, marketing, "
        "appointments\n"
    )
    both = invoke(runner, ["report", PLAN, "--for", "sales", "--by", "rep"])
    assert both.exit_code == 2
    assert "give either --by (theme|rep|sector|target) or --for AUDIENCE" in both.stderr
