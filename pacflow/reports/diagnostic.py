"""The diagnostic written out: each tool's matrix as the method draws it, and the chain
from a target back to the findings behind it, in Markdown (which reads as plain text too).

Words are the method's own in French, and the English ones keep the French term where
the method names a thing (élevage, cueillette, fond de commerce).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from pacflow.domain.findings import (
    POTENTIAL_CLASSES,
    REVENUE_CLASSES,
    AbcMatrix,
    AmontAval,
    Emoff,
    OffersMatrix,
    Quadrant,
    Verdict,
    Zone,
)
from pacflow.errors import InvalidInputError

if TYPE_CHECKING:
    from pacflow.app.diagnostic import Why
    from pacflow.domain.state import Finding, PlanState

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "diagnostic": "Diagnostic",
        "abc": "cross ABC matrix",
        "offers": "offers x segments matrix",
        "amont_aval": "amont/aval matrix",
        "emoff": "EMOFF matrix",
        "revenue": "revenue",
        "potential": "potential",
        "prospects": "prospects",
        "zone.core_business": "core business (fond de commerce)",
        "zone.development": "development potential (potentiel de développement)",
        "zone.economy": "economical management (gestion économique)",
        "offer": "offer",
        "margin": "margin",
        "conversion": "conversion",
        "verdict.develop": "develop",
        "verdict.correct": "correct",
        "verdict.abandon": "abandon",
        "upstream": "upstream of the consultation (amont)",
        "downstream": "after the consultation (aval)",
        "strong": "strong notoriety",
        "weak": "weak notoriety",
        "farming": "élevage",
        "hunting": "chasse",
        "cultivation": "culture",
        "gathering": "cueillette",
        "won": "won",
        "lost": "lost",
        "deals": "deals",
        "upstream_share": "detected upstream",
        "strengths": "Strengths",
        "weaknesses": "Weaknesses",
        "opportunities": "Opportunities",
        "threats": "Threats",
        "decisions": "Decisions",
        "decision": "decision",
        "finding": "finding",
        "from": "from",
        "why": "Why",
        "implements": "implements",
        "unexplained": "no decision of the diagnostic explains it",
        "rationale": "rationale",
        "justifies": "justifies",
        "none": "none yet",
        "accounts": "accounts",
        "total": "total",
        "more": "more",
        "no_verdict": "no verdict",
        "all_offers": "all offers",
        "targets": "Targets",
        "statement": "Statement",
        "findings": "Findings",
        "conversion.short": "conv.",
        "zones": "Zones",
        "verdicts": "Verdicts",
    },
    "fr": {
        "diagnostic": "Diagnostic",
        "abc": "matrice ABC croisée",
        "offers": "matrice prestations / clientèles",
        "amont_aval": "matrice amont / aval",
        "emoff": "matrice EMOFF",
        "revenue": "CA",
        "potential": "potentiel",
        "prospects": "prospects",
        "zone.core_business": "fond de commerce",
        "zone.development": "potentiel de développement",
        "zone.economy": "gestion économique",
        "offer": "prestation",
        "margin": "marge",
        "conversion": "transformation",
        "verdict.develop": "développer",
        "verdict.correct": "corriger",
        "verdict.abandon": "abandonner",
        "upstream": "amont de la consultation",
        "downstream": "aval de la consultation",
        "strong": "notoriété forte",
        "weak": "notoriété faible",
        "farming": "élevage",
        "hunting": "chasse",
        "cultivation": "culture",
        "gathering": "cueillette",
        "won": "gagnées",
        "lost": "perdues",
        "deals": "affaires",
        "upstream_share": "détectées en amont",
        "strengths": "Forces",
        "weaknesses": "Faiblesses",
        "opportunities": "Opportunités",
        "threats": "Menaces",
        "decisions": "Décisions",
        "decision": "décision",
        "finding": "constat",
        "from": "d'après",
        "why": "Pourquoi",
        "implements": "met en œuvre",
        "unexplained": "aucune décision du diagnostic ne l'explique",
        "rationale": "justification",
        "justifies": "justifie",
        "none": "aucune pour l'instant",
        "accounts": "comptes",
        "total": "total",
        "more": "autres",
        "no_verdict": "sans verdict",
        "all_offers": "toutes prestations",
        "targets": "Cibles",
        "statement": "Énoncé",
        "findings": "Constats",
        "conversion.short": "transfo.",
        "zones": "Zones",
        "verdicts": "Verdicts",
    },
}


class Words:
    """The diagnostic's words in one language."""

    def __init__(self, lang: str) -> None:
        if lang not in _WORDS:
            raise InvalidInputError(
                f"language {lang!r}: expected one of {', '.join(_WORDS)}",
                code="invalid-value",
                subject="language",
            )
        self.lang = lang
        self._words = _WORDS[lang]

    def __getitem__(self, key: str) -> str:
        return self._words[key]

    def number(self, value: Decimal | int | None) -> str:
        if value is None:
            return "\u2013"
        text = f"{value:f}" if isinstance(value, Decimal) else str(value)
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace(".", ",") if self.lang == "fr" else text

    def percent(self, value: Decimal | None) -> str:
        if value is None:
            return "\u2013"
        space = "\u00a0" if self.lang == "fr" else ""
        return f"{self.number(value)}{space}%"


def word_keys(lang: str) -> frozenset[str]:
    """The keys a language defines (both must define the same)."""
    return frozenset(_WORDS[lang])


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    from pacflow.reports.markdown import md_escape

    cells = [[md_escape(c) for c in headers], *[[md_escape(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    return [line(cells[0]), line(["-" * w for w in widths]), *[line(r) for r in cells[1:]]]


# --- one line per finding ----------------------------------------------------------------


def finding_heading(finding: Finding, words: Words) -> str:
    """`F1 — cross ABC matrix, 2024: <title>`."""
    period = f", {finding.period}" if finding.period else ""
    return f"{finding.key} — {words[finding.figures.tool.value]}{period}: {finding.title}"


def finding_gist(finding: Finding, words: Words) -> str:
    """The figures of a finding in one line, for the chain and for reports."""
    figures = finding.figures.root
    if isinstance(figures, AbcMatrix):
        zones = []
        for zone in Zone:
            accounts = [a.key for a in figures.accounts if figures.zone(a) is zone]
            if accounts:
                zones.append(f"{words['zone.' + zone.value]}: {', '.join(accounts)}")
        return "; ".join(zones)
    if isinstance(figures, OffersMatrix):
        verdicts = []
        for verdict in Verdict:
            offers = dict.fromkeys(c.offer for c in figures.cells if c.verdict is verdict)
            if offers:
                verdicts.append(f"{words['verdict.' + verdict.value]}: {', '.join(offers)}")
        return "; ".join(verdicts) or ", ".join(figures.offers())
    if isinstance(figures, AmontAval):
        parts = [
            f"{words[q.value]} {figures.counts(q).won}/{figures.counts(q).deals}" for q in Quadrant
        ]
        return (
            f"{figures.offer + ': ' if figures.offer else ''}{figures.deals} {words['deals']}, "
            f"{words['conversion']} {words.percent(figures.conversion_pct())}, "
            f"{words['upstream_share']} {words.percent(figures.upstream_pct())} "
            f"({', '.join(parts)} {words['won']})"
        )
    assert isinstance(figures, Emoff)
    parts = [
        f"{words[name]}: {', '.join(getattr(figures, name))}"
        for name in ("strengths", "weaknesses", "opportunities", "threats")
        if getattr(figures, name)
    ]
    return "; ".join(parts)


# --- the matrices ------------------------------------------------------------------------


def finding_markdown(finding: Finding, words: Words) -> list[str]:
    """A finding as the method draws it: its matrix as a table, then its gist."""
    figures = finding.figures.root
    lines = [f"### {finding_heading(finding, words)}", ""]
    if isinstance(figures, AbcMatrix):
        lines += _abc(figures, words)
    elif isinstance(figures, OffersMatrix):
        lines += _offers(figures, words)
    elif isinstance(figures, AmontAval):
        lines += _amont_aval(figures, words)
    else:
        lines += _emoff(figures, words)
    return [*lines, ""]


def _abc(matrix: AbcMatrix, words: Words) -> list[str]:
    rows = []
    for revenue in REVENUE_CLASSES:
        label = words["prospects"] if revenue == "P" else f"{words['revenue']} {revenue}"
        row = [label]
        for potential in POTENTIAL_CLASSES:
            row.append(", ".join(account.key for account in matrix.cell(revenue, potential)))
        rows.append(row)
    headers = ["", *(f"{words['potential']} {p}" for p in POTENTIAL_CLASSES)]
    lines = [*_table(headers, rows), ""]
    for zone in Zone:
        accounts = [a.key for a in matrix.accounts if matrix.zone(a) is zone]
        if accounts:
            lines.append(f"- {words['zone.' + zone.value]}: {', '.join(accounts)}")
    return lines


def _offers(matrix: OffersMatrix, words: Words) -> list[str]:
    rows = []
    for offer in matrix.offers():
        row = [offer]
        for segment in matrix.segments():
            cell = matrix.at(offer, segment)
            if cell is None:
                row.append("")
                continue
            parts = [words.number(cell.revenue)]
            if cell.margin_pct is not None:
                parts.append(f"{words['margin']} {words.percent(cell.margin_pct)}")
            if cell.conversion_pct is not None:
                parts.append(f"{words['conversion']} {words.percent(cell.conversion_pct)}")
            if cell.verdict is not None:
                parts.append(f"→ {words['verdict.' + cell.verdict.value]}")
            row.append(", ".join(parts))
        rows.append(row)
    return _table([words["offer"], *matrix.segments()], rows)


def _amont_aval(figures: AmontAval, words: Words) -> list[str]:
    def cell(quadrant: Quadrant) -> str:
        counts = figures.counts(quadrant)
        return (
            f"{words[quadrant.value]}: {counts.won} {words['won']}, {counts.lost} {words['lost']}"
        )

    rows = [
        [words["upstream"], cell(Quadrant.FARMING), cell(Quadrant.HUNTING)],
        [words["downstream"], cell(Quadrant.CULTIVATION), cell(Quadrant.GATHERING)],
    ]
    lines = _table(["", words["strong"], words["weak"]], rows)
    return [
        *lines,
        "",
        f"- {figures.offer + ': ' if figures.offer else ''}{figures.deals} {words['deals']}, "
        f"{words['conversion']} {words.percent(figures.conversion_pct())}, "
        f"{words['upstream_share']} {words.percent(figures.upstream_pct())}",
    ]


def _emoff(figures: Emoff, words: Words) -> list[str]:
    lines: list[str] = []
    for name in ("strengths", "weaknesses", "opportunities", "threats"):
        items = getattr(figures, name)
        if items:
            lines += [f"**{words[name]}**", "", *(f"- {item}" for item in items), ""]
    return lines[:-1]


# --- the whole diagnostic, and the chain back --------------------------------------------


def diagnostic_markdown(state: PlanState, words: Words) -> list[str]:
    """Every finding drawn, then every decision with the findings it rests on and the
    targets that implement it."""
    lines = [f"## {words['diagnostic']}", ""]
    for finding in state.findings.values():
        lines += finding_markdown(finding, words)
    if state.decisions:
        lines += [f"### {words['decisions']}", ""]
    for decision in state.decisions.values():
        targets = [t.key for t in state.targets.values() if decision.key in t.decisions]
        lines.append(
            f"- **{decision.key}** {decision.statement} ({words['from']} "
            f"{', '.join(decision.findings)}) → {', '.join(targets) or words['none']}"
        )
    return lines


def why_lines(answer: Why, words: Words) -> list[str]:
    """`T3 Projets CRM` then each decision, then each finding under it, indented."""
    target = answer.target
    way = " → ".join(answer.path)
    lines = [f"{way}: {target.title}" if len(answer.path) > 1 else f"{target.key}: {target.title}"]
    if not answer.decisions:
        lines.append(f"  {words['unexplained']}")
    for decision, findings in answer.decisions:
        lines.append(f"  {words['implements']} {decision.key}: {decision.statement}")
        for finding in findings:
            lines.append(f"    {words['from']} {finding_heading(finding, words)}")
            gist = finding_gist(finding, words)
            if gist:
                lines.append(f"      {gist}")
    if answer.rationale:
        first, *more = answer.rationale.split("\n\n")
        lines.append(f"  {words['rationale']}: {first}")
        lines += [f"  {paragraph}" for paragraph in more]
    return lines


def why_text(answer: Why, words: Words) -> str:
    """The chain in one line, for a report: `D3 promote CRM solutions (F2, F3)`."""
    return "; ".join(
        f"{decision.key} {decision.statement} ({', '.join(f.key for f in findings)})"
        for decision, findings in answer.decisions
    )
