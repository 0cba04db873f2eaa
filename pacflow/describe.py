"""Plan events in words a manager reads: `S15 responsible jm → pg`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pacflow.domain import PlanEvent
from pacflow.domain import events as ev
from pacflow.domain.plain import to_plain, without_none
from pacflow.domain.schedule import Schedule
from pacflow.schedule_text import schedule_text


def schedule_summary(schedule: Schedule) -> str:
    """A schedule in a few words: `due 2025-03-31`, `4 sessions`, `2 per month`."""
    return schedule_text(without_none(to_plain(schedule)))


def _moment(value: Any) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    # The second of two repeated local times keeps its `~2` (docs/time.md).
    return text.replace("T", " ")[:16] + ("~2" if getattr(value, "fold", 0) else "")


def _people(keys: tuple[str, ...]) -> str:
    return ", ".join(keys) if keys else "nobody"


_DESCRIBERS: dict[type[PlanEvent], Callable[[Any], str]] = {
    ev.PlanCreated: lambda e: (
        f"plan {e.key} created: {e.title} ({e.start} → {e.end}, {e.timezone})"
    ),
    ev.PlanApproved: lambda e: "plan approved",
    ev.PlanPublished: lambda e: f"plan published (revision {e.revision})",
    ev.RevisionOpened: lambda e: f"revision {e.revision} opened: {e.reason}",
    ev.PlanClosed: lambda e: "plan closed",
    ev.PlanDropped: lambda e: f"plan dropped (a draft; its key is free again): {e.reason}",
    ev.TargetLimitsSet: lambda e: (
        f"target limits: {e.max_targets_per_rep} per rep, {e.max_targets_total} in all"
    ),
    ev.PersonAdded: lambda e: f"{e.key} joins the team: {e.name} ({e.kind})",
    ev.PersonLeft: lambda e: f"{e.person} left the team on {e.on}",
    ev.TargetAdded: lambda e: (
        f"target {e.key} added: {e.title} ({e.kind}), responsible {e.responsible}"
    ),
    ev.TargetDropped: lambda e: f"target {e.target} dropped",
    ev.TargetRemoved: lambda e: (
        f"target {e.target} removed from the draft"
        + (f" with tracks {', '.join(e.tracks)}" if e.tracks else "")
    ),
    ev.ObjectiveSet: lambda e: (
        f"{e.target} objective {e.objective}: {e.value} {e.unit} by {e.due} — {e.statement}"
    ),
    ev.TrackAdded: lambda e: (
        f"track {e.key} added to {e.target or 'the plan'}: {e.title} ({e.domain}"
        + (f", {e.approach}" if e.approach else "")
        + ")"
    ),
    ev.StepAdded: lambda e: (
        f"step {e.key} added to {e.track}: {e.title}, responsible {e.responsible}, "
        f"{schedule_summary(e.schedule)}"
    ),
    ev.StepEdited: lambda e: f"step {e.step} edited: {e.title}",
    ev.StepRemoved: lambda e: f"step {e.step} removed from the draft",
    ev.StepMoved: lambda e: f"step {e.step} rescheduled: {schedule_summary(e.schedule)}",
    ev.StepAssigned: lambda e: (
        f"step {e.step} assigned to {e.responsible} (participants {_people(e.participants)})"
    ),
    ev.StepStarted: lambda e: f"step {e.step} started on {e.on}",
    ev.StepCompleted: lambda e: f"step {e.step} done on {e.on}",
    ev.StepReopened: lambda e: f"step {e.step} reopened (was done on {e.previous}): {e.reason}",
    ev.StepDoneDateCorrected: lambda e: (
        f"step {e.step} done date corrected {e.previous} → {e.on}: {e.reason}"
    ),
    ev.StepBlocked: lambda e: f"step {e.step} blocked on {e.on}: {e.reason}",
    ev.StepCancelled: lambda e: f"step {e.step} cancelled on {e.on}: {e.reason}",
    ev.OccurrencesScheduled: lambda e: (
        f"{e.step}: {len(e.occurrences)} occurrence(s) scheduled"
        + (f", first {e.occurrences[0].key}" if e.occurrences else "")
    ),
    ev.OccurrencesUnscheduled: lambda e: (
        f"{e.step}: {len(e.occurrences)} occurrence(s) removed ({', '.join(e.occurrences[:3])}"
        + ("…" if len(e.occurrences) > 3 else "")
        + ")"
    ),
    ev.OccurrenceCompleted: lambda e: f"{e.occurrence} held on {e.on}",
    ev.OccurrenceReopened: lambda e: (
        f"{e.occurrence} no longer held (was held on {e.previous}): {e.reason}"
    ),
    ev.OccurrenceDoneDateCorrected: lambda e: (
        f"{e.occurrence} held date corrected {e.previous} → {e.on}: {e.reason}"
    ),
    ev.OccurrenceCancelled: lambda e: f"{e.occurrence} cancelled: {e.reason}",
    ev.OccurrenceMoved: lambda e: f"{e.occurrence} moved to {_moment(e.start)}",
    ev.CalendarChangeOverridden: lambda e: (
        f"{e.occurrence or e.step}: calendar change not applied ({e.change}): {e.rule}"
    ),
    ev.IndicatorDefined: lambda e: (
        f"indicator {e.key} defined: {e.name} ({e.kind}, {e.unit})"
        + (f", derived from {e.derived.describe()}" if e.derived else "")
    ),
    ev.IndicatorTargetsSet: lambda e: (
        f"indicator {e.indicator} targets set for {len(e.targets)} period(s)"
        + (f" from {min(e.targets)} to {max(e.targets)}" if e.targets else "")
    ),
    ev.IndicatorValueRecorded: lambda e: (
        f"{e.indicator} {e.period}: {e.value} recorded" + (f" ({e.note})" if e.note else "")
    ),
    ev.IndicatorValueCorrected: lambda e: (
        f"{e.indicator} {e.period} corrected {e.previous} → {e.value}: {e.reason}"
    ),
    ev.MarketChangeRecorded: lambda e: (
        f"market change ({e.impact} impact, effective {e.effective}) on "
        f"{', '.join(e.affects)}: {e.summary}"
    ),
    ev.CheckThresholdsSet: lambda e: "check thresholds: " + describe_thresholds(e),
    ev.AccessGranted: lambda e: f"{e.person} given {e.scope} access (grant {e.grant})",
    ev.AccessRevoked: lambda e: f"{e.person}'s access revoked (grant {e.grant})",
    ev.FindingRecorded: lambda e: (
        f"finding {e.key} ({e.figures.tool.value}"
        + (f", {e.period}" if e.period else "")
        + f"): {e.title}"
    ),
    ev.DecisionRecorded: lambda e: (
        f"decision {e.key}: {e.statement} (from {', '.join(e.findings)})"
    ),
    ev.TargetJustified: lambda e: f"target {e.target} implements {', '.join(e.decisions)}",
    ev.HolidaysSet: lambda e: describe_holidays(e),
}


def describe_holidays(event: ev.HolidaysSet) -> str:
    """`public holidays: FR (from the plan's time zone)`, `public holidays of kb: DE-BY`."""
    whose = f" of {event.person}" if event.person else ""
    where = event.country or "none"
    if event.subdivision:
        where += f"-{event.subdivision}"
    if event.from_zone:
        where += " (from the plan's time zone; pacflow plan holidays to change it)"
    allowed = [
        name
        for name, on in (
            ("holidays", event.slots_on_holidays),
            ("weekends", event.slots_on_weekends),
        )
        if on
    ]
    if allowed:
        where += f"; cadence slots allowed on {' and '.join(allowed)}"
    return f"public holidays{whose}: {where}"


def describe_thresholds(thresholds: Any) -> str:
    """The check thresholds `thresholds` carries (an event or `CheckThresholds`), in words."""
    words = (
        ("stale_after_days", "no review for more than {} days"),
        ("off_track_periods", "off track for {} periods"),
        ("overdue_grace_days", "overdue {} days after the due date"),
        ("pace_periods", "pace over the last {} periods"),
    )
    return ", ".join(
        text.format(getattr(thresholds, name))
        for name, text in words
        if getattr(thresholds, name) is not None
    )


def describe(event: PlanEvent) -> str:
    """One line saying what the event changed."""
    describer = _DESCRIBERS.get(type(event))
    return describer(event) if describer else type(event).__name__
