"""One event of each diagnostic type, for the tests that need every registered type."""

from __future__ import annotations

from pacflow.domain import events as ev
from pacflow.domain.findings import AmontAval, Figures, Quadrant, WonLost

CRM_DEALS = Figures(
    AmontAval(
        offer="OFF-CRM",
        quadrants={
            Quadrant.FARMING: WonLost(won=2, lost=3),
            Quadrant.HUNTING: WonLost(won=1, lost=3),
            Quadrant.CULTIVATION: WonLost(won=1, lost=4),
            Quadrant.GATHERING: WonLost(won=2, lost=24),
        },
    )
)

FINDING = ev.FindingRecorded(
    key="F3", title="CRM deals come from cueillette", period="2024", figures=CRM_DEALS
)
DECISION = ev.DecisionRecorded(key="D3", statement="Promote CRM solutions", findings=("F3",))
JUSTIFIED = ev.TargetJustified(target="T1", decisions=("D3",))

DIAGNOSTIC = [FINDING, DECISION, JUSTIFIED]
"""A finding, a decision citing it, and target T1 implementing the decision."""
