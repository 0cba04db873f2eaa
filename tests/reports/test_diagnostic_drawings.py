"""The diagnostic drawn: each tool's schema in the HTML report and in `diagnostic show`.

The drawings are read back as SVG (XML): an account is in the cell of its classes, a cell
of the offers matrix carries its figures and its verdict, each quadrant its deals.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from pacflow.cli import main
from pacflow.domain import PlanState
from pacflow.reports import ReportKind, build_report, render
from pacflow.reports.audiences import Audience, audience_report
from tests.reports.conftest import MID_YEAR

SVG = ""  # inline SVG in HTML needs no namespace: the tags are plain
PLAN = "PAC-2025"


def drawings(html: str) -> dict[str, ET.Element]:
    """Each finding's drawing on the page, parsed, by finding key."""
    found = {}
    for match in re.finditer(r'<figure class="finding" id="finding-([^"]+)">', html):
        start = html.index("<svg", match.end())
        end = html.index("</svg>", start) + len("</svg>")
        found[match.group(1)] = ET.fromstring(html[start:end])
    return found


def texts(element: ET.Element) -> list[tuple[float, float, str]]:
    return [
        (float(t.get("x", 0)), float(t.get("y", 0)), "".join(t.itertext()))
        for t in element.iter(f"{SVG}text")
    ]


def place(svg: ET.Element, label: str) -> tuple[str, str]:
    """(row, column) of the text starting with `label`: the row label just above it, the
    column heading nearest across."""
    written = texts(svg)
    x, y, _ = next(t for t in written if t[2].startswith(label))
    columns = [(cx, text) for cx, cy, text in written if cy == 34.0]
    rows = [(ry, text) for rx, ry, text in written if rx == 8.0 and ry > 50]
    column = min(columns, key=lambda c: abs(c[0] - x))[1]
    row = max((r for r in rows if r[0] <= y + 2), key=lambda r: r[0])[1]
    return row, column


@pytest.fixture
def page(final_state: PlanState) -> str:
    return render(build_report(final_state, ReportKind.TARGET, today=MID_YEAR), "html", "en")


def test_the_report_draws_each_finding_of_the_diagnostic(page: str) -> None:
    drawn = drawings(page)
    assert list(drawn) == ["F1", "F2", "F3", "F4"]
    for key, svg in drawn.items():
        assert svg.find(f"{SVG}title") is not None, key
        assert svg.get("role") == "img"


def test_the_cross_abc_matrix_places_each_account_in_its_classes(page: str) -> None:
    abc = drawings(page)["F1"]
    assert place(abc, "ACC-BRC") == ("revenue B", "A'")
    assert place(abc, "ACC-MV") == ("revenue A", "C'")
    assert place(abc, "ACC-MAA") == ("revenue C", "B'")
    assert place(abc, "ACC-CSN") == ("prospects", "B'")
    legend = [text for _, _, text in texts(abc)]
    assert "development potential (potentiel de développement) (5)" in legend
    assert "core business (fond de commerce) (3)" in legend


def test_each_offers_cell_carries_its_figures_and_verdict(page: str) -> None:
    offers = drawings(page)["F2"]
    cells = {
        "".join(g.find(f"{SVG}title").itertext()): g  # type: ignore[union-attr]
        for g in offers.iter(f"{SVG}g")
        if g.find(f"{SVG}title") is not None
    }
    crm = cells["OFF-CRM \u00d7 SEG-BA"]
    assert sorted(text for _, _, text in texts(crm)) == [
        "200",
        "DEVELOP",
        "conv. 17%",
        "margin 18%",
    ]
    info = cells["OFF-INFO \u00d7 SEG-IND"]
    assert "CORRECT" in [text for _, _, text in texts(info)]
    # told apart in black and white too: a correct cell is dashed, a develop one is not
    assert info.find(f"{SVG}rect").get("stroke-dasharray")  # type: ignore[union-attr]
    assert crm.find(f"{SVG}rect").get("stroke-dasharray") is None  # type: ignore[union-attr]


def test_the_amont_aval_matrix_counts_won_and_lost_deals_per_approach(page: str) -> None:
    written = [text for _, _, text in texts(drawings(page)["F3"])]
    for approach, counts in (
        ("élevage", "2 won · 3 lost"),
        ("chasse", "1 won · 3 lost"),
        ("culture", "1 won · 4 lost"),
        ("cueillette", "2 won · 24 lost"),
    ):
        assert written[written.index(approach) + 2] == counts
    assert "OFF-CRM: 40 deals, conversion 15%, detected upstream 22.5%" in written


def test_emoff_draws_four_boxes_with_their_items(page: str) -> None:
    written = " ".join(text for _, _, text in texts(drawings(page)["F4"]))
    for box in ("Strengths", "Weaknesses", "Opportunities", "Threats"):
        assert box in written
    assert "Équipes techniques et qualité des solutions" in written


def test_targets_and_schemas_link_to_each_other(page: str) -> None:
    # "why is T3 a target": its line links to the drawings of F2 and F3...
    row = page.split('<tr id="target-T3">')[1].split("</tr>")[0]
    assert 'href="#finding-F2"' in row
    assert 'href="#finding-F3"' in row
    # ...and the amont/aval drawing says which targets it justified
    figure = page.split('id="finding-F3"')[1].split("</figure>")[0]
    assert 'href="#target-T3"' in figure
    assert "D3" in figure


def test_the_page_stays_self_contained(page: str) -> None:
    assert "<script" not in page
    outside = re.findall(r"(?:src|href)=\"(?!#)[^\"]*\"|url\((?!#)", page)
    assert outside == []


def test_documents_for_back_office_marketing_and_appointments_leave_the_schemas_out(
    final_state: PlanState,
) -> None:
    for audience, drawn in (
        (Audience.ENGINEERS, True),
        (Audience.SALES, True),
        (Audience.MARKETING, False),
        (Audience.APPOINTMENTS, False),
    ):
        html = render(audience_report(final_state, audience, today=MID_YEAR), "html", "fr")
        assert ('<section class="diagnostic">' in html) is drawn, audience


def test_diagnostic_show_writes_the_schemas_as_a_page(
    runner: CliRunner, demo_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "diagnostic.html"
    args = ["--db", demo_db, "diagnostic", "show", PLAN, "--lang", "fr", "-o", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{PLAN}: diagnostic (html) written to {out}\n"
    html = out.read_text(encoding="utf-8")
    assert list(drawings(html)) == ["F1", "F2", "F3", "F4"]
    assert "cueillette" in html
    assert "développer".upper() in html
    decisions = html.split('<table class="decisions">')[1]
    assert decisions.count("<tr>") == 4  # heading and D1, D2, D3
    assert 'href="#finding-F3"' in decisions.split(">D3<")[1]


def test_diagnostic_show_refuses_a_file_it_cannot_write(
    runner: CliRunner, demo_db: str, tmp_path: Path
) -> None:
    out = tmp_path / "diagnostic.pdf"
    result = runner.invoke(main, ["--db", demo_db, "diagnostic", "show", PLAN, "-o", str(out)])
    assert result.exit_code == 2
    assert "cannot write .pdf" in result.stderr
    assert not out.exists()


def test_diagnostic_show_html_to_standard_output(runner: CliRunner, demo_db: str) -> None:
    result = runner.invoke(main, ["--db", demo_db, "diagnostic", "show", PLAN, "--format", "html"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!doctype html>")
    assert result.stdout.count('<svg class="diag"') == 4
