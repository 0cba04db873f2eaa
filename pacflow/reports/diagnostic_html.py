"""The diagnostic in HTML: each finding drawn as its tool's schema, linked to what it
justified.

The report page shows a "Diagnostic" section after its summary of targets: each finding's
schema (`pacflow.reports.diagnostic_svg`) with the decisions resting on it and the targets
implementing them, linked both ways (a target's "why" links to the schemas, each schema to
the targets). `diagnostic show --format html` writes the same figures as a page of their
own, with the decisions and their targets. Like the report, the page is one file: inline
style and drawings, no script, nothing fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pacflow.reports.diagnostic import Words
from pacflow.reports.diagnostic_svg import finding_svg
from pacflow.reports.html_parts import esc
from pacflow.reports.html_style import CSS
from pacflow.reports.model import FindingView

if TYPE_CHECKING:
    from pacflow.domain.state import PlanState

DIAGNOSTIC_CSS = """
/* the diagnostic: one figure per finding, drawn in SVG */
.diagnostic figure { margin: 14px 0 22px; break-inside: avoid; page-break-inside: avoid; }
.diagnostic figcaption { font-weight: 600; margin-bottom: 6px; }
.diagnostic figcaption .tool { color: var(--muted); font-weight: 400; }
.diagnostic .drawing { overflow-x: auto; }
svg.diag { display: block; max-width: 100%; height: auto; }
.justifies { margin-top: 6px; }
.justifies li { margin: 2px 0; }
a.ref { color: inherit; text-decoration: none; border-bottom: 1px dotted var(--muted); }
table.decisions { border-collapse: collapse; width: 100%; }
table.decisions th, table.decisions td {
  text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line);
}
@media print {
  section.diagnostic { break-before: page; page-break-before: always; }
  a.ref { border-bottom: none; }
}
"""


def finding_anchor(key: str) -> str:
    """The id of a finding's figure on a page."""
    return f"finding-{key}"


def target_anchor(key: str) -> str:
    """The id of a target's row in a report's summary."""
    return f"target-{key}"


def finding_link(key: str) -> str:
    """A finding's key linking to its figure."""
    return f'<a class="ref" href="#{esc(finding_anchor(key))}">{esc(key)}</a>'


def _target(key: str, titles: dict[str, str], linked: bool) -> str:
    text = esc(key)
    if linked:
        text = f'<a class="ref" href="#{esc(target_anchor(key))}">{text}</a>'
    title = titles.get(key)
    return f"<b>{text}</b> {esc(title)}" if title else f"<b>{text}</b>"


def finding_figure(view: FindingView, words: Words, *, link_targets: bool) -> str:
    """One finding: its heading, its schema, then each decision resting on it and the
    targets implementing that decision."""
    period = f", {view.period}" if view.period else ""
    tool = words[view.figures.tool.value]
    caption = (
        f'<figcaption><span class="key">{esc(view.key)}</span> '
        f'<span class="tool">— {esc(tool)}{esc(period)}:</span> {esc(view.title)}</figcaption>'
    )
    drawing = finding_svg(view.key, view.figures, words, label=f"{view.key} — {tool}: {view.title}")
    titles = dict(view.targets)
    items = []
    for key, statement, targets in view.decisions:
        served = ", ".join(_target(t, titles, link_targets) for t in targets) or esc(words["none"])
        items.append(
            f'<li><b id="{esc(f"{view.key}-{key}")}">{esc(key)}</b> {esc(statement)} → {served}'
            "</li>"
        )
    justified = (
        f'<div class="justifies small"><b>{esc(words["justifies"].capitalize())}</b>'
        f"<ul>{''.join(items)}</ul></div>"
        if items
        else ""
    )
    return (
        f'<figure class="finding" id="{esc(finding_anchor(view.key))}">{caption}'
        f'<div class="drawing">{drawing}</div>{justified}</figure>'
    )


def diagnostic_section(
    views: Sequence[FindingView], words: Words, *, link_targets: bool = True
) -> str:
    """Every finding drawn, in a section of the page (nothing without findings)."""
    if not views:
        return ""
    figures = "".join(finding_figure(v, words, link_targets=link_targets) for v in views)
    return f'<section class="diagnostic"><h2>{esc(words["diagnostic"])}</h2>{figures}</section>'


def diagnostic_page(state: PlanState, lang: str) -> str:
    """The plan's diagnostic as a page of its own: the figures, then every decision with
    the findings it rests on and the targets implementing it."""
    from pacflow.reports.build import finding_views

    words = Words(lang)
    live = {k: t for k, t in state.targets.items() if not t.dropped}
    rows = []
    for decision in state.decisions.values():
        findings = ", ".join(finding_link(f) for f in decision.findings)
        targets = ", ".join(
            f"<b>{esc(t.key)}</b> {esc(t.title)}"
            for t in live.values()
            if decision.key in t.decisions
        )
        rows.append(
            f'<tr><td class="key">{esc(decision.key)}</td><td>{esc(decision.statement)}</td>'
            f"<td>{findings}</td><td>{targets or esc(words['none'])}</td></tr>"
        )
    parts = [
        "<!doctype html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(state.key)} — {esc(words['diagnostic'])}</title>",
        f"<style>{CSS}{DIAGNOSTIC_CSS}</style></head><body>",
        '<header class="doc-head">'
        f'<div class="kicker">{esc(" · ".join(x for x in (state.key, state.scope) if x))}</div>'
        f"<h1>{esc(state.title)} <small>— {esc(words['diagnostic'])}</small></h1></header>",
        diagnostic_section(finding_views(state), words, link_targets=False),
    ]
    if rows:
        head = "".join(
            f"<th>{esc(words[h].capitalize())}</th>"
            for h in ("decision", "statement", "findings", "targets")
        )
        parts.append(
            f"<section><h2>{esc(words['decisions'])}</h2>"
            f'<table class="decisions"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></section>"
        )
    unexplained = [t for t in live.values() if not t.decisions]
    if unexplained:
        keys = ", ".join(f"{t.key} {t.title}" for t in unexplained)
        parts.append(f'<p class="muted">{esc(keys)}: {esc(words["unexplained"])}</p>')
    parts += [f"<footer>pacflow · {esc(state.key)} · {esc(words['diagnostic'])}</footer>"]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
