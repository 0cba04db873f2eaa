"""Markdown, JSON and HTML renderers: every kind, both languages, escaping, no outside world."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import unescape

import pytest

from pacflow.domain import PlanState
from pacflow.domain.values import StepStatus
from pacflow.errors import InvalidInputError
from pacflow.reports import (
    FORMATS,
    KINDS,
    LANGUAGES,
    Report,
    ReportKind,
    build_report,
    check_format,
    md_escape,
    parse_kind,
    render,
)
from pacflow.reports.labels import label_keys
from tests.reports.conftest import MID_YEAR

EVERY = [
    pytest.param(kind, fmt, lang, id=f"{kind}-{fmt}-{lang}")
    for kind in ReportKind
    for fmt in FORMATS
    for lang in LANGUAGES
]


@pytest.mark.parametrize(("kind", "fmt", "lang"), EVERY)
def test_every_kind_renders_in_every_format_and_language(
    mid_year: dict[ReportKind, Report], kind: ReportKind, fmt: str, lang: str
) -> None:
    text = render(mid_year[kind], fmt, lang)
    assert text.endswith("\n")
    if fmt == "json":
        data = json.loads(text)
        assert (data["report"], data["lang"], data["today"]) == (kind, lang, "2025-06-10")
    elif fmt == "html":
        assert text.startswith("<!doctype html>")
        assert f'<html lang="{lang}">' in text
        assert 'class="gantt"' in text
    else:
        title = text.splitlines()[0]
        assert title.startswith("PAC-2025 — Plan d'action commerciale 2025 — ")
        assert text.splitlines()[1] == "=" * len(title)
    for step in ("S01", "S22", "G02"):
        assert step in text


def test_both_languages_define_the_same_labels() -> None:
    assert label_keys("en") == label_keys("fr")


def test_kinds_formats_and_languages_are_checked() -> None:
    assert parse_kind(" Person ") is ReportKind.REP
    assert [parse_kind(k) for k in KINDS] == list(ReportKind)
    assert check_format("Markdown") == "md"
    with pytest.raises(InvalidInputError, match="report kind 'region': expected one of theme"):
        parse_kind("region")
    with pytest.raises(InvalidInputError, match="report format 'pdf': expected one of md"):
        check_format("pdf")
    with pytest.raises(InvalidInputError, match="language 'de': expected one of en, fr"):
        render(build_report_of_nothing(), "md", "de")


def build_report_of_nothing() -> Report:
    state = PlanState("P", "P", MID_YEAR, MID_YEAR, "Europe/Paris", "hg", None, 2, 6)
    return build_report(state, ReportKind.THEME, today=MID_YEAR)


def test_an_empty_plan_says_so() -> None:
    report = build_report_of_nothing()
    assert "Nothing planned yet." in render(report, "md")
    assert "Rien de planifié pour l&#x27;instant." in render(report, "html", "fr")
    assert json.loads(render(report, "json"))["sections"] == []


def test_french_reports_speak_the_methods_words(
    mid_year: dict[ReportKind, Report], mid_year_state: PlanState
) -> None:
    mid_year_state.steps["S17"].status = StepStatus.CANCELLED
    theme = render(build_report(mid_year_state, ReportKind.THEME, today=MID_YEAR), "md", "fr")
    for words in (
        "## Collecte d'information",
        "## Développement interne",
        "## Vente — notoriété",
        "## Vente — chasse",
        "## Vente — élevage",
        "## Pilotage",
        "Piste d'action T1-INFO",
        "■ fait 28/01/2025",
        "! en retard",
        "□ prévu",
        "\u00d7 annulé",
        "Planning global",
        "situation au 10/06/2025",
    ):
        assert words in theme, words
    header = next(line for line in theme.splitlines() if line.startswith("| étape"))
    cells = [cell.strip() for cell in header.strip("|").split("|")]
    assert cells == ["étape", "action", "responsable", "participants", "dates", "moyens", "statut"]
    target = render(mid_year[ReportKind.TARGET], "md", "fr")
    assert "## Cible T1 — Banque Régionale du Centre" in target
    assert "- **objectif**: T1 main: 180 → 600 kEUR, échéance 31/12/2025 (I1)" in target
    html = unescape(render(mid_year[ReportKind.REP], "html", "fr"))
    for words in ("Visites par mois", "échéance", "en retard", "responsable", "piste d'action"):
        assert words in html, words
    english = render(mid_year[ReportKind.THEME], "md", "en")
    assert "## Sales — farming (élevage)" in english
    assert "■ fait" not in english


def test_json_keys_are_stable_and_language_neutral(mid_year: dict[ReportKind, Report]) -> None:
    for kind in ReportKind:
        en = json.loads(render(mid_year[kind], "json", "en"))
        fr = json.loads(render(mid_year[kind], "json", "fr"))
        assert _keys(en) == _keys(fr)
        assert list(en) == [
            "schema_version",
            "report",
            "audience",
            "lang",
            "label",
            "plan",
            "as_of",
            "today",
            "months",
            "people",
            "progress",
            "budget_total",
            "targets",
            "sections",
            "plan_tracks",
        ]
    data = json.loads(render(mid_year[ReportKind.THEME], "json"))
    step = data["sections"][0]["tracks"][0]["steps"][0]
    assert step["key"] == "S01"
    assert (step["start"], step["end"], step["state"], step["status"]) == (
        None,
        "2025-01-31",
        "done",
        "done",
    )
    assert data["progress"]["step_share"] == round(22 / 46, 4)
    target = json.loads(render(mid_year[ReportKind.TARGET], "json"))["sections"][0]
    assert target["objectives"][0] == {
        "key": "main",
        "statement": target["objectives"][0]["statement"],
        "baseline": "180",
        "value": "600",
        "unit": "kEUR",
        "due": "2025-12-31",
        "indicator": "I1",
    }
    person = json.loads(render(mid_year[ReportKind.REP], "json"))["sections"][1]
    assert person["person"]["key"] == "cd"
    assert person["visits_per_month"][0]["month"] == "2025-01"


def _keys(value: object) -> object:
    """The shape of a JSON value: its keys, recursively (lists by their first item)."""
    if isinstance(value, dict):
        return {k: _keys(v) for k, v in value.items() if k not in ("label", "theme_label")}
    if isinstance(value, list):
        return [_keys(value[0])] if value else []
    return None


def test_as_of_shows_in_every_format(mid_year_state: PlanState) -> None:
    moment = datetime(2025, 6, 10, 23, 59, tzinfo=UTC)
    report = build_report(mid_year_state, ReportKind.THEME, today=MID_YEAR, as_of=moment)
    assert "as recorded on 2025-06-10 23:59" in render(report, "md")
    assert "tel qu&#x27;enregistré le 10/06/2025 23:59" in render(report, "html", "fr")
    assert json.loads(render(report, "json"))["as_of"] == "2025-06-10T23:59:00+00:00"


NASTY = 'Plan "Q3" <script>alert(1)</script> & «été» > 100 k€ | *gras* `code` [lien](x)'


def test_every_text_is_escaped(mid_year_state: PlanState) -> None:
    mid_year_state.title = NASTY
    mid_year_state.steps["S01"].title = NASTY
    mid_year_state.steps["S01"].means = "a|b"
    mid_year_state.targets["T1"].title = NASTY
    mid_year_state.people["cd"].name = NASTY
    for kind in ReportKind:
        report = build_report(mid_year_state, kind, today=MID_YEAR)
        html = render(report, "html")
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "Plan &quot;Q3&quot;" in html
        assert "«été» &gt; 100 k€" in html
        data = json.loads(render(report, "json"))
        assert data["plan"]["title"] == NASTY
        assert {"key": "cd", "name": NASTY} in data["people"]
        markdown = render(report, "md")
        assert re.search(r"(?<!\\)<script>", markdown) is None
        assert "\\<script>" in markdown
        # every pipe but the column separators is escaped: each table row keeps its columns
        for block in markdown.split("\n\n"):
            rows = block.splitlines()
            if rows and all(row.startswith("|") for row in rows):
                assert len({len(re.findall(r"(?<!\\)\|", row)) for row in rows}) == 1, block
    assert md_escape("# not a heading") == "\\# not a heading"
    assert md_escape("> not a quote") == "\\> not a quote"
    assert md_escape("1. not a list") == "1\\. not a list"
    assert md_escape("2025-03-14") == "2025-03-14"
    assert md_escape("a\nb") == "a b"


@pytest.mark.parametrize("kind", list(ReportKind), ids=str)
def test_html_is_self_contained(mid_year: dict[ReportKind, Report], kind: ReportKind) -> None:
    html = render(mid_year[kind], "html").lower()
    # links inside the page (a target to its schemas, a pattern of a drawing) fetch nothing
    html = re.sub(r'href="#[^"]*"|url\(#[^)]*\)', "", html)
    for outside in ("http:", "https:", "//", "src=", "href=", "@import", "url(", "<link", "<img"):
        assert outside not in html.replace("<!doctype html>", ""), outside
    assert html.count("<style>") == 1
    assert "@media print" in html
    assert "@page" in html


def test_html_timeline_draws_every_step_with_its_state(
    mid_year: dict[ReportKind, Report],
) -> None:
    html = render(mid_year[ReportKind.THEME], "html")
    timeline = html.split('<table class="gantt">', 1)[1].split("</table>", 1)[0]
    assert timeline.count('<td class="g-lane">') == 46
    assert 'class="ms s-late"' in timeline  # S16, due 30 May
    assert 'class="run s-planned"' in timeline  # a visit series
    assert timeline.count('class="dot v-overdue"') == 4
    assert 'class="now"' in timeline  # today's line
    legend = html.split('<div class="legend">', 1)[1].split("</div>", 1)[0]
    for word in ("done", "late", "cancelled", "planned", "in progress", "deadline", "today"):
        assert word in legend, word


def test_html_by_rep_has_a_page_per_person_with_visits_per_month(
    mid_year: dict[ReportKind, Report],
) -> None:
    html = render(mid_year[ReportKind.REP], "html")
    assert html.count('<section class="person">') == 11
    assert "section.person + section.person" in html  # each starts a printed page
    assert html.count('<table class="vchart">') == 11
    assert "Visits per month" in html
