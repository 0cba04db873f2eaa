"""What anchoring the log costs: appends and `verify` with checkpoint keys, next to the same
work without them (the floor), on one machine and database, in one run.

Each single-event append with a key also signs the new head (HMAC-SHA256) and inserts one
checkpoint row in the append's transaction; `verify` with a key also reads the checkpoints
and checks their signatures and the hashes at their positions (best of 3 runs). Slices of
the two kinds of appends alternate, so that drift hits both.

    python -m benchmarks.anchors                     # 5,000 appends, fresh SQLite file
    python -m benchmarks.anchors --events 2000 --db postgresql+psycopg://USER@HOST:5432/DB
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Sequence
from typing import Any

from benchmarks.store import MOMENT, SLICES, append_all, fresh_database, progress, seconds, workload
from events import EventStore
from events.anchors import CheckpointKeys

KEY = b"benchmark-checkpoint-key-0123456789"
GOAL = 0.7
"""Anchored single-event appends keep at least this share of the unanchored rate."""


def run(plain_url: str, anchored_url: str, events: int) -> dict[str, Any]:
    rng = random.Random(20261207)
    calls = workload(rng, "plan", 0, events, 1, 200)
    plain = EventStore.from_url(plain_url, clock=lambda: MOMENT)
    keys = CheckpointKeys([KEY])
    anchored = EventStore.from_url(anchored_url, clock=lambda: MOMENT, checkpoint_keys=keys)
    try:
        progress(f"single-event appends: {events:,} each way, in alternating slices")
        floor = ours = 0.0
        for first in range(0, events, step := math.ceil(events / SLICES)):
            part = calls[first : first + step]
            floor += seconds(append_all, plain, part)
            ours += seconds(append_all, anchored, part)
        progress("verify, both stores")
        verify_floor = min(seconds(plain.verify) for _ in range(3))
        verify_ours = min(seconds(anchored.verify) for _ in range(3))
        checkpoints = len(anchored.checkpoints())
    finally:
        plain.close()
        anchored.close()
    share = floor / ours
    return {
        "events": events,
        "checkpoints": checkpoints,
        "appends_per_s": {"anchored": events / ours, "floor": events / floor},
        "append_share_of_floor": share,
        "goal": GOAL,
        "met": share >= GOAL,
        "verify_s": {"anchored": verify_ours, "floor": verify_floor},
    }


def render(report: dict[str, Any]) -> str:
    rates, verify = report["appends_per_s"], report["verify_s"]
    return "\n".join(
        [
            f"{report['events']:,} single-event appends, {report['checkpoints']:,} checkpoints",
            f"appends/s    anchored {rates['anchored']:>10,.0f}   floor {rates['floor']:>10,.0f}"
            f"   share {report['append_share_of_floor']:.2f} (goal >= {report['goal']})"
            f"   {'met' if report['met'] else 'NOT met'}",
            f"verify (s)   anchored {verify['anchored']:>10.3f}   floor {verify['floor']:>10.3f}",
        ]
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.anchors", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--events", type=int, default=5_000, help="appends of each kind")
    parser.add_argument("--db", help="postgresql+psycopg://... URL (default: SQLite files)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with fresh_database(args.db) as plain_url, fresh_database(args.db) as anchored_url:
        report = run(plain_url, anchored_url, args.events)
    print(json.dumps(report, indent=2) if args.json else render(report))
    sys.exit(0 if report["met"] else 1)


if __name__ == "__main__":
    main()
