"""A year that crosses both clock changes, as a rep's terminal calendar shows it.

`pacflow sync` fills two reps' calendars on a real Radicale: one in Paris (clocks forward
2025-03-30, back 2025-10-26), one in New York (2025-03-09 and 2025-11-02). Each rep's
vdirsyncer pulls their calendar over CalDAV into a folder and khal lists it in their own
zone, as they would read it. Every visit must be there (khal drops an event whose DTEND is
before its DTSTART), at the local time its instant has in that zone, and as long as it was
planned. What is expected comes from `plan show --json` and the durations typed below,
never from a list of times written into the test.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from icalendar import Calendar

from integrations.sync import calendar_name
from pacflow.cli import main
from pacflow.domain.localtime import split_suffix
from tests.integrations.conftest import CalDavAccount, RadicaleServer
from tests.khal import khal_config

PLAN = "PAC-DST"
TOOLS = Path(sys.executable).parent
PARIS, NEW_YORK = "Europe/Paris", "America/New_York"

STEPS = {
    # key: (responsible, length, schedule options)
    "W1": ("hg", "PT30M", ["--rrule", "FREQ=WEEKLY;BYDAY=SU;COUNT=40",
                           "--dtstart", "2025-03-02T02:30"]),  # into the gap, the repeated hour
    "S1": ("hg", "PT90M", ["--session", "2025-10-26T01:45"]),  # ends in the second 02:15
    "S2": ("hg", "PT1H", ["--session", "2025-10-26T02:30~2", "--session", "2025-03-30T01:30"]),
    "N1": ("ny", "PT1H", ["--rrule", "FREQ=WEEKLY;BYDAY=SU;COUNT=40",
                          "--dtstart", "2025-03-02T09:00", "--in", "ny"]),
    "N2": ("ny", "PT45M", ["--session", "2025-11-02T01:30~2", "--session", "2025-03-09T03:00",
                           "--session", "2025-11-02T01:15~1", "--in", "ny"]),
}  # fmt: skip

Seen = tuple[str, str, str]
"""A visit as khal lists it: local start and end ("2025-10-26 02:30"), and its title."""


def pacflow(env: dict[str, str], *args: str) -> str:
    # No frozen clock here: freezegun's datetimes lose `fold` in `astimezone`, and the
    # second of two repeated times is what this test is about. Nothing here is "today".
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def _account(radicale: RadicaleServer) -> CalDavAccount:
    name, password = f"rep-{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    radicale.add_user(name, password)
    return CalDavAccount(radicale, name, password)


def _plan(env: dict[str, str]) -> None:
    for command in (
        ["plan", "create", PLAN, "--title", "Both clock changes", "--start", "2025-01-01",
         "--end", "2025-12-31", "--timezone", PARIS, "--owner", "hg", "--country", "none"],
        ["person", "add", PLAN, "hg", "--name", "Hélène", "--kind", "manager"],
        ["person", "add", PLAN, "ny", "--name", "Nora York", "--kind", "rep",
         "--timezone", NEW_YORK],
        ["target", "add", PLAN, "T1", "--kind", "customer", "--title", "BRC",
         "--responsible", "hg"],
        ["track", "add", PLAN, "TR", "--target", "T1", "--domain", "sales",
         "--approach", "farming", "--title", "Suivi"],
    ):  # fmt: skip
        pacflow(env, *command)
    for key, (responsible, length, schedule) in STEPS.items():
        pacflow(env, "step", "add", PLAN, key, "--track", "TR", "--title", f"Visit {key}",
                "--responsible", responsible, "--parallel", "--duration", length,
                *schedule)  # fmt: skip


def _length(text: str) -> timedelta:
    hours, _, minutes = text.removeprefix("PT").removesuffix("M").partition("H")
    return (
        timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
        if "H" in text
        else (timedelta(minutes=int(hours)))
    )


def expected(env: dict[str, str], person: str, zone: str) -> Counter[Seen]:
    """The person's visits as `plan show --json` gives them, seen in `zone`."""
    plan = json.loads(pacflow(env, "plan", "show", PLAN, "--json"))
    plan_zone, seen_in = ZoneInfo(plan["timezone"]), ZoneInfo(zone)
    seen: Counter[Seen] = Counter()
    for track in plan["tracks"]:
        for step in track["steps"]:
            responsible, length, _ = STEPS[step["key"]]
            if responsible != person:
                continue
            for occurrence in step["occurrences"]:
                text, fold = split_suffix(occurrence["start"])  # `~2`: the second one
                start = datetime.fromisoformat(text).replace(tzinfo=plan_zone, fold=fold or 0)
                start = start.astimezone(UTC)
                end = start + _length(length)
                seen[(_local(start, seen_in), _local(end, seen_in), step["title"])] += 1
    return seen


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


class Terminal:
    """A rep's vdirsyncer (CalDAV → folder) and khal (folder → list), in a home of theirs."""

    def __init__(self, home: Path, account: CalDavAccount, zone: str) -> None:
        self.home, self.zone = home, zone
        self.folder = home / "calendar"
        self.folder.mkdir(parents=True)
        url = f"{account.home_url}{calendar_name(PLAN)}/"
        (home / "vdirsyncer.conf").write_text(
            "\n".join(
                [
                    "[general]",
                    f'status_path = "{home / "status"}/"',
                    "[pair pac]",
                    'a = "pac_dav"',
                    'b = "pac_folder"',
                    "collections = null",
                    'conflict_resolution = "a wins"',
                    "[storage pac_dav]",
                    'type = "caldav"',
                    f'url = "{url}"',
                    f'username = "{account.username}"',
                    f'password = "{account.password}"',
                    "[storage pac_folder]",
                    'type = "filesystem"',
                    f'path = "{self.folder}/"',
                    'fileext = ".ics"',
                    "",
                ]
            )  # fmt: skip
        )
        (home / "khal.conf").write_text(khal_config(self.folder, zone, home / "khal.db"))

    def run(self, tool: str, *args: str) -> str:
        environment = {
            **os.environ,
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_DATA_HOME": str(self.home / "data"),
            "NO_PROXY": "127.0.0.1,localhost",  # Radicale is on loopback
            "no_proxy": "127.0.0.1,localhost",
            "PYTHONIOENCODING": "utf-8",
        }
        done = subprocess.run(
            [str(TOOLS / tool), *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=environment,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        assert done.returncode == 0, f"{tool} {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout + done.stderr

    def pull(self) -> None:
        config = str(self.home / "vdirsyncer.conf")
        self.run("vdirsyncer", "-c", config, "discover")
        self.run("vdirsyncer", "-c", config, "sync")

    def khal(self) -> tuple[Counter[Seen], str]:
        """Every timed event khal lists in 2025, and everything it said."""
        fields = ["start-date", "start-time", "end-date", "end-time", "all-day", "title"]
        output = self.run(
            "khal", "-c", str(self.home / "khal.conf"), "list", "--once", "--day-format", "",
            *[option for field in fields for option in ("--json", field)],
            "2025-01-01", "2026-01-01",
        )  # fmt: skip
        seen: Counter[Seen] = Counter()
        for line in output.splitlines():
            if line.startswith("["):
                for event in json.loads(line):
                    assert event["all-day"] != "True", event
                    start = f"{event['start-date']} {event['start-time']}"
                    end = f"{event['end-date']} {event['end-time']}"
                    seen[(start, end, event["title"])] += 1
        return seen, output

    def events(self) -> list[Any]:
        """The VEVENTs vdirsyncer pulled, parsed with icalendar."""
        return [
            event
            for path in sorted(self.folder.glob("*.ics"))
            for event in Calendar.from_ical(path.read_bytes()).walk("VEVENT")
        ]


def test_khal_shows_every_visit_at_its_time_across_both_clock_changes_in_two_zones(
    tmp_path: Path, radicale: RadicaleServer
) -> None:
    env = {
        "PACFLOW_DB": f"sqlite:///{tmp_path / 'dst.db'}",
        "PACFLOW_ACTOR": "hg",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    }
    _plan(env)
    terminals = {}
    for person, zone in (("hg", PARIS), ("ny", NEW_YORK)):
        account = _account(radicale)
        variable = f"PACFLOW_TEST_CALDAV_{person.upper()}"
        env[variable] = account.password
        pacflow(env, "calendar", "connect", PLAN, person, "--url", account.home_url,
                "--username", account.username, "--password-env", variable)  # fmt: skip
        terminals[person] = Terminal(tmp_path / person, account, zone)
    report = json.loads(pacflow(env, "sync", PLAN, "--json"))
    assert all(not calendar.get("errors") for calendar in report["calendars"]), report

    for person, terminal in terminals.items():
        terminal.pull()
        for event in terminal.events():  # as any reader resolves them: instants
            start, end = event.decoded("DTSTART"), event.decoded("DTEND")
            assert end.astimezone(UTC) > start.astimezone(UTC), event["UID"]
        seen, said = terminal.khal()
        assert "DTEND" not in said  # khal names the events it drops
        wanted = expected(env, person, terminal.zone)
        assert sum(wanted.values()) == len(terminal.events())
        assert seen == wanted, (person, set(seen) ^ set(wanted))

    # Spot checks of what the year's edges look like to each rep.
    paris, _ = terminals["hg"].khal()
    assert ("2025-03-30 03:30", "2025-03-30 04:00", "Visit W1") in paris  # 02:30 skipped
    assert ("2025-10-26 01:45", "2025-10-26 02:15", "Visit S1") in paris  # 90 minutes
    new_york, _ = terminals["ny"].khal()
    assert ("2025-03-09 03:00", "2025-03-09 03:45", "Visit N2") in new_york
    assert sum(1 for start, _, _ in new_york if start.startswith("2025-11-02 01:")) == 2
