"""`pacflow serve` under load on loopback: calendar feeds, a page, API writes, next to a floor.

One run builds, through the application layer, a published plan over 2025 with `--reps`
reps (200), each responsible for one step of visits every other week, and hands every rep a
link (scope report: feed and page) and the manager an API token. The server then runs as a
process of its own (uvicorn, one worker, the access log on as `pacflow serve` has it, its
clock on 10 June 2025), with one more route the benchmark mounts on the same application:
`/bench/floor.ics`, fixed bytes of the size of a rep's feed, answered by the same
middleware (headers, access log) with no token check and no store behind it. That is the
floor, measured in the same run, before and after the rest (the better of the two counts,
so drift on a shared machine cannot flatter pacflow).

`--clients` (50) concurrent clients (asyncio + httpx, keep-alive) send `--requests`
requests per scenario, a bounded load:

1. floor: the fixed bytes;
2. feeds: each request a random rep's `/feeds/{token}.ics`, no validator (a 200 with the
   body);
3. feeds 304: the same with the `If-None-Match` of the rep's last answer (what a calendar
   app polling an unchanged feed sends);
4. page: a rep's "my plan" page (`/p/{token}`), `--pages` requests;
5. API write: `--writes` visit reports (`POST .../visits/{occurrence}/report`, an
   Idempotency-Key each), one client after the other;
6. feeds after a change: one more report, then every rep's feed once with the ETag of
   the warm-up (each is rendered again; a rep whose items did not change still gets 304);

then a change visible in the next feed request: a visit reported through the API, and the
rep's feed asked at once with the ETag it had before (it must answer 200 with another
ETag). Goals (issue 15): feeds >= 50 % of the floor's throughput, 304s >= 80 %, feed p99 <
100 ms.

The clients run on the same machine as the server and share its cores (on a busy machine,
with other processes, too): next to each scenario's throughput and latency, the CPU time
the server process and the clients spent per request (the server's read from
/proc/PID/stat, Linux only). Server CPU per request against the floor's is the figure that
least depends on what else the machine runs.

Last, what one feed request costs inside the server, step by step, timed in this process on
the same store (median of `--breakdown-runs`): the token check, the plan state, the stream
version, the cached feed, and a feed rendered from a kept calendar view (what the server
does after a change) or from the view loaded anew (what `export ics` does).

    python -m benchmarks.serve
    python -m benchmarks.serve --requests 1000 --pages 50 --writes 20   # a quick run
    python -m benchmarks.serve --json
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from pacflow.app.access import grant
from pacflow.app.changes import execute
from pacflow.app.root import App

PLAN = "BENCH-SERVE"
MANAGER = "hg"
BUILT_AT = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
NOW = datetime(2025, 6, 10, 7, 0, tzinfo=UTC)
"""The server's clock: 10 June 2025, 09:00 in Paris, mid-way through the plan's year."""
FLOOR_PATH = "/bench/floor.ics"
STARTUP_TIMEOUT = 60.0

FEED_GOAL = 0.5
NOT_MODIFIED_GOAL = 0.8
P99_GOAL_MS = 100.0


# --- the plan -----------------------------------------------------------------------------


@dataclass
class Built:
    """The store's plan: each rep's token and planned visits, and the manager's API token."""

    reps: dict[str, str]
    visits: dict[str, list[str]]
    api: str


def build(url: str, reps: int) -> Built:
    """A published plan with `reps` reps, a step of visits each (every other week), and
    their links."""
    app = App(url, clock=lambda: BUILT_AT)
    try:

        def run(command: str, **fields: Any) -> None:
            execute(app, command, {"plan": PLAN, **fields}, actor=MANAGER)

        run(
            "CreatePlan",
            title="Serve benchmark",
            start=date(2025, 1, 1),
            end=date(2025, 12, 31),
            timezone="Europe/Paris",
            owner=MANAGER,
        )
        run("AddPerson", key=MANAGER, name="Hélène Garnier", kind="manager")
        run("AddTarget", key="T1", kind="customer", title="Banque Régionale", responsible=MANAGER)
        run("AddTrack", key="T1-ELEV", target="T1", domain="sales", approach="farming",
            title="Visites de suivi")  # fmt: skip
        keys = [f"r{number:03}" for number in range(reps)]
        for number, rep in enumerate(keys):
            run("AddPerson", key=rep, name=f"Commercial {number}", kind="rep")
            run(
                "AddStep",
                key=f"V{number:03}",
                track="T1-ELEV",
                title=f"Visite de suivi client {number}",
                responsible=rep,
                parallel=True,
                location=f"Client {number}, siège",
                schedule={
                    "kind": "recurrence",
                    "rules": [
                        {
                            "dtstart": f"2025-01-{6 + number % 5:02}T{8 + number % 9:02}:00:00",
                            "rrule": "FREQ=WEEKLY;INTERVAL=2;COUNT=24",
                        }
                    ],
                    "duration": "PT1H",
                },
            )
        run("ApprovePlan", reason="benchmark")
        run("PublishPlan", reason="benchmark")
        tokens = {
            rep: grant(app, PLAN, rep, "report", actor=MANAGER, reason="benchmark").token
            for rep in keys
        }
        api = grant(app, PLAN, MANAGER, "api", actor=MANAGER, reason="benchmark").token
        state = app.service().require(PLAN)
        visits = {
            rep: [
                occurrence.key
                for occurrence in state.occurrences.values()
                if state.steps[occurrence.step].responsible == rep
            ]
            for rep in keys
        }
        return Built(tokens, visits, api)
    finally:
        app.close()


# --- the server -------------------------------------------------------------------------


def serve(url: str, port: int, floor_file: Path) -> None:
    """The server process: `pacflow serve`'s application plus the floor's route."""
    import uvicorn
    from fastapi import Response

    from pacflow.web import create_app

    began = time.monotonic()

    def clock() -> datetime:
        return NOW + timedelta(seconds=time.monotonic() - began)

    logging.basicConfig(level="INFO", format="%(name)s %(message)s")
    web = create_app(App(url, clock=clock))
    floor = floor_file.read_bytes()

    @web.get(FLOOR_PATH, include_in_schema=False)
    def floor_bytes() -> Response:
        return Response(
            floor,
            media_type="text/calendar; charset=utf-8",
            headers={"ETag": '"floor"', "Cache-Control": "private, no-cache"},
        )

    uvicorn.run(web, host="127.0.0.1", port=port, access_log=False, log_level="warning")


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    """The server process: where it answers, and its process id (to read its CPU time)."""

    base: str
    pid: int

    def cpu_seconds(self) -> float | None:
        """User + system CPU time the process has used (Linux only; None elsewhere)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(url: str, folder: Path, floor: bytes) -> Iterator[Server]:
    """The server in a process of its own."""
    floor_file = folder / "floor.ics"
    floor_file.write_bytes(floor)
    port = free_port()
    log = folder / "server.log"
    root = Path(__file__).resolve().parents[1]
    environment = {**os.environ, "PYTHONPATH": str(root), "NO_PROXY": "127.0.0.1"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.serve", "--serve", url, str(port), str(floor_file)],
            cwd=root,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield Server(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the load -----------------------------------------------------------------------------


@dataclass
class Figures:
    """One scenario: throughput and latency as the clients saw them."""

    name: str
    requests: int
    clients: int
    seconds: float
    statuses: dict[int, int]
    latencies_ms: list[float] = field(repr=False)
    server_cpu_s: float | None = None
    client_cpu_s: float = 0.0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "requests": self.requests,
            "clients": self.clients,
            "per_second": round(self.per_second, 1),
            "p50_ms": round(self.percentile(0.50), 2),
            "p99_ms": round(self.percentile(0.99), 2),
            "server_cpu_ms_per_request": None
            if self.server_cpu_s is None
            else round(self.server_cpu_s * 1000 / self.requests, 2),
            "client_cpu_ms_per_request": round(self.client_cpu_s * 1000 / self.requests, 2),
            "statuses": {str(code): count for code, count in sorted(self.statuses.items())},
        }


Request = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


async def load(
    target: Server, name: str, requests: int, clients: int, send: Request, expected: set[int]
) -> Figures:
    """`requests` requests through `clients` concurrent clients; each sent by `send`."""
    numbers = itertools.count()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=target.base, limits=limits, timeout=60) as client:

        async def one_client() -> None:
            while (number := next(numbers)) < requests:
                began = time.perf_counter()
                response = await send(client, number)
                latencies.append((time.perf_counter() - began) * 1000)
                statuses[response.status_code] += 1

        server_cpu, client_cpu = target.cpu_seconds(), time.process_time()
        began = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        seconds = time.perf_counter() - began
        client_cpu = time.process_time() - client_cpu
        server_after = target.cpu_seconds()
    unexpected = {code: count for code, count in statuses.items() if code not in expected}
    if unexpected:
        raise RuntimeError(f"{name}: unexpected answers {unexpected}")
    spent = None if server_cpu is None or server_after is None else server_after - server_cpu
    return Figures(name, requests, clients, seconds, dict(statuses), latencies, spent, client_cpu)


async def etags(base: str, built: Built) -> dict[str, str]:
    """Every rep's feed fetched once (what fills the server's cache): their ETags."""
    found: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for rep, token in built.reps.items():
            response = await client.get(f"/feeds/{token}.ics")
            response.raise_for_status()
            found[rep] = response.headers["ETag"]
    return found


async def write_then_read(base: str, built: Built, rep: str, occurrence: str) -> dict[str, Any]:
    """A visit reported through the API, then the rep's feed at once: did it change?"""
    feed = f"/feeds/{built.reps[rep]}.ics"
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        before = await client.get(feed)
        began = time.perf_counter()
        written = await report_held(client, built, occurrence)
        after = await client.get(feed, headers={"If-None-Match": before.headers["ETag"]})
        seconds = time.perf_counter() - began
    return {
        "write_status": written.status_code,
        "feed_status": after.status_code,
        "etag_changed": after.headers.get("ETag") != before.headers["ETag"],
        "visible": written.status_code == 201
        and after.status_code == 200
        and after.headers.get("ETag") != before.headers["ETag"],
        "write_and_read_ms": round(seconds * 1000, 1),
    }


async def report_held(client: httpx.AsyncClient, built: Built, occurrence: str) -> httpx.Response:
    """A CRM's report through the API: the visit was held."""
    return await client.post(
        f"/api/v1/plans/{PLAN}/visits/{occurrence}/report",
        json={"held": True},
        headers={"Authorization": f"Bearer {built.api}", "Idempotency-Key": secrets.token_hex(12)},
    )


async def scenarios(target: Server, built: Built, options: argparse.Namespace) -> dict[str, Any]:
    chooser = random.Random(15)
    reps = sorted(built.reps)
    picks = [chooser.choice(reps) for _ in range(max(options.requests, options.pages))]
    clients, requests = options.clients, options.requests

    def floor(client: httpx.AsyncClient, number: int) -> Awaitable[httpx.Response]:
        return client.get(FLOOR_PATH)

    def feed(client: httpx.AsyncClient, number: int) -> Awaitable[httpx.Response]:
        return client.get(f"/feeds/{built.reps[picks[number]]}.ics")

    def page(client: httpx.AsyncClient, number: int) -> Awaitable[httpx.Response]:
        return client.get(f"/p/{built.reps[picks[number]]}")

    progress("warming up: every feed once")
    first_pass = time.perf_counter()
    tags = await etags(target.base, built)
    warm_up = time.perf_counter() - first_pass

    def not_modified(client: httpx.AsyncClient, number: int) -> Awaitable[httpx.Response]:
        rep = picks[number]
        return client.get(f"/feeds/{built.reps[rep]}.ics", headers={"If-None-Match": tags[rep]})

    # Reports of the visits planned before "now", the oldest of each rep first.
    pending = [(rep, occurrence) for rep in reps for occurrence in built.visits[rep][:3]]
    writes = pending[: options.writes]

    def write(client: httpx.AsyncClient, number: int) -> Awaitable[httpx.Response]:
        return report_held(client, built, writes[number][1])

    # After a change each feed is rendered again on its next request; a calendar app whose
    # items did not change still gets its 304 (the same bytes keep the same ETag).
    def every_feed(client: httpx.AsyncClient, number: int) -> Awaitable[httpx.Response]:
        rep = reps[number]
        return client.get(f"/feeds/{built.reps[rep]}.ics", headers={"If-None-Match": tags[rep]})

    figures: list[Figures] = []
    progress("floor")
    floors = [await load(target, "floor", requests, clients, floor, {200})]
    progress("feeds")
    figures.append(await load(target, "feeds", requests, clients, feed, {200}))
    progress("feeds 304")
    figures.append(await load(target, "feeds 304", requests, clients, not_modified, {304}))
    progress("page")
    figures.append(await load(target, "page", options.pages, clients, page, {200}))
    progress("API write")
    figures.append(await load(target, "API write", len(writes), 1, write, {201}))
    progress("feeds after a change: every rep's once")
    async with httpx.AsyncClient(base_url=target.base, timeout=60) as client:
        (await report_held(client, built, built.visits[reps[0]][4])).raise_for_status()
    changed = await load(target, "feeds, new", len(reps), clients, every_feed, {200, 304})
    figures.append(changed)
    progress("floor again")
    floors.append(await load(target, "floor", requests, clients, floor, {200}))
    best = max(floors, key=lambda found: found.per_second)
    change = await write_then_read(target.base, built, reps[-1], built.visits[reps[-1]][5])
    return {"floor": best, "floors": floors, "figures": figures, "change": change,
            "warm_up_s": warm_up}  # fmt: skip


# --- inside the server ----------------------------------------------------------------


def breakdown(url: str, built: Built, runs: int) -> dict[str, float]:
    """What a feed request costs inside the server, step by step (median ms)."""
    from integrations.ics import calendar_views, export_ics
    from pacflow.app.access import reach
    from pacflow.app.feeds import Feeds

    app = App(url, clock=lambda: NOW)
    try:
        rep, token = next(iter(built.reps.items()))
        feeds = Feeds(app)
        feeds.feed(PLAN, rep)
        kept = calendar_views(app.service())
        steps: dict[str, Callable[[], object]] = {
            "token check (access table)": lambda: app.access().check(token),
            "plan state (cached + tail)": lambda: app.service().load(PLAN),
            "reach (check + state)": lambda: reach(app, token),
            "stream version": lambda: app.store().stream_version(PLAN),
            "cached feed (version + cache)": lambda: feeds.feed(PLAN, rep),
            "feed rendered, view kept": lambda: export_ics(
                app.service(), PLAN, person=rep, views=kept
            ),
            "feed rendered, view loaded": lambda: export_ics(app.service(), PLAN, person=rep),
        }
        timings: dict[str, float] = {}
        for name, call in steps.items():
            call()
            samples = []
            for _ in range(runs):
                began = time.perf_counter()
                call()
                samples.append((time.perf_counter() - began) * 1000)
            timings[name] = statistics.median(samples)
        return timings
    finally:
        app.close()


# --- the report ---------------------------------------------------------------------------


def run(options: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="pacflow-serve-bench-") as scratch:
        folder = Path(scratch)
        url = options.db or f"sqlite:///{folder / 'serve.db'}"
        progress(f"building a plan of {options.reps} reps")
        began = time.perf_counter()
        built = build(url, options.reps)
        build_seconds = time.perf_counter() - began
        sizes = sorted(_feed_size(url, rep) for rep in list(built.reps)[:20])
        feed_bytes = sizes[len(sizes) // 2]
        floor = (b"X" * (feed_bytes - 2)) + b"\r\n"
        with server(url, folder, floor) as target:
            found = asyncio.run(scenarios(target, built, options))
        progress("breakdown")
        inside = breakdown(url, built, options.breakdown_runs)
    floor_figures: Figures = found["floor"]
    rows = []
    for figures in found["figures"]:
        row = figures.summary()
        row["vs_floor"] = round(figures.per_second / floor_figures.per_second, 3)
        rows.append(row)
    by_name = {row["name"]: row for row in rows}
    goals = {
        "feeds >= 50% of the floor": by_name["feeds"]["vs_floor"] >= FEED_GOAL,
        "304s >= 80% of the floor": by_name["feeds 304"]["vs_floor"] >= NOT_MODIFIED_GOAL,
        "feed p99 < 100 ms": max(by_name["feeds"]["p99_ms"], by_name["feeds 304"]["p99_ms"])
        < P99_GOAL_MS,
        "a change visible in the next feed request": bool(found["change"]["visible"]),
    }
    return {
        "reps": options.reps,
        "feed_bytes": feed_bytes,
        "build_s": round(build_seconds, 1),
        "warm_up_s": round(found["warm_up_s"], 2),
        "floor": floor_figures.summary(),
        "floors_per_second": [round(f.per_second, 1) for f in found["floors"]],
        "scenarios": rows,
        "change": found["change"],
        "breakdown_ms": {name: round(ms, 3) for name, ms in inside.items()},
        "goals": goals,
        "cpus": os.cpu_count(),
    }


def _feed_size(url: str, rep: str) -> int:
    from integrations.ics import export_ics

    app = App(url, clock=lambda: NOW)
    try:
        return len(export_ics(app.service(), PLAN, person=rep))
    finally:
        app.close()


def render(report: dict[str, Any]) -> str:
    floor = report["floor"]
    lines = [
        f"pacflow serve, one worker, {report['reps']} reps' feeds of ~{report['feed_bytes']} "
        f"bytes; clients on the same machine ({report['cpus']} CPUs)",
        f"plan built in {report['build_s']} s; every feed fetched once (cache filled) in "
        f"{report['warm_up_s']} s; floor runs {report['floors_per_second']} req/s",
        "",
        f"{'scenario':<12}{'clients':>8}{'requests':>10}{'req/s':>10}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'vs floor':>10}{'server CPU':>12}{'client CPU':>12}  answers",
        f"{'':<12}{'':>8}{'':>10}{'':>10}{'':>9}{'':>9}{'':>10}{'ms/req':>12}{'ms/req':>12}",
    ]

    def line(row: dict[str, Any], ratio: str) -> str:
        answers = ", ".join(f"{count}x{code}" for code, count in row["statuses"].items())
        server_cpu = row["server_cpu_ms_per_request"]
        return (
            f"{row['name']:<12}{row['clients']:>8}{row['requests']:>10}{row['per_second']:>10.1f}"
            f"{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}{ratio:>10}"
            f"{'-' if server_cpu is None else f'{server_cpu:.2f}':>12}"
            f"{row['client_cpu_ms_per_request']:>12.2f}  {answers}"
        )

    lines.append(line(floor, "1.00"))
    lines += [line(row, f"{row['vs_floor']:.2f}") for row in report["scenarios"]]
    change = report["change"]
    lines += [
        "",
        f"a change visible in the next feed request: {'yes' if change['visible'] else 'NO'} "
        f"(write {change['write_status']}, feed {change['feed_status']}, ETag changed: "
        f"{change['etag_changed']}; write + read {change['write_and_read_ms']} ms)",
        "",
        "inside the server, one feed request (median ms, in-process on the same store):",
        *[f"  {name:<32}{ms:>9.3f}" for name, ms in report["breakdown_ms"].items()],
        "",
        "goals:",
        *[f"  {'met   ' if met else 'MISSED'} {goal}" for goal, met in report["goals"].items()],
    ]
    return "\n".join(lines)


def progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["--serve"]:
        url, port, floor_file = arguments[1:4]
        serve(url, int(port), Path(floor_file))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000, help="per feed scenario")
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--writes", type=int, default=100)
    parser.add_argument("--breakdown-runs", type=int, default=200)
    parser.add_argument("--db", help="an empty store to build into [a temporary SQLite file]")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args(arguments)
    report = run(options)
    print(json.dumps(report, indent=2) if options.json else render(report))


if __name__ == "__main__":
    main()
