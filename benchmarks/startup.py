"""What a command costs before it answers: CPU time of read commands on a small store,
next to `pacflow --help` measured in the same run (the floor).

Builds a SQLite store holding the demo plan as validated in January (121 events; `--until`
moves that moment), catches its read models up, then runs each command `--runs` times in a
fresh interpreter and keeps the median of its CPU time (user + system of the child, so
other work on a shared machine counts less than in wall time). Goal (issue 10): every read
command on a small store at most 2x `pacflow --help`.

Bytecode is written and used as in an installed pacflow (PYTHONDONTWRITEBYTECODE is
cleared for the children): a first run of each command warms it, and is not counted.

Below the commands, where the time goes: the CPU time of a bare interpreter, and of one
that only imports what a command needs before it reads anything (the CLI, the domain a
read folds and judges the plan with), then pydantic, which only writes import, measured
the same way in the same run.

    python -m benchmarks.startup
    python -m benchmarks.startup --runs 9 --json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

RATIO_GOAL = 2.0
PLAN = "PAC-2025"
COMMANDS = [
    ["plan", "list"],
    ["plan", "show", PLAN],
    ["plan", "show", PLAN, "--json"],
    ["step", "list", PLAN, "--person", "cd"],
    ["visit", "list", PLAN, "--status", "to-report"],
    ["plan", "history", PLAN, "--limit", "20"],
    ["plan", "history", PLAN, "--step", "S01"],
    ["plan", "show", PLAN, "--as-of", "2025-01-02"],
    ["dashboard", PLAN],
    ["indicator", "history", PLAN, "I7"],
    ["check", PLAN],
    ["report", PLAN, "--by", "theme"],
    ["plan", "diff", PLAN, "--from", "2025-01-02"],
]


_DOMAIN = "import pacflow.cli, pacflow.domain.folding, pacflow.views"
IMPORTS = [
    ("python (bare interpreter)", "pass"),
    ("import the CLI (pacflow.cli)", "import pacflow.cli"),
    ("... and the domain a read folds with", _DOMAIN),
    ("... and pydantic (what a write adds)", f"{_DOMAIN}; from pydantic import BaseModel"),
]
"""What a read command imports before it reads anything, step by step (and what a write
adds: pydantic, which validates what comes in)."""


def _cpu_seconds(args: list[str], env: dict[str, str]) -> float:
    """CPU time (user + system) of one `python ARGS` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _median_ms(args: list[str], env: dict[str, str], runs: int) -> float:
    """The median CPU time of `pacflow ARGS`, in ms."""
    return _median_python_ms(["-m", "pacflow.cli", *args], env, runs)


def _median_python_ms(args: list[str], env: dict[str, str], runs: int) -> float:
    _cpu_seconds(args, env)  # warm: bytecode written, files in the page cache
    return round(statistics.median(_cpu_seconds(args, env) for _ in range(runs)) * 1000, 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="repetitions (median kept)")
    parser.add_argument(
        "--until", default="2025-01-06T12:00", help="the demo up to this local time"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as directory:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PACFLOW_")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PACFLOW_DB"] = f"sqlite:///{Path(directory) / 'startup.db'}"
        env["XDG_DATA_HOME"] = str(Path(directory) / "data")
        subprocess.run(
            [sys.executable, "-m", "pacflow.cli", "demo", "--until", args.until],
            env=env,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        subprocess.run(
            [sys.executable, "-m", "pacflow.cli", "plan", "list"],
            env=env,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        floor = _median_ms(["--help"], env, args.runs)
        rows: list[dict[str, Any]] = []
        for command in COMMANDS:
            cpu = _median_ms(command, env, args.runs)
            rows.append(
                {"command": " ".join(command), "cpu_ms": cpu, "ratio": round(cpu / floor, 2)}
            )
        imports = []
        for label, code in IMPORTS:
            cpu = _median_python_ms(["-c", code], env, args.runs)
            imports.append({"step": label, "cpu_ms": cpu, "ratio": round(cpu / floor, 2)})
    if args.json:
        answer = {"goal_ratio": RATIO_GOAL, "help_cpu_ms": floor, "commands": rows}
        print(json.dumps({**answer, "imports": imports}, indent=2))
        return
    print(f"CPU time per command, median of {args.runs} runs, demo plan up to {args.until}")
    print(f"{'command':<44} {'CPU ms':>7} {'x help':>7}  verdict")
    print(f"{'--help (floor)':<44} {floor:>7.1f} {1:>7.2f}")
    for row in rows:
        verdict = "ok" if row["ratio"] <= RATIO_GOAL else "over goal"
        print(f"{row['command']:<44} {row['cpu_ms']:>7.1f} {row['ratio']:>7.2f}  {verdict}")
    print(f"goal: every read command <= {RATIO_GOAL}x pacflow --help")
    print("\nwhere it goes: CPU time of an interpreter importing only")
    for row in imports:
        print(f"{row['step']:<44} {row['cpu_ms']:>7.1f} {row['ratio']:>7.2f}")


if __name__ == "__main__":
    main()
