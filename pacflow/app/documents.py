"""Documents handed to people: the plan for one audience (sales team, back office,
engineers and technicians, marketing, appointments), from the report model.

Like `pacflow.app.piloting.plan_report`, the plan is read now or as recorded at `as_of`,
and late steps and overdue visits are judged on that day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pacflow.app.plans import state_at

if TYPE_CHECKING:
    from pacflow.app.root import App
    from pacflow.reports.model import Report


def plan_for(app: App, plan: str, audience: str, *, as_of: str | None = None) -> Report:
    """The plan as `audience` needs it (`pacflow.reports.audiences`)."""
    from pacflow.reports.audiences import audience_report, parse_audience

    chosen = parse_audience(audience)
    then = state_at(app, plan, as_of)
    local = then.moment.astimezone(then.origin.zone)
    moment = local if as_of is not None else None
    return audience_report(then.state, chosen, today=local.date(), as_of=moment)
