"""A plan file written by `export yaml`, applied to an empty store, rebuilds the plan it was
written from, or `export_losses` names each step it would not rebuild: never a silent drop."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pacflow.domain import PlanEvent, PlanState, decide, evolve, fold
from pacflow.domain import commands as c
from pacflow.domain.values import StepStatus
from pacflow.errors import PacflowError
from pacflow.planfile import dump_yaml, export_losses, export_plan, parse_plan_file, plan_commands

from .example import REVISING, command
from .test_properties import days, histories, moments


def _rebuilt(state: PlanState) -> PlanState | None:
    text = dump_yaml(export_plan(state))
    commands = plan_commands(
        None, parse_plan_file(text), actor="hg", reason="import", today=date(2025, 1, 1)
    )
    rebuilt: PlanState | None = None
    for asked in commands:
        for new in decide(rebuilt, asked):
            rebuilt = evolve(rebuilt, new)
    return rebuilt


@st.composite
def revised(draw: st.DrawFn) -> tuple[list[PlanEvent], PlanState]:
    """The example in revision, then reschedules from random dates, reassignments, visits
    moved or cancelled: the changes whose history a file may not hold."""
    state = fold(REVISING)
    assert state is not None
    series = [key for key, step in state.steps.items() if step.occurrences]
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        occurrences = list(state.occurrences)
        asked = draw(
            st.sampled_from(
                [
                    command(
                        c.RescheduleStepFrom,
                        reason="gel",
                        step=draw(st.sampled_from(series)),
                        from_date=draw(days),
                        rrule=draw(
                            st.sampled_from(
                                ["FREQ=MONTHLY;BYDAY=2TU", "FREQ=WEEKLY;BYDAY=TH;COUNT=5"]
                            )
                        ),
                    ),
                    command(
                        c.AssignStep,
                        reason="départ",
                        step=draw(st.sampled_from(list(state.steps))),
                        responsible=draw(st.sampled_from(list(state.people))),
                    ),
                    command(
                        c.CancelOccurrence,
                        reason="absent",
                        occurrence=draw(st.sampled_from(occurrences)),
                    ),
                    command(
                        c.MoveOccurrence,
                        reason="décalé",
                        occurrence=draw(st.sampled_from(occurrences)),
                        to=draw(moments),
                    ),
                ]
            )
        )
        try:
            for new in decide(state, asked):
                state = evolve(state, new)
            event(f"{type(asked).__name__} recorded")
        except PacflowError:
            pass
    return [], state


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories() | revised())
def test_an_exported_plan_rebuilds_every_step_it_does_not_warn_about(
    history: tuple[list[PlanEvent], PlanState],
) -> None:
    _recorded, live = history
    warned = {line.split(":", 1)[0].removeprefix("step ") for line in export_losses(live)}
    try:
        rebuilt = _rebuilt(live)
    except PacflowError:
        event("the file is refused when applied (loudly)")
        return
    assert rebuilt is not None
    for key, step in live.steps.items():
        track = live.tracks[step.track]
        dropped = track.target is not None and live.targets[track.target].dropped
        if step.status is StepStatus.CANCELLED or dropped:
            continue
        copy = rebuilt.steps[key]
        assert (copy.schedule, copy.responsible, copy.participants) == (
            step.schedule,
            step.responsible,
            step.participants,
        )
        if key in warned:
            event("a step warned about")
            continue
        mine = {k: live.occurrences[k].start for k in step.occurrences}
        theirs = {k: rebuilt.occurrences[k].start for k in copy.occurrences}
        assert theirs == mine, f"step {key} rebuilt with other occurrences, without a warning"
        event("a step rebuilt as it was")
