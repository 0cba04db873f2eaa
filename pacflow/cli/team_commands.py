"""`pacflow person|target|objective|track|indicator ...`: the plan's team and structure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import click

from pacflow.cli.common import change_options, pass_app, plan_argument, run_named
from pacflow.cli.context import AppContext
from pacflow.cli.language import renamed
from pacflow.errors import InvalidInputError


@click.group()
def person() -> None:
    """The plan's team: reps, managers, back office."""


@person.command(name="add")
@plan_argument
@click.argument("key")
@click.option("--name", required=True, help="Full name.")
@click.option("--kind", required=True, metavar="KIND", help="rep, manager or back_office.")
@click.option(
    "--email",
    help="E-mail address, kept with the plan (plan show --json, plan files); pacflow sends "
    "no mail and no invitation.",
)
@click.option("--role", help="Job title.")
@click.option("--sector", help="Sector or segment the person covers.")
@click.option("--timezone", metavar="ZONE", help="Own IANA time zone, if not the plan's.")
@change_options
@pass_app
def person_add(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Add a team member.

    \b
    Example:
      pacflow person add PAC-2025 cd --name "Claire Dubois" --kind rep --sector SEG-BA
    """
    run_named(app, "AddPerson", {"plan": plan, "key": key, **options})


@person.command(name="leave")
@plan_argument
@click.argument("key")
@click.option("--on", "on", metavar="DATE", help="Last day in the team [default: today].")
@click.option(
    "--reassign-to",
    metavar="PERSON",
    help="Hand their open steps (responsible or participant) to this person (in a revision).",
)
@change_options
@pass_app
def person_leave(app: AppContext, plan: str, key: str, on: str | None, **options: Any) -> None:
    """Record that a team member left; --reassign-to hands their open steps over.

    Without --reassign-to their open steps still need reassigning (`step assign`).

    \b
    Examples:
      pacflow person leave PAC-2025 kb --on 2025-09-30 --reason "left the company"
      pacflow person leave PAC-2025 kb --on 2025-09-30 --reassign-to cd --reason "left"
    """
    from pacflow.cli.common import today

    day = on if on is not None else today(app, plan).isoformat()
    run_named(app, "PersonLeaves", {"plan": plan, "person": key, "on": day, **options})


@click.group()
def target() -> None:
    """Targets (cibles): the customers, segments and offers the plan chooses to win."""


@target.command(name="add")
@plan_argument
@click.argument("key")
@click.option(
    "--kind", required=True, metavar="KIND", help="customer, segment, offer or offer_segment."
)
@click.option("--title", required=True, help="What the target is.")
@click.option("--responsible", required=True, metavar="PERSON", help="Who answers for it.")
@click.option("--ref", help="The account, segment or offer it refers to (e.g. ACC-BRC).")
@click.option("--segment", "segments", multiple=True, help="For offer_segment: a segment.")
@click.option("--rationale", help="Why this target, in words (see also --decision).")
@click.option(
    "--decision",
    "decisions",
    multiple=True,
    metavar="DECISION",
    help="A decision of the diagnostic it implements (`diagnostic decide`); repeat.",
)
@change_options
@pass_app
def target_add(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Choose a target.

    \b
    Example:
      pacflow target add PAC-2025 T5 --kind customer --title "Assur'Est" \\
          --responsible kb --ref ACC-AEST --decision D1 --rationale "A' potential"
    """
    options["segments"] = list(options["segments"]) or None
    options["decisions"] = list(options["decisions"]) or None
    run_named(app, "AddTarget", {"plan": plan, "key": key, **options})


@target.command(name="remove")
@plan_argument
@click.argument("key")
@change_options
@pass_app
def target_remove(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Take a target added by mistake out of a draft plan, with its objectives, tracks and
    steps; the keys are free again.

    The log keeps them and their removal. Refused when an indicator serves it or a step
    elsewhere waits for one of its steps (change that first), and once the plan is approved
    (drop it instead).

    \b
    Examples:
      pacflow target remove PAC-2026 T9 --dry-run
      pacflow target remove PAC-2026 T9 --reason "typo: T1 was meant"
    """
    run_named(app, "RemoveTarget", {"plan": plan, "target": key, **options})


@target.command(name="drop")
@plan_argument
@click.argument("key")
@click.option(
    "--on", "on", metavar="DATE", help="When its open steps are cancelled [default: today]."
)
@change_options
@pass_app
def target_drop(app: AppContext, plan: str, key: str, on: str | None, **options: Any) -> None:
    """Renounce a target ("choisir, c'est renoncer"); its open steps are cancelled.

    Every step of its tracks that is neither done nor cancelled is cancelled with the same
    reason, in the same change; the output lists them (--dry-run first to see them).

    \b
    Examples:
      pacflow target drop PAC-2025 T4 --dry-run --reason "industry budget frozen"
      pacflow target drop PAC-2025 T4 --on 2025-07-01 --reason "industry budget frozen"
    """
    from pacflow.cli.common import today

    day = on if on is not None else today(app, plan).isoformat()
    run_named(app, "DropTarget", {"plan": plan, "target": key, "on": day, **options})


@click.group()
def objective() -> None:
    """Objectives: the measurable result each target must reach."""


@objective.command(name="set")
@plan_argument
@click.argument("target")
@click.option("--objective", "key", default="main", show_default=True, help="main or a key.")
@click.option("--statement", required=True, help="The objective in one sentence.")
@click.option("--value", required=True, metavar="NUMBER", help="Target value.")
@click.option("--unit", required=True, help="Unit of the value, e.g. kEUR.")
@click.option("--due", required=True, metavar="DATE", help="When it must be reached.")
@click.option("--indicator", metavar="KEY", help="The indicator that measures it.")
@click.option("--baseline", metavar="NUMBER", help="Where we start from.")
@change_options
@pass_app
def objective_set(app: AppContext, plan: str, target: str, key: str, **options: Any) -> None:
    """Set or replace an objective of a target.

    \b
    Example:
      pacflow objective set PAC-2025 T1 --statement "BRC orders to 400 kEUR" \\
          --value 400 --unit kEUR --due 2025-12-31 --indicator I1 --reason "merger"
    """
    run_named(app, "SetObjective", {"plan": plan, "target": target, "objective": key, **options})


@click.group()
def track() -> None:
    """Action tracks (pistes d'action): information, internal, sales or steering."""


@track.command(name="add")
@plan_argument
@click.argument("key")
@click.option("--target", metavar="TARGET", help="The target it serves (none: a plan track).")
@click.option(
    "--domain",
    required=True,
    metavar="DOMAIN",
    help="information, internal, sales or steering (or the method's French words: "
    '"collecte d\'information", "développement interne", vente, pilotage).',
)
@click.option(
    "--approach",
    metavar="APPROACH",
    help="Sales: notoriety, hunting or farming (notoriété, chasse, élevage).",
)
@click.option("--title", required=True, help="What the track is about.")
@change_options
@pass_app
def track_add(app: AppContext, plan: str, key: str, **options: Any) -> None:
    """Add an action track.

    \b
    Example:
      pacflow track add PAC-2025 T1-ELEV --target T1 --domain sales --approach farming \\
          --title "Grow BRC into a partner customer"
    """
    run_named(app, "AddTrack", {"plan": plan, "key": key, **options})


@click.group()
def indicator() -> None:
    """Follow-up indicators: their period targets, actual values and history."""


@indicator.command(name="define")
@plan_argument
@click.argument("key")
@click.option("--name", required=True, help="What it measures.")
@click.option("--kind", required=True, metavar="KIND", help="activity or result.")
@click.option("--unit", required=True, help="count, kEUR, percent...")
@click.option("--owner", required=True, metavar="PERSON", help="Who reports it.")
@click.option(
    "--aggregation",
    metavar="HOW",
    help="per_period, cumulative_ytd, rate_per_period or rate_rolling_3m [per_period].",
)
@click.option("--direction", metavar="up|down", help="Whether higher is better [up].")
@click.option("--per", metavar="PERIOD", help="week, month or quarter [month].")
@click.option("--serves", multiple=True, metavar="TARGET", help="A target it follows; repeat.")
@click.option(
    "--derive",
    metavar="WHAT",
    help="Count its values from events instead of typing them in: visits-done, "
    "sessions-held or steps-on-time (with --step, --track or --target).",
)
@click.option(
    "--step", "derive_steps", multiple=True, metavar="STEP", help="With --derive: a step; repeat."
)
@click.option("--track", "derive_track", metavar="TRACK", help="With --derive: a whole track.")
@click.option(
    "--target", "derive_target", metavar="TARGET", help="With --derive: every track of a target."
)
@change_options
@pass_app
def indicator_define(
    app: AppContext,
    plan: str,
    key: str,
    derive: str | None,
    derive_steps: tuple[str, ...],
    derive_track: str | None,
    derive_target: str | None,
    **options: Any,
) -> None:
    """Define (or redefine) an indicator.

    A derived indicator counts, per period, the visits held, sessions held or steps done by
    their due date of its steps, track or target, as those are recorded; its values cannot
    be typed in. With --track or --target, visits are those of visit series (recurrence,
    cadence), sessions those of session lists, steps those with a due date.

    \b
    Examples:
      pacflow indicator define PAC-2025 I1 --name "Orders B&I" --kind result \\
          --unit kEUR --owner hg --aggregation cumulative_ytd --serves T1
      pacflow indicator define PAC-2025 I2 --name "Visits to BRC" --kind activity \\
          --unit count --owner cd --serves T1 --derive visits-done --step S08
      pacflow indicator define PAC-2025 I9 --name "Steps on time" --kind activity \\
          --unit count --owner hg --derive steps-on-time --target T2
    """
    options["serves"] = list(options["serves"]) or None
    scopes = [
        option
        for option, given in (
            ("--step", derive_steps),
            ("--track", derive_track),
            ("--target", derive_target),
        )
        if given
    ]
    if derive is None and scopes:
        raise InvalidInputError(
            f"{scopes[0]} goes with --derive (e.g. --derive visits-done --step S08)"
        )
    if derive is not None:
        if not scopes:
            raise InvalidInputError(
                f"--derive {derive}: say where to count with --step STEP (repeat), "
                "--track TRACK or --target TARGET"
            )
        if len(scopes) > 1:
            raise InvalidInputError(f"--derive: give one of {' or '.join(scopes)}, not both")
        options["derived"] = {
            "kind": derive.strip().replace("-", "_"),
            "steps": list(derive_steps),
            "track": derive_track,
            "target": derive_target,
        }
    run_named(app, "DefineIndicator", {"plan": plan, "key": key, **options})


@indicator.command(name="set-targets")
@plan_argument
@click.argument("key")
@click.option(
    "--period-target",
    "targets",
    multiple=True,
    metavar="PERIOD=VALUE",
    help="One period's target, e.g. 2025-03=170; repeat.",
)
@renamed("--target", "--period-target", "targets", multiple=True, metavar="PERIOD=VALUE")
@click.option(
    "--from", "first", metavar="PERIOD", help="With --values or --value: the first period."
)
@click.option("--values", metavar="V1,V2,...", help="Targets of consecutive periods.")
@click.option("--value", metavar="V", help="With --from: one target for every period to the end.")
@change_options
@pass_app
def indicator_set_targets(
    app: AppContext,
    plan: str,
    key: str,
    targets: tuple[str, ...],
    first: str | None,
    values: str | None,
    value: str | None,
    **options: Any,
) -> None:
    """Set an indicator's targets for some periods (other periods keep theirs).

    `--from PERIOD --value V` revises the targets from a period on: every period from
    PERIOD to the plan's end gets V, earlier periods keep theirs (and `indicator history
    --as-of` still shows the targets as they were before).

    \b
    Examples:
      pacflow indicator set-targets PAC-2025 I2 --from 2025-07 --values 1,1,1,2,2,2
      pacflow indicator set-targets PAC-2025 I1 --period-target 2025-12=850 --reason "merger"
      pacflow indicator set-targets PAC-2025 I2 --from 2025-07 --value 1 --reason "merger"
    """
    if value is not None:
        if first is None:
            raise InvalidInputError("--value needs --from PERIOD (e.g. --from 2025-07)")
        if values is not None or targets:
            raise InvalidInputError(
                "--value goes alone with --from; not with --values or --period-target"
            )
        fields = {"plan": plan, "indicator": key, "first": first, "value": value, **options}
        run_named(app, "SetIndicatorTargetsFrom", fields)
        return
    parsed: dict[str, str] = {}
    for item in targets:
        period, _, value = item.partition("=")
        if not value:
            raise InvalidInputError(
                f"--period-target {item!r}: expected PERIOD=VALUE, e.g. 2025-03=170"
            )
        parsed[period.strip()] = value.strip()
    if values is not None:
        if first is None:
            raise InvalidInputError("--values needs --from PERIOD (e.g. --from 2025-07)")
        parsed.update(_consecutive(first, [v.strip() for v in values.split(",")]))
    if not parsed:
        raise click.UsageError(
            "give --period-target PERIOD=VALUE or --from PERIOD --values V1,V2,..."
        )
    run_named(
        app, "SetIndicatorTargets", {"plan": plan, "indicator": key, "targets": parsed, **options}
    )


def _consecutive(first: str, values: list[str]) -> dict[str, str]:
    """Consecutive periods from `first`, one per value, of `first`'s kind: months
    (`2026-01`), quarters (`2026-Q1`) or ISO weeks (`2026-W02`). Whether that kind is the
    indicator's own is the plan's to say."""
    from pacflow.domain.values import Per, period_bounds, period_key

    per = Per.QUARTER if "-Q" in first else Per.WEEK if "-W" in first else Per.MONTH
    try:
        start = period_bounds(first.strip(), per)[0]
    except InvalidInputError:
        raise InvalidInputError(
            f"--from {first!r}: expected a month (2026-01), a quarter (2026-Q1) or a week "
            "(2026-W02)"
        ) from None
    periods: dict[str, str] = {}
    for value in values:
        periods[period_key(start, per)] = value
        start = period_bounds(period_key(start, per), per)[1] + timedelta(days=1)
    return periods
