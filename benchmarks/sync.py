"""`pacflow sync` against a local Radicale, requests counted on the server side, next to a floor.

One run starts its own Radicale (temporary storage, htpasswd user, free loopback port) with
the fault proxy of the tests in front of it, in pass-through mode, to count the requests
the server receives by method. A plan with `--items` visit occurrences (daily visits,
several steps) for one rep is built in a fresh SQLite store, the rep's calendar home is
connected through the proxy, and `pacflow sync` runs in this process (click's runner, so
the figures include loading and rendering the plan, not Python's start-up):

1. first sync: every item created;
2. no-change sync: nothing to send;
3. sync after cancelling 10 occurrences: 10 items rewritten.

The floor, in the same run: the same ICS bodies as `--items` bare conditional PUTs
(`If-None-Match: *`) to a fresh calendar, one after the other through the sync's own HTTP
client and call (`integrations.dav.DavClient.put`, one niquests session). Radicale's create
cost grows with the collection (it scans it for the UID), so the floor and the first sync
both start from an empty calendar. The floor runs once before the syncs and once after
(`--floor-runs`), each time into a new calendar, and its fastest run counts: drift on a
shared machine then cannot flatter pacflow.

    python -m benchmarks.sync                 # 1,000 items (a few minutes: ~45 s per 1,000 creates)
    python -m benchmarks.sync --items 100     # a quick run
    python -m benchmarks.sync --json

With `--steps N --edits E` it measures how a sync's cost follows the plan's history instead
(`benchmarks.sync_history`): a plan of N steps over ten reps, once as built (about N
events) and once followed by E more events (mostly `StepEdited`, some reassignments and
reschedules), each synced once for one rep; then, on each, the CPU time of `sync
--dry-run --person cd` with nothing to send (the figure the issue sets a goal for: the long
history within 2x of the short one), and the events a no-change sync reads.

    python -m benchmarks.sync --steps 1000 --edits 50000
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from events import EventStore
from integrations.dav import DavClient
from integrations.ics import render_resources
from integrations.revisions import calendar_history
from pacflow.domain.commands import CancelOccurrence
from pacflow.planfile import parse_plan_file, plan_commands
from pacflow.service import PlanService
from pacflow.storage import open_store
from tests.integrations.faultproxy import FaultProxy

PLAN = "BENCH-SYNC"
REP = "cd"
CHANGED = 10
PER_STEP = 250  # daily visits: a step stays inside the plan's year
MOMENT = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)  # the store's clock: no wall-clock data
LATER = datetime(2025, 1, 7, 9, 0, tzinfo=UTC)
PASSWORD_VARIABLE = "PACFLOW_BENCH_CALDAV_PASSWORD"
STARTUP_TIMEOUT = 30.0
WRITES = ("PUT", "DELETE")


def plan_file(items: int) -> str:
    """A plan whose rep has `items` visit occurrences: steps of up to PER_STEP daily visits."""
    steps = []
    for index, first in enumerate(range(0, items, PER_STEP), start=1):
        count = min(PER_STEP, items - first)
        steps.append(
            f"          - key: V{index:02d}\n"
            f"            title: Visite de suivi client {index}\n"
            f"            responsible: {REP}\n"
            "            parallel: true\n"
            "            recurrence:\n"
            "              rules:\n"
            f"                - {{dtstart: '2025-01-02T{7 + index:02d}:00:00', "
            f'rrule: "FREQ=DAILY;COUNT={count}"}}\n'
            "              duration: PT1H\n"
            f"            location: Client {index}, siège\n"
        )
    return (
        f"plan:\n  key: {PLAN}\n  title: Sync benchmark\n  start: 2025-01-01\n"
        "  end: 2025-12-31\n  timezone: Europe/Paris\n  owner: hg\n"
        "people:\n  - {key: hg, name: Hélène Garnier, kind: manager}\n"
        f"  - {{key: {REP}, name: Claire Dubois, kind: rep}}\n"
        "targets:\n  - key: T1\n    kind: customer\n    title: Banque Régionale du Centre\n"
        f"    responsible: {REP}\n    tracks:\n      - key: T1-ELEV\n        domain: sales\n"
        "        approach: farming\n        title: Visites\n        steps:\n" + "".join(steps)
    )


def build_plan(url: str, items: int) -> dict[str, bytes]:
    """Record the plan in the store at `url`; the rep's items as rendered, by UID."""
    with open_store(url, clock=lambda: MOMENT) as store:
        service = PlanService(store)
        commands = plan_commands(
            None, parse_plan_file(plan_file(items)), actor="hg", reason=None, today=MOMENT.date()
        )
        service.execute_all(PLAN, commands)
        return rendered(store)


def rendered(store: EventStore) -> dict[str, bytes]:
    service = PlanService(store)
    history = calendar_history((r.recorded_at, e) for r, e in service.history(PLAN))
    assert history is not None
    return render_resources(history, person=REP)


def cancel_some(url: str, count: int) -> list[str]:
    """Cancel `count` occurrences spread over the plan; their keys."""
    with open_store(url, clock=lambda: LATER) as store:
        service = PlanService(store)
        state = service.require(PLAN)
        keys = sorted(state.occurrences)
        chosen = keys[:: max(1, len(keys) // count)][:count]
        service.execute_all(
            PLAN,
            [
                CancelOccurrence(plan=PLAN, actor="hg", reason="benchmark", occurrence=key)
                for key in chosen
            ],
        )
        return chosen


# --- Radicale ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # 401: up, and wants a login
    except OSError:
        return False


@contextmanager
def radicale(folder: Path, user: str, password: str) -> Iterator[str]:
    """A Radicale on a free loopback port with one htpasswd user; its base URL."""
    (folder / "users").write_text(f"{user}:{password}\n", encoding="utf-8")
    port = free_port()
    config = folder / "config"
    config.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n"
        f"[auth]\ntype = htpasswd\nhtpasswd_filename = {folder / 'users'}\n"
        "htpasswd_encryption = plain\ndelay = 0\n"
        "[rights]\ntype = owner_only\n"
        f"[storage]\nfilesystem_folder = {folder / 'collections'}\n"
        "strict_preconditions = True\n"
        "[web]\ntype = none\n[logging]\nlevel = warning\n",
        encoding="utf-8",
    )
    log = (folder / "radicale.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "-C", str(config)], stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"Radicale did not start; see {folder / 'radicale.log'}")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# --- measures ----------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    seconds: float
    requests: dict[str, int]
    writes: int
    client_requests: int | None = None  # what pacflow's --json says it sent
    goals: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.requests.values())


def floor(
    proxy: FaultProxy, home: str, user: str, password: str, bodies: dict[str, bytes], run: int
) -> Scenario:
    """Bare `If-None-Match: *` PUTs of the bodies to a fresh calendar, one by one."""
    client = DavClient(user, password, retries=0)
    try:
        calendar = f"{home}floor-{run}/"
        client.make_calendar(calendar, f"floor {run}")
        proxy.reset_counts()
        begun = time.perf_counter()
        for uid, body in bodies.items():
            answer = client.put(f"{calendar}{uid}.ics", body, etag=None)  # If-None-Match: *
            if answer.status != 201:
                raise SystemExit(f"floor: PUT {uid} answered {answer.status}")
        seconds = time.perf_counter() - begun
    finally:
        client.close()
    counts = proxy.counts
    return Scenario("floor: bare conditional PUTs", seconds, dict(counts), writes(counts))


def writes(counts: Counter[str]) -> int:
    return sum(counts[method] for method in WRITES)


def sync(proxy: FaultProxy, name: str) -> Scenario:
    """One `pacflow sync PLAN --json`, in this process."""
    from click.testing import CliRunner

    from pacflow.cli import main

    proxy.reset_counts()
    begun = time.perf_counter()
    result = CliRunner().invoke(main, ["sync", PLAN, "--json"])
    seconds = time.perf_counter() - begun
    if result.exit_code != 0:
        raise SystemExit(f"{name}: pacflow sync failed ({result.exit_code}): {result.output}")
    summary = json.loads(result.stdout)
    counts = proxy.counts
    return Scenario(name, seconds, dict(counts), writes(counts), summary["totals"].get("requests"))


def run(items: int, floor_runs: int) -> dict[str, Any]:
    user, password = "bench", secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="pacflow-bench-sync-") as directory:
        folder = Path(directory)
        store_url = f"sqlite:///{folder / 'store.db'}"
        progress(f"building a plan with {items:,} items for {REP}")
        bodies = build_plan(store_url, items)
        with radicale(folder, user, password) as server, FaultProxy(server) as proxy:
            home = f"{proxy.url}{user}/"
            progress(f"floor: {len(bodies):,} bare conditional PUTs")
            floors = [floor(proxy, home, user, password, bodies, 1)]
            os.environ["PACFLOW_DB"] = store_url
            os.environ["PACFLOW_ACTOR"] = "hg"
            os.environ[PASSWORD_VARIABLE] = password
            from click.testing import CliRunner

            from pacflow.cli import main

            connected = CliRunner().invoke(
                main,
                ["calendar", "connect", PLAN, REP, "--url", home, "--username", user,
                 "--password-env", PASSWORD_VARIABLE],
            )  # fmt: skip
            if connected.exit_code != 0:
                raise SystemExit(f"calendar connect failed: {connected.output}")
            progress("first sync")
            first = sync(proxy, "first sync")
            progress("no-change sync")
            quiet = sync(proxy, "no-change sync")
            changed = cancel_some(store_url, CHANGED)
            progress(f"sync after cancelling {len(changed)} occurrences")
            after = sync(proxy, f"{len(changed)} changes")
            for again in range(2, floor_runs + 1):
                progress(f"floor again: {len(bodies):,} bare conditional PUTs")
                floors.append(floor(proxy, home, user, password, bodies, again))
    base = min(floors, key=lambda scenario: scenario.seconds)
    first.goals = [
        (
            f"<= {len(bodies):,} writes + 3 requests",
            first.writes <= len(bodies) and first.total - first.writes <= 3,
        ),
        ("<= 1.2x floor time", first.seconds <= 1.2 * base.seconds),
    ]
    quiet.goals = [("<= 2 requests", quiet.total <= 2)]
    after.goals = [
        (
            f"<= {CHANGED} writes + 3 requests",
            after.writes <= CHANGED and after.total - after.writes <= 3,
        )
    ]
    return {
        "items": len(bodies),
        "python": sys.version.split()[0],
        "floor": asdict(base),
        "floor_runs_seconds": [scenario.seconds for scenario in floors],
        "scenarios": [asdict(s) for s in (first, quiet, after)],
    }


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # stdout is for the table or the JSON


def render(report: dict[str, Any]) -> str:
    base = report["floor"]
    rows = [("scenario", "requests (server side)", "writes", "wall s", "x floor", "goal", "result")]
    for s in [base, *report["scenarios"]]:
        methods = ", ".join(f"{m} {n:,}" for m, n in sorted(s["requests"].items())) or "none"
        total = sum(s["requests"].values())
        ratio = s["seconds"] / base["seconds"]
        goals = s["goals"] or [("", True)]
        for index, (goal, ok) in enumerate(goals):
            head = (
                (
                    s["name"],
                    f"{total:,}: {methods}",
                    f"{s['writes']:,}",
                    f"{s['seconds']:.2f}",
                    f"{ratio:.2f}",
                )
                if index == 0
                else ("", "", "", "", "")
            )
            rows.append((*head, goal, ("ok" if ok else "missed") if goal else "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(7)]
    align = (str.ljust, str.ljust, str.rjust, str.rjust, str.rjust, str.ljust, str.ljust)
    lines = [
        f"pacflow sync vs bare conditional PUTs, Radicale on loopback (Python {report['python']}), "
        f"{report['items']:,} items for one rep",
        "",
    ]
    for row in rows:
        lines.append("  ".join(a(c, w) for a, c, w in zip(align, row, widths, strict=True)))
    reported = [
        f"{s['name']}: {s['client_requests']}"
        for s in report["scenarios"]
        if s["client_requests"] is not None
    ]
    if reported:
        lines.append("requests pacflow reports having sent: " + "; ".join(reported))
    runs = ", ".join(f"{seconds:.2f}" for seconds in report["floor_runs_seconds"])
    lines.append(f"floor runs (s): {runs}; the fastest is the floor")
    return "\n".join(line.rstrip() for line in lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sync", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--items", type=int, default=1_000, help="visit occurrences for the rep")
    parser.add_argument(
        "--floor-runs", type=int, default=2, help="floor runs (first before the syncs, rest after)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--steps", type=int, help="history mode: a plan of this many steps (ten reps)"
    )
    parser.add_argument(
        "--edits", type=int, default=50_000, help="history mode: events added to the long plan"
    )
    args = parser.parse_args(argv)
    if args.steps is not None:
        from benchmarks.sync_history import render_history, run_history

        if args.steps < 10 or args.edits < 0:
            parser.error("--steps must be at least 10 and --edits not negative")
        found = run_history(args.steps, args.edits)
        print(json.dumps(found, indent=2) if args.json else render_history(found))
        return
    if args.items < CHANGED:
        parser.error(f"--items must be at least {CHANGED}")
    if args.floor_runs < 1:
        parser.error("--floor-runs must be at least 1")
    report = run(args.items, args.floor_runs)
    print(json.dumps(report, indent=2) if args.json else render(report))


if __name__ == "__main__":
    main()
