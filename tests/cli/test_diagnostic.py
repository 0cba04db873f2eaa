"""The diagnostic through the CLI: findings from CSV exports, decisions, `target why`, check."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tests.cli.plan_fixtures import (
    PLAN,
    build_example,
    event_count,
    ok,
    ok_json,
    refused,
    usage_error,
)

ACCOUNTS = """\
account;name;segment;revenue;potential;status
ACC-MV;Métallurgie Vallée;SEG-IND;1 100;450;client
ACC-PA;Plastiques de l'Ain;SEG-IND;650;900;client
ACC-BRC;Banque Régionale du Centre;SEG-BA;180,5;1500;client
ACC-MAA;Mutuelle Atlantique;SEG-BA;120;600;client
ACC-CRH;Crédit Rhodanien;SEG-BA;0;1200;prospect
"""

DEALS = """\
deal,offer,timing,notoriety,outcome
1,OFF-CRM,amont,forte,gagnée
2,OFF-CRM,upstream,strong,lost
3,OFF-CRM,aval,faible,lost
4,OFF-CRM,aval,faible,lost
5,OFF-CRM,downstream,weak,won
6,OFF-CRM,aval,forte,open
7,OFF-PRJ,amont,faible,won
"""


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _abc(tmp_path: Path, key: str = "F1", accounts: str = ACCOUNTS) -> list[str]:
    return [
        "diagnostic", "abc", PLAN, key, "--accounts", _file(tmp_path, "accounts.csv", accounts),
        "--revenue-a", "600", "--revenue-b", "150", "--potential-a", "1000",
        "--potential-b", "500", "--period", "2024", "--title", "B&I: low volume, high potential",
    ]  # fmt: skip


def _decide(key: str = "D1", *findings: str) -> list[str]:
    cited = [part for finding in findings or ("F1",) for part in ("--finding", finding)]
    return ["diagnostic", "decide", PLAN, key, "--statement", "Develop B&I", *cited]


def test_cross_abc_from_a_spreadsheet_export(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    build_example(runner)
    out = ok(runner, _abc(tmp_path)).stdout
    assert out.splitlines() == [
        "PAC-2025: recorded 1 change",
        "  finding F1 (abc, 2024): B&I: low volume, high potential",
    ]
    shown = ok_json(runner, ["diagnostic", "show", PLAN])
    (finding,) = shown["findings"]
    accounts = finding["computed"]["accounts"]
    assert accounts["ACC-MV"] == {
        "revenue_class": "A",
        "potential_class": "C'",
        "zone": "core_business",
    }
    assert accounts["ACC-BRC"] == {
        "revenue_class": "B",
        "potential_class": "A'",
        "zone": "development",
    }
    assert accounts["ACC-CRH"]["revenue_class"] == "P"
    assert [a["revenue"] for a in finding["figures"]["accounts"]][:3] == ["1100", "650", "180.5"]
    grid = ok(runner, ["diagnostic", "show", PLAN]).stdout
    row_a = next(line for line in grid.splitlines() if line.startswith("| revenue A "))
    assert row_a.split("|")[2:5] == ["              ", " ACC-PA       ", " ACC-MV       "]
    assert "- development potential (potentiel de développement): ACC-BRC, ACC-MAA, ACC-CRH" in grid


def test_amont_aval_counts_won_and_lost_deals_by_origin(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    build_example(runner)
    deals = _file(tmp_path, "deals.csv", DEALS)
    ok(runner, ["diagnostic", "deals", PLAN, "F3", "--deals", deals, "--offer", "OFF-CRM",
                "--title", "CRM deals come late"])  # fmt: skip
    (finding,) = ok_json(runner, ["diagnostic", "show", PLAN])["findings"]
    assert finding["figures"]["quadrants"] == {
        "farming": {"won": 1, "lost": 1},
        "gathering": {"won": 1, "lost": 2},
    }  # the open deal and the other offer's are left out
    assert finding["computed"] == {
        "deals": 5,
        "won": 2,
        "conversion_pct": "40.0",
        "upstream_pct": "40.0",
    }
    text = ok(runner, ["diagnostic", "show", PLAN, "--lang", "fr"]).stdout
    assert "élevage: 1 gagnées, 1 perdues" in text
    assert "cueillette: 1 gagnées, 2 perdues" in text


def test_bad_csv_cells_are_named_and_nothing_is_recorded(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    build_example(runner)
    bad_number = ACCOUNTS.replace("650", "six cent")
    message = refused(runner, _abc(tmp_path, accounts=bad_number))
    assert message.endswith("accounts.csv, line 3: revenue 'six cent': expected a number")
    missing = refused(runner, _abc(tmp_path, accounts="account;revenue\nACC-X;1\n"))
    assert missing.endswith("accounts.csv, line 1: missing column potential (columns: account, "
                            "revenue, potential)")  # fmt: skip
    deals = _file(tmp_path, "deals.csv", DEALS.replace("gagnée", "peut-être"))
    message = refused(runner, ["diagnostic", "deals", PLAN, "F3", "--deals", deals, "--title", "x"])
    assert message.endswith(
        "deals.csv, line 2: outcome 'peut-être': expected one of won, lost, open"
    )
    absent = str(tmp_path / "absent.csv")
    assert refused(runner, ["diagnostic", "offers", PLAN, "F2", "--cells", absent, "--title", "x"]
                   ) == f"{absent}: no such file"  # fmt: skip
    usage_error(runner, ["diagnostic", "emoff", PLAN, "F4"])  # no --title
    assert refused(runner, ["diagnostic", "emoff", PLAN, "F4", "--title", "x"]).endswith(
        "give at least one strength, weakness, opportunity or threat"
    )


def test_the_chain_from_a_step_back_to_the_findings(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    build_example(runner)
    ok(runner, _abc(tmp_path))
    assert refused(runner, _decide("D1", "F1", "F9")) == (
        "finding F9 of decision D1: unknown finding in plan PAC-2025"
    )
    ok(runner, _decide())
    before = event_count(runner)
    ok(runner, ["target", "justify", PLAN, "T1", "--decision", "D1"])
    assert event_count(runner) == before + 1
    assert ok(runner, ["target", "justify", PLAN, "T1", "--decision", "D1"]).stdout == (
        "PAC-2025: nothing to change\n"
    )
    lines = ok(runner, ["target", "why", PLAN, "S08"]).stdout.splitlines()
    assert lines[:3] == [
        "S08 → T1-ELEV → T1: Banque Régionale du Centre",
        "  implements D1: Develop B&I",
        "    from F1 — cross ABC matrix, 2024: B&I: low volume, high potential",
    ]
    assert lines[3].startswith("      core business (fond de commerce): ACC-MV, ACC-PA; ")
    assert lines[-1] == "  rationale: A' potential, B customer"
    answer = ok_json(runner, ["target", "why", PLAN, "T1-ELEV"])
    assert answer["path"] == ["T1-ELEV", "T1"]
    assert answer["explained"] is True
    assert [d["key"] for d in answer["decisions"]] == ["D1"]
    assert [f["key"] for f in answer["decisions"][0]["findings"]] == ["F1"]
    assert refused(runner, ["target", "why", PLAN, "S99"]) == (
        "S99: no target, track or step of plan PAC-2025 has this key"
    )


def test_target_added_with_its_decision_and_the_unexplained_one_flagged(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    build_example(runner)
    check = ["check", PLAN]
    assert not [f for f in ok_json(runner, check)["findings"] if f["rule"] == "target-unexplained"]
    ok(runner, _abc(tmp_path))
    ok(runner, _decide())
    out = ok(runner, ["target", "add", PLAN, "T2", "--kind", "segment", "--title", "B&I",
                      "--responsible", "kb", "--decision", "D1"]).stdout  # fmt: skip
    assert "  target T2 implements D1" in out
    found = [f for f in ok_json(runner, check)["findings"] if f["rule"] == "target-unexplained"]
    assert [(f["subject"], f["severity"]) for f in found] == [("T1", "warning")]
    assert found[0]["command"] == (
        'pacflow target justify PAC-2025 T1 --decision DECISION --reason "…"'
    )
    assert refused(runner, ["target", "justify", PLAN, "T1", "--decision", "D7"]) == (
        "decision D7 of target T1: unknown decision in plan PAC-2025"
    )
    ok(runner, ["target", "justify", PLAN, "T1", "--decision", "D1"])
    found = [f for f in ok_json(runner, check)["findings"] if f["rule"] == "target-unexplained"]
    assert found == []


def test_decisions_need_a_revision_once_the_plan_is_approved(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    build_example(runner, ["plan", "approve", PLAN])
    ok(runner, _abc(tmp_path))  # a finding is a fact about last year: no revision needed
    assert refused(runner, _decide()).startswith("decision D1: plan PAC-2025 is approved; open a")
    assert refused(runner, ["target", "justify", PLAN, "T1", "--decision", "D1"]).startswith(
        "target T1: plan PAC-2025 is approved"
    )
