"""Hypothesis strategies for hostile input: CLI invocations and plan files.

Each strategy draws a `Case` for the harness: a command that takes a value from the user
(a text, a number, a date, a moment, a period, a time zone, an RRULE, a duration, a log
position) given a value drawn mostly from the edges: control characters, lone surrogates,
digits that are not ASCII, numbers past every bound, years far outside any plan, very long
strings, and ordinary values too (some inputs must be accepted, and then every view must
still read the store).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from zoneinfo import available_timezones

from hypothesis import strategies as st

from tests.fuzz.corpus import NEW_PLAN
from tests.fuzz.harness import PLAN, Case

Draw = Callable[[st.SearchStrategy[str]], str]

_EDGE_TEXT = [
    "\x1b[2J",
    "\x07",
    "a\x7fb",
    "\x85",
    "\udcff",
    "\u2028",
    "\u202e",
    "\ufeff",
    "\t",
    "line\nbreak",
    "x" * 5000,
    "",
    " ",
    "Hélène « cible »",
]

texts: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(_EDGE_TEXT),
    st.text(st.characters(categories=["Cc", "Cs", "Zl", "Zp", "Cf"]), min_size=1, max_size=5).map(
        lambda bad: f"Visit{bad}BRC"
    ),
    st.text(max_size=40),
).filter(lambda text: "\0" not in text)  # argv cannot carry a NUL (see the corpus for it)

_DIGITS = "0123456789\u00b2\u0663\uff11\u096a\u0e52"
_EDGE_NUMBERS = [
    "1e999999999",
    "-1e999999999",
    "1e-999999999",
    "1e5000",
    "nan",
    "-nan",
    "inf",
    "-Infinity",
    "999999999999999",
    "1000000000000000",
    "0.0000000001",
    "1_000",
    "0x10",
    "\uff15",
    "\u00b2",
    "9" * 5000,
    "-0",
]

numbers: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(_EDGE_NUMBERS),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
    st.floats().map(repr),
    st.text(alphabet=_DIGITS + "eE+-.", min_size=1, max_size=12),
)

dates: st.SearchStrategy[str] = st.one_of(
    st.dates().map(lambda day: day.isoformat()),
    st.sampled_from(["2026-02-30", "2026-13-01", "0000-01-01", "9999-12-31", "1899-12-31"]),
    st.text(alphabet=_DIGITS + "-", min_size=8, max_size=12),
)

moments: st.SearchStrategy[str] = st.one_of(
    dates,
    st.datetimes().map(lambda moment: moment.isoformat(timespec="minutes")),
    st.sampled_from(
        ["0001-01-01T00:00", "9999-12-31T23:59Z", "2026-03-29T02:30", "2026-06-01T25:00"]
    ),
    st.text(alphabet=_DIGITS + "-T:Z+. ", min_size=10, max_size=30),
)

periods: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(["2026-01", "2026-13", "0000-01", "9999-12", "2026-W53", "2026-Q5"]),
    st.text(alphabet=_DIGITS + "-WQ", min_size=6, max_size=9),
)

zones: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(sorted(available_timezones())),
    st.sampled_from(["Europe", "America", "../etc/passwd", "/etc/localtime", "posixrules",
                     "Factory", "localtime", "Europe/" + "x" * 4000, "europe/paris", ""]),
    st.text(max_size=30),
).filter(lambda text: "\0" not in text)  # fmt: skip

_RRULE_PARTS = st.sampled_from(
    ["FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY", "FREQ=SECONDLY",
     "COUNT=3", "COUNT=\u00b2", "COUNT=" + "9" * 5000, "COUNT=0", "COUNT=99999999999",
     "INTERVAL=2", "INTERVAL=99999999", "UNTIL=20261231T000000", "UNTIL=99991231T000000",
     "BYDAY=TU", "BYDAY=2TU", "BYDAY=9TU", "BYMONTHDAY=31", "BYMONTHDAY=\uff13",
     "BYSETPOS=99999", "BYMONTH=13", "WKST=XX", "X-NAME=1", "=", ";;"]
)  # fmt: skip
rrules: st.SearchStrategy[str] = st.one_of(
    st.lists(_RRULE_PARTS, min_size=1, max_size=4).map(";".join),
    st.text(max_size=30).filter(lambda text: "\0" not in text),
)

durations: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(["PT1H", "P999999999D", "PT0S", "P1Y", "PT\u00b2H", "P400D", "-PT1H"]),
    st.text(alphabet="PTWDHMS0123456789\u00b2", min_size=1, max_size=14),
)

positions: st.SearchStrategy[str] = st.one_of(
    st.integers().map(str),
    st.sampled_from(["99999999999999999999", "9223372036854775807", "-1", "1e3", "\uff11"]),
)


@st.composite
def cli_cases(draw: st.DrawFn) -> Case:
    """One command with one (or a few) hostile values."""
    template = draw(st.sampled_from(_TEMPLATES))
    label, args = template(draw)
    return Case(f"generated: {label}", tuple(args), exits=frozenset({0, 1, 2}))


def _create(draw: st.DrawFn) -> tuple[str, list[str]]:
    return "plan create", [
        "plan", "create", "PAC-NEW", "--title", draw(texts), "--start", draw(dates),
        "--end", draw(dates), "--timezone", draw(zones), "--owner", "hg",
    ]  # fmt: skip


def _step_due(draw: st.DrawFn) -> tuple[str, list[str]]:
    return "step add --due", [
        "step", "add", PLAN, "S99", "--track", "T1-ELEV", "--title", draw(texts),
        "--responsible", "cd", "--due", draw(dates), "--budget", draw(numbers),
        "--days", draw(numbers), "--means", draw(texts),
    ]  # fmt: skip


def _step_rrule(draw: st.DrawFn) -> tuple[str, list[str]]:
    return "step add --rrule", [
        "step", "add", PLAN, "S99", "--track", "T1-ELEV", "--title", "Visit",
        "--responsible", "cd", "--rrule", draw(rrules), "--dtstart", draw(moments),
        "--duration", draw(durations),
    ]  # fmt: skip


def _step_cadence(draw: st.DrawFn) -> tuple[str, list[str]]:
    per = draw(st.sampled_from(["month", "week", "quarter", "fortnight", "\u00b2"]))
    return "step add --cadence", [
        "step", "add", PLAN, "S99", "--track", "T1-ELEV", "--title", "Visits",
        "--responsible", "cd", "--cadence", f"{draw(numbers)} per {per}",
        "--except", f"{draw(periods)}={draw(numbers)}",
    ]  # fmt: skip


def _record(draw: st.DrawFn) -> tuple[str, list[str]]:
    return "indicator record", [
        "indicator", "record", PLAN, "I1", "--period", draw(periods), "--value", draw(numbers),
        "--note", draw(texts),
    ]  # fmt: skip


def _targets(draw: st.DrawFn) -> tuple[str, list[str]]:
    return "indicator set-targets", [
        "indicator", "set-targets", PLAN, "I1", "--target", f"{draw(periods)}={draw(numbers)}",
    ]  # fmt: skip


def _objective(draw: st.DrawFn) -> tuple[str, list[str]]:
    return "objective set", [
        "objective", "set", PLAN, "T1", "--statement", draw(texts), "--value", draw(numbers),
        "--unit", draw(texts), "--due", draw(dates),
    ]  # fmt: skip


def _person(draw: st.DrawFn) -> tuple[str, list[str]]:
    return "person add", [
        "person", "add", PLAN, "zz", "--name", draw(texts), "--kind", "rep",
        "--timezone", draw(zones), "--email", draw(texts),
    ]  # fmt: skip


def _reason(draw: st.DrawFn) -> tuple[str, list[str]]:
    return "step start --reason", ["step", "start", PLAN, "S01", "--reason", draw(texts)]


def _as_of(draw: st.DrawFn) -> tuple[str, list[str]]:
    command = draw(
        st.sampled_from(
            [
                ["plan", "show", PLAN],
                ["report", PLAN, "--by", "theme"],
                ["dashboard", PLAN],
                ["check", PLAN],
                ["export", "ics", PLAN],
                ["indicator", "history", PLAN, "I1"],
            ]
        )
    )
    return f"{' '.join(command[:2])} --as-of", [*command, "--as-of", draw(moments)]


def _diff(draw: st.DrawFn) -> tuple[str, list[str]]:
    return "plan diff", ["plan", "diff", PLAN, "--from", draw(moments), "--to", draw(moments)]


def _log(draw: st.DrawFn) -> tuple[str, list[str]]:
    return "store log", ["store", "log", "--after", draw(positions), "--limit", draw(positions)]


def _sync(draw: st.DrawFn) -> tuple[str, list[str]]:
    timeout = draw(st.one_of(numbers, st.sampled_from(["nan", "inf", "1e308", "0.05"])))
    return "sync --timeout", ["sync", PLAN, "--dry-run", "--timeout", timeout]


_TEMPLATES = (
    _create, _step_due, _step_rrule, _step_cadence, _record, _targets, _objective, _person,
    _reason, _as_of, _diff, _log, _sync,
)  # fmt: skip

_FILE_FIELDS = (
    ("title: Plan for fuzzing", "title", texts),
    ("start: 2026-01-01", "start", dates),
    ("end: 2026-12-31", "end", dates),
    ("timezone: Europe/Paris", "timezone", zones),
    ("name: Claire Dubois", "name", texts),
    ("due: 2026-01-31", "due", dates),
    ("budget: 5", "budget", numbers),
    ("value: 600", "value", numbers),
    ("2026-01: 40", None, periods),
    ("2026-02: 90", "2026-02", numbers),
    ('rrule: "FREQ=MONTHLY;BYDAY=2TU;COUNT=6"', "rrule", rrules),
    ("dtstart: 2026-01-13T10:00:00", "dtstart", moments),
    ("duration: PT1H30M", "duration", durations),
)


@st.composite
def plan_file_cases(draw: st.DrawFn) -> Case:
    """The seed plan under a new key, with one or two fields given a hostile value (written
    as a YAML double-quoted string, so that any character can be put in it)."""
    text = NEW_PLAN
    chosen = draw(st.lists(st.sampled_from(_FILE_FIELDS), min_size=1, max_size=2, unique=True))
    labels = []
    for line, field, values in chosen:
        value = json.dumps(draw(values), ensure_ascii=True)  # JSON strings are YAML strings
        text = text.replace(line, f"{field}: {value}" if field else f"{value}: 40", 1)
        labels.append(field or "period")
    data = text.encode("utf-8", "surrogatepass")
    return Case(
        f"generated plan file: {', '.join(labels)}",
        ("apply", "{dir}/plan.yaml"),
        files={"plan.yaml": data},
        exits=frozenset({0, 1}),
    )
