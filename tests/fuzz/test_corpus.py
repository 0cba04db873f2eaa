"""Every bad input of issue 12 (tests/fuzz/corpus.py), on SQLite and PostgreSQL: a one-line
refusal with a documented exit code, no traceback, the log and the files untouched."""

from __future__ import annotations

import pytest

from tests.fuzz.corpus import CORPUS
from tests.fuzz.harness import Case, Sandbox


@pytest.mark.parametrize("case", CORPUS, ids=[case.label for case in CORPUS])
def test_bad_input_is_refused_in_one_line_and_writes_nothing(sandbox: Sandbox, case: Case) -> None:
    verdict = sandbox.run(case)
    assert verdict.clean, verdict.explain()
    errors = [line for line in verdict.output.splitlines() if line.startswith("error:")]
    assert len(errors) <= 1, verdict.output


def test_the_yaml_bomb_is_refused_before_it_expands(sqlite_sandbox: Sandbox) -> None:
    (bomb,) = [case for case in CORPUS if case.label.startswith("YAML bomb")]
    verdict = sqlite_sandbox.run(bomb)
    assert "aliases expand to more than 100,000 values" in verdict.output
    assert ":6:" in verdict.output  # the line where the expansion passed the bound
