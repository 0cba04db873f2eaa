"""What a command costs before it answers: CPU time of read commands on a small store,
next to `pacflow --help` measured in the same run (the floor).

Builds a SQLite store holding the demo plan as validated in January (121 events; `--until`
moves that moment), catches its read models up, then runs each command `--runs` times in a
fresh interpreter and keeps the median of its CPU time (user + system of the child, so
other work on a shared machine counts less than in wall time). Goal (issue 10): every read
command on a small store at most 2x `pacflow --help`.

The runs go in rounds, every command and `--help` once a round, and a command's ratio is
the median of its ratios to the same round's `--help`: a machine whose speed drifts during
the run (a shared one does, by a third within minutes) moves a command and its floor
together, not the commands measured while it was slow.

Bytecode is written and used as in an installed pacflow (PYTHONDONTWRITEBYTECODE is
cleared for the children): a first run of each command warms it, and is not counted.

Below the commands, where the time goes: the CPU time of a bare interpreter, and of one
that only imports what a command needs before it reads anything (the CLI, the domain a
read folds and judges the plan with), then pydantic, which only writes import, measured
the same way in the same run.

With `--instructions`, each command also runs once under valgrind's callgrind, which counts
the instructions it executes: the same count on every run, whatever else the machine is
doing, where CPU time on a shared machine moves by a fifth between runs. Its ratio to
`--help` is printed beside the CPU time's.

    python -m benchmarks.startup
    python -m benchmarks.startup --runs 9 --json
    python -m benchmarks.startup --instructions
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
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


def _instructions(args: list[str], env: dict[str, str]) -> int:
    """Instructions one `python ARGS` executes, as callgrind counts them."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"callgrind gave no count for {' '.join(args)}: {done.stderr[-300:]}")
    return int(found.group(1))


def _rounds(commands: list[list[str]], env: dict[str, str], runs: int) -> list[list[float]]:
    """CPU seconds of each `python ARGS` in `commands`, `runs` rounds of one run of each
    (after a round to warm: bytecode written, files in the page cache)."""
    for args in commands:
        _cpu_seconds(args, env)
    return [[_cpu_seconds(args, env) for args in commands] for _ in range(runs)]


def _figures(rounds: list[list[float]], index: int) -> tuple[float, float]:
    """The median CPU ms of the command at `index`, and the median of its ratios to the
    floor (index 0) of the same round."""
    cpu = round(statistics.median(r[index] for r in rounds) * 1000, 1)
    return cpu, round(statistics.median(r[index] / r[0] for r in rounds), 2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="repetitions (median kept)")
    parser.add_argument(
        "--until", default="2025-01-06T12:00", help="the demo up to this local time"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each command's instructions under valgrind (a few minutes)",
    )
    args = parser.parse_args(argv)
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind (apt-get install valgrind)")

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
        cli = ["-m", "pacflow.cli"]
        measured = [
            [*cli, "--help"],
            *([*cli, *command] for command in COMMANDS),
            *(["-c", code] for _, code in IMPORTS),
        ]
        rounds = _rounds(measured, env, args.runs)
        counts = [_instructions(each, env) for each in measured] if args.instructions else []
    floor = _figures(rounds, 0)[0]
    rows: list[dict[str, Any]] = []
    imports: list[dict[str, Any]] = []
    labels = [" ".join(command) for command in COMMANDS] + [label for label, _ in IMPORTS]
    for index, label in enumerate(labels, start=1):
        cpu, ratio = _figures(rounds, index)
        row: dict[str, Any] = {"cpu_ms": cpu, "ratio": ratio}
        if counts:
            row["instructions_m"] = round(counts[index] / 1e6, 1)
            row["instructions_ratio"] = round(counts[index] / counts[0], 2)
        if index <= len(COMMANDS):
            rows.append({"command": label, **row})
        else:
            imports.append({"step": label, **row})
    if args.json:
        answer = {"goal_ratio": RATIO_GOAL, "help_cpu_ms": floor, "commands": rows}
        if counts:
            answer["help_instructions_m"] = round(counts[0] / 1e6, 1)
        print(json.dumps({**answer, "imports": imports}, indent=2))
        return
    print(
        f"CPU time per command, median of {args.runs} rounds (x help: the median of each "
        f"round's ratio), demo plan up to {args.until}"
        + ("; instructions: one run under callgrind" if counts else "")
    )
    counted = f" {'M instr':>8} {'x help':>7}" if counts else ""
    print(f"{'command':<44} {'CPU ms':>7} {'x help':>7}{counted}  verdict")
    help_counted = f" {counts[0] / 1e6:>8.1f} {1:>7.2f}" if counts else ""
    print(f"{'--help (floor)':<44} {floor:>7.1f} {1:>7.2f}{help_counted}")
    for row in rows:
        verdict = "ok" if row["ratio"] <= RATIO_GOAL else "over goal"
        shown = f"{row['command']:<44} {row['cpu_ms']:>7.1f} {row['ratio']:>7.2f}"
        print(f"{shown}{_counted(row)}  {verdict}")
    print(f"goal: every read command <= {RATIO_GOAL}x pacflow --help (CPU time)")
    print("\nwhere it goes: CPU time of an interpreter importing only")
    for row in imports:
        print(f"{row['step']:<44} {row['cpu_ms']:>7.1f} {row['ratio']:>7.2f}{_counted(row)}")


def _counted(row: dict[str, Any]) -> str:
    if "instructions_m" not in row:
        return ""
    return f" {row['instructions_m']:>8.1f} {row['instructions_ratio']:>7.2f}"


if __name__ == "__main__":
    main()
