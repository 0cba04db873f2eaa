"""The worked example's diagnostic, as the demo records it, and the plan file's section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from pacflow.cli import main
from tests.app.test_planfile import base_file
from tests.cli.plan_fixtures import ok, ok_json
from tests.cli.test_history_commands import use_demo

PLAN = "PAC-2025"


@pytest.fixture
def demo(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    use_demo(db_url, tmp_path_factory)


@pytest.mark.usefixtures("demo")
def test_the_demo_records_the_seeds_findings_and_decisions(runner: CliRunner) -> None:
    shown = ok_json(runner, ["diagnostic", "show", PLAN])
    assert [(f["key"], f["tool"]) for f in shown["findings"]] == [
        ("F1", "abc"),
        ("F2", "offers"),
        ("F3", "amont_aval"),
        ("F4", "emoff"),
    ]
    decisions = {d["key"]: (d["findings"], d["targets"]) for d in shown["decisions"]}
    assert decisions == {
        "D1": (["F1", "F4"], ["T1", "T2"]),
        "D2": (["F2", "F4"], ["T1", "T4"]),
        "D3": (["F2", "F3"], ["T3"]),
    }
    assert shown["unexplained"] == []
    abc = shown["findings"][0]["computed"]["accounts"]
    # The figures agree with the data set's classes (ABC croisée of 2024).
    assert {key: (a["revenue_class"], a["potential_class"]) for key, a in abc.items()} == {
        "ACC-MV": ("A", "C'"),
        "ACC-PA": ("A", "B'"),
        "ACC-ATL": ("B", "C'"),
        "ACC-BRC": ("B", "A'"),
        "ACC-MAA": ("C", "B'"),
        "ACC-CRH": ("P", "A'"),
        "ACC-AEST": ("P", "A'"),
        "ACC-CSN": ("P", "B'"),
    }
    crm = shown["findings"][2]["computed"]
    assert (crm["deals"], crm["conversion_pct"], crm["upstream_pct"]) == (40, "15.0", "22.5")


@pytest.mark.usefixtures("demo")
def test_why_is_a_visit_step_in_the_plan(runner: CliRunner) -> None:
    lines = ok(runner, ["target", "why", PLAN, "S34", "--lang", "fr"]).stdout.splitlines()
    assert lines[0] == "S34 → T3-CHASSE → T3: Projets CRM"
    assert lines[1] == "  met en œuvre D3: Promouvoir les solutions CRM"
    assert lines[2].startswith("    d'après F2 — matrice prestations / clientèles, 2024: ")
    assert lines[3] == "      développer: OFF-PRJ-L, OFF-CRM; corriger: OFF-INFO"
    assert lines[4].startswith("    d'après F3 — matrice amont / aval, 2024: ")
    assert lines[5] == (
        "      OFF-CRM: 40 affaires, transformation 15\u00a0%, détectées en amont "
        "22,5\u00a0% (élevage 2/5, chasse 1/4, culture 1/5, cueillette 2/26 gagnées)"
    )


@pytest.mark.usefixtures("demo")
def test_the_diagnostic_is_in_the_plans_history(runner: CliRunner) -> None:
    lines = ok(runner, ["plan", "history", PLAN, "--target", "T1"]).stdout.splitlines()
    justified = "— target T1 implements D1, D2 — reason: PAC 2025 v1, draft for the executive"
    assert any(line.endswith(f"{justified} committee [rev 1, plan-file]") for line in lines)
    everything = ok(runner, ["plan", "history", PLAN, "--until", "2024-12-17"]).stdout
    assert "decision D3: Promouvoir les solutions CRM (from F2, F3)" in everything
    assert "finding F3 (amont_aval, 2024): CRM deals come from cueillette" in everything


@pytest.mark.usefixtures("demo")
def test_every_report_says_why_each_target_is_one(runner: CliRunner) -> None:
    text = ok(runner, ["report", PLAN, "--by", "rep"]).stdout
    assert "## Why these targets" in text
    assert (
        "- **T3** Projets CRM: D3 Promouvoir les solutions CRM (F2, F3)" in text
    ), "the summary names each target's decisions and findings"
    data = json.loads(ok(runner, ["report", PLAN, "--by", "target", "--format", "json"]).stdout)
    t1 = data["targets"][0]
    assert [r["decision"] for r in t1["why"]] == ["D1", "D2"]
    assert t1["why"][0]["findings"][0]["key"] == "F1"
    assert [r["decision"] for r in data["sections"][2]["why"]] == ["D3"]
    html = ok(runner, ["report", PLAN, "--by", "target", "--format", "html", "--lang", "fr"])
    assert '<p class="why small"><b>Pourquoi</b>: <b>D3</b> Promouvoir les solutions CRM' in (
        html.stdout
    )


def _write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _with_diagnostic() -> dict[str, Any]:
    data = base_file()
    data["diagnostic"] = {
        "findings": [
            {
                "key": "F3",
                "title": "CRM deals come from cueillette",
                "period": "2024",
                "figures": {
                    "tool": "amont_aval",
                    "offer": "OFF-CRM",
                    "quadrants": {"farming": {"won": 2, "lost": 3}, "gathering": {"won": 2}},
                },
            }
        ],
        "decisions": [{"key": "D3", "statement": "Promote CRM", "findings": ["F3"]}],
    }
    data["targets"][0]["decisions"] = ["D3"]
    return data


def test_a_plan_file_carries_the_diagnostic_and_exports_it_back(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    plan = _write(tmp_path / "pac.yaml", _with_diagnostic())
    first = runner.invoke(main, ["apply", str(plan)])
    assert first.exit_code == 0, first.output
    assert "  finding F3 (amont_aval, 2024): CRM deals come from cueillette" in first.output
    assert "  target T1 implements D3" in first.output
    exported = tmp_path / "exported.yaml"
    assert runner.invoke(main, ["export", "yaml", PLAN, "-o", str(exported)]).exit_code == 0
    assert yaml.safe_load(exported.read_text(encoding="utf-8"))["diagnostic"]["decisions"] == [
        {"key": "D3", "statement": "Promote CRM", "findings": ["F3"]}
    ]
    assert runner.invoke(main, ["apply", str(exported)]).output.strip() == (
        "PAC-2025: nothing to change"
    )
    changed = _with_diagnostic()
    changed["diagnostic"]["findings"][0]["figures"]["quadrants"]["gathering"]["won"] = 3
    result = runner.invoke(main, ["apply", str(_write(tmp_path / "changed.yaml", changed))])
    assert result.exit_code == 1
    assert "finding F3: pacflow cannot change a recorded finding" in result.stderr
