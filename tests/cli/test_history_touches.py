"""`plan history --target` and `check` agree on what a market change touches (one map:
`pacflow.domain.touches`): a change on `segment:SEG-BA` touches the demo's T2 (whose ref
is SEG-BA) and T3 (whose segments include it), for both."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.cli.plan_fixtures import invoke, ok
from tests.cli.test_history_commands import use_demo


@pytest.fixture(autouse=True)
def demo(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    use_demo(db_url, tmp_path_factory)


SUMMARY = "Consolidation bancaire : appels d'offres SI gelés"


def test_a_segment_market_change_touches_the_same_targets_for_history_and_check(
    runner: CliRunner,
) -> None:
    ok(runner, ["market", "record", "PAC-2025", "--summary", SUMMARY, "--affects",
                "segment:SEG-BA", "--on", "2025-09-01"])  # fmt: skip

    def market_lines(target: str) -> list[str]:
        lines = ok(runner, ["plan", "history", "PAC-2025", "--target", target]).stdout
        return [line for line in lines.splitlines() if SUMMARY in line]

    assert len(market_lines("T2")) == 1
    assert len(market_lines("T3")) == 1
    assert market_lines("T1") == []  # the BRC merger's, not this one
    entries = json.loads(
        ok(runner, ["plan", "history", "PAC-2025", "--target", "T2", "--json"]).stdout
    )
    assert entries[-1]["type"] == "MarketChangeRecorded"
    assert entries[-1]["targets"] == ["T2", "T3"]
    checked = invoke(runner, ["check", "PAC-2025", "--json"])
    assert checked.exit_code in (0, 1), checked.output  # 1: a finding at --fail-on
    found = json.loads(checked.stdout)
    messages = [f["message"] for f in found["findings"] if f["rule"] == "market-change"]
    assert any(m.startswith("market change of 2025-09-01 (medium impact) touches T2, T3,")
               for m in messages)  # fmt: skip
