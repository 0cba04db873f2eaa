"""Plan files applied through the application service: diff, idempotence, round trip."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import EventStore
from pacflow.errors import InvalidInputError
from pacflow.planfile import PlanFile, dump_yaml, export_plan, parse_plan_file, plan_commands
from pacflow.service import PlanService

TODAY = date(2025, 1, 6)


def base_file() -> dict[str, Any]:
    return {
        "plan": {
            "key": "PAC-2025",
            "title": "PAC 2025",
            "start": "2025-01-01",
            "end": "2025-12-31",
            "timezone": "Europe/Paris",
            "owner": "hg",
        },
        "people": [
            {"key": "hg", "name": "Hélène Garnier", "kind": "manager"},
            {"key": "cd", "name": "Claire Dubois", "kind": "rep"},
            {"key": "jm", "name": "Julien Moreau", "kind": "back_office"},
        ],
        "targets": [
            {
                "key": "T1",
                "kind": "customer",
                "title": "Banque Régionale du Centre",
                "responsible": "cd",
                "objectives": [
                    {
                        "statement": "BRC orders to 600 kEUR",
                        "value": 600,
                        "unit": "kEUR",
                        "due": "2025-12-31",
                        "indicator": "I2",
                    }
                ],
                "tracks": [
                    {
                        "key": "T1-INFO",
                        "domain": "collecte d'information",
                        "title": "Know BRC",
                        "steps": [
                            {
                                "key": "S01",
                                "title": "Map the IT org",
                                "responsible": "cd",
                                "due": "2025-01-31",
                            },
                            {
                                "key": "S02",
                                "title": "Discovery meeting",
                                "responsible": "cd",
                                "participants": ["hg"],
                                "due": "2025-02-14",
                            },
                        ],
                    },
                    {
                        "key": "T1-ELEV",
                        "domain": "vente",
                        "approach": "élevage",
                        "title": "Grow BRC",
                        "steps": [
                            {
                                "key": "S08",
                                "title": "Visit BRC",
                                "responsible": "cd",
                                "recurrence": {
                                    "rules": [
                                        {
                                            "dtstart": "2025-01-14T10:00:00",
                                            "rrule": "FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT=24",
                                        }
                                    ],
                                    "duration": "PT1H30M",
                                },
                            }
                        ],
                    },
                ],
            }
        ],
        "indicators": [
            {
                "key": "I2",
                "name": "Visits to BRC",
                "kind": "activity",
                "unit": "count",
                "owner": "cd",
                "serves": ["T1"],
                "targets": {"2025-01": 2, "2025-02": 2},
            }
        ],
    }


def apply(service: PlanService, data: dict[str, Any], reason: str | None = None) -> int:
    """Apply a plan file; return how many events it recorded."""
    plan_file = PlanFile.model_validate(data)
    state = service.load(plan_file.plan.key)
    commands = plan_commands(state, plan_file, actor="hg", reason=reason, today=TODAY)
    if not commands:
        return 0
    return len(service.execute_all(plan_file.plan.key, commands, source="plan-file").recorded)


@pytest.fixture
def service() -> PlanService:
    return PlanService(EventStore.from_url("memory://"))


def test_french_method_words_are_stored_in_english(service: PlanService) -> None:
    apply(service, base_file())
    state = service.require("PAC-2025")
    assert (state.tracks["T1-INFO"].domain, state.tracks["T1-ELEV"].approach) == (
        "information",
        "farming",
    )


def test_applying_the_same_file_twice_records_nothing_the_second_time(
    service: PlanService,
) -> None:
    assert apply(service, base_file()) > 10
    assert apply(service, base_file()) == 0


def test_export_round_trips(service: PlanService) -> None:
    apply(service, base_file())
    exported = export_plan(service.require("PAC-2025"))
    assert apply(service, exported) == 0
    assert exported["targets"][0]["tracks"][0]["steps"][1]["participants"] == ["hg"]
    assert "left_on" not in exported["people"][0]


def test_changes_become_the_matching_commands(service: PlanService) -> None:
    apply(service, base_file())
    changed = base_file()
    steps = changed["targets"][0]["tracks"][0]["steps"]
    steps[1]["due"] = "2025-02-21"
    steps[1]["responsible"] = "hg"
    steps[1]["participants"] = ["cd"]
    steps[0]["means"] = "Sales Navigator"
    changed["targets"][0]["objectives"][0]["value"] = 400
    changed["indicators"][0]["targets"]["2025-02"] = 1
    plan_file = PlanFile.model_validate(changed)
    commands = plan_commands(
        service.require("PAC-2025"), plan_file, actor="hg", reason=None, today=TODAY
    )
    assert sorted(type(c).__name__ for c in commands) == [
        "AssignStep",
        "EditStep",
        "MoveStep",
        "SetIndicatorTargets",
        "SetObjective",
    ]


def test_a_published_plan_needs_a_revision_and_nothing_is_recorded_without(
    service: PlanService,
) -> None:
    from pacflow.domain import commands as c

    apply(service, base_file())
    for command in (c.ApprovePlan, c.PublishPlan):
        service.execute(command(plan="PAC-2025", actor="hg"))
    before = service.store.head_position()
    changed = base_file()
    changed["targets"][0]["tracks"][0]["steps"][0]["title"] = "Map the whole IT org"
    with pytest.raises(Exception, match="open a revision"):
        apply(service, changed, reason="clarify")
    assert service.store.head_position() == before
    service.execute(c.RevisePlan(plan="PAC-2025", actor="hg", reason="mid-year"))
    assert apply(service, changed, reason="clarify") == 1


def test_unsupported_changes_are_refused_by_name(service: PlanService) -> None:
    apply(service, base_file())
    renamed = base_file()
    renamed["plan"]["title"] = "Another title"
    with pytest.raises(InvalidInputError, match="plan.title"):
        apply(service, renamed)
    no_indicator = base_file()
    no_indicator["indicators"] = []
    no_indicator["targets"][0]["objectives"][0].pop("indicator")
    with pytest.raises(InvalidInputError, match="indicator I2 is in the plan but not in the file"):
        apply(service, no_indicator)


def test_missing_targets_are_dropped_and_missing_steps_cancelled(service: PlanService) -> None:
    data = base_file()
    data["targets"].append(
        {"key": "T2", "kind": "segment", "title": "Banking", "responsible": "cd"}
    )
    apply(service, data)
    apply(service, base_file() | {"targets": [_without_step(base_file()["targets"][0], "S02")]})
    state = service.require("PAC-2025")
    assert state.targets["T2"].dropped
    assert state.steps["S02"].status == "cancelled"
    assert state.steps["S02"].cancelled_on == TODAY


def _without_step(target: dict[str, Any], key: str) -> dict[str, Any]:
    for track in target["tracks"]:
        track["steps"] = [s for s in track["steps"] if s["key"] != key]
    return target


def test_yaml_errors_name_the_line() -> None:
    with pytest.raises(InvalidInputError, match=r"^plan.yaml:3: YAML syntax error"):
        parse_plan_file("plan:\n  key: [P\n  title: x\n", "plan.yaml")
    text = (
        "plan:\n  key: PAC-2025\n  title: T\n  start: 2025-01-01\n  end: 2025-12-31\n"
        "  timezone: Mars/Olympus\n  owner: hg\n"
    )
    with pytest.raises(InvalidInputError, match=r"^plan.yaml:6: plan.timezone"):
        parse_plan_file(text, "plan.yaml")


def test_a_step_needs_exactly_one_schedule() -> None:
    data = base_file()
    data["targets"][0]["tracks"][0]["steps"][0]["sessions"] = [{"start": "2025-01-10"}]
    with pytest.raises(ValueError, match="exactly one of due, sessions"):
        PlanFile.model_validate(data)


# -- A, then B, then A again -------------------------------------------------------------

_edits = st.fixed_dictionaries(
    {
        "due": st.dates(date(2025, 2, 1), date(2025, 12, 31)),
        "title": st.sampled_from(["Discovery meeting", "Meet the deputy CIO", "Meet the CIO"]),
        "responsible": st.sampled_from(["cd", "hg", "jm"]),
        "objective": st.integers(0, 2000),
        "target_feb": st.integers(0, 9),
        "extra_step": st.booleans(),
        "rrule_count": st.integers(1, 24),
    }
)


def _variant(edits: dict[str, Any], extra: bool) -> dict[str, Any]:
    data = base_file()
    target = data["targets"][0]
    step = target["tracks"][0]["steps"][1]
    step.update(due=edits["due"].isoformat(), title=edits["title"])
    step["responsible"] = edits["responsible"]
    target["objectives"][0]["value"] = edits["objective"]
    data["indicators"][0]["targets"]["2025-02"] = edits["target_feb"]
    rule = target["tracks"][1]["steps"][0]["recurrence"]["rules"][0]
    rule["rrule"] = f"FREQ=MONTHLY;BYDAY=2TU,4TU;COUNT={edits['rrule_count']}"
    if extra:
        target["tracks"][0]["steps"].append(
            {"key": "S03", "title": "List projects", "responsible": "cd", "due": "2025-03-14"}
        )
    return data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=_edits, b=_edits)
def test_a_then_b_then_a_gives_the_state_of_a_and_the_history_of_all_three(
    a: dict[str, Any], b: dict[str, Any]
) -> None:
    service = PlanService(EventStore.from_url("memory://"))
    # B may add a step A lacks only if A has it too: a step B removes is cancelled for good.
    extra = a["extra_step"] and b["extra_step"]
    file_a, file_b = _variant(a, extra), _variant(b, extra)
    first = apply(service, file_a)
    expected = export_plan(service.require("PAC-2025"))
    second = apply(service, file_b)
    third = apply(service, file_a)
    assert export_plan(service.require("PAC-2025")) == expected
    assert service.store.head_position() == first + second + third
    assert (second == 0) == (third == 0)


def with_derived_i3() -> dict[str, Any]:
    data = base_file()
    data["targets"][0]["tracks"][1]["steps"][0]["indicators"] = ["I3"]
    data["indicators"].append(
        {
            "key": "I3",
            "name": "Visits to BRC, counted",
            "kind": "activity",
            "unit": "count",
            "owner": "cd",
            "derived": {"kind": "visits_done", "steps": ["S08"]},
            "targets": {"2025-01": 2},
        }
    )
    return data


def test_a_derived_indicator_round_trips_through_a_plan_file(service: PlanService) -> None:
    assert apply(service, with_derived_i3()) > 10  # S08 names I3, I3 counts S08's visits
    state = service.require("PAC-2025")
    assert state.indicators["I3"].derived is not None
    assert state.steps["S08"].indicators == ("I3",)
    exported = export_plan(state)
    assert exported["indicators"][1]["derived"] == {"kind": "visits_done", "steps": ["S08"]}
    assert "derived" not in exported["indicators"][0]
    assert apply(service, exported) == 0
    assert apply(service, with_derived_i3()) == 0
    again = PlanFile.model_validate(exported)
    assert plan_commands(state, again, actor="hg", reason=None, today=TODAY) == []


def test_a_derivation_changed_in_the_file_redefines_the_indicator(service: PlanService) -> None:
    apply(service, with_derived_i3())
    changed = with_derived_i3()
    changed["indicators"][1]["derived"] = {"kind": "steps_on_time", "track": "T1-INFO"}
    commands = plan_commands(
        service.require("PAC-2025"),
        PlanFile.model_validate(changed),
        actor="hg",
        reason=None,
        today=TODAY,
    )
    assert [type(command).__name__ for command in commands] == ["DefineIndicator"]
    assert apply(service, changed) == 1
    derived = service.require("PAC-2025").indicators["I3"].derived
    assert derived is not None
    assert (derived.kind, derived.track) == ("steps_on_time", "T1-INFO")


def test_a_derivation_must_name_one_scope_in_the_file() -> None:
    data = with_derived_i3()
    data["indicators"][1]["derived"] = {"kind": "visits_done"}
    with pytest.raises(InvalidInputError, match="give exactly one of steps, track or target"):
        parse_plan_file(dump_yaml(data), "plan.yaml")
