"""Generated hostile input (tests/fuzz/strategies.py) on SQLite and PostgreSQL.

A case may be refused (exit 1 or 2, nothing written) or accepted (exit 0); when accepted,
every view of every plan must still work (`Sandbox.broken_reads`). The number of cases is
the Hypothesis profile's (`fuzz-ci` by default, `fuzz-slow` with PACFLOW_FUZZ=slow, see
conftest.py).
"""

from __future__ import annotations

from hypothesis import given, settings

from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.harness import Case, Sandbox
from tests.fuzz.strategies import cli_cases, plan_file_cases


def test_generated_command_lines_never_break_the_store(sandbox: Sandbox) -> None:
    @settings(fuzz_settings())
    @given(cli_cases())
    def check(case: Case) -> None:
        verdict = sandbox.run(case)
        assert verdict.clean, verdict.explain()

    check()


def test_generated_plan_files_never_break_the_store(sandbox: Sandbox) -> None:
    @settings(fuzz_settings())
    @given(plan_file_cases())
    def check(case: Case) -> None:
        verdict = sandbox.run(case)
        assert verdict.clean, verdict.explain()

    check()
