"""`pacflow plan create|list|show|approve|revise|publish|close`."""

from __future__ import annotations

from collections import Counter
from typing import Any

import click

from pacflow.cli.common import change_options, json_option, pass_app, plan_argument, run_named
from pacflow.cli.context import AppContext
from pacflow.cli.render import echo_json, table


@click.group()
def plan() -> None:
    """Create plans, move them through their lifecycle, show them.

    A plan goes draft → approved → published; changes to a published plan happen in a
    revision (`plan revise` opens it, `plan publish` closes it); `plan close` ends it.
    """


@plan.command()
@plan_argument
@click.option("--title", required=True, help="The plan's title.")
@click.option("--start", required=True, metavar="DATE", help="First day of the period.")
@click.option("--end", required=True, metavar="DATE", help="Last day of the period.")
@click.option(
    "--timezone", required=True, metavar="ZONE", help="IANA time zone, e.g. Europe/Paris."
)
@click.option("--owner", required=True, metavar="PERSON", help="Key of the plan's owner.")
@click.option("--scope", help="Company, sector or team the plan covers.")
@click.option(
    "--country",
    metavar="CODE",
    help="Public holidays observed: an ISO 3166 code (FR, DE, US) or none [the one country "
    "of the time zone, when there is one].",
)
@click.option("--subdivision", metavar="CODE", help="With --country: a region (57, BY, NY).")
@change_options
@pass_app
def create(app: AppContext, plan: str, **options: Any) -> None:
    """Create a draft plan.

    Cadence slots avoid the public holidays of the plan's country (and weekends); without
    --country it is taken from the time zone when only one country uses it, and said so.

    \b
    Examples:
      pacflow plan create PAC-2026 --title "PAC 2026" --start 2026-01-01 \\
          --end 2026-12-31 --timezone Europe/Paris --owner hg
      pacflow plan create PAC-2026-DE --title "PAC 2026 Bayern" --start 2026-01-01 \\
          --end 2026-12-31 --timezone Europe/Berlin --country DE --subdivision BY --owner hg
    """
    _run(app, "CreatePlan", plan, options)


@plan.command(name="list")
@json_option
@pass_app
def list_plans(app: AppContext, as_json: bool) -> None:
    """List the plans in the store with their status.

    \b
    Example:
      pacflow plan list --json
    """
    from pacflow.app.plans import plan_list

    rows = plan_list(app.app)
    if as_json:
        echo_json(rows)
    elif not rows:
        click.echo("no plans yet: try `pacflow demo` or `pacflow plan create --help`")
    else:
        click.echo(
            table(
                [
                    [r["key"], r["status"], r["revision"], f"{r['start']} → {r['end']}", r["title"]]
                    for r in rows
                ],
                ["plan", "status", "rev", "period", "title"],
            )
        )


@plan.command()
@plan_argument
@click.option(
    "--as-of",
    metavar="DATETIME",
    help="The plan exactly as recorded then, in the plan's time zone: a date means the "
    "end of that day; 2025-06-30T17:00 is local; add an offset or Z for another zone.",
)
@json_option
@pass_app
def show(app: AppContext, plan: str, as_of: str | None, as_json: bool) -> None:
    """Show a plan: team, targets and objectives, tracks and steps, indicators.

    \b
    Examples:
      pacflow plan show PAC-2025
      pacflow plan show PAC-2025 --json
      pacflow plan show PAC-2025 --as-of 2025-06-01
    """
    if as_of is not None:
        from pacflow.cli.history_commands import show_as_of

        show_as_of(app, plan, as_of, as_json=as_json)
        return
    from pacflow.app.plans import plan_now

    view = plan_now(app.app, plan)
    if as_json:
        echo_json(view)
    else:
        click.echo(render_plan(view))


def render_plan(view: dict[str, Any]) -> str:
    """The plan (as `pacflow.views.plan_view` or the read model give it) as text."""
    from pacflow.schedule_text import schedule_text

    lines = [
        f"{view['key']} — {view['title']}   [{view['status']}, revision {view['revision']}]",
        f"{view['period']['start']} → {view['period']['end']} · {view['timezone']} · "
        f"owner {view['owner']}" + (f" · {view['scope']}" if view["scope"] else ""),
        "",
        "Team: "
        + ", ".join(
            f"{p['key']} ({p['kind']}{', left ' + p['left_on'] if p['left_on'] else ''})"
            for p in view["people"]
        ),
    ]

    def track_lines(track: dict[str, Any]) -> None:
        approach = f", {track['approach']}" if track["approach"] else ""
        lines.append(f"  {track['key']}  {track['domain']}{approach} — {track['title']}")
        for step in track["steps"]:
            # What the facts say (held, overdue; done, late) when the view has them.
            counts = Counter(o.get("state", o["status"]) for o in step["occurrences"])
            occurrences = (
                " (" + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + ")"
                if counts
                else ""
            )
            schedule = schedule_text(step["schedule"])
            lines.append(
                f"    {step['key']:<5} {step.get('state', step['status']):<11} "
                f"{step['responsible']:<4} {step['title']} — {schedule}{occurrences}"
            )

    for target in view["targets"]:
        dropped = " [dropped]" if target["dropped"] else ""
        lines += [
            "",
            f"{target['key']}  {target['title']} ({target['kind']}, {target['responsible']})"
            + dropped,
        ]
        for objective in target["objectives"]:
            lines.append(
                f"  objective {objective['key']}: {objective['value']} {objective['unit']} by "
                f"{objective['due']} — {objective['statement']}"
            )
        for track in view["tracks"]:
            if track["target"] == target["key"]:
                track_lines(track)
    plan_tracks = [t for t in view["tracks"] if t["target"] is None]
    if plan_tracks:
        lines += ["", "Plan-level tracks"]
        for track in plan_tracks:
            track_lines(track)
    if view["indicators"]:
        lines += ["", "Indicators"]
        for indicator in view["indicators"]:
            lines.append(
                f"  {indicator['key']:<4} {indicator['name']} ({indicator['kind']}, "
                f"{indicator['unit']}, {indicator['aggregation']}, owner {indicator['owner']}, "
                f"{len(indicator['targets'])} period targets)"
            )
    return "\n".join(lines)


@plan.command()
@plan_argument
@change_options
@pass_app
def approve(app: AppContext, plan: str, **options: Any) -> None:
    """Approve a draft plan.

    \b
    Example:
      pacflow plan approve PAC-2026 --reason "validated by the executive committee"
    """
    _run(app, "ApprovePlan", plan, options)


@plan.command()
@plan_argument
@change_options
@pass_app
def revise(app: AppContext, plan: str, **options: Any) -> None:
    """Open a revision of an approved or published plan (a reason is required).

    \b
    Example:
      pacflow plan revise PAC-2025 --reason "BRC merger: freeze until September"
    """
    _run(app, "RevisePlan", plan, options)


@plan.command()
@plan_argument
@change_options
@pass_app
def publish(app: AppContext, plan: str, **options: Any) -> None:
    """Publish an approved plan, or close the open revision with its number.

    \b
    Example:
      pacflow plan publish PAC-2025 --reason "mid-year re-actualisation"
    """
    _run(app, "PublishPlan", plan, options)


@plan.command()
@plan_argument
@change_options
@pass_app
def close(app: AppContext, plan: str, **options: Any) -> None:
    """Close a plan: it refuses every change afterwards.

    \b
    Example:
      pacflow plan close PAC-2025 --reason "year over"
    """
    _run(app, "ClosePlan", plan, options)


@plan.command(name="set-limits")
@plan_argument
@click.option(
    "--per-rep",
    "max_targets_per_rep",
    metavar="N",
    help="Live targets one rep may carry [unchanged].",
)
@click.option("--total", "max_targets_total", metavar="N", help="Live targets in all [unchanged].")
@change_options
@pass_app
def set_limits(app: AppContext, plan: str, **options: Any) -> None:
    """Set when pacflow warns that the plan spreads the team too thin ("choisir, c'est renoncer").

    The warning never refuses a change; by default it comes with more than 2 live targets
    for one rep or more than 6 in all. Only the limits given change.

    \b
    Examples:
      pacflow plan set-limits PAC-2025 --per-rep 3 --total 8 --reason "larger team"
      pacflow plan set-limits PAC-2025 --total 10 --reason "two more reps"
    """
    if options["max_targets_per_rep"] is None and options["max_targets_total"] is None:
        raise click.UsageError("give --per-rep N, --total N, or both")
    _run(app, "SetTargetLimits", plan, options)


def _run(app: AppContext, command_name: str, plan: str, options: dict[str, Any]) -> None:
    run_named(app, command_name, {"plan": plan, **options})


@plan.command(name="set-check")
@plan_argument
@click.option(
    "--stale-after-days",
    metavar="N",
    help="Flag the plan when no revision or review happened for more than N days [90].",
)
@click.option(
    "--off-track-periods",
    metavar="K",
    help="Flag an indicator off track for K consecutive periods (an error from 2K) [2].",
)
@click.option(
    "--overdue-grace-days",
    metavar="N",
    help="Flag an open step only once more than N days have passed since its due date [0].",
)
@click.option(
    "--pace-periods",
    metavar="N",
    help="The recent pace an indicator's remaining gap is weighed against: the mean of "
    "its last N periods [3].",
)
@change_options
@pass_app
def set_check(app: AppContext, plan: str, **options: Any) -> None:
    """Set when `pacflow check` flags the plan; thresholds not given keep their value.

    Thresholds tune how the plan is watched, not what it says: no revision is needed, but
    a reason is once the plan is approved. `pacflow check` applies the thresholds as they
    were at its --as-of moment (`--pace-periods` weighs the gap-unclosable rule; the
    too-many-targets rule has its own `plan set-limits`).

    \b
    Examples:
      pacflow plan set-check PAC-2025 --stale-after-days 45 --reason "monthly reviews"
      pacflow plan set-check PAC-2025 --off-track-periods 3 --overdue-grace-days 7 \\
          --reason "invoices arrive late" --dry-run
    """
    from pacflow.domain.checks import THRESHOLD_NAMES

    if all(options[name] is None for name in THRESHOLD_NAMES):
        flags = ", ".join("--" + name.replace("_", "-") for name in THRESHOLD_NAMES)
        raise click.UsageError(f"give at least one threshold: {flags}")
    _run(app, "SetCheckThresholds", plan, options)


@plan.command()
@plan_argument
@click.option("--country", metavar="CODE", help="An ISO 3166 code (FR, DE, US), or none.")
@click.option("--subdivision", metavar="CODE", help="A region of the country (57, BY, NY).")
@click.option(
    "--person",
    metavar="PERSON",
    help="Set the holidays of this team member (a team spanning regions), not the plan's.",
)
@click.option(
    "--slots-on-holidays/--no-slots-on-holidays",
    default=None,
    help="Whether cadence slots may land on public holidays [no].",
)
@click.option(
    "--slots-on-weekends/--no-slots-on-weekends",
    default=None,
    help="Whether cadence slots may land on Saturdays and Sundays [no].",
)
@change_options
@pass_app
def holidays(app: AppContext, plan: str, **options: Any) -> None:
    """Set the public holidays the plan, or one person, observes.

    Planned cadence slots are laid out again around them (a change of content: the plan
    must be a draft or under revision). `pacflow check` flags the visits of fixed
    schedules that fall on a holiday (`visit-on-holiday`).

    \b
    Examples:
      pacflow plan holidays PAC-2025 --country FR --dry-run
      pacflow plan holidays PAC-2025 --person kb --country FR --subdivision 57 \\
          --reason "Moselle: Good Friday and St Stephen's Day are holidays too"
    """
    if all(options[name] is None for name in ("country", "subdivision", "slots_on_holidays",
                                               "slots_on_weekends")):  # fmt: skip
        raise click.UsageError(
            "give --country, --subdivision, --slots-on-holidays or --slots-on-weekends"
        )
    _run(app, "SetHolidays", plan, options)
