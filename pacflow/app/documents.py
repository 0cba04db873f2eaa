"""Documents handed to people: the plan for one audience (sales team, back office,
engineers and technicians, marketing, appointments), from the report model; and the
year-end review, the results the next plan's diagnostic starts from.

Like `pacflow.app.piloting.plan_report`, the plan is read now or as recorded at `as_of`,
and late steps and overdue visits are judged on that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pacflow.app.plans import state_at

if TYPE_CHECKING:
    from pacflow.app.root import App
    from pacflow.domain.events import PlanEvent
    from pacflow.domain.state import PlanState
    from pacflow.reports.model import Report
    from pacflow.reports.review import Review


def plan_for(app: App, plan: str, audience: str, *, as_of: str | None = None) -> Report:
    """The plan as `audience` needs it (`pacflow.reports.audiences`)."""
    from pacflow.reports.audiences import audience_report, parse_audience

    chosen = parse_audience(audience)
    then = state_at(app, plan, as_of)
    local = then.moment.astimezone(then.origin.zone)
    moment = local if as_of is not None else None
    return audience_report(then.state, chosen, today=local.date(), as_of=moment)


def year_review(app: App, plan: str, *, as_of: str | None = None) -> Review:
    """The plan's year (or its year so far): targets first version vs final, achieved,
    steps, visits, decisions, and every revision with its reason."""
    from pacflow.reports.review import build_review
    from projections.history import revisions
    from projections.indicator_queries import indicator_histories_at

    then = state_at(app, plan, as_of)
    moment = then.moment
    records = [pair for pair in app.service().history(plan) if pair[0].recorded_at <= moment]
    first = first_published(event for _recorded, event in records)
    _header, histories = indicator_histories_at(
        app.database(), plan, moment if as_of is not None else None, now=app.now()
    )
    today = moment.astimezone(then.origin.zone).date()
    return build_review(first, then.state, histories, revisions(records), today=today)


def first_published(events: Iterable[PlanEvent]) -> PlanState | None:
    """The plan as first published (the version its year started with), from its events;
    None when it never was (its final version is then the only one)."""
    from pacflow.domain import events as ev
    from pacflow.domain.folding import evolve

    first: PlanState | None = None
    for event in events:
        first = evolve(first, event)
        if isinstance(event, ev.PlanPublished):
            return first
    return None
