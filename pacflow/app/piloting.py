"""Read queries for piloting and handing out the plan: dashboard, check, indicator history,
the report model and calendar files.

Like `pacflow.app.plans`, each query resolves the moment asked in the plan's zone and
returns plain data that every front end formats its own way.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pacflow.app.moments import PlanOrigin
from pacflow.app.plans import origin, origin_in, state_at
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from pacflow.app.root import App
    from pacflow.domain.state import PlanState
    from pacflow.reports.model import Report
    from projections.dashboard import Dashboard
    from projections.indicators import IndicatorHistory
    from projections.obsolescence import Report as CheckReport


def _moment(found: PlanOrigin, as_of: str | None, option: str) -> datetime | None:
    return found.existing_at(as_of, option) if as_of is not None else None


@frozen_record
class DashboardAnswer(FrozenValue):
    """The commercial dashboard of one period, as known at a moment (None: now)."""

    origin: PlanOrigin
    moment: datetime | None
    board: Dashboard

    def as_json(self) -> dict[str, Any]:
        return self.board.as_json()


def dashboard(
    app: App, plan: str, *, period: str | None = None, as_of: str | None = None
) -> DashboardAnswer:
    """Every indicator's target, actual, gap and status for one period."""
    from projections.dashboard import dashboard_of
    from projections.indicator_queries import indicator_histories_at

    with app.read_model_rows() as rows:
        found = origin_in(app, rows, plan)
        moment = _moment(found, as_of, "--as-of")
        header, histories = indicator_histories_at(rows, plan, moment, now=app.now(), running=True)
    return DashboardAnswer(found, moment, dashboard_of(header, histories, moment, period))


@frozen_record
class IndicatorAnswer(FrozenValue):
    """One indicator per period, as known at a moment."""

    origin: PlanOrigin
    history: IndicatorHistory

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = self.history.as_json(self.origin.zone)
        return data


def indicator_history(
    app: App,
    plan: str,
    key: str,
    *,
    as_of: str | None = None,
    first: str | None = None,
    last: str | None = None,
) -> IndicatorAnswer:
    """Target, actual, gap, cumulative and attainment of one indicator per period."""
    from projections.indicator_queries import indicator_history_at

    with app.read_model_rows() as rows:
        found = origin_in(app, rows, plan)
        moment = _moment(found, as_of, "--as-of")
        history = indicator_history_at(
            rows, plan, key, moment, first, last, now=app.now(), running=True
        )
    return IndicatorAnswer(found, history)


@frozen_record
class CheckAnswer(FrozenValue):
    """What `check` found at a moment, and whether it reaches a severity."""

    plan: str
    origin: PlanOrigin
    moment: datetime
    report: CheckReport

    def fails_on(self, severity: str) -> bool:
        """Whether a finding is at least `severity` (info, warning, error)."""
        from projections.obsolescence import Severity

        threshold = Severity[severity.upper()]
        return any(finding.severity >= threshold for finding in self.report.findings)

    def as_json(self, fail_on: str = "error") -> dict[str, Any]:
        return {
            "plan": self.plan,
            "as_of": self.moment,
            "fail_on": fail_on,
            "failed": self.fails_on(fail_on),
            "thresholds": self.report.thresholds_json(),
            "findings": [finding.as_json() for finding in self.report.findings],
            "answered": [answer.as_json() for answer in self.report.answered],
        }


def check(app: App, plan: str, *, as_of: str | None = None) -> CheckAnswer:
    """The obsolescence findings at `as_of` (default: now)."""
    from projections.indicator_queries import indicator_histories_at
    from projections.obsolescence import records_for_rules, report
    from projections.snapshots import load_at_version

    found = origin(app, plan)
    moment = _moment(found, as_of, "--as-of") or app.now()
    service, store = app.service(), app.store()
    final = service.load(plan, until=moment)
    assert final is not None  # the plan existed at `moment` (`origin` checked)
    with app.read_model_rows() as rows:

        def histories_at(at: datetime) -> list[IndicatorHistory]:
            return indicator_histories_at(rows, plan, at, now=at)[1]

        def state_at(version: int) -> PlanState:
            state = load_at_version(store, rows, plan, version)
            assert state is not None  # a version of the plan's own stream
            return state

        # What costs is the plan's size, not its log's: states come from snapshots, the
        # events of one step are left out unread (but those setting its schedule, and what
        # open revisions change), indicator figures come from their read model, and no
        # record is held.
        records = records_for_rules(
            lambda types, version: service.history_without(plan, types, version)
        )
        answer = report(records, moment, histories_at, states=(state_at, final))
    return CheckAnswer(plan, found, moment, answer)


def plan_report(app: App, plan: str, kind: str, *, as_of: str | None = None) -> Report:
    """The plan presented by theme, rep, sector or target, late steps judged on the day
    asked (today, or the `as_of` day)."""
    from pacflow.reports import build_report, parse_kind

    report_kind = parse_kind(kind)
    then = state_at(app, plan, as_of)
    local = then.moment.astimezone(then.origin.zone)
    moment = local if as_of is not None else None
    return build_report(then.state, report_kind, today=local.date(), as_of=moment)


def calendar_file(
    app: App, plan: str, *, person: str | None = None, as_of: str | None = None
) -> bytes:
    """The plan's steps and visits (one person's, when given) as an iCalendar file, as
    recorded at `as_of` (default: now)."""
    from integrations.ics import export_ics

    until = _moment(origin(app, plan), as_of, "--as-of") if as_of is not None else None
    return export_ics(app.service(), plan, person=person, until=until)
