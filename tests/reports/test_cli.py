"""`pacflow report`: every kind and format, files, --as-of, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from pacflow.cli import main
from pacflow.reports import FORMATS, ReportKind


def _report(runner: CliRunner, db: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, ["--db", db, "report", "PAC-2025", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", [k.value for k in ReportKind])
def test_every_kind_prints_in_every_format(
    runner: CliRunner, demo_db: str, kind: str, fmt: str
) -> None:
    asked = ["--json"] if fmt == "json" else ["--format", fmt]
    code, out, err = _report(runner, demo_db, "--by", kind, *asked)
    assert (code, err) == (0, ""), err
    if fmt == "json":
        assert json.loads(out)["report"] == kind
    elif fmt == "html":
        assert out.startswith("<!doctype html>")
        assert out.endswith("</html>\n")
    else:
        assert out.startswith("PAC-2025 — Plan d'action commerciale 2025 — by ")


def test_markdown_to_stdout_is_the_default(runner: CliRunner, demo_db: str) -> None:
    code, out, _ = _report(runner, demo_db, "--by", "theme")
    assert code == 0
    assert out.startswith("PAC-2025 — Plan d'action commerciale 2025 — by theme\n=====")
    assert "## Sales — farming (élevage)" in out
    assert "## Global timeline" in out


def test_output_file_takes_its_format_from_its_extension(
    runner: CliRunner, demo_db: str, tmp_path: Path
) -> None:
    target = tmp_path / "pac-2025.html"
    code, out, err = _report(runner, demo_db, "--by", "rep", "-o", str(target))
    assert (code, out) == (0, "")
    assert err == f"PAC-2025: report by rep (html) written to {target}\n"
    assert target.read_text(encoding="utf-8").startswith("<!doctype html>")
    code, _, _ = _report(runner, demo_db, "--by", "rep", "-o", str(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["report"] == "rep"
    forced = tmp_path / "r.txt"
    code, _, _ = _report(runner, demo_db, "--by", "rep", "--json", "-o", str(forced))
    assert json.loads(forced.read_text(encoding="utf-8"))["report"] == "rep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pac-2025.html", "r.json", "r.txt"]


def test_french_labels(runner: CliRunner, demo_db: str) -> None:
    code, out, _ = _report(runner, demo_db, "--by", "target", "--lang", "fr")
    assert code == 0
    assert out.startswith("PAC-2025 — Plan d'action commerciale 2025 — par cible")
    assert "## Cible T1 — Banque Régionale du Centre" in out
    assert "Piste d'action T1-INFO" in out


def test_today_comes_from_the_clock(runner: CliRunner, demo_db: str) -> None:
    with freeze_time("2025-12-31 23:30:00"):  # already 1 January in Paris
        code, out, _ = _report(runner, demo_db, "--by", "theme", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["today"], data["as_of"]) == ("2026-01-01", None)
    late = [
        s["key"]
        for section in data["sections"]
        for t in section["tracks"]
        for s in t["steps"]
        if s["state"] == "late"
    ]
    assert late == ["S40", "S22"]


@pytest.mark.parametrize(
    ("as_of", "today", "recorded"),
    [
        ("2025-06-01", "2025-06-01", "2025-06-01T23:59:59.999999+02:00"),
        ("2025-06-01T18:00", "2025-06-01", "2025-06-01T18:00:00+02:00"),
        ("2025-06-01T22:30Z", "2025-06-02", "2025-06-02T00:30:00+02:00"),
    ],
)
def test_as_of_reads_the_plan_as_recorded_then(
    runner: CliRunner, demo_db: str, as_of: str, today: str, recorded: str
) -> None:
    code, out, _ = _report(runner, demo_db, "--by", "target", "--json", "--as-of", as_of)
    assert code == 0
    data = json.loads(out)
    assert (data["today"], data["as_of"]) == (today, recorded)
    # Before the mid-year re-actualisation: revision 2, and BRC's objective still 600 kEUR.
    assert data["plan"]["revision"] == 2
    assert data["sections"][0]["objectives"][0]["value"] == "600"
    _, now, _ = _report(runner, demo_db, "--by", "target", "--json")
    assert json.loads(now)["sections"][0]["objectives"][0]["value"] == "400"


def test_as_of_before_the_plan_existed_is_refused(
    runner: CliRunner, demo_db: str, tmp_path: Path
) -> None:
    output = tmp_path / "before.html"
    code, out, err = _report(
        runner, demo_db, "--by", "rep", "--as-of", "2024-12-01", "-o", str(output)
    )
    assert (code, out) == (1, "")
    assert (
        err == "error: plan PAC-2025 did not exist yet on 2024-12-01 (created 2024-12-16 10:00)\n"
    )
    assert not output.exists()
    code, _, _ = _report(runner, demo_db, "--by", "rep", "--as-of", "2024-12-16T09:59")
    assert code == 1
    code, _, _ = _report(runner, demo_db, "--by", "rep", "--as-of", "2024-12-16T10:00")
    assert code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "region"], "report kind 'region': expected one of theme, rep, sector, target"),
        (["--by", "rep", "--lang", "de"], "language 'de': expected one of en, fr"),
        (["--by", "rep", "--as-of", "last week"], "--as-of 'last week': expected a date"),
        (["--by", "rep", "--as-of", "2025-13-01"], "--as-of '2025-13-01': expected a date"),
    ],
    ids=["kind", "lang", "as-of", "as-of-month"],
)
def test_bad_input_is_one_line_and_exit_1(
    runner: CliRunner, demo_db: str, tmp_path: Path, args: list[str], message: str
) -> None:
    output = tmp_path / "out.md"
    code, out, err = _report(runner, demo_db, *args, "-o", str(output))
    assert (code, out) == (1, "")
    assert err.startswith(f"error: {message}")
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--format", "pdf"],
            "Error: Invalid value for --format: 'pdf': expected one of md, html",
        ),
        (["-o", "pac.pdf"], "Error: -o pac.pdf: cannot write .pdf; give a name ending in .htm, "),
        (["--json", "--format", "html"], "Error: --json and --format html ask for two formats"),
        (["--format", "md", "-o", "pac.html"], "Error: -o pac.html is a html file name, but md"),
    ],
    ids=["format", "pdf", "json-and-html", "md-as-html"],
)
def test_a_format_it_cannot_write_is_a_usage_error(
    runner: CliRunner, demo_db: str, tmp_path: Path, args: list[str], message: str
) -> None:
    given = [str(tmp_path / a) if a.startswith("pac.") else a for a in args]
    code, out, err = _report(runner, demo_db, "--by", "rep", *given)
    assert (code, out) == (2, "")
    assert message.replace("-o pac.", f"-o {tmp_path}/pac.") in err
    assert list(tmp_path.iterdir()) == []


def test_format_json_still_works_with_a_notice(runner: CliRunner, demo_db: str) -> None:
    code, out, err = _report(runner, demo_db, "--by", "rep", "--format", "json")
    assert code == 0
    assert json.loads(out)["report"] == "rep"
    assert err == "warning: --format json is deprecated, use --json (docs/cli.md)\n"


def test_unknown_plan(runner: CliRunner, demo_db: str) -> None:
    result = runner.invoke(main, ["--db", demo_db, "report", "PAC-2031", "--by", "rep"])
    assert result.exit_code == 1
    assert (
        result.stderr
        == "error: plan PAC-2031: no such plan (see `pacflow plan list`, or create it)\n"
    )


def test_unwritable_output_creates_nothing(runner: CliRunner, demo_db: str, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir" / "pac.html"
    code, out, err = _report(runner, demo_db, "--by", "rep", "-o", str(missing))
    assert (code, out) == (1, "")
    assert err == (
        f"error: cannot write the report to {missing}: directory {missing.parent} does not "
        "exist\n"
    )
    code, _, err = _report(runner, demo_db, "--by", "rep", "-o", str(tmp_path))
    assert code == 1
    assert err == f"error: cannot write the report to {tmp_path}: it is a directory\n"
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        code, _, err = _report(runner, demo_db, "--by", "rep", "-o", str(locked / "pac.md"))
        if code == 0:  # root writes anywhere: nothing to check then
            return
        assert err.startswith(f"error: cannot write the report to {locked / 'pac.md'}: ")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)
    assert not missing.parent.exists()


def test_the_demo_ends_with_the_plan_by_theme_and_what_to_try_next(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    result = runner.invoke(main, ["--db", db, "demo"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("PAC-2025 — Plan d'action commerciale 2025 — by theme\n")
    assert "## Sales — hunting (chasse)" in result.stdout
    assert f"pacflow --db {db} report PAC-2025 --by rep --format html -o pac-2025.html" in (
        result.stdout
    )
    assert f"pacflow --db {db} plan show PAC-2025" in result.stdout
