"""pacflow apply / export yaml / schema plan-file, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from pacflow.cli import main
from tests.app.test_planfile import base_file
from tests.cli.plan_fixtures import event_count


def _write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _events(runner: CliRunner) -> int:
    return event_count(runner)


def test_apply_prints_the_change_list_and_records_it_once(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    plan = _write(tmp_path / "pac.yaml", base_file())
    dry = runner.invoke(main, ["apply", str(plan), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith("PAC-2025: would record ")
    assert "step S08 added to T1-ELEV: Visit BRC" in dry.output
    assert _events(runner) == 0
    first = runner.invoke(main, ["apply", str(plan)])
    assert first.output.startswith("PAC-2025: recorded ")
    recorded = _events(runner)
    again = runner.invoke(main, ["apply", str(plan), "--json"])
    assert json.loads(again.output)["events"] == []
    assert _events(runner) == recorded
    log = json.loads(runner.invoke(main, ["store", "log", "--json", "--limit", "1"]).output)
    assert log[0]["metadata"]["source"] == "plan-file"
    assert log[0]["metadata"]["actor"] == "hg"


def test_export_writes_a_file_that_applies_as_nothing(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    runner.invoke(main, ["apply", str(_write(tmp_path / "pac.yaml", base_file()))])
    out = tmp_path / "exported.yaml"
    result = runner.invoke(main, ["export", "yaml", "PAC-2025", "-o", str(out)])
    assert result.exit_code == 0
    assert "due: 2025-01-31" in out.read_text(encoding="utf-8")
    assert runner.invoke(main, ["apply", str(out)]).output.strip() == "PAC-2025: nothing to change"


def test_bad_plan_files_are_one_line_errors_with_nothing_recorded(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    bad_date = base_file()
    bad_date["targets"][0]["tracks"][0]["steps"][0]["due"] = "2025-13-01"
    outside = base_file()
    outside["targets"][0]["tracks"][0]["steps"][0]["due"] = "2026-01-31"
    unknown_person = base_file()
    unknown_person["targets"][0]["responsible"] = "zz"
    cases = {
        "syntax.yaml": "plan: [unclosed\n",
        "date.yaml": bad_date,
        "period.yaml": outside,
        "person.yaml": unknown_person,
    }
    for name, content in cases.items():
        path = tmp_path / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            _write(path, content)
        result = runner.invoke(main, ["apply", str(path)])
        assert result.exit_code == 1, (name, result.output)
        assert result.stderr.startswith("error: "), name
        assert result.stderr.count("\n") == 1, name
        assert _events(runner) == 0, name
    syntax = runner.invoke(main, ["apply", str(tmp_path / "syntax.yaml")])
    assert "syntax.yaml:2: YAML syntax error" in syntax.stderr
    date = runner.invoke(main, ["apply", str(tmp_path / "date.yaml")])
    assert "date.yaml:" in date.stderr
    assert "due '2025-13-01'" in date.stderr
    missing = runner.invoke(main, ["apply", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1
    assert "no such file" in missing.stderr


def test_export_of_an_unknown_plan_and_an_unwritable_output(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    runner.invoke(main, ["init"])
    unknown = runner.invoke(main, ["export", "yaml", "NOPE"])
    assert unknown.exit_code == 1
    assert "plan NOPE: no such plan" in unknown.stderr
    runner.invoke(main, ["apply", str(_write(tmp_path / "pac.yaml", base_file()))])
    target = tmp_path / "missing-dir" / "out.yaml"
    result = runner.invoke(main, ["export", "yaml", "PAC-2025", "-o", str(target)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot write the plan file to {target}")


def test_schema_is_json_schema_of_plan_files(runner: CliRunner) -> None:
    schema = json.loads(runner.invoke(main, ["schema", "plan-file"]).output)
    assert schema["title"] == "pacflow plan file"
    assert {"plan", "people", "targets", "steering", "indicators"} <= set(schema["properties"])
    # An editor flags a malformed key in a derived indicator's scope, as pacflow refuses it.
    derivation = schema["$defs"]["Derivation"]
    assert derivation["additionalProperties"] is False
    scope = derivation["properties"]
    patterns = [scope["steps"]["items"], scope["track"]["anyOf"][0], scope["target"]["anyOf"][0]]
    assert [each["pattern"] for each in patterns] == ["^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"] * 3


def test_a_plan_file_that_contradicts_itself_names_the_line(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    twice = base_file()
    twice["people"].append({"key": "cd", "name": "Claire again", "kind": "rep"})
    unknown = base_file()
    unknown["targets"][0]["tracks"][0]["steps"][1]["after"] = "S99"
    for name, data, expected in (
        ("twice.yaml", twice, "person cd: the key is already used by person cd"),
        ("after.yaml", unknown, "predecessor S99 of step S02: unknown step"),
    ):
        path = _write(tmp_path / name, data)
        result = runner.invoke(main, ["apply", str(path)])
        assert result.exit_code == 1
        assert result.stderr.startswith(f"error: {path}:")
        assert expected in result.stderr
        assert _events(runner) == 0
