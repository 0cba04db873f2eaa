"""The domain stays pure: no database, CLI, calendar or store library, and no clock."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pacflow.domain

FORBIDDEN = ("sqlalchemy", "click", "caldav", "icalendar", "psycopg", "events", "alembic")
DOMAIN = Path(pacflow.domain.__file__).parent


def test_importing_the_domain_loads_no_io_library() -> None:
    probe = (
        "import sys, pacflow.domain\n"
        f"print(sorted({{name.split('.')[0] for name in sys.modules}} & set({FORBIDDEN!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_domain_never_reads_the_clock() -> None:
    # `time` itself cannot be imported (below); `datetime.time()` is not a clock.
    clock_reads = {"now", "today", "utcnow", "monotonic", "perf_counter"}
    for module in sorted(DOMAIN.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert (
                    node.func.attr not in clock_reads
                ), f"{module.name}:{node.lineno} reads a clock"
            if isinstance(node, ast.ImportFrom):
                assert node.module not in ("time", "events"), f"{module.name} imports {node.module}"
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
                assert not names & {"time", *FORBIDDEN}, f"{module.name} imports {names}"
