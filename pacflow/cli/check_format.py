"""How `check` prints: findings with their facts and the command that answers each, what
revisions answered, and the thresholds that applied (times in the plan's zone).

Apart from the dashboard's tables, so that `check` does not import the indicators' code.
"""

from __future__ import annotations

from datetime import tzinfo

from pacflow.describe import describe_thresholds
from projections.obsolescence import Report


def render_report(report: Report, zone: tzinfo) -> str:
    """The findings, one block each (severity and message, facts, the command that answers
    it), then what revisions answered, then the thresholds that applied."""
    when = report.as_of.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    count = len(report.findings)
    lines = [
        f"{report.plan}: no finding as of {when}"
        if not count
        else f"{report.plan}: {count} finding{'s' if count != 1 else ''} as of {when}"
    ]
    for finding in report.findings:
        lines += ["", f"{finding.severity.label}: [{finding.rule}] {finding.message}"]
        for fact in finding.facts:
            valid = f" (date {fact.valid})" if fact.valid else ""
            recorded = fact.recorded_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            lines.append(f"  fact #{fact.position} {recorded}{valid}: {fact.summary}")
        lines.append(f"  → {finding.command}")
    revision = None
    for answer in report.answered:
        if revision != answer.revision:
            if revision is None:
                lines += ["", "Answered by revisions:"]
            revision = answer.revision
            published = answer.published_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            lines.append(f"  revision {revision} (published {published} by {answer.published_by}):")
        finding = answer.finding
        lines.append(f"    {finding.severity.label}: [{finding.rule}] {finding.message}")
    lines += ["", render_thresholds(report)]
    return "\n".join(lines)


def render_thresholds(report: Report) -> str:
    """The thresholds that applied, and the commands that change them."""
    limits = f"more than {report.max_targets_per_rep} per rep or {report.max_targets_total} in all"
    return (
        f"thresholds: {describe_thresholds(report.thresholds)} (plan set-check); "
        f"too many targets: {limits} (plan set-limits)"
    )
