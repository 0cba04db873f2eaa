"""`pacflow report --for AUDIENCE`: the demo plan handed to each audience the method names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

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


def test_marketing_synthesis_adds_up_its_budgets(runner: CliRunner, tmp_path: Path) -> None:
    marketing = data(runner, "marketing")
    budgets = [
        step["budget"]
        for section in marketing["sections"]
        for track in section["tracks"]
        for step in track["steps"]
        if step["budget"] is not None and step["state"] != "cancelled"
    ]
    assert budgets  # the trade fair at least
    total = str(sum(int(b) for b in budgets))
    assert marketing["budget_total"] == total
    by_theme = {s["theme"]: s["budget_total"] for s in marketing["sections"]}
    assert by_theme == {"information": None, "sales-notoriety": total}
    text = ok(runner, ["report", PLAN, "--for", "marketing", "--as-of", AT]).stdout
    table = text.split("## Budget by theme\n")[1].split("\n## ")[0]
    rows = [[cell.strip() for cell in line.split("|")[1:-1]] for line in table.splitlines()]
    assert ["**total**", f"**{total}**"] in rows
    assert ["Information gathering (collecte d'information)", "\u2013"] in rows
    out = tmp_path / "marketing.html"
    ok(runner, ["report", PLAN, "--for", "marketing", "--as-of", AT, "-o", str(out)])
    page = out.read_text(encoding="utf-8")
    assert f'<div class="kpi"><b>{total}</b><span>budget total</span></div>' in page


def test_every_themes_budget_adds_up_to_the_plans(runner: CliRunner) -> None:
    args = ("report", PLAN, "--by", "theme", "--as-of", AT, "--json")
    report = json.loads(ok(runner, args).stdout)
    budgets = [
        int(step["budget"])
        for section in report["sections"]
        for track in section["tracks"]
        for step in track["steps"]
        if step["budget"] is not None
    ]
    assert len(budgets) > 1
    assert report["budget_total"] == str(sum(budgets))
    themes = [int(s["budget_total"]) for s in report["sections"] if s["budget_total"]]
    assert sum(themes) == sum(budgets)


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


def test_appointments_say_what_each_rep_has_booked_and_what_is_left_to_book(
    runner: CliRunner, tmp_path: Path
) -> None:
    fresh = f"sqlite:///{tmp_path / 'april.db'}"
    ok(runner, ["--db", fresh, "demo", "--until", "2025-04-20T12:00"])
    with freeze_time("2025-04-22 08:00:00"):  # a Tuesday in April, 10:00 in Paris
        # kb books one of May's "8 per month" prospecting visits with the customer
        move = ["visit", "move", PLAN, "S22@2025-05-07", "--to", "2025-05-06T14:30"]
        ok(runner, ["--db", fresh, "--actor", "kb", *move])
        report = json.loads(
            ok(runner, ["--db", fresh, "report", PLAN, "--for", "appointments", "--json"]).stdout
        )
        markdown = ok(runner, ["--db", fresh, "report", PLAN, "--for", "appointments"]).stdout
    by_rep = {s["person"]["key"]: s for s in report["sections"]}
    kb = {a["visit"]["key"]: a for a in by_rep["kb"]["appointments"]}
    pinned = kb["S22@2025-05-07"]
    assert (pinned["booking"], pinned["visit"]["day"], pinned["visit"]["time"]) == (
        "booked",
        "2025-05-06",
        "14:30",
    )
    assert pinned["visit"]["moved_from"] == "2025-05-07"
    assert pinned["customer"] == "Banque & Assurance (conquête)"
    assert kb["S22@2025-05-09"]["booking"] == "to_book"  # a cadence slot: a day, no time
    assert "moved_from" not in kb["S22@2025-05-09"]["visit"]
    # what was held is no longer to plan; what is past and not held is overdue
    held = [
        a for s in report["sections"] for a in s["appointments"] if a["visit"]["state"] == "held"
    ]
    assert held == []
    assert {a["booking"] for a in kb.values() if a["visit"]["day"] < "2025-04-22"} <= {"overdue"}
    cd = {a["visit"]["key"]: a for a in by_rep["cd"]["appointments"]}
    # the S08 visit cd moved (Easter Monday) stays booked at its new time
    assert cd["S08@2025-04-22"]["booking"] == "booked"
    assert cd["S08@2025-04-22"]["visit"]["moved_from"] == "2025-04-22"
    assert cd["S08@2025-04-22"]["visit"]["day"] == "2025-04-24"
    kb_part = markdown.split("## kb — Karim Benali")[1].split("\n## ")[0]
    assert "| 2025-05-06 | 14:30 | S22  |" in kb_part
    assert "booked · moved from 2025-05-07" in kb_part
    assert "(moved 1)" in kb_part
