"""The HTML reports and dashboard in a real browser: headless Chromium loads them without a
console message, draws the timeline or the charts, and leaves a screenshot in
`artifacts/reports/`.

Chromium is Debian's `chromium` package (`.ci/run` installs it). Without it these tests
skip, except with CI=true, where a silent skip would hide a broken setup.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pacflow.cli import main
from pacflow.domain import PlanState
from pacflow.reports import ReportKind, build_report, render
from pacflow.reports.audiences import Audience, audience_report
from tests.reports.conftest import MID_YEAR

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "reports"
WINDOW = (1400, 2200)


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's headless-capable Chromium, or a skip (a failure with CI=true)."""
    found = Path("/usr/bin/chromium")
    if not found.exists():
        which = shutil.which("chromium")
        if which is None:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(
                    "chromium must be installed in CI (CI=true): .ci/run installs the Debian "
                    "package when /usr/bin/chromium is missing",
                    pytrace=False,
                )
            pytest.skip("chromium is not installed (apt-get install chromium)")
        found = Path(which)
    return found


def _chromium(
    chromium: Path, page: Path, workdir: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    profile = workdir / f"profile-{len(list(workdir.glob('profile-*')))}"
    command = [
        str(chromium),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        # Any attempt to reach a host fails, and the failure shows on the console.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=2000",
        *args,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def console_problems(stderr: str) -> list[str]:
    """Console messages and uncaught errors in Chromium's log (a report page has none)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


CASES = [
    pytest.param(ReportKind.THEME, "en", id="theme-en"),
    pytest.param(ReportKind.REP, "en", id="rep-en"),
    pytest.param(ReportKind.REP, "fr", id="rep-fr"),
    pytest.param(ReportKind.SECTOR, "en", id="sector-en"),
    pytest.param(ReportKind.TARGET, "fr", id="target-fr"),
]


def _render(chromium: Path, page: Path, tmp_path: Path, screenshot: Path) -> str:
    """Screenshot `page` (a drawn page, no console message) and return its DOM as loaded."""
    screenshot.unlink(missing_ok=True)
    shot = _chromium(
        chromium,
        page,
        tmp_path,
        f"--screenshot={screenshot}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert console_problems(shot.stderr) == []
    assert _png_size(screenshot) == WINDOW
    assert screenshot.stat().st_size > 50_000  # a drawn page, not a blank one

    dom = _chromium(chromium, page, tmp_path, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert console_problems(dom.stderr) == []
    return dom.stdout


@pytest.mark.parametrize(("kind", "lang"), CASES)
def test_the_html_report_renders_in_chromium(
    chromium: Path,
    mid_year_state: PlanState,
    tmp_path: Path,
    kind: ReportKind,
    lang: str,
) -> None:
    report = build_report(mid_year_state, kind, today=MID_YEAR)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = ARTIFACTS / f"report-{kind}-{lang}.html"
    page.write_text(render(report, "html", lang), encoding="utf-8")
    screenshot = ARTIFACTS / f"report-{kind}-{lang}.png"
    html = _render(chromium, page, tmp_path, screenshot)
    assert '<table class="gantt">' in html
    assert html.count('class="mlabel"') >= 12
    assert 'class="legend"' in html
    for step in report.steps():
        assert f'<td class="g-key key">{step.key}</td>' in html, step.key


@pytest.mark.parametrize(
    ("audience", "lang"),
    [
        pytest.param(Audience.ENGINEERS, "fr", id="engineers-fr"),
        pytest.param(Audience.MARKETING, "en", id="marketing-en"),
        pytest.param(Audience.APPOINTMENTS, "fr", id="appointments-fr"),
    ],
)
def test_the_audience_documents_render_in_chromium(
    chromium: Path,
    mid_year_state: PlanState,
    tmp_path: Path,
    audience: Audience,
    lang: str,
) -> None:
    report = audience_report(mid_year_state, audience, today=MID_YEAR)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = ARTIFACTS / f"report-for-{audience}-{lang}.html"
    page.write_text(render(report, "html", lang), encoding="utf-8")
    html = _render(chromium, page, tmp_path, ARTIFACTS / f"report-for-{audience}-{lang}.png")
    assert '<table class="gantt">' in html
    for step in report.steps():
        assert f'<td class="g-key key">{step.key}</td>' in html, step.key


def test_console_errors_would_be_caught(chromium: Path, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        "<!doctype html><title>broken</title><script>missing();</script>", encoding="utf-8"
    )
    result = _chromium(chromium, page, tmp_path, "--dump-dom")
    assert any("Uncaught ReferenceError" in line for line in console_problems(result.stderr))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_html_dashboard_renders_in_chromium(
    chromium: Path, runner: CliRunner, demo_db: str, tmp_path: Path, lang: str
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = ARTIFACTS / f"dashboard-{lang}.html"
    args = ["--db", demo_db, "dashboard", "PAC-2025", "--as-of", "2025-06-05", "--lang", lang]
    result = runner.invoke(main, [*args, "-o", str(page)])
    assert result.exit_code == 0, result.output
    indicators = json.loads(runner.invoke(main, [*args, "--json"]).stdout)
    keys = [row["indicator"] for kind in ("activity", "result") for row in indicators[kind]]
    screenshot = ARTIFACTS / f"dashboard-{lang}.png"
    html = _render(chromium, page, tmp_path, screenshot)
    cards = html.split('<article class="card ')[1:]
    assert [card.split('data-indicator="')[1].split('"')[0] for card in cards] == keys
    for card in cards:
        assert card.count('<svg class="chart"') == 1
        assert '<title id="chart-' in card
        assert '<desc id="chart-' in card
    assert html.count("<svg") == len(keys)


STRICT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""The policy pages are served with: anything the page would fetch or run is refused, and
Chromium says so on its console."""


def under_strict_csp(html: str) -> str:
    """The page as if served with `STRICT_CSP` (a meta element enforces it for a file)."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{STRICT_CSP}">'
    return html.replace("<head>", f"<head>{meta}", 1)


def test_a_refused_resource_would_be_caught(chromium: Path, tmp_path: Path) -> None:
    page = tmp_path / "fetching.html"
    page.write_text(
        under_strict_csp(
            '<!doctype html><html><head><title>x</title></head><body><svg><image href="'
            'https://example.invalid/x.png" width="9" height="9"/></svg></body></html>'
        ),
        encoding="utf-8",
    )
    result = _chromium(chromium, page, tmp_path, "--dump-dom")
    assert any("Content Security Policy" in line for line in console_problems(result.stderr))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_diagnostic_schemas_render_under_a_strict_policy(
    chromium: Path, final_state: PlanState, tmp_path: Path, lang: str
) -> None:
    report = build_report(final_state, ReportKind.TARGET, today=MID_YEAR)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = ARTIFACTS / f"report-diagnostic-{lang}.html"
    page.write_text(under_strict_csp(render(report, "html", lang)), encoding="utf-8")
    html = _render(chromium, page, tmp_path, ARTIFACTS / f"report-diagnostic-{lang}.png")
    assert html.count('<svg class="diag"') == 4
    for key in ("F1", "F2", "F3", "F4"):
        assert f'id="finding-{key}"' in html


def test_diagnostic_show_html_renders_under_a_strict_policy(
    chromium: Path, runner: CliRunner, demo_db: str, tmp_path: Path
) -> None:
    written = tmp_path / "diagnostic.html"
    args = ["--db", demo_db, "diagnostic", "show", "PAC-2025", "--lang", "fr", "-o", str(written)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = ARTIFACTS / "diagnostic-fr.html"
    page.write_text(under_strict_csp(written.read_text(encoding="utf-8")), encoding="utf-8")
    html = _render(chromium, page, tmp_path, ARTIFACTS / "diagnostic-fr.png")
    assert html.count('<svg class="diag"') == 4
    assert "cueillette" in html
