"""The diagnostic's tools drawn as the method draws them: inline SVG, no script, no link.

Fiche 07: "explain the PAC with the schemas of the tools that marked your analysis and
influenced your diagnosis". Each finding is drawn as its tool's schema:

- the cross ABC matrix as a grid of revenue classes (A, B, C, then the prospects' row) by
  potential classes (A', B', C'), the three zones shaded and each account placed in its cell;
- the offers x segments matrix as a grid whose cells carry revenue, margin and conversion,
  coloured by verdict (develop, correct, abandon);
- the amont/aval matrix as four quadrants (élevage, chasse, culture, cueillette) with won
  and lost deals, a bar each and the conversion;
- EMOFF as four boxes: strengths, weaknesses, opportunities, threats.

Every drawing is readable in black and white: zones and verdicts differ by pattern or border
as well as by colour, and their names are written out. Plan text goes through `esc`; a
drawing's `id`s start with its finding's key, so several drawings live on one page.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from decimal import Decimal

from pacflow.domain.findings import (
    POTENTIAL_CLASSES,
    REVENUE_CLASSES,
    AbcMatrix,
    AccountFigure,
    AmontAval,
    Emoff,
    Figures,
    OfferCell,
    OffersMatrix,
    Quadrant,
    Verdict,
    Zone,
    zone_of,
)
from pacflow.reports.diagnostic import Words
from pacflow.reports.html_parts import esc

_FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"'
_INK, _MUTED, _LINE = "#1c2330", "#5d6676", "#b9c1cd"
_CHAR = 6.6
"""Average width of a 12px character, to wrap text into a box (SVG does not wrap)."""
_LINE_H = 15
_DASH, _TIMES, _MINUS = "\u2013", "\u00d7", "\u2212"

ZONE_STYLE = {
    Zone.CORE: ("#d6e4f5", "#2b5fad"),
    Zone.DEVELOPMENT: ("#dcefe2", "#2e7d4f"),
    Zone.ECONOMY: ("#eef0f3", "#8b929c"),
}
"""Fill and ink of each zone of the cross ABC matrix."""

VERDICT_STYLE = {
    Verdict.DEVELOP: ("#dcefe2", "#2e7d4f", ""),
    Verdict.CORRECT: ("#fbefd5", "#b7791f", ' stroke-dasharray="7 4"'),
    Verdict.ABANDON: ("#f6dcd9", "#c0392b", ' stroke-dasharray="2 3"'),
    None: ("#ffffff", _LINE, ""),
}
"""Fill, border and border dashes of an offers x segments cell, by verdict."""


def finding_svg(key: str, figures: Figures, words: Words, *, label: str) -> str:
    """The schema of one finding's tool; `label` is its accessible name (its title)."""
    drawing = figures.root
    if isinstance(drawing, AbcMatrix):
        return abc_svg(key, drawing, words, label=label)
    if isinstance(drawing, OffersMatrix):
        return offers_svg(key, drawing, words, label=label)
    if isinstance(drawing, AmontAval):
        return amont_aval_svg(key, drawing, words, label=label)
    return emoff_svg(key, drawing, words, label=label)


# --- pieces ------------------------------------------------------------------------------


def _svg(key: str, width: int, height: int, label: str, desc: str, body: Iterable[str]) -> str:
    ident = esc(f"svg-{key}")
    return (
        f'<svg class="diag" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" {_FONT} font-size="12" fill="{_INK}">'
        f'<title id="{ident}-t">{esc(label)}</title><desc id="{ident}-d">{esc(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", extra: str = "") -> str:
    middle = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return f'<text x="{x:g}" y="{y:g}"{middle}{extra}>{esc(text)}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str, stroke: str, extra: str = "") -> str:
    return (
        f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" fill="{fill}" '
        f'stroke="{stroke}"{extra}/>'
    )


def _wrap(text: str, width: float) -> list[str]:
    return textwrap.wrap(text, max(int(width / _CHAR), 8)) or [""]


def _amount(value: Decimal, words: Words) -> str:
    return words.number(value)


def _legend(
    x: float, y: float, items: Sequence[tuple[str, str]], width: float
) -> tuple[list[str], float]:
    """Swatches (SVG marks of 14 x 10) each followed by its words, on as many lines as
    `width` needs; and the baseline of the last line."""
    parts, at = [], x
    for swatch, text in items:
        wide = 19 + len(text) * _CHAR + 18
        if at > x and at + wide > width:
            at, y = x, y + _LINE_H + 3
        parts.append(f'<g transform="translate({at:g},{y - 10:g})">{swatch}</g>')
        parts.append(_text(at + 19, y, text, extra=f' fill="{_MUTED}"'))
        at += wide
    return parts, y


# --- cross ABC matrix --------------------------------------------------------------------

_ABC_LEFT, _ABC_HEAD, _ABC_COL, _ABC_MAX = 150, 50, 210, 6


def _hatch(key: str, zone: Zone) -> str:
    return esc(f"{key}-{zone.value}")


def _zone_patterns(key: str) -> str:
    """Solid for core business, hatched for development, dotted for economy."""
    core, development, economy = (ZONE_STYLE[z] for z in Zone)
    return (
        "<defs>"
        f'<pattern id="{_hatch(key, Zone.CORE)}" width="8" height="8" '
        f'patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="{core[0]}"/></pattern>'
        f'<pattern id="{_hatch(key, Zone.DEVELOPMENT)}" width="8" height="8" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="8" height="8" fill="{development[0]}"/>'
        f'<line x1="0" y1="0" x2="0" y2="8" stroke="{development[1]}" stroke-width="1.2" '
        'stroke-opacity=".35"/></pattern>'
        f'<pattern id="{_hatch(key, Zone.ECONOMY)}" width="8" height="8" '
        f'patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="{economy[0]}"/>'
        f'<circle cx="4" cy="4" r="1" fill="{economy[1]}" fill-opacity=".5"/></pattern>'
        "</defs>"
    )


def _class_range(cls: str, top: Decimal, bottom: Decimal, words: Words) -> str:
    if cls.startswith("A"):
        return f"≥ {_amount(top, words)}"
    if cls.startswith("B"):
        return f"{_amount(bottom, words)}{_DASH}{_amount(top, words)}"
    return f"< {_amount(bottom, words)}"


def _account_line(account: AccountFigure, words: Words) -> str:
    return f"{account.key}  {_amount(account.revenue, words)} / {_amount(account.potential, words)}"


def abc_svg(key: str, matrix: AbcMatrix, words: Words, *, label: str) -> str:
    """The cross ABC matrix: revenue classes down, potential classes across, zones shaded,
    each account in its cell with its revenue / potential."""
    rows = REVENUE_CLASSES
    heights = []
    for revenue in rows:
        most = max(len(matrix.cell(revenue, p)) for p in POTENTIAL_CLASSES)
        heights.append(max(56, 16 + _LINE_H * min(most, _ABC_MAX + 1)))
    width = _ABC_LEFT + 3 * _ABC_COL + 10
    grid_bottom = _ABC_HEAD + sum(heights)
    body = [_zone_patterns(key)]
    body.append(
        _text(
            _ABC_LEFT + 1.5 * _ABC_COL,
            16,
            f"{words['potential']} →",
            anchor="middle",
            extra=' font-weight="700"',
        )
    )
    for i, potential in enumerate(POTENTIAL_CLASSES):
        x = _ABC_LEFT + i * _ABC_COL + _ABC_COL / 2
        span = _class_range(potential, matrix.potential_a, matrix.potential_b, words)
        body.append(_text(x, 34, potential, anchor="middle", extra=' font-weight="700"'))
        body.append(_text(x, 46, span, anchor="middle", extra=f' fill="{_MUTED}" font-size="11"'))
    y = _ABC_HEAD
    for revenue, row_height in zip(rows, heights, strict=True):
        if revenue == "P":
            body.append(_text(8, y + 20, words["prospects"], extra=' font-weight="700"'))
        else:
            body.append(
                _text(8, y + 20, f"{words['revenue']} {revenue}", extra=' font-weight="700"')
            )
            span = _class_range(revenue, matrix.revenue_a, matrix.revenue_b, words)
            body.append(_text(8, y + 35, span, extra=f' fill="{_MUTED}" font-size="11"'))
        for i, potential in enumerate(POTENTIAL_CLASSES):
            x = _ABC_LEFT + i * _ABC_COL
            zone = zone_of(revenue, potential)
            body.append(_rect(x, y, _ABC_COL, row_height, f"url(#{_hatch(key, zone)})", _LINE))
            accounts = sorted(matrix.cell(revenue, potential), key=lambda a: -a.revenue)
            shown = accounts if len(accounts) <= _ABC_MAX + 1 else accounts[:_ABC_MAX]
            for n, account in enumerate(shown):
                line_y = y + 18 + n * _LINE_H
                tip = f"{account.name or account.key} ({account.segment or ''})".replace(" ()", "")
                body.append(
                    f"<g><title>{esc(tip)}</title>"
                    f'<circle cx="{x + 12:g}" cy="{line_y - 4:g}" r="4" '
                    f'fill="{ZONE_STYLE[zone][1]}"/>'
                    + _text(x + 22, line_y, _account_line(account, words))
                    + "</g>"
                )
            if len(shown) < len(accounts):
                more = f"+{len(accounts) - len(shown)} {words['more']}"
                body.append(_text(x + 22, y + 18 + len(shown) * _LINE_H, more))
        y += row_height
    body.append(
        f'<rect x="{_ABC_LEFT}" y="{_ABC_HEAD}" width="{3 * _ABC_COL}" '
        f'height="{grid_bottom - _ABC_HEAD}" fill="none" stroke="{_INK}" stroke-width="1.5"/>'
    )
    counts = {zone: sum(matrix.zone(a) is zone for a in matrix.accounts) for zone in Zone}
    swatches = [
        (
            f'<rect width="14" height="10" fill="url(#{_hatch(key, zone)})" '
            f'stroke="{ZONE_STYLE[zone][1]}"/>',
            f"{words['zone.' + zone.value]} ({counts[zone]})",
        )
        for zone in Zone
    ]
    legend, bottom = _legend(8, grid_bottom + 22, swatches, width)
    body += legend
    height = int(bottom) + 24
    body.append(
        _text(
            8,
            bottom + 16,
            f"{words['accounts']}: {words['revenue']} / {words['potential']}",
            extra=f' fill="{_MUTED}" font-size="11"',
        )
    )
    return _svg(key, width, height, label, _abc_desc(matrix, words), body)


def _abc_desc(matrix: AbcMatrix, words: Words) -> str:
    parts = [f"{len(matrix.accounts)} {words['accounts']}"]
    for zone in Zone:
        accounts = [a.key for a in matrix.accounts if matrix.zone(a) is zone]
        if accounts:
            parts.append(f"{words['zone.' + zone.value]}: {', '.join(accounts)}")
    return "; ".join(parts)


# --- offers x segments -------------------------------------------------------------------

_OFF_LEFT, _OFF_HEAD, _OFF_COL, _OFF_ROW = 130, 30, 170, 70


def _cell_lines(cell: OfferCell, words: Words) -> list[str]:
    lines = [_amount(cell.revenue, words)]
    if cell.margin_pct is not None:
        lines.append(f"{words['margin']} {words.percent(cell.margin_pct)}")
    if cell.conversion_pct is not None:
        lines.append(f"{words['conversion.short']} {words.percent(cell.conversion_pct)}")
    return lines


def offers_svg(key: str, matrix: OffersMatrix, words: Words, *, label: str) -> str:
    """Offers down, segments across; each cell's revenue, margin and conversion, coloured
    and bordered by its verdict (whose word is written in the cell)."""
    offers, segments = matrix.offers(), matrix.segments()
    width = _OFF_LEFT + (len(segments) + 1) * _OFF_COL + 10
    grid_bottom = _OFF_HEAD + len(offers) * _OFF_ROW
    body: list[str] = []
    for j, segment in enumerate([*segments, words["total"]]):
        x = _OFF_LEFT + j * _OFF_COL + _OFF_COL / 2
        body.append(_text(x, 20, segment, anchor="middle", extra=' font-weight="700"'))
    for i, offer in enumerate(offers):
        y = _OFF_HEAD + i * _OFF_ROW
        body.append(_text(8, y + 22, offer, extra=' font-weight="700"'))
        total = Decimal(0)
        for j, segment in enumerate(segments):
            x = _OFF_LEFT + j * _OFF_COL
            cell = matrix.at(offer, segment)
            if cell is None:
                body.append(_rect(x + 3, y + 3, _OFF_COL - 6, _OFF_ROW - 6, "none", _LINE))
                continue
            total += cell.revenue
            fill, ink, dashes = VERDICT_STYLE[cell.verdict]
            body.append(
                f"<g><title>{esc(f'{offer} {_TIMES} {segment}')}</title>"
                + _rect(
                    x + 3,
                    y + 3,
                    _OFF_COL - 6,
                    _OFF_ROW - 6,
                    fill,
                    ink,
                    f' stroke-width="2"{dashes}',
                )
            )
            for n, line in enumerate(_cell_lines(cell, words)):
                weight = ' font-weight="700"' if n == 0 else ""
                body.append(_text(x + 12, y + 21 + n * _LINE_H, line, extra=weight))
            if cell.verdict is not None:
                body.append(
                    _text(
                        x + _OFF_COL - 12,
                        y + 21,
                        words["verdict." + cell.verdict.value].upper(),
                        anchor="end",
                        extra=f' fill="{ink}" font-weight="700" font-size="11"',
                    )
                )
            body.append("</g>")
        x = _OFF_LEFT + len(segments) * _OFF_COL
        body.append(_text(x + 12, y + 21, _amount(total, words), extra=' font-weight="700"'))
    body.append(
        f'<line x1="{_OFF_LEFT + len(segments) * _OFF_COL}" y1="{_OFF_HEAD}" '
        f'x2="{_OFF_LEFT + len(segments) * _OFF_COL}" y2="{grid_bottom}" stroke="{_INK}"/>'
    )
    swatches = []
    for verdict in (*Verdict, None):
        fill, ink, dashes = VERDICT_STYLE[verdict]
        word = words["no_verdict"] if verdict is None else words["verdict." + verdict.value]
        swatches.append(
            (
                f'<rect width="14" height="10" fill="{fill}" stroke="{ink}" stroke-width="2"'
                f"{dashes.replace('7 4', '4 2')}/>",
                word,
            )
        )
    legend, bottom = _legend(8, grid_bottom + 24, swatches, width)
    body += legend
    height = int(bottom) + 10
    return _svg(key, width, height, label, _offers_desc(matrix, words), body)


def _offers_desc(matrix: OffersMatrix, words: Words) -> str:
    parts = []
    for verdict in Verdict:
        cells = [f"{c.offer} {_TIMES} {c.segment}" for c in matrix.cells if c.verdict is verdict]
        if cells:
            parts.append(f"{words['verdict.' + verdict.value]}: {', '.join(cells)}")
    return "; ".join(parts) or ", ".join(matrix.offers())


# --- amont / aval ------------------------------------------------------------------------

_AA_LEFT, _AA_HEAD, _AA_COL, _AA_ROW = 170, 34, 260, 110
_WON, _LOST = "#2e7d4f", "#c0392b"
_PLACES = {
    Quadrant.FARMING: (0, 0),
    Quadrant.HUNTING: (0, 1),
    Quadrant.CULTIVATION: (1, 0),
    Quadrant.GATHERING: (1, 1),
}


def amont_aval_svg(key: str, figures: AmontAval, words: Words, *, label: str) -> str:
    """Upstream / downstream of the customer's consultation down, the offer's notoriety
    across; each quadrant's approach with its won and lost deals, as figures and a bar."""
    width = _AA_LEFT + 2 * _AA_COL + 10
    grid_bottom = _AA_HEAD + 2 * _AA_ROW
    peak = max(figures.counts(q).deals for q in Quadrant) or 1
    body: list[str] = []
    for j, notoriety in enumerate(("strong", "weak")):
        x = _AA_LEFT + j * _AA_COL + _AA_COL / 2
        body.append(_text(x, 22, words[notoriety], anchor="middle", extra=' font-weight="700"'))
    for i, timing in enumerate(("upstream", "downstream")):
        y = _AA_HEAD + i * _AA_ROW
        for n, line in enumerate(_wrap(words[timing], _AA_LEFT - 16)):
            body.append(_text(8, y + 24 + n * _LINE_H, line, extra=' font-weight="700"'))
    bar_width = _AA_COL - 28
    for quadrant, (i, j) in _PLACES.items():
        x, y = _AA_LEFT + j * _AA_COL, _AA_HEAD + i * _AA_ROW
        counts = figures.counts(quadrant)
        body.append(_rect(x, y, _AA_COL, _AA_ROW, "#f7f9fb", _LINE))
        body.append(
            _text(x + 14, y + 26, words[quadrant.value], extra=' font-weight="700" font-size="16"')
        )
        rate = (
            words.percent((Decimal(100 * counts.won) / counts.deals).quantize(Decimal("0.1")))
            if counts.deals
            else _DASH
        )
        body.append(
            _text(
                x + _AA_COL - 14,
                y + 26,
                f"{words['conversion']} {rate}",
                anchor="end",
                extra=f' fill="{_MUTED}"',
            )
        )
        summary = f"{counts.won} {words['won']} · {counts.lost} {words['lost']}"
        body.append(_text(x + 14, y + 50, summary))
        scale = bar_width * counts.deals / peak
        won_w = scale * counts.won / counts.deals if counts.deals else 0
        body.append(
            f"<g><title>{esc(summary)}</title>"
            + _rect(x + 14, y + 64, won_w, 18, _WON, _WON)
            + _rect(
                x + 14 + won_w,
                y + 64,
                scale - won_w,
                18,
                "#ffffff",
                _LOST,
                ' stroke-width="1.5"',
            )
            + "</g>"
            if counts.deals
            else ""
        )
        body.append(
            _text(x + 14, y + 98, f"{counts.deals} {words['deals']}", extra=f' fill="{_MUTED}"')
        )
    body.append(
        f'<rect x="{_AA_LEFT}" y="{_AA_HEAD}" width="{2 * _AA_COL}" height="{2 * _AA_ROW}" '
        f'fill="none" stroke="{_INK}" stroke-width="1.5"/>'
    )
    total = (
        f"{figures.offer or words['all_offers']}: {figures.deals} {words['deals']}, "
        f"{words['conversion']} {words.percent(figures.conversion_pct())}, "
        f"{words['upstream_share']} {words.percent(figures.upstream_pct())}"
    )
    body.append(_text(8, grid_bottom + 20, total, extra=' font-weight="700"'))
    swatches = [
        (_rect(0, 0, 14, 10, _WON, _WON), words["won"]),
        (_rect(0, 0, 14, 10, "#ffffff", _LOST, ' stroke-width="1.5"'), words["lost"]),
    ]
    legend, bottom = _legend(8, grid_bottom + 38, swatches, width)
    body += legend
    height = int(bottom) + 10
    return _svg(key, width, height, label, total, body)


# --- EMOFF -------------------------------------------------------------------------------

_EM_COL, _EM_HEAD = 360, 30
_EM_BOXES = (
    ("strengths", "#2e7d4f", "+"),
    ("weaknesses", "#c0392b", _MINUS),
    ("opportunities", "#2b5fad", "+"),
    ("threats", "#b7791f", _MINUS),
)


def emoff_svg(key: str, figures: Emoff, words: Words, *, label: str) -> str:
    """Four boxes, strengths and weaknesses above (the company), opportunities and threats
    below (its market); each item wrapped inside its box."""
    wrapped = {
        name: [_wrap(item, _EM_COL - 40) for item in getattr(figures, name)]
        for name, _, _ in _EM_BOXES
    }

    def lines(name: str) -> int:
        return sum(len(item) for item in wrapped[name]) + len(wrapped[name])

    heights = [
        _EM_HEAD + 14 + _LINE_H * max(lines("strengths"), lines("weaknesses"), 1),
        _EM_HEAD + 14 + _LINE_H * max(lines("opportunities"), lines("threats"), 1),
    ]
    width = 2 * _EM_COL + 16
    height = sum(heights) + 12
    body: list[str] = []
    for n, (name, ink, sign) in enumerate(_EM_BOXES):
        row, col = divmod(n, 2)
        x, y = 4 + col * (_EM_COL + 8), 4 + sum(heights[:row]) + row * 4
        box_h = heights[row] - 4
        body.append(_rect(x, y, _EM_COL, box_h, "#ffffff", ink, ' stroke-width="2"'))
        body.append(_rect(x, y, _EM_COL, _EM_HEAD, ink, ink))
        body.append(
            _text(
                x + 12,
                y + 20,
                f"{sign} {words[name]}",
                extra=' fill="#ffffff" font-weight="700" font-size="14"',
            )
        )
        line_y = y + _EM_HEAD + 20
        for item in wrapped[name]:
            body.append(f'<circle cx="{x + 16:g}" cy="{line_y - 4:g}" r="2.5" fill="{ink}"/>')
            for part in item:
                body.append(_text(x + 26, line_y, part))
                line_y += _LINE_H
            line_y += _LINE_H
    desc = "; ".join(
        f"{words[name]}: {', '.join(getattr(figures, name))}"
        for name, _, _ in _EM_BOXES
        if getattr(figures, name)
    )
    return _svg(key, width, height, label, desc, body)
