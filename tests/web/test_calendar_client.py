"""A real calendar client subscribed to a rep's feed: vdirsyncer pulls it, khal shows it.

vdirsyncer's read-only `http` storage copies `/feeds/{token}.ics` into a `filesystem`
folder (one file per event or task), the way a phone or desktop calendar subscribes to an
iCalendar URL; khal reads that folder and lists the visits in the user's time zone. What
khal shows is compared with the occurrences `pacflow plan show --json` lists, never with
a hard-coded list.

vdirsyncer's http storage sends no `If-None-Match` (it downloads the whole file at every
sync and compares items itself), so the 304 is proven with the conditional requests a
calendar app makes (Outlook, Apple Calendar, Thunderbird): the validators of the previous
answer sent back, and the server's access log showing the 304.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from freezegun import freeze_time

from pacflow.cli import main
from tests.khal import khal_config
from tests.web.conftest import NOW, PLAN, Grant, Served

REP = "cd"
TOOLS = Path(sys.executable).parent
ACCESS_LINE = re.compile(r'pacflow\.web\.access \S+ "GET /feeds/<token>\.ics" (\d{3}) ')

Seen = tuple[str, str, str]
"""A visit as a calendar shows it: local start ("2025-06-10 10:00", or the day alone for
an all-day event), title, and held / cancelled / planned."""


def pacflow(store_url: str, *args: str, at: datetime = NOW) -> str:
    """Run the CLI on the store with the clock at `at`; its output (it must succeed)."""
    with freeze_time(at):
        result = CliRunner().invoke(main, ["--db", store_url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def planned_visits(store_url: str, person: str, zone: ZoneInfo) -> Counter[Seen]:
    """The person's visits and sessions as `plan show --json` gives them, seen in `zone`."""
    plan = json.loads(pacflow(store_url, "plan", "show", PLAN, "--json"))
    plan_zone = ZoneInfo(plan["timezone"])
    status = {"done": "held", "cancelled": "cancelled"}
    seen: Counter[Seen] = Counter()
    for track in plan["tracks"]:
        for step in track["steps"]:
            if step["responsible"] != person:
                continue
            for occurrence in step.get("occurrences", []):
                start = datetime.fromisoformat(occurrence["start"])
                if occurrence["all_day"]:
                    when = start.date().isoformat()
                else:
                    local = start.replace(tzinfo=plan_zone).astimezone(zone)
                    when = local.strftime("%Y-%m-%d %H:%M")
                seen[(when, step["title"], status.get(occurrence["status"], "planned"))] += 1
    return seen


def next_visit(store_url: str, person: str, after: datetime) -> tuple[str, datetime]:
    """The key and local start of the person's first timed visit still planned after `after`."""
    plan = json.loads(pacflow(store_url, "plan", "show", PLAN, "--json"))
    coming = sorted(
        (datetime.fromisoformat(occurrence["start"]), occurrence["key"])
        for track in plan["tracks"]
        for step in track["steps"]
        if step["responsible"] == person
        for occurrence in step.get("occurrences", [])
        if occurrence["status"] == "planned" and not occurrence["all_day"]
    )
    start, key = next(pair for pair in coming if pair[0] > after)
    return key, start


@dataclass
class CalendarClient:
    """vdirsyncer pulling one feed URL into a folder, khal reading the folder."""

    home: Path
    url: str

    @property
    def folder(self) -> Path:
        return self.home / "calendar"

    def setup(self) -> None:
        self.folder.mkdir(parents=True)
        (self.home / "vdirsyncer.conf").write_text(
            "\n".join(
                [
                    "[general]",
                    f'status_path = "{self.home / "status"}/"',
                    "",
                    "[pair pac]",
                    'a = "pac_feed"',
                    'b = "pac_folder"',
                    "collections = null",
                    'conflict_resolution = "a wins"',
                    "",
                    "[storage pac_feed]",
                    'type = "http"',
                    f'url = "{self.url}"',
                    "",
                    "[storage pac_folder]",
                    'type = "filesystem"',
                    f'path = "{self.folder}/"',
                    'fileext = ".ics"',
                    "",
                ]
            )
        )
        self.vdirsyncer("discover")

    def run(self, tool: str, *args: str) -> str:
        environment = {
            **os.environ,
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_DATA_HOME": str(self.home / "data"),
            # The feed is on loopback: no proxy of the machine's may stand in the way.
            "NO_PROXY": "127.0.0.1,localhost",
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

    def vdirsyncer(self, command: str) -> str:
        return self.run("vdirsyncer", "-c", str(self.home / "vdirsyncer.conf"), command)

    def sync(self) -> str:
        """Pull the feed into the folder; what vdirsyncer said it did."""
        return self.vdirsyncer("sync")

    def files(self) -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in sorted(self.folder.iterdir())}

    def khal(self, zone: str) -> Counter[Seen]:
        """Every event khal lists in 2025, its user living in `zone`."""
        config = self.home / f"khal-{zone.replace('/', '-')}.conf"
        config.write_text(khal_config(self.folder, zone, config.with_suffix(".db")))
        fields = ["start-date", "start-time", "all-day", "title", "cancelled", "categories"]
        output = self.run(
            "khal",
            "-c",
            str(config),
            "list",
            "--once",
            "--day-format",
            "",
            *[option for field in fields for option in ("--json", field)],
            "2024-12-01",
            "2026-02-01",
        )
        seen: Counter[Seen] = Counter()
        for line in output.splitlines():
            if not line.startswith("["):
                continue
            for event in json.loads(line):
                seen[_as_seen(event)] += 1
        return seen


def _as_seen(event: dict[str, Any]) -> Seen:
    when = event["start-date"]
    if event["all-day"] != "True":
        when += " " + event["start-time"]
    if event["cancelled"].strip():
        status = "cancelled"
    elif "done" in [name.strip() for name in event["categories"].split(",")]:
        status = "held"
    else:
        status = "planned"
    return when, event["title"], status


def feed_statuses(served: Served) -> list[int]:
    """The status of every feed request in the server's access log, in order."""
    return [int(found.group(1)) for found in ACCESS_LINE.finditer(served.log.read_text())]


def test_khal_lists_the_reps_visits_at_their_local_times(
    served: Served, give: Grant, store_url: str, tmp_path: Path
) -> None:
    token = give(REP, "feed")
    client = CalendarClient(tmp_path / "client", f"{served.url}/feeds/{token}.ics")
    client.setup()
    client.sync()

    paris = client.khal("Europe/Paris")
    assert paris == planned_visits(store_url, REP, ZoneInfo("Europe/Paris"))
    assert {status for _, _, status in paris} == {"held", "cancelled", "planned"}
    winter = [when for when, _, _ in paris if when.startswith("2025-01") and " " in when]
    summer = [when for when, _, _ in paris if when.startswith("2025-06") and " " in when]
    assert winter
    assert summer  # both sides of the clock change, each at its local time

    # The same files, read by someone in New York: the times follow the zone.
    new_york = client.khal("America/New_York")
    assert new_york == planned_visits(store_url, REP, ZoneInfo("America/New_York"))
    assert new_york != paris


def test_a_second_pull_with_no_change_gets_304(served: Served, give: Grant, tmp_path: Path) -> None:
    token = give(REP, "feed")
    feed = f"/feeds/{token}.ics"
    client = CalendarClient(tmp_path / "client", served.url + feed)
    client.setup()
    client.sync()
    pulled = client.files()
    assert pulled

    said = client.sync()
    assert client.files() == pulled
    assert "Copying" not in said
    assert "Deleting" not in said
    assert feed_statuses(served) == [200, 200]  # vdirsyncer asks unconditionally

    # What a calendar app sends on its next poll: the previous answer's validators.
    first = served.get(feed)
    assert first.status_code == 200
    again = served.get(feed, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    since = served.get(feed, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    assert feed_statuses(served)[-3:] == [200, 304, 304]


def test_a_visit_moved_with_the_cli_shows_in_the_next_pull(
    served: Served, give: Grant, store_url: str, tmp_path: Path
) -> None:
    token = give(REP, "feed")
    feed = f"/feeds/{token}.ics"
    client = CalendarClient(tmp_path / "client", served.url + feed)
    client.setup()
    client.sync()
    before = served.get(feed)
    paris = ZoneInfo("Europe/Paris")

    key, start = next_visit(store_url, REP, NOW.astimezone(paris).replace(tzinfo=None))
    moved_to = (start + timedelta(days=1)).replace(hour=15, minute=30)
    pacflow(
        store_url,
        "--actor",
        REP,
        "visit",
        "move",
        PLAN,
        key,
        "--to",
        moved_to.isoformat(timespec="minutes"),
        "--reason",
        "The customer asked for the afternoon",
        at=NOW + timedelta(minutes=5),
    )

    after = served.get(feed, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    # The server continued its calendar view with the move: still the bytes of an export.
    exported = tmp_path / "exported.ics"
    pacflow(store_url, "export", "ics", PLAN, "--person", REP, "-o", str(exported))
    assert after.content == exported.read_bytes()
    said = client.sync()
    assert "Copying" in said

    shown = client.khal("Europe/Paris")
    assert shown == planned_visits(store_url, REP, paris)
    new_time = moved_to.strftime("%Y-%m-%d %H:%M")
    assert [when for when, _, _ in shown if when == new_time] == [new_time]
    old_time = start.strftime("%Y-%m-%d %H:%M")
    assert old_time not in {when for when, _, _ in shown}


def test_the_feed_is_the_file_export_ics_writes(
    served: Served, give: Grant, store_url: str, tmp_path: Path
) -> None:
    token = give(REP, "feed")
    exported = tmp_path / "exported.ics"
    pacflow(store_url, "export", "ics", PLAN, "--person", REP, "-o", str(exported))

    served_feed = served.get(f"/feeds/{token}.ics")
    assert served_feed.status_code == 200
    assert served_feed.headers["Content-Type"].startswith("text/calendar")
    assert served_feed.content == exported.read_bytes()

    # Another rep's feed is theirs, not this one.
    other = served.get(f"/feeds/{give('kb', 'feed')}.ics")
    assert other.status_code == 200
    assert other.content != served_feed.content
