"""A value an option cannot take is a usage error (exit 2) naming the option, in every
command; what the plan refuses of a well-formed value stays a one-line refusal (exit 1)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.cli.plan_fixtures import PLAN, build_example, refused


@pytest.fixture
def example(runner: CliRunner, db_url: str) -> CliRunner:
    build_example(runner)
    return runner


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["step", "done", PLAN, "S01", "--on", "28/01/2025"], "--on '28/01/2025': "),
        (["visit", "done", PLAN, "S08@2025-01-14", "--on", "hier"], "--on 'hier': "),
        (["market", "record", PLAN, "--summary", "x", "--affects", "target:T1",
          "--on", "2025-02-30"], "--on '2025-02-30': "),
        (["indicator", "record", PLAN, "I2", "--period", "2025-01", "--value", "trois"],
         "--value 'trois': expected a number"),
        (["objective", "set", PLAN, "T1", "--statement", "x", "--value", "-1", "--unit", "k",
          "--due", "2025-12-31"], "--value '-1': "),
        (["person", "add", PLAN, "zz", "--name", "Z", "--kind", "boss"], "--kind 'boss': "),
        (["visit", "list", PLAN, "--status", "held"], "--status 'held': expected one of"),
        (["visit", "list", PLAN, "--from", "mars"], "--from 'mars': expected a date"),
        (["indicator", "history", PLAN, "I2", "--from", "March"],
         "indicator I2: --from 'March': expected"),
        (["dashboard", PLAN, "--period", "2025-13"], "--period '2025-13': expected a month"),
        (["plan", "show", PLAN, "--as-of", "yesterday"], "--as-of 'yesterday': expected a date"),
        (["step", "add", PLAN, "S03", "--track", "T1-INFO", "--title", "x", "--responsible",
          "cd", "--due", "2025-02-30"], "--due '2025-02-30': "),
        (["plan", "diff", PLAN, "--from-revision", "1", "--from", "2025-02-01"],
         "give --from or --from-revision, not both"),
    ],
)  # fmt: skip
def test_a_value_an_option_cannot_take_is_a_usage_error(
    example: CliRunner, args: list[str], message: str
) -> None:
    assert refused(example, args, code=2).startswith(message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["step", "done", PLAN, "S01", "--on", "2026-01-28"], "done date 2026-01-28 of step S01"),
        (["dashboard", PLAN, "--period", "2027-01"], "--period 2027-01: outside the plan"),
        (["visit", "list", PLAN, "--step", "S99"], "step S99: unknown step"),
        (["indicator", "history", PLAN, "I2", "--to", "2026-02"], "indicator I2: --to 2026-02 is"),
        (["step", "done", PLAN, "S99"], "step S99: unknown step"),
    ],
)
def test_what_the_plan_refuses_stays_a_refusal(
    example: CliRunner, args: list[str], message: str
) -> None:
    assert refused(example, args, code=1).startswith(message)
