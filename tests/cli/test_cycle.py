"""The yearly cycle on the demo: the year-end review of PAC-2025, then PAC-2026 from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.cli.plan_fixtures import event_count, ok, ok_json, refused, usage_error
from tests.cli.test_history_commands import use_demo

PLAN = "PAC-2025"


@pytest.fixture(autouse=True)
def demo(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    use_demo(db_url, tmp_path_factory)


def review(runner: CliRunner, *args: str) -> Any:
    return json.loads(ok(runner, ["review", PLAN, "--json", *args]).stdout)


def test_the_review_gives_each_target_first_and_final_objective_and_what_was_done(
    runner: CliRunner,
) -> None:
    data = review(runner)
    t1 = data["targets"][0]
    # The June re-actualisation lowered T1's objective after the BRC merger.
    assert (t1["first_objective"]["value"], t1["final_objective"]["value"]) == ("600", "400")
    assert t1["achieved"] == "790"  # I1, its indicator, at the end of December
    assert t1["steps"] == {"total": 12, "done": 12, "cancelled": 0, "late": 0}
    assert (t1["visits"]["held"], t1["visits"]["cancelled"]) == (23, 3)
    assert [w["decision"] for w in t1["why"]] == ["D1", "D2"]
    t4 = data["targets"][3]
    assert t4["steps"]["late"] == 1  # S40, the renegotiation, still open
    assert [r["reason"] for r in data["revisions"]][1] == "Ajustements de mars (v1.1)"
    assert data["revisions"][0]["opened_at"] == "2024-12-16T09:00:00Z"
    assert data["indicators"]["I7"] == "2810"


def test_the_review_as_of_june_and_in_french(runner: CliRunner, tmp_path: Path) -> None:
    june = review(runner, "--as-of", "2025-06-01")
    assert june["targets"][0]["final_objective"]["value"] == "600"  # not revised yet
    assert len(june["revisions"]) == 2
    text = ok(runner, ["review", PLAN, "--lang", "fr"]).stdout
    assert text.startswith("PAC-2025 — Plan d'action commerciale 2025 — bilan de fin d'année\n")
    assert "- 3: ouverte 2025-06-30 17:55 par hg — Rapprochement annoncé de BRC" in text
    out = tmp_path / "bilan.html"
    result = ok(runner, ["review", PLAN, "--lang", "fr", "-o", str(out)])
    assert result.stderr == f"{PLAN}: review (html) written to {out}\n"
    assert out.read_text(encoding="utf-8").startswith('<!doctype html><html lang="fr">')
    assert "'pdf': expected one of md, html" in usage_error(
        runner, ["review", PLAN, "--format", "pdf"]
    )


def test_next_years_plan_starts_from_this_one_citing_it(runner: CliRunner) -> None:
    before = event_count(runner)
    dry = ok_json(runner, ["plan", "rollover", PLAN, "PAC-2026", "--target", "T1", "--dry-run"])
    assert event_count(runner) == before
    assert dry["events"][0]["summary"] == (
        "plan PAC-2026 created: Plan d'action commerciale 2026 (2026-01-01 → 2026-12-31, "
        "Europe/Paris)"
    )
    ok(runner, ["plan", "rollover", PLAN, "PAC-2026", "--target", "T1"])
    new = ok_json(runner, ["store", "log", "--stream", "PAC-2026"])
    assert len(new) == event_count(runner) - before
    assert {entry["metadata"]["reason"] for entry in new} == {
        "carried over from PAC-2025",
        # S08 was thinned for the BRC merger in June: not repeated next year
        "carried over from PAC-2025, with the schedule in force when its year started",
    }
    plan = ok_json(runner, ["plan", "show", "PAC-2026"])
    assert plan["status"] == "draft"
    assert [t["key"] for t in plan["targets"]] == ["T1"]
    steps = {s["key"]: s for track in plan["tracks"] for s in track["steps"]}
    # Only the recurring steps: the BRC visits and the steering committees, not the
    # one-off tasks that were done in 2025.
    assert sorted(steps) == ["G02", "S08", "S11"]
    first_visits = [o["key"] for o in steps["S08"]["occurrences"][:2]]
    assert first_visits == ["S08@2026-01-13", "S08@2026-01-27"]  # 2nd and 4th Tuesdays
    objective = next(t for t in plan["targets"] if t["key"] == "T1")["objectives"][0]
    assert (objective["baseline"], objective["due"]) == ("790", "2026-12-31")
    assert refused(runner, ["plan", "rollover", PLAN, "PAC-2026"]) == "plan PAC-2026 already exists"


def test_what_carries_over_is_chosen(runner: CliRunner) -> None:
    assert refused(runner, ["plan", "rollover", PLAN, "PAC-2026", "--carry", "steps"], 2) == (
        "--carry steps needs --carry tracks"
    )
    assert refused(runner, ["plan", "rollover", PLAN, "PAC-2026", "--target", "T9"]) == (
        "target T9: no live target of plan PAC-2025 has this key"
    )
    rollover = [
        "plan", "rollover", PLAN, "PAC-2026", "--carry", "targets,indicators",
        "--title", "PAC 2026", "--start", "2026-02-01", "--end", "2027-01-31",
    ]  # fmt: skip
    out = ok(runner, rollover).stdout
    assert out.startswith("PAC-2026: recorded ")
    plan = ok_json(runner, ["plan", "show", "PAC-2026"])
    assert plan["title"] == "PAC 2026"
    assert plan["tracks"] == []
    assert [i["key"] for i in plan["indicators"]] == [f"I{n}" for n in range(1, 9)]


def test_a_mid_year_schedule_change_is_not_repeated_next_year(runner: CliRunner) -> None:
    result = ok(runner, ["plan", "rollover", PLAN, "PAC-2026", "--target", "T1"])
    assert (
        "warning: step S08: its schedule changed during PAC-2025 (`plan history PAC-2025 "
        "--step S08` says when and why); the one in force when the year started is carried: "
        "recurring FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=24 from 2026-01-13 10:00\n"
    ) in result.stderr
    plan = ok_json(runner, ["plan", "show", "PAC-2026"])
    s08 = next(s for track in plan["tracks"] for s in track["steps"] if s["key"] == "S08")
    days = [o["key"].split("@")[1] for o in s08["occurrences"]]
    # the summer freeze of 2025 (one visit a month, July to September) is not carried
    assert [d for d in days if d.startswith(("2026-07", "2026-08"))] == [
        "2026-07-14",
        "2026-07-28",
        "2026-08-11",
        "2026-08-25",
    ]
    assert len(days) == 24


def test_each_target_carries_what_the_year_taught(runner: CliRunner) -> None:
    ok(runner, ["plan", "rollover", PLAN, "PAC-2026", "--lang", "fr"])
    targets = {t["key"]: t for t in ok_json(runner, ["plan", "show", "PAC-2026"])["targets"]}
    rationale, lesson = targets["T1"]["rationale"].split("\n\n")
    assert rationale.startswith("ABC croisée: B client today (180 kEUR)")
    assert lesson == (
        "Retour d'expérience PAC-2025 : objectif 400 kEUR (première version 600 kEUR) ; "
        "atteint 790 kEUR (197,5 %) ; étapes : 12 faites, 0 annulées, 0 en retard sur 12 ; "
        "visites : 23 tenues sur 23."
    )
    assert "1 en retard sur 7" in targets["T4"]["rationale"]  # S40, still open
    # next year, 2026's lessons replace 2025's rather than pile up
    ok(runner, ["plan", "rollover", "PAC-2026", "PAC-2027"])
    again = {t["key"]: t for t in ok_json(runner, ["plan", "show", "PAC-2027"])["targets"]}
    paragraphs = again["T1"]["rationale"].split("\n\n")
    assert paragraphs[0] == rationale
    assert [p.split(":")[0] for p in paragraphs[1:]] == ["Lessons learned from PAC-2026"]


def test_texts_naming_the_old_year_are_offered_the_new_one(runner: CliRunner) -> None:
    dry = ok(runner, ["plan", "rollover", PLAN, "PAC-2026", "--target", "T1", "--dry-run"])
    assert (
        "warning: the year of PAC-2025 is named in indicator I1 name (2025); objective main "
        "of T1 statement (2025): --rename-year writes 2025 → 2026 there\n"
    ) in dry.stderr
    renamed = ok(runner, ["plan", "rollover", PLAN, "PAC-2026", "--target", "T1", "--rename-year"])
    assert "--rename-year" not in renamed.stderr
    plan = ok_json(runner, ["plan", "show", "PAC-2026"])
    names = {i["key"]: i["name"] for i in plan["indicators"]}
    assert names["I1"] == "Prises de commandes Banque & Assurance 2026 (cumul)"
    statement = plan["targets"][0]["objectives"][0]["statement"]
    assert "à 400 kEUR en 2026 malgré" in statement
    assert "2025" not in statement
