"""`pacflow sync`: each connected person's calendar and the plan, brought to agree.

Per calendar, in this order (docs/calendars.md has the user's view):

1. **Find the calendar.** The first time, one PROPFIND tells whether the connected URL is a
   calendar (used as is) or a calendar home (the plan's calendar is created in it, named
   after the plan). The URL found is kept, so later syncs skip this.
2. **Read what changed** since the stored sync token: one sync-collection REPORT; hrefs
   whose ETag is the one pacflow stored are its own writes and are dropped; the others
   come in one calendar-multiget. Without a token, or when the server refuses it, the
   REPORT lists every item instead.
3. **Bring the rep's changes back** (`integrations.pullback`) as plan commands recorded
   with the rep as actor and `calendar` as source, or as `CalendarChangeOverridden` when
   the plan does not take them.
4. **Push the plan**: each item is rendered; a new one is created with `If-None-Match: *`;
   one whose rendering hash changed (or that the rep changed and the plan did not take)
   is updated with `If-Match: <stored ETag>`; an item that left the person's calendar is
   deleted with `If-Match`. A 412 means the calendar changed meanwhile: the item is read
   again, its change brought back, and the write retried (a bounded number of times). A
   412 on a create, or a 409 (the UID is at another href), means the item is there
   already (an interrupted sync): it is adopted, never duplicated.
5. **Refresh the token** with one more REPORT when something was written: if it shows only
   pacflow's own writes the new token is kept; otherwise the old one stays, so that the
   rep's concurrent change is read next time.

What the sync knows is committed after every write (`integrations.sync_state`), so an
interrupted sync resumes where it stopped. With `dry_run`, only reads go to the server and
nothing is recorded anywhere; the report lists the writes a real sync would make.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from events import EventStoreError
from integrations.accounts import AccountStore, CalendarAccount, resolve_password
from integrations.calendar_view import CalendarViews
from integrations.dav import Changes, DavClient, DavError, DavNothingThere, absolute, href_key
from integrations.ics import render_resources
from integrations.items import CalendarItem, calendar_items, uid_part
from integrations.pullback import (
    Decision,
    Remote,
    decide_change,
    item_keys,
    parse_remote,
    shown,
)
from integrations.revisions import CalendarHistory, Revision
from integrations.sync_state import ItemState, SyncStateStore
from pacflow.domain import Command, PlanEvent, PlanState
from pacflow.domain import commands as c
from pacflow.errors import (
    ConflictError,
    IntegrityError,
    InvalidInputError,
    NotFoundError,
    RuleViolationError,
    StoreError,
    Suggestion,
)
from pacflow.service import PlanService
from slotted import FrozenValue, MutableRecord, frozen_record, mutable_record

SOURCE = "calendar"
_STORE_FAILURES = (StoreError, IntegrityError, ConflictError, EventStoreError)
MAX_WRITE_ATTEMPTS = 3
_IDS = uuid.UUID("6f1c8f3e-3b0e-5d2a-9a57-2f0c6f2b9d11")


@frozen_record
class SyncOptions(FrozenValue):
    """How to sync: for real or not, and how patient to be with the server."""

    dry_run: bool = False
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5


@frozen_record
class Write(FrozenValue):
    """One write to a calendar, done (or, in a dry run, that would be done)."""

    method: str
    href: str
    uid: str
    precondition: str


COUNTERS = ("created", "updated", "cancelled", "removed", "pulled_back", "conflicts", "requests")


@mutable_record
class CalendarReport(MutableRecord):
    """What the sync did with one person's calendar."""

    person: str
    url: str
    ok: bool = True
    error: str | None = None
    """What went wrong, in one line (no advice: that is `suggestion`)."""
    suggestion: Suggestion | None = None
    """What the user could do next, as data (see `pacflow.errors.Suggestion`)."""
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    removed: int = 0
    pulled_back: int = 0
    conflicts: int = 0
    requests: int = 0
    writes: list[Write] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "person": self.person,
            "url": self.url,
            "ok": self.ok,
            "error": self.error,
            "suggestion": None
            if self.suggestion is None
            else {"command": list(self.suggestion.command), "note": self.suggestion.note},
            **{name: getattr(self, name) for name in COUNTERS},
            "writes": [
                {
                    "method": w.method,
                    "href": w.href,
                    "uid": w.uid,
                    "precondition": w.precondition,
                }
                for w in self.writes
            ],
        }


@mutable_record
class SyncReport(MutableRecord):
    """What the sync did with every calendar of the plan it was asked to sync."""

    plan: str
    dry_run: bool
    calendars: list[CalendarReport]

    @property
    def ok(self) -> bool:
        return all(calendar.ok for calendar in self.calendars)

    def totals(self) -> dict[str, int]:
        return {name: sum(getattr(c, name) for c in self.calendars) for name in COUNTERS}

    def as_json(self) -> dict[str, object]:
        return {
            "plan": self.plan,
            "dry_run": self.dry_run,
            "calendars": [calendar.as_json() for calendar in self.calendars],
            "totals": self.totals(),
        }


Progress = Callable[[str, int, int], None]
"""`progress(person, done, total)` after each write of a person's calendar."""


def sync_plan(
    service: PlanService,
    engine: sa.Engine,
    plan: str,
    *,
    people: Sequence[str] = (),
    options: SyncOptions | None = None,
    now: Callable[[], datetime],
    password: Callable[[CalendarAccount], str] = resolve_password,
    progress: Progress | None = None,
) -> SyncReport:
    """Sync the calendars of `people` (every connected person when empty) with `plan`.

    Raises NotFoundError for an unknown plan or person, or when no calendar is connected;
    a calendar that fails is reported (`ok` False, one-line `error`) and the others sync.
    """
    options = options or SyncOptions()
    histories = _Histories(service, engine, plan)
    state = histories.current().state
    accounts_store = AccountStore(engine)
    accounts = {account.person: account for account in accounts_store.accounts(plan)}
    for person in people:
        if person not in state.people:
            known = ", ".join(sorted(state.people)) or "nobody yet"
            raise NotFoundError(f"person {person}: not in plan {plan} (its people: {known})")
        if person not in accounts:
            raise NotFoundError(
                f"person {person}: no calendar connected for plan {plan}",
                code="no-calendar",
                subject=person,
                suggestion=Suggestion(("calendar", "connect", plan, person, "--help")),
            )
    if not accounts:
        raise NotFoundError(
            f"plan {plan}: no calendar connected",
            code="no-calendar",
            subject=plan,
            suggestion=Suggestion(("calendar", "connect", "--help")),
        )
    chosen = [accounts[p] for p in dict.fromkeys(people)] if people else list(accounts.values())
    reports: list[CalendarReport] = []
    for account in chosen:
        report = CalendarReport(account.person, account.url)
        calendar = _CalendarSync(
            service, engine, account, options, now, report, progress, histories
        )
        try:
            calendar.run(password)
        except (DavError, InvalidInputError) as error:
            report.ok = False
            text, who = str(error), f"calendar of {account.person}"
            report.error = text if text.startswith(who) else f"{who}: {text}"
            report.suggestion = _suggestion(error, account)
        except _STORE_FAILURES:
            raise  # the store itself: every calendar would fail the same way
        except Exception as error:
            # Whatever went wrong with one calendar (a value no check foresaw, a bug), the
            # others of the plan still sync and `calendar list` says this one failed.
            report.ok = False
            first = (str(error).splitlines() or [""])[0][:200]
            report.error = (
                f"calendar of {account.person}: cannot be synced "
                f"({type(error).__name__}: {first}); the other calendars were synced"
            )
            report.suggestion = Suggestion(
                ("sync", account.plan), note="again, and report it if it persists"
            )
        finally:
            report.requests = calendar.requests
            calendar.close()
        if not options.dry_run:
            state_text = "ok" if report.ok else f"failed: {report.error}"
            accounts_store.record_sync(plan, account.person, now(), state_text)
        reports.append(report)
    return SyncReport(plan, options.dry_run, reports)


def _suggestion(error: Exception, account: CalendarAccount) -> Suggestion | None:
    """What the user could do about a calendar that failed (the front end words it)."""
    from integrations.dav import DavRefused, DavUnavailable

    connect = ("calendar", "connect", account.plan, account.person)
    if isinstance(error, DavRefused):
        return Suggestion(connect, note="to fix the login or URL", placeholders="--url URL …")
    if isinstance(error, DavNothingThere):
        return Suggestion(connect, note="to fix the URL", placeholders="--url URL …")
    if isinstance(error, DavUnavailable):
        return Suggestion(
            ("sync", account.plan), note="once the server answers: nothing is duplicated"
        )
    if isinstance(error, DavError):
        return Suggestion(("sync", account.plan), note="again: nothing is duplicated")
    if isinstance(error, InvalidInputError):
        return Suggestion((*connect, "--help"), note="or fix it")
    return None


def calendar_name(plan: str) -> str:
    """The collection pacflow creates in a calendar home for the plan."""
    return f"pacflow-{uid_part(plan)}"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_SEQUENCE = re.compile(rb"\r\nSEQUENCE:(\d+)\r\n")


def with_alarms(data: bytes, alarms: str) -> bytes:
    """`data` (one rendered item) with the rep's reminders (VALARM text) put back in it.

    pacflow renders no reminder of its own; those a rep set in their app stay on the item
    when the plan changes it (the rep owns them, like completion).
    """
    if not alarms:
        return data
    for end in (b"END:VTODO\r\n", b"END:VEVENT\r\n"):
        at = data.rfind(end)
        if at != -1:
            text = alarms.replace("\r\n", "\n").replace("\n", "\r\n").encode()
            return data[:at] + text + data[at:]
    return data


def with_sequence(data: bytes, sequence: int) -> bytes:
    """`data` (one rendered item) with its SEQUENCE raised to `sequence` if it is lower.

    The plan numbers its changes; a calendar app may number the rep's changes too. What
    pacflow writes never goes below what the calendar showed, so apps that compare
    SEQUENCE keep taking the plan's version (RFC 5545 §3.8.7.4).
    """
    found = _SEQUENCE.search(data)
    if found is None or int(found.group(1)) >= sequence:
        return data
    line = b"\r\nSEQUENCE:%d\r\n" % sequence
    return data[: found.start()] + line + data[found.end() :]


class _Histories:
    """The plan's calendar history for every calendar synced: the stored calendar view
    (`integrations.calendar_view`), brought up to date with the events recorded since it
    was stored, and again whenever the plan moves on (a rep's change brought back, say)."""

    def __init__(self, service: PlanService, engine: sa.Engine, plan: str) -> None:
        self._service = service
        self._plan = plan
        self._views = CalendarViews(service.store, engine)

    def current(self, extra: Sequence[tuple[datetime, PlanEvent]] = ()) -> CalendarHistory:
        """The history as the log has it, plus `extra` events (a dry run's, not recorded)."""
        history = self._views.history(self._plan, extra=extra)
        if history is None:
            self._service.require(self._plan)  # the plan does not exist: its NotFoundError
        assert history is not None
        return history


@mutable_record
class _View(MutableRecord):
    """The plan as the person's calendar should show it: items and their bytes, by UID."""

    state: PlanState
    items: dict[str, CalendarItem]
    data: dict[str, bytes]
    revisions: dict[str, Revision]


class _Conflicted(DavError):
    """An item kept changing in the calendar while pacflow retried its write."""


class _CalendarSync:
    """One person's calendar, synced once."""

    def __init__(
        self,
        service: PlanService,
        engine: sa.Engine,
        account: CalendarAccount,
        options: SyncOptions,
        now: Callable[[], datetime],
        report: CalendarReport,
        progress: Progress | None,
        histories: _Histories,
    ) -> None:
        self.service = service
        self.histories = histories
        self.account = account
        self.person = account.person
        self.plan = account.plan
        self.options = options
        self.dry = options.dry_run
        self.now = now
        self.report = report
        self.progress = progress
        self.memory = SyncStateStore(engine, account.plan, account.person)
        self.client: DavClient | None = None
        self.rows: dict[str, ItemState] = {}
        self.extra_events: list[tuple[datetime, PlanEvent]] = []
        self.write_back: set[str] = set()
        self.accepted_deletes: set[str] = set()
        self.adoptable: dict[str, tuple[str, str, Remote]] = {}  # uid -> href, etag, remote
        self.calendar_url = ""

    @property
    def requests(self) -> int:
        return self.client.requests if self.client is not None else 0

    def close(self) -> None:
        if self.client is not None:
            self.client.close()

    # --- the steps ------------------------------------------------------------------------

    def run(self, password: Callable[[CalendarAccount], str]) -> None:
        self.client = DavClient(
            self.account.username,
            password(self.account),
            timeout=self.options.timeout,
            retries=self.options.retries,
            backoff=self.options.backoff,
        )
        client = self.client
        fresh, token = self._locate(client)
        self.rows = self.memory.items()
        view = self._view()
        if fresh:
            read_token = None
        else:
            changes, full = self._read(client, token)
            read_token = changes.token
            if self._pull_back(client, changes, full, view):
                view = self._view()
        wrote = self._push(client, view)
        if self.dry:
            return
        if wrote:
            self._refresh(client, read_token)
        elif read_token is not None:
            self.memory.save_calendar(self.calendar_url, read_token)

    def _locate(self, client: DavClient) -> tuple[bool, str | None]:
        """The calendar's URL (created if need be); whether it is new, and the stored token."""
        known = self.memory.calendar()
        if known is not None:
            self.calendar_url = known[0]
            return False, known[1]
        url = self.account.url if self.account.url.endswith("/") else self.account.url + "/"
        found = client.is_calendar(url)
        if found is None:
            raise DavNothingThere(f"nothing at {url}: check the calendar's URL")
        if found:
            self.calendar_url = url
            fresh = False
        else:
            self.calendar_url = f"{url}{calendar_name(self.plan)}/"
            state = self.histories.current().state
            member = state.people.get(self.person)
            title = f"{self.plan} — {member.name if member else self.person}"
            if self.dry:
                fresh = client.is_calendar(self.calendar_url) is None
            else:
                fresh = client.make_calendar(self.calendar_url, title)
        if not self.dry:
            self.memory.save_calendar(self.calendar_url, None)
        return fresh, None

    def _view(self) -> _View:
        history = self.histories.current(self.extra_events)
        items = {item.uid: item for item in calendar_items(history.state, person=self.person)}
        data = render_resources(history, person=self.person)
        return _View(history.state, items, data, history.revisions)

    def _read(self, client: DavClient, token: str | None) -> tuple[Changes, bool]:
        if token is not None:
            changes = client.changes(self.calendar_url, token)
            if changes is not None:
                return changes, False
        listing = client.changes(self.calendar_url, None)
        assert listing is not None  # without a token there is nothing to refuse
        return listing, True

    # --- pulling back ---------------------------------------------------------------------

    def _pull_back(self, client: DavClient, changes: Changes, full: bool, view: _View) -> bool:
        """Bring the rep's changes into the plan; True when the plan changed."""
        by_href = {row.href: row for row in self.rows.values() if row.href is not None}
        fetch = [
            href
            for href, etag in changes.changed.items()
            if href not in by_href or by_href[href].etag != etag
        ]
        gone = [href for href in changes.removed if href in by_href]
        if full:
            gone += [href for href in by_href if href not in changes.changed]
        fetched = client.multiget(self.calendar_url, fetch)
        gone += [href for href in fetch if href not in fetched and href in by_href]
        changed_plan = False
        for href in fetch:
            if href not in fetched:
                continue
            etag, data = fetched[href]
            remote = parse_remote(data, view.state.timezone)
            row = by_href.get(href)
            if row is None:
                if remote is not None and (remote.uid in view.items or remote.uid in self.rows):
                    self.adoptable[remote.uid] = (href, etag, remote)
                continue
            if remote is None or remote.uid != row.uid:
                continue
            changed_plan |= self._take(row, remote, etag, view)
        for href in dict.fromkeys(gone):
            changed_plan |= self._take(by_href[href], None, None, view)
        return changed_plan

    def _take(self, row: ItemState, remote: Remote | None, etag: str | None, view: _View) -> bool:
        """Decide about one rep change, record it, and note where the item now stands."""
        if (
            remote is not None
            and etag is not None
            and remote.unreadable is None
            and self._is_current(remote, view, row)
        ):
            # Our own write, whose answer was lost (a dropped connection, a killed sync).
            assert row.href is not None
            current = self._state_of(row.uid, row.href, etag, view.data[row.uid], view)
            sequence = max(current.sequence, row.sequence)
            self._remember(replace(current, sequence=sequence, alarms=remote.alarms))
            return False
        member = view.state.people.get(self.person)
        zone = member.timezone if member is not None and member.timezone else None
        today = self.now().astimezone(ZoneInfo(zone or view.state.timezone)).date()  # theirs
        decision = decide_change(
            view.state, self.person, row, remote, view.items.get(row.uid), today
        )
        changed = self._record(decision, row, remote, etag, view.state)
        if decision.write_back:
            self.write_back.add(row.uid)
        if remote is not None and decision.foreign:
            # Nothing of the item is taken: the row keeps what the plan showed, and the
            # plan's version is written over it (at the ETag just read).
            seen = replace(row, etag=etag, sequence=max(row.sequence, remote.sequence))
            if decision.write_back:
                seen = replace(seen, content_hash="")
        elif remote is None:
            href_left = None
            if decision.accept_delete:
                self.accepted_deletes.add(row.uid)
            seen = row.moved_to(href_left, None)
            if decision.write_back:
                seen = replace(seen, content_hash="")
        else:
            seen = ItemState(
                row.uid,
                row.href,
                etag,
                row.content_hash,
                max(row.sequence, remote.sequence),
                remote.status or row.status,
                remote.start,
                remote.end,
                remote.due,
                remote.alarms,
            )
            if remote.done and remote.kind == "VTODO":
                seen = replace(seen, status="COMPLETED")
        self.rows[row.uid] = seen
        if not self.dry:
            self.memory.save_item(seen)
        return changed

    def _record(
        self,
        decision: Decision,
        row: ItemState,
        remote: Remote | None,
        etag: str | None,
        state: PlanState,
    ) -> bool:
        """Record the decision's command (or its override); True when the plan changed."""
        seed = f"{self.plan}|{self.person}|{row.uid}|{etag or 'deleted:' + (row.etag or '')}"
        if decision.command is not None:
            try:
                self._execute(decision.command, seed + "|change")
            except (RuleViolationError, InvalidInputError, NotFoundError) as refused:
                # A rule says no (a done date outside the plan, a predecessor not done...).
                self.write_back.add(row.uid)
                overridden = _override_of(decision.command, state, self.person)
                self._override(row, overridden, str(refused), seed, state)
                return False
            self.report.pulled_back += 1
            return True
        if decision.override is not None:
            assert decision.rule is not None
            self._override(row, decision.override, decision.rule, seed, state)
        return False

    def _override(
        self, row: ItemState, change: str, rule: str, seed: str, state: PlanState
    ) -> None:
        step, occurrence = item_keys(state, row.uid, None)
        if step is None:
            return
        command = c.RecordCalendarOverride(
            plan=self.plan,
            actor=self.person,
            reason=rule,
            step=step,
            occurrence=occurrence,
            change=change,
            rule=rule,
        )
        self._execute(command, seed + "|override")
        self.report.conflicts += 1

    def _execute(self, command: Command, seed: str) -> None:
        # Derived ids: a sync that runs again after a crash records nothing twice.
        command_id = uuid.uuid5(_IDS, seed)
        if self.dry:
            outcome = self.service.execute_all(
                self.plan, [command], command_id=command_id, source=SOURCE, dry_run=True
            )
            at = self.now()
            self.extra_events += [(at, event) for event in outcome.events]
            return
        self.service.execute(command, command_id=command_id, source=SOURCE)

    # --- pushing --------------------------------------------------------------------------

    def _push(self, client: DavClient, view: _View) -> bool:
        """Write what the calendar lacks; True when anything was written."""
        work: list[tuple[str, str]] = []
        for uid, data in view.data.items():
            row = self.rows.get(uid)
            digest = content_hash(data)
            if uid in self.accepted_deletes and row is not None:
                self._remember(replace(row, content_hash=digest))
                continue
            if row is not None and row.content_hash == digest and uid not in self.write_back:
                continue
            work.append(("PUT", uid))
        work += [("DELETE", uid) for uid in self.rows if uid not in view.data]
        for done, (method, uid) in enumerate(work, start=1):
            if method == "PUT":
                self._put(client, uid, view)
            else:
                self._delete(client, uid, view)
            if self.progress is not None:
                self.progress(self.person, done, len(work))
        return bool(self.report.writes) and not self.dry

    def _put(self, client: DavClient, uid: str, view: _View) -> None:
        for attempt in range(MAX_WRITE_ATTEMPTS):
            row = self.rows.get(uid)
            if (
                attempt
                and row is not None
                and row.href is not None
                and row.content_hash == content_hash(view.data[uid])
                and uid not in self.write_back
            ):
                return  # what we meant to write is there already
            if row is not None and uid in self.accepted_deletes:
                # The rep deleted it meanwhile and the plan took that: it stays deleted.
                self._remember(replace(row, content_hash=content_hash(view.data[uid])))
                return
            if row is None and uid in self.adoptable:
                row = self._adopt(uid, view)
                if row is None:
                    return  # the calendar holds this very version already
            data = view.data[uid]
            sequence = max(view.revisions[uid].sequence, row.sequence if row is not None else 0)
            alarms = row.alarms if row is not None else ""
            body = with_alarms(with_sequence(data, sequence), alarms)
            href = row.href if row is not None and row.href else self._href(uid)
            etag = row.etag if row is not None and row.href else None
            if self.dry:
                self._note("PUT", href, uid, etag)
                self._count_put(row, view.items[uid], created=etag is None)
                return
            answer = client.put(absolute(self.calendar_url, href), body, etag=etag)
            if answer.status in (200, 201, 204):
                self._note("PUT", href, uid, etag)
                self._count_put(row, view.items[uid], created=etag is None)
                written = self._state_of(uid, href, answer.etag, data, view)
                self._remember(replace(written, sequence=sequence, alarms=alarms))
                return
            if answer.status == 412 and etag is None:
                self._found_existing(client, uid, href, view)
            elif answer.status == 409 and etag is None:
                self._find_elsewhere(client, uid, view)
            elif answer.status in (404, 412):
                view = self._changed_meanwhile(client, uid, href, row, view)
                if uid not in view.data:
                    return
            else:
                raise DavError(f"PUT {uid}: unexpected answer {answer.status}")
        raise _Conflicted(f"item {uid} kept changing in the calendar while pacflow wrote it")

    def _delete(self, client: DavClient, uid: str, view: _View) -> None:
        for _attempt in range(MAX_WRITE_ATTEMPTS):
            row = self.rows.get(uid)
            if row is None:
                return
            if row.href is None or row.etag is None:
                self._forget(uid)
                return
            if self.dry:
                self._note("DELETE", row.href, uid, row.etag)
                self.report.removed += 1
                return
            answer = client.delete(absolute(self.calendar_url, row.href), etag=row.etag)
            if answer.status in (200, 204, 404):
                if answer.status != 404:
                    self._note("DELETE", row.href, uid, row.etag)
                self.report.removed += 1
                self._forget(uid)
                return
            if answer.status != 412:
                raise DavError(f"DELETE {uid}: unexpected answer {answer.status}")
            view = self._changed_meanwhile(client, uid, row.href, row, view)
            if uid in view.data:
                return  # the item came back into this calendar: it was updated instead
        raise _Conflicted(f"item {uid} kept changing in the calendar while pacflow wrote it")

    # --- when the calendar answers "not like that" ---------------------------------------

    def _changed_meanwhile(
        self, client: DavClient, uid: str, href: str, row: ItemState | None, view: _View
    ) -> _View:
        """A 412 on If-Match: read the item again, bring its change back, go on from there."""
        answer = client.get(absolute(self.calendar_url, href))
        assert row is not None
        if answer.status == 404:
            changed = self._take(row, None, None, view)
        elif answer.status == 200 and answer.etag:
            remote = parse_remote(answer.body, view.state.timezone)
            if remote is None:
                raise DavError(f"item {uid} in the calendar cannot be read")
            changed = self._take(row, remote, answer.etag, view)
        else:
            raise DavError(f"GET {uid}: unexpected answer {answer.status}")
        return self._view() if changed else view

    def _found_existing(self, client: DavClient, uid: str, href: str, view: _View) -> None:
        """A 412 on If-None-Match: the item is there (an interrupted sync made it)."""
        answer = client.get(absolute(self.calendar_url, href))
        remote = parse_remote(answer.body, view.state.timezone) if answer.status == 200 else None
        if remote is None or remote.uid != uid or not answer.etag:
            raise DavError(f"{href} is taken by another item; remove it or rename it")
        self.adoptable[uid] = (href_key(href), answer.etag, remote)

    def _find_elsewhere(self, client: DavClient, uid: str, view: _View) -> None:
        """A 409: the UID lives at another href of the calendar; find it and adopt it."""
        listing = client.changes(self.calendar_url, None)
        assert listing is not None
        known = {row.href for row in self.rows.values()}
        unknown = [href for href in listing.changed if href not in known]
        for href, (etag, data) in client.multiget(self.calendar_url, unknown).items():
            remote = parse_remote(data, view.state.timezone)
            if remote is not None and remote.uid == uid:
                self.adoptable[uid] = (href, etag, remote)
                return
        raise DavError(f"the server says item {uid} exists, but it cannot be found")

    def _adopt(self, uid: str, view: _View) -> ItemState | None:
        """Take over an item already in the calendar; None when it needs no write."""
        href, etag, remote = self.adoptable.pop(uid)
        data = view.data[uid]
        adopted = replace(self._state_of(uid, href, etag, data, view), alarms=remote.alarms)
        if self._is_current(remote, view):
            if not self.dry:
                self._remember(adopted)
            return None
        return replace(adopted, content_hash="")

    def _is_current(self, remote: Remote, view: _View, row: ItemState | None = None) -> bool:
        """Whether the calendar holds the plan's current version of the item.

        Same SEQUENCE and DTSTAMP (the time of the item's last change in the plan) means
        the same rendering, unless the rep changed what the sync compares. The SEQUENCE
        written is the plan's, or the highest the calendar showed if that is higher (`row`).
        """
        item = view.items.get(remote.uid)
        revision = view.revisions.get(remote.uid)
        if item is None or revision is None:
            return False
        stamp = revision.modified.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        status, start, end, due = shown(item)
        done = item.status == "COMPLETED"
        sequence = max(revision.sequence, row.sequence if row is not None else 0)
        return (
            (remote.sequence, remote.stamp) == (sequence, stamp)
            and (remote.status, remote.start, remote.end, remote.due) == (status, start, end, due)
            and (remote.done == done or remote.kind != "VTODO")
        )

    # --- bookkeeping ----------------------------------------------------------------------

    def _href(self, uid: str) -> str:
        return href_key(self.calendar_url) + f"{uid}.ics"

    def _state_of(
        self, uid: str, href: str, etag: str | None, data: bytes, view: _View
    ) -> ItemState:
        status, start, end, due = shown(view.items[uid])
        sequence = view.revisions[uid].sequence
        return ItemState(uid, href, etag, content_hash(data), sequence, status, start, end, due)

    def _note(self, method: str, href: str, uid: str, etag: str | None) -> None:
        condition = "If-None-Match: *" if etag is None else f"If-Match: {etag}"
        self.report.writes.append(Write(method, href, uid, condition))

    def _count_put(self, row: ItemState | None, item: CalendarItem, *, created: bool) -> None:
        if created:
            self.report.created += 1
        elif item.status == "CANCELLED" and (row is None or row.status != "CANCELLED"):
            self.report.cancelled += 1
        else:
            self.report.updated += 1

    def _remember(self, row: ItemState) -> None:
        self.rows[row.uid] = row
        if not self.dry:
            self.memory.save_item(row)

    def _forget(self, uid: str) -> None:
        self.rows.pop(uid, None)
        if not self.dry:
            self.memory.forget_item(uid)

    def _refresh(self, client: DavClient, token: str | None) -> None:
        """Read the token after our writes; keep it only if it hides no change of the rep's."""
        changes = client.changes(self.calendar_url, token)
        if changes is None:
            return
        by_href = {row.href: row for row in self.rows.values() if row.href is not None}
        for href, etag in changes.changed.items():
            row = by_href.get(href)
            if row is None or (row.etag is not None and row.etag != etag):
                return  # someone else wrote meanwhile: read it next time
            if row.etag is None:
                self._remember(row.moved_to(row.href, etag))  # a PUT answered without ETag
        if any(href in by_href for href in changes.removed):
            return
        self.memory.save_calendar(self.calendar_url, changes.token)


def _override_of(command: Command, state: PlanState, person: str) -> str:
    where = f"in the calendar of {person}"
    if isinstance(command, c.CompleteStep):
        return f"completed on {command.on.isoformat()} {where}"
    if isinstance(command, c.MoveOccurrence):
        to = command.to
        text = to.strftime("%Y-%m-%d %H:%M") if isinstance(to, datetime) else str(to)
        return f"moved to {text} {where}"
    if isinstance(command, c.CancelOccurrence):
        return f"cancelled {where}"
    if isinstance(command, c.ReopenStep):
        return f"reopened {where}"
    return f"changed {where}"
