"""The diagnostic from the application's side: figures read from CSV, and the chain back.

A user pastes a CRM export: `accounts_figures` reads accounts (revenue and potential) for
the cross ABC matrix, `deals_figures` counts won and lost deals by origin for the amont/aval
matrix, `offer_cells` reads the offers x segments matrix. Each returns the `figures` of a
`RecordFinding` command as plain data; a bad cell is a one-line error naming the file, the
line and the column. Semicolons or commas separate columns (what spreadsheets export).

`why(state, key)` answers "why is T3 a target?": the target, the decisions it implements
and the findings each rests on, for a target, a track or a step (through its target).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pacflow.errors import InvalidInputError, NotFoundError
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from pacflow.app.root import App
    from pacflow.domain.state import Decision, Finding, PlanState, Target


# --- CSV ---------------------------------------------------------------------------------


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.strip().lower().replace(" ", "_").replace("-", "_")


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row by folded column name) for each non-empty line of a CSV file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"{path}: cannot be read as UTF-8 text ({error})") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise InvalidInputError(f"{path}: the file is empty; expected a header line")
    columns = [_fold(name) for name in header]
    missing = [name for name in required if name not in columns]
    if missing:
        raise InvalidInputError(
            f"{path}, line 1: missing column {', '.join(missing)} (columns: "
            f"{', '.join(required)})"
        )
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        yield (
            reader.line_num,
            {name: cell.strip() for name, cell in zip(columns, row, strict=False)},
        )


def _number(path: Path, line: int, column: str, text: str, *, optional: bool = False) -> Any:
    if not text:
        if optional:
            return None
        raise InvalidInputError(f"{path}, line {line}: {column} is empty; expected a number")
    cleaned = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").rstrip("%")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInputError(
            f"{path}, line {line}: {column} {text!r}: expected a number"
        ) from None
    if not value.is_finite():
        raise InvalidInputError(f"{path}, line {line}: {column} {text!r}: expected a number")
    return str(value)


def _choice(path: Path, line: int, column: str, text: str, words: Mapping[str, str]) -> str:
    found = words.get(_fold(text))
    if found is None:
        expected = ", ".join(dict.fromkeys(words.values()))
        raise InvalidInputError(
            f"{path}, line {line}: {column} {text!r}: expected one of {expected}"
        )
    return found


_PROSPECT = {"prospect": "prospect", "client": "client", "customer": "client", "": "client"}


def accounts_figures(
    path: Path,
    *,
    revenue_a: str,
    revenue_b: str,
    potential_a: str,
    potential_b: str,
) -> dict[str, Any]:
    """The cross ABC matrix's figures from a CSV of accounts: `account`, `revenue` and
    `potential` columns, optionally `name`, `segment` and `status` (client or prospect)."""
    accounts = []
    for line, row in _rows(path, ("account", "revenue", "potential")):
        status = _choice(path, line, "status", row.get("status", ""), _PROSPECT)
        accounts.append(
            {
                "key": row["account"],
                "name": row.get("name") or None,
                "segment": row.get("segment") or None,
                "revenue": _number(path, line, "revenue", row["revenue"]),
                "potential": _number(path, line, "potential", row["potential"]),
                "prospect": status == "prospect",
            }
        )
    if not accounts:
        raise InvalidInputError(f"{path}: no account; expected one line per account")
    return {
        "tool": "abc",
        "accounts": accounts,
        "revenue_a": revenue_a,
        "revenue_b": revenue_b,
        "potential_a": potential_a,
        "potential_b": potential_b,
    }


_TIMING = {
    "upstream": "upstream",
    "amont": "upstream",
    "before": "upstream",
    "avant": "upstream",
    "downstream": "downstream",
    "aval": "downstream",
    "after": "downstream",
    "apres": "downstream",
}
_NOTORIETY = {"strong": "strong", "forte": "strong", "weak": "weak", "faible": "weak"}
_OUTCOME = {
    "won": "won",
    "gagnee": "won",
    "gagne": "won",
    "lost": "lost",
    "perdue": "lost",
    "perdu": "lost",
    "open": "open",
    "en_cours": "open",
}


def deals_figures(path: Path, *, offer: str | None = None) -> dict[str, Any]:
    """The amont/aval matrix's figures from a CSV of deals: `timing` (upstream or
    downstream of the customer's consultation; amont/aval), `notoriety` (strong or weak;
    forte/faible) and `outcome` (won, lost; open deals are left out). With `offer`, only
    the deals whose `offer` column says so."""
    from pacflow.domain.findings import quadrant_of

    counts: dict[str, dict[str, int]] = {}
    for line, row in _rows(path, ("timing", "notoriety", "outcome")):
        if offer is not None:
            if "offer" not in row:
                raise InvalidInputError(f"{path}, line 1: --offer needs an offer column")
            if row["offer"] != offer:
                continue
        timing = _choice(path, line, "timing", row["timing"], _TIMING)
        notoriety = _choice(path, line, "notoriety", row["notoriety"], _NOTORIETY)
        outcome = _choice(path, line, "outcome", row["outcome"], _OUTCOME)
        if outcome == "open":
            continue
        quadrant = quadrant_of(timing == "upstream", notoriety == "strong").value
        cell = counts.setdefault(quadrant, {"won": 0, "lost": 0})
        cell[outcome] += 1
    if not counts:
        which = f" of offer {offer}" if offer else ""
        raise InvalidInputError(f"{path}: no won or lost deal{which}")
    return {"tool": "amont_aval", "offer": offer, "quadrants": counts}


_VERDICT = {
    "develop": "develop",
    "developper": "develop",
    "correct": "correct",
    "corriger": "correct",
    "abandon": "abandon",
    "abandonner": "abandon",
    "": "",
}


def offer_cells(path: Path) -> dict[str, Any]:
    """The offers x segments matrix's figures from a CSV: `offer`, `segment`, `revenue`,
    optionally `margin_pct`, `conversion_pct` and `verdict` (develop, correct, abandon)."""
    cells = []
    for line, row in _rows(path, ("offer", "segment", "revenue")):
        verdict = _choice(path, line, "verdict", row.get("verdict", ""), _VERDICT)
        cells.append(
            {
                "offer": row["offer"],
                "segment": row["segment"],
                "revenue": _number(path, line, "revenue", row["revenue"]),
                "margin_pct": _number(
                    path, line, "margin_pct", row.get("margin_pct", ""), optional=True
                ),
                "conversion_pct": _number(
                    path, line, "conversion_pct", row.get("conversion_pct", ""), optional=True
                ),
                "verdict": verdict or None,
            }
        )
    if not cells:
        raise InvalidInputError(f"{path}: no cell; expected one line per offer and segment")
    return {"tool": "offers", "cells": cells}


# --- the chain back ----------------------------------------------------------------------


@frozen_record
class Why(FrozenValue):
    """Why a target is in the plan: the decisions it implements and their findings.

    `asked` is the key the user gave (a target, a track or a step) and `path` the way from
    it to the target (`S34 → T3-CHASSE → T3`).
    """

    asked: str
    path: tuple[str, ...]
    target: Target
    rationale: str | None
    decisions: tuple[tuple[Decision, tuple[Finding, ...]], ...]

    @property
    def explained(self) -> bool:
        """Whether the target implements at least one decision."""
        return bool(self.decisions)

    def as_json(self) -> dict[str, Any]:
        return {
            "asked": self.asked,
            "path": list(self.path),
            "target": {"key": self.target.key, "title": self.target.title},
            "explained": self.explained,
            "rationale": self.rationale,
            "decisions": [
                {
                    "key": decision.key,
                    "statement": decision.statement,
                    "findings": [finding_json(finding) for finding in findings],
                }
                for decision, findings in self.decisions
            ],
        }


def finding_json(finding: Finding) -> dict[str, Any]:
    """A finding as data: key, tool, title, period, its figures and what they give (the
    classes and zone of each account, the conversion and upstream share of deals)."""
    from pacflow.domain.findings import AbcMatrix, AmontAval

    figures = finding.figures.root
    computed: dict[str, Any] = {}
    if isinstance(figures, AbcMatrix):
        computed["accounts"] = {
            account.key: {
                "revenue_class": figures.revenue_class(account),
                "potential_class": figures.potential_class(account),
                "zone": figures.zone(account).value,
            }
            for account in figures.accounts
        }
    elif isinstance(figures, AmontAval):
        computed = {
            "deals": figures.deals,
            "won": figures.won,
            "conversion_pct": str(figures.conversion_pct()),
            "upstream_pct": str(figures.upstream_pct()),
        }
    return {
        "key": finding.key,
        "tool": finding.figures.tool.value,
        "title": finding.title,
        "period": finding.period,
        "figures": finding.figures.as_data(),
        "computed": computed,
    }


def why(state: PlanState, key: str) -> Why:
    """The chain from `key` (a target, track or step of the plan) back to the findings."""
    path = [key]
    target_key: str | None = None
    if key in state.targets:
        target_key = key
    elif key in state.steps:
        track = state.tracks[state.steps[key].track]
        path.append(track.key)
        target_key = track.target
    elif key in state.tracks:
        target_key = state.tracks[key].target
    else:
        raise NotFoundError(
            f"{key}: no target, track or step of plan {state.key} has this key", subject=key
        )
    if target_key is None:
        raise InvalidInputError(
            f"{key}: a steering track of plan {state.key} serves the plan itself, no target"
        )
    if path[-1] != target_key:
        path.append(target_key)
    return chain(state, target_key, tuple(path), asked=key)


def chain(
    state: PlanState, target_key: str, path: tuple[str, ...] = (), *, asked: str | None = None
) -> Why:
    """The decisions target `target_key` implements and the findings each rests on."""
    target = state.targets[target_key]
    decisions = tuple(
        (
            state.decisions[key],
            tuple(
                state.findings[finding]
                for finding in state.decisions[key].findings
                if finding in state.findings
            ),
        )
        for key in target.decisions
        if key in state.decisions
    )
    return Why(asked or target_key, path or (target_key,), target, target.rationale, decisions)


# --- queries -----------------------------------------------------------------------------


def plan_state(app: App, plan: str, as_of: str | None = None) -> PlanState:
    """The plan now, or as recorded at `as_of`."""
    from pacflow.app.plans import state_at

    return state_at(app, plan, as_of).state


def target_why(app: App, plan: str, key: str, *, as_of: str | None = None) -> Why:
    """Why `key` (a target, a track or a step) is in the plan."""
    return why(plan_state(app, plan, as_of), key)


def diagnostic_json(state: PlanState) -> dict[str, Any]:
    """The plan's diagnostic as data: findings, decisions, and which targets cite which."""
    return {
        "plan": state.key,
        "findings": [finding_json(finding) for finding in state.findings.values()],
        "decisions": [
            {
                "key": decision.key,
                "statement": decision.statement,
                "findings": list(decision.findings),
                "targets": [
                    target.key
                    for target in state.targets.values()
                    if decision.key in target.decisions
                ],
            }
            for decision in state.decisions.values()
        ],
        "unexplained": [
            target.key
            for target in state.targets.values()
            if not target.dropped and not target.decisions
        ],
    }
