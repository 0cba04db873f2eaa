"""Reports as JSON: stable English keys, ISO dates, decimals as strings.

Keys and enum values never depend on `--lang`; only the `label` fields are translated.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from pacflow.reports.labels import Labels
from pacflow.reports.model import (
    ObjectiveLine,
    PersonInfo,
    PersonSection,
    Progress,
    Reason,
    Report,
    SectorSection,
    StepLine,
    TargetSection,
    ThemeSection,
    TrackBlock,
    Visit,
)
from pacflow.reports.text import budget_total, heading_key

SCHEMA_VERSION = 1


def render_json(report: Report, labels: Labels) -> str:
    """The report as pretty, stable JSON (UTF-8 kept readable)."""
    return json.dumps(report_data(report, labels), ensure_ascii=False, indent=2) + "\n"


def report_data(report: Report, labels: Labels) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "schema_version": SCHEMA_VERSION,
        "report": str(report.kind),
        "audience": report.audience,
        "lang": labels.lang,
        "label": labels[heading_key(report)],
        "plan": {
            "key": report.plan,
            "title": report.title,
            "scope": report.scope,
            "period": {"start": report.start.isoformat(), "end": report.end.isoformat()},
            "timezone": report.timezone,
            "status": report.status,
            "revision": report.revision,
        },
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "today": report.today.isoformat(),
        "months": list(report.months),
        "people": [{"key": key, "name": name} for key, name in report.people.items()],
        "progress": _progress(report.progress),
        "budget_total": _money(budget_total(report.steps())),
        "targets": [
            {
                "target": t.key,
                "title": t.title,
                "responsible": t.responsible,
                "dropped": t.dropped,
                "objectives": [_objective(o) for o in t.objectives],
                "why": why_data(t.why),
                "progress": _progress(t.progress),
            }
            for t in report.targets
        ],
        "sections": [_section(section, labels) for section in report.sections],
        "plan_tracks": [_track(block, labels) for block in report.plan_tracks],
    }


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _progress(progress: Progress) -> dict[str, Any]:
    def share(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {
        "steps": progress.steps,
        "done": progress.done,
        "late": progress.late,
        "cancelled": progress.cancelled,
        "visits": progress.visits,
        "held": progress.held,
        "overdue": progress.overdue,
        "visits_cancelled": progress.visits_cancelled,
        "step_share": share(progress.step_share),
        "visit_share": share(progress.visit_share),
    }


def _section(
    section: ThemeSection | PersonSection | SectorSection | TargetSection, labels: Labels
) -> dict[str, Any]:
    if isinstance(section, ThemeSection):
        return {
            "theme": section.key,
            "label": labels["theme." + section.key],
            "progress": _progress(section.progress),
            "budget_total": _money(
                budget_total(step for block in section.tracks for step in block.steps)
            ),
            "tracks": [_track(block, labels) for block in section.tracks],
        }
    if isinstance(section, PersonSection):
        return {
            "person": _person(section.person),
            "targets": [{"key": key, "title": title} for key, title in section.targets],
            "indicators": [{"key": key, "name": name} for key, name in section.indicators],
            "progress": _progress(section.progress),
            "assignments": [{"role": a.role, "step": _step(a.step)} for a in section.assignments],
            "visits_per_month": [
                {
                    "month": m.month,
                    "held": m.held,
                    "planned": m.planned,
                    "overdue": m.overdue,
                    "cancelled": m.cancelled,
                }
                for m in section.months
            ],
            "appointments": [
                {
                    "visit": _visit(a.visit),
                    "step": a.step,
                    "title": a.title,
                    "target": a.target,
                    "customer": a.customer,
                    "role": a.role,
                    "booking": str(a.booking),
                }
                for a in section.appointments
            ],
        }
    if isinstance(section, SectorSection):
        return {
            "sector": section.key,
            "people": [_person(p) for p in section.people],
            "progress": _progress(section.progress),
            "targets": [_target(t, labels) for t in section.targets],
        }
    return _target(section, labels)


def _person(person: PersonInfo) -> dict[str, Any]:
    return {
        "key": person.key,
        "name": person.name,
        "kind": person.kind,
        "role": person.role,
        "sector": person.sector,
        "left_on": person.left_on.isoformat() if person.left_on else None,
    }


def _target(section: TargetSection, labels: Labels) -> dict[str, Any]:
    return {
        "target": section.key,
        "title": section.title,
        "kind": section.kind,
        "responsible": section.responsible,
        "ref": section.ref,
        "segments": list(section.segments),
        "rationale": section.rationale,
        "why": why_data(section.why),
        "dropped": section.dropped,
        "objectives": [_objective(o) for o in section.objectives],
        "progress": _progress(section.progress),
        "tracks": [_track(block, labels) for block in section.tracks],
    }


def why_data(why: tuple[Reason, ...]) -> list[dict[str, Any]]:
    """Why a target is one: its decisions and their findings, as data."""
    return [
        {
            "decision": reason.decision,
            "statement": reason.statement,
            "findings": [{"key": key, "title": title} for key, title in reason.findings],
        }
        for reason in why
    ]


def _objective(objective: ObjectiveLine) -> dict[str, Any]:
    return {
        "key": objective.key,
        "statement": objective.statement,
        "baseline": str(objective.baseline) if objective.baseline is not None else None,
        "value": str(objective.value),
        "unit": objective.unit,
        "due": objective.due.isoformat(),
        "indicator": objective.indicator,
    }


def _track(block: TrackBlock, labels: Labels) -> dict[str, Any]:
    return {
        "key": block.key,
        "title": block.title,
        "target": block.target,
        "theme": block.theme,
        "theme_label": labels["theme." + block.theme],
        "steps": [_step(step) for step in block.steps],
    }


def _visit(visit: Visit) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": visit.key,
        "day": visit.day.isoformat(),
        "time": visit.at,
        "state": str(visit.state),
    }
    if visit.held_by is not None:  # who held it then, and with whom, as recorded
        data["held_by"] = visit.held_by
        data["held_with"] = list(visit.held_with)
    if visit.moved_from is not None:
        data["moved_from"] = visit.moved_from.isoformat()
    return data


def _step(step: StepLine) -> dict[str, Any]:
    return {
        "key": step.key,
        "title": step.title,
        "track": step.track,
        "target": step.target,
        "theme": step.theme,
        "responsible": step.responsible,
        "participants": list(step.participants),
        "means": step.means,
        "budget": str(step.budget) if step.budget is not None else None,
        "schedule": step.schedule,
        "start": step.start.isoformat() if step.start else None,
        "end": step.end.isoformat() if step.end else None,
        "milestone": step.milestone,
        "status": step.status,
        "state": str(step.state),
        "done_on": step.done_on.isoformat() if step.done_on else None,
        "visits": [_visit(v) for v in step.visits],
    }
