"""`pacflow dashboard --format html` on the demo's year: the page agrees with the JSON of
the same dashboard, shows what was known at --as-of (the late I7 correction included),
greys what comes after the period shown, and is written whole or not at all."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.cli.plan_fixtures import ok, refused
from tests.cli.test_history_commands import use_demo

PLAN = "PAC-2025"
MAY_REVIEW = ("--as-of", "2025-06-05")
YEAR_END = ("--as-of", "2026-01-10")
DASH = "\u2013"  # what a figure not known shows (an en dash)
I7_REASON = "Avoir émis pour Métallurgie Vallée sur la facturation de mars"


@pytest.fixture(autouse=True)
def demo(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    use_demo(db_url, tmp_path_factory)


@dataclass
class Card:
    """What a reader finds on one indicator's card."""

    key: str
    status: str
    group: str
    figures: dict[str, str] = field(default_factory=dict)
    charts: int = 0
    chart_words: list[str] = field(default_factory=list)  # the svg's <title> and <desc>
    actual_marks: list[str] = field(default_factory=list)  # hover text of bars and dots
    rate_lines: int = 0
    corrections: dict[str, str] = field(default_factory=dict)  # period -> hover text
    rows: list[tuple[str, str, list[str]]] = field(default_factory=list)  # css, period, cells


class Page(HTMLParser):
    """The dashboard page read back: its header and one Card per indicator, in order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.title = ""
        self.h1 = ""
        self.cards: list[Card] = []
        self.svgs = 0
        self._group = ""
        self._where: list[str] = []  # what the text being read belongs to
        self._text = ""
        self._figure = ""
        self._period = ""
        self._row: tuple[str, list[str]] | None = None
        self.feed(html)

    @property
    def card(self) -> Card:
        return self.cards[-1]

    def by_key(self) -> dict[str, Card]:
        return {card.key: card for card in self.cards}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        css = found.get("class", "")
        if tag == "section" and "group" in css:
            self._group = found["id"]
        elif tag == "article":
            self.cards.append(Card(found["data-indicator"], found["data-status"], self._group))
        elif tag == "svg":
            self.svgs += 1
            self.card.charts += 1
        elif tag == "dd":
            self._start("figure")
            self._figure = found["data-figure"]
        elif tag == "g" and css == "corr":
            self._period = found["data-period"]
            self._where.append("corr")
        elif (tag == "rect" and css.startswith("abar ")) or (tag == "circle" and "pt " in css):
            self._where.append("mark")
        elif tag == "polyline" and css == "aline":
            self.card.rate_lines += 1
        elif tag in ("title", "desc", "h1", "td"):
            self._start(tag)
        elif tag == "tr" and self.cards and self._group:
            self._row = (css, [])

    def _start(self, what: str) -> None:
        self._where.append(what)
        self._text = ""

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        where = self._where[-1] if self._where else ""
        if tag == "dd" and where == "figure":
            self.card.figures[self._figure] = self._text
            self._where.pop()
        elif tag in ("title", "desc") and where == tag:
            self._where.pop()
            self._ended_title(self._text)
        elif tag == "h1" and where == "h1":
            self.h1 = self._text
            self._where.pop()
        elif tag == "td" and where == "td":
            self._where.pop()
            if self._row is not None:
                self._row[1].append(self._text)
        elif tag == "tr" and self._row is not None:
            css, cells = self._row
            if cells:
                self.card.rows.append((css, cells[0], cells[1:]))
            self._row = None
        elif (tag == "g" and where == "corr") or (tag in ("rect", "circle") and where == "mark"):
            self._where.pop()

    def _ended_title(self, text: str) -> None:
        where = self._where[-1] if self._where else ""
        if where == "corr":
            self.card.corrections[self._period] = text
        elif where == "mark":
            self.card.actual_marks.append(text)
        elif not self.cards:
            self.title = text
        elif self._where == [] and self.card.charts and len(self.card.chart_words) < 2:
            self.card.chart_words.append(text)


def html(runner: CliRunner, *args: str) -> str:
    return ok(runner, ["dashboard", PLAN, "--format", "html", *args]).stdout


def board(runner: CliRunner, *args: str) -> Any:
    return json.loads(ok(runner, ["dashboard", PLAN, "--json", *args]).stdout)


def shown(value: str | None, suffix: str = "") -> str:
    return DASH if value is None else f"{value}{suffix}"


# --- the page agrees with the JSON ---------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "period", "heading"),
    [(MAY_REVIEW, "2025-05", "May 2025"), (YEAR_END, "2025-12", "Dec 2025")],
    ids=["end-of-may", "year-end"],
)
def test_every_indicator_agrees_with_the_json_dashboard(
    runner: CliRunner, when: tuple[str, str], period: str, heading: str
) -> None:
    data = board(runner, *when)
    page = Page(html(runner, *when))
    assert data["period"] == period
    assert page.h1 == f"Commercial dashboard — {heading}"
    local = "2025-06-05 23:59" if when == MAY_REVIEW else "2026-01-10 23:59"
    assert page.title == f"PAC-2025 — Commercial dashboard — {heading} (as known at {local})"
    expected = [(row, kind) for kind in ("activity", "result") for row in data[kind]]
    assert [(card.key, card.group) for card in page.cards] == [
        (row["indicator"], kind) for row, kind in expected
    ]
    for row, _kind in expected:
        card = page.by_key()[row["indicator"]]
        assert card.status == row["status"], card.key
        assert card.figures["period"] == row["period"]
        assert card.figures["target"] == shown(row["target"])
        assert card.figures["actual"] == shown(row["actual"]) + ("*" if row["corrected"] else "")
        assert card.figures["gap"] == shown(row["gap"])
        assert card.figures["cumulative"].split(" / ")[0] == shown(row["cumulative"])
        assert card.figures["attainment"] == shown(row["attainment_pct"], "%")
        assert card.charts == 1
        current = [cells for css, p, cells in card.rows if p == row["period"]]
        assert current == [
            [
                shown(row["target"]),
                shown(row["actual"]) + ("*" if row["corrected"] else ""),
                shown(row["gap"]),
                shown(row["cumulative"]),
                shown(row["attainment_pct"], "%"),
                row["status"] if row["status"] != "no data" else "",
            ]
        ]
    assert page.svgs == len(expected)


def test_may_review_figures(runner: CliRunner) -> None:
    cards = Page(html(runner, *MAY_REVIEW)).by_key()
    i7 = cards["I7"]
    assert (i7.status, i7.group) == ("at risk", "result")
    assert i7.figures == {
        "period": "2025-05",
        "target": "1208",
        "actual": "1190",
        "gap": "-18",
        "cumulative": "1190",
        "attainment": "98.5%",
    }
    i1, i2 = cards["I1"], cards["I2"]
    assert (i1.status, i1.figures["actual"], i1.figures["attainment"]) == (
        "off track",
        "170",
        "51.5%",
    )
    assert (i2.status, i2.figures["cumulative"]) == (
        "on track",
        "9 / 10",
    )  # actual / target (I2 is derived: May counts the 2 visits of S08 held)
    assert [card.key for card in cards.values() if card.group == "activity"] == ["I2", "I5", "I8"]


def test_year_end_figures(runner: CliRunner) -> None:
    cards = Page(html(runner, *YEAR_END)).by_key()
    statuses = {key: card.status for key, card in cards.items()}
    assert statuses == {
        "I2": "off track",
        "I5": "at risk",
        "I8": "off track",
        "I1": "at risk",
        "I3": "on track",
        "I4": "at risk",
        "I6": "on track",
        "I7": "at risk",
    }
    assert cards["I1"].figures["actual"] == "790"
    assert cards["I1"].figures["target"] == "850"
    assert len(cards["I7"].actual_marks) == 12


def test_each_chart_has_a_title_a_description_and_hover_figures(runner: CliRunner) -> None:
    i7 = Page(html(runner, *MAY_REVIEW)).by_key()["I7"]
    title, desc = i7.chart_words
    assert title == "I7 — CA Industrie 2025 (cumul): actual against target, per period"
    assert "period shown 2025-05: actual 1190 kEUR, target 1208 kEUR, at risk." in desc
    assert i7.actual_marks[4] == (
        "2025-05 — actual 1190 kEUR · target 1208 kEUR · gap -18 · attainment 98.5% · at risk"
    )


def test_rates_are_drawn_as_a_line(runner: CliRunner) -> None:
    cards = Page(html(runner, *MAY_REVIEW)).by_key()
    assert cards["I5"].rate_lines == 1  # I5 is a rolling 3-month rate
    assert len(cards["I5"].actual_marks) == 5
    assert cards["I2"].rate_lines == 0  # I2 counts visits: bars


# --- what was known when -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "marked"),
    [("2025-05-05", False), ("2025-05-06T08:59", False), ("2025-05-06T09:00", True)],
)
def test_i7_march_correction_is_marked_only_once_recorded(
    runner: CliRunner, as_of: str, marked: bool
) -> None:
    i7 = Page(html(runner, "--as-of", as_of)).by_key()["I7"]
    march = next(cells for _css, period, cells in i7.rows if period == "2025-03")
    if not marked:
        assert i7.corrections == {}
        assert march[1] == "730"
        return
    assert i7.corrections == {
        "2025-03": "2025-03: corrected on 2025-05-06 09:00 by lf: 730 kEUR → 725 kEUR — "
        + I7_REASON
    }
    assert march[1] == "725*"


def test_the_correction_is_still_shown_at_year_end(runner: CliRunner) -> None:
    i7 = Page(html(runner, *YEAR_END)).by_key()["I7"]
    assert list(i7.corrections) == ["2025-03"]
    assert all(
        not card.corrections
        for key, card in Page(html(runner, *YEAR_END)).by_key().items()
        if key != "I7"
    )


def test_periods_after_the_one_shown_are_greyed_and_carry_no_actual(runner: CliRunner) -> None:
    page = Page(html(runner, "--period", "2025-03", *YEAR_END))
    data = board(runner, "--period", "2025-03", *YEAR_END)
    i7 = page.by_key()["I7"]
    assert i7.figures["actual"] == "725*"
    assert [mark.split(" — ")[0] for mark in i7.actual_marks] == ["2025-01", "2025-02", "2025-03"]
    later = [(period, cells) for css, period, cells in i7.rows if css == "later"]
    assert [period for period, _ in later] == [f"2025-{m:02d}" for m in range(4, 13)]
    assert all(cells[1:] == [DASH, DASH, DASH, DASH, ""] for _, cells in later)
    assert [css for css, period, _ in i7.rows if period == "2025-03"] == ["shown"]
    assert {card.key: card.status for card in page.cards} == {
        row["indicator"]: row["status"] for kind in ("activity", "result") for row in data[kind]
    }


# --- files, bytes, language, errors --------------------------------------------------------


def test_o_writes_the_page_and_takes_the_format_from_the_extension(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "revue-mai.html"
    result = ok(runner, ["dashboard", PLAN, *MAY_REVIEW, "-o", str(target)])
    assert result.stdout == ""
    assert result.stderr == f"PAC-2025: dashboard 2025-05 (html) written to {target}\n"
    assert target.read_text(encoding="utf-8") == html(runner, *MAY_REVIEW)
    as_json = tmp_path / "may.json"
    ok(runner, ["dashboard", PLAN, *MAY_REVIEW, "-o", str(as_json)])
    assert json.loads(as_json.read_text(encoding="utf-8")) == board(runner, *MAY_REVIEW)


def test_same_input_gives_the_same_bytes(runner: CliRunner) -> None:
    first = html(runner, *MAY_REVIEW)
    assert html(runner, *MAY_REVIEW) == first
    assert html(runner, "--period", "2025-05", "--as-of", "2025-06-05T23:59:59") == first


def test_the_page_is_self_contained(runner: CliRunner) -> None:
    page = html(runner, *YEAR_END)
    assert page.startswith('<!doctype html>\n<html lang="en">')
    assert page.endswith("</html>\n")
    for outside in ("<script", "<link", "src=", "http:", "https:", "url(", "@import"):
        assert outside not in page, outside


def test_french_words(runner: CliRunner) -> None:
    page = html(runner, *MAY_REVIEW, "--lang", "fr")
    read = Page(page)
    assert page.startswith('<!doctype html>\n<html lang="fr">')
    assert read.h1 == "Tableau de bord commercial — mai 2025"
    assert read.by_key()["I7"].figures["attainment"] == "98,5\u00a0%"
    text = unescape(page)
    assert "<h2>Indicateurs d'activité</h2>" in text
    assert "période 2025-05 · tel que connu le 05/06/2025 23:59 (Europe/Paris)" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2025-13"], "--period '2025-13': expected a month"),
        (["--period", "2027-01"], "--period 2027-01: outside the plan"),
        (["--as-of", "2024-01-01"], "plan PAC-2025 did not exist yet"),
        (["--lang", "de"], "language 'de': expected one of en, fr"),
    ],
)
def test_bad_input_writes_nothing(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "board.html"
    assert refused(runner, ["dashboard", PLAN, *args, "-o", str(target)]).startswith(message)
    assert list(folder.iterdir()) == []


def test_an_output_file_in_a_missing_folder_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "board.html"
    message = refused(runner, ["dashboard", PLAN, "-o", str(target)])
    assert message.startswith(f"cannot write the dashboard to {target}: directory")
    assert not target.parent.exists()


# --- a plan of its own: weeks over two years, lower is better, text to escape -------------

NAME = 'Délai <b>moyen</b> & "SLA"'
REASON = 'Ticket <dupliqué> & "reclassé"'


def _weekly_plan(runner: CliRunner) -> None:
    for command in (
        ["plan", "create", "PX", "--title", "PX", "--start", "2025-07-01", "--end", "2026-06-30",
         "--timezone", "Europe/Paris", "--owner", "hg"],
        ["person", "add", "PX", "hg", "--name", "H", "--kind", "manager"],
        ["indicator", "define", "PX", "W1", "--name", NAME, "--kind", "activity", "--unit",
         "days", "--owner", "hg", "--direction", "down", "--per", "week"],
        ["indicator", "set-targets", "PX", "W1",
         *[f"--target=2025-W{week}=3" for week in range(27, 32)]],
    ):  # fmt: skip
        ok(runner, command)


def test_a_plan_without_actuals_shows_no_data(runner: CliRunner) -> None:
    _weekly_plan(runner)
    page = ok(runner, ["dashboard", "PX", "--format", "html"]).stdout
    read = Page(page)
    assert read.h1 == "Commercial dashboard — no period with actuals yet"
    [card] = read.cards
    assert (card.key, card.status, card.actual_marks) == ("W1", "no data", [])
    assert 'class="shown"' not in page


def test_weeks_lower_is_better_and_escaped_text(runner: CliRunner) -> None:
    _weekly_plan(runner)
    for period, value in (("2025-W27", "2.5"), ("2025-W28", "4"), ("2025-W30", "3")):
        ok(runner, ["indicator", "record", "PX", "W1", "--period", period, "--value", value])
    ok(
        runner,
        ["indicator", "correct", "PX", "W1", "--period", "2025-W28", "--value", "3.5",
         "--reason", REASON],
    )  # fmt: skip
    page = ok(runner, ["dashboard", "PX", "--format", "html", "--period", "2025-W30"]).stdout
    assert NAME not in page  # only escaped
    assert "Délai &lt;b&gt;moyen&lt;/b&gt; &amp; &quot;SLA&quot;" in page
    [card] = Page(page).cards
    data = board_of(runner, "PX", "--period", "2025-W30")
    assert (card.status, card.figures["attainment"]) == ("on track", "100.0%")
    assert data["activity"][0]["status"] == "on track"
    assert [mark.split(" · ")[-1] for mark in card.actual_marks] == [
        "on track",  # 2.5 days for a target of 3: better than the target
        "corrected",
        "on track",
    ]
    assert card.actual_marks[1].startswith("2025-W28 — actual 3.5 days · target 3 days · gap -0.5")
    assert card.corrections["2025-W28"].endswith(f"by hg: 4 days → 3.5 days — {REASON}")
    shown_rows = [period for css, period, _ in card.rows if css != "later"]
    assert shown_rows == ["2025-W27", "2025-W28", "2025-W29", "2025-W30"]
    later_rows = [period for css, period, _ in card.rows if css == "later"]
    assert later_rows == ["2025-W31"]  # the only later week with a target


def board_of(runner: CliRunner, plan: str, *args: str) -> Any:
    return json.loads(ok(runner, ["dashboard", plan, "--json", *args]).stdout)
