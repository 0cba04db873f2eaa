"""Every bad input issue 12 names, as cases for the fuzzing harness (see harness.py).

Each case runs against PAC-F (the harness's seed plan). Plan files are written into the
working directory as `plan.yaml`; `{dir}/previous.out` holds a file an `-o` must not damage
when it fails.
"""

from __future__ import annotations

from tests.fuzz.harness import PLAN, SEED_PLAN, Case

AS_OF_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("plan", "show", PLAN, "--as-of"),
    ("plan", "diff", PLAN, "--from", "2026-01-01", "--to"),
    ("plan", "diff", PLAN, "--to", "2030-01-01", "--from"),
    ("report", PLAN, "--by", "theme", "--as-of"),
    ("dashboard", PLAN, "--as-of"),
    ("check", PLAN, "--as-of"),
    ("export", "ics", PLAN, "--as-of"),
    ("indicator", "history", PLAN, "I1", "--as-of"),
)

_STORE = frozenset({3})
"""A store URL pacflow cannot read is a store that cannot be opened (exit 3)."""

BAD_MOMENTS = ("0001-01-01T00:00", "9999-12-31", "9999-12-31T23:59Z", "1899-12-31", "2201-01-01")


def _fullwidth(text: str) -> str:
    """`2026-01` in fullwidth digits (U+FF10…): digits to Python, not to a calendar."""
    return text.translate({ord("0") + digit: 0xFF10 + digit for digit in range(10)})


def _arabic_indic(text: str) -> str:
    """`2026-04` in Arabic-Indic digits (U+0660…)."""
    return text.translate({ord("0") + digit: 0x0660 + digit for digit in range(10)})


def _plan_file(label: str, text: str | bytes) -> Case:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return Case(label, ("apply", "{dir}/plan.yaml"), files={"plan.yaml": data})


NEW_PLAN = SEED_PLAN.replace("key: PAC-F", "key: PAC-G", 1)
"""The seed plan under another key: applying it records a new plan (unless refused)."""


def _seed_with(old: str, new: str) -> str:
    assert old in NEW_PLAN, old
    return NEW_PLAN.replace(old, new, 1)


YAML_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)
"""The 342-byte 'billion laughs': nine levels of nine aliases (387 million strings)."""


def _cli_cases() -> list[Case]:
    cases = [
        # time zones
        Case("timezone: a folder of the tz database", _create("--timezone", "Europe")),
        Case("timezone: 4,000 characters", _create("--timezone", "Europe/" + "x" * 4000)),
        Case("timezone: a path", _create("--timezone", "../../../etc/passwd")),
        Case("timezone: NUL", _create("--timezone", "Europe/Paris\0")),
        Case("timezone: absolute", _create("--timezone", "/usr/share/zoneinfo/UTC")),
        # RRULE parts
        Case("rrule: superscript count", _step_rrule("FREQ=DAILY;COUNT=\u00b2")),
        Case("rrule: fullwidth count", _step_rrule("FREQ=DAILY;COUNT=\uff11\uff12")),
        Case("rrule: 5,000-digit count", _step_rrule("FREQ=DAILY;COUNT=" + "9" * 5000)),
        Case("rrule: huge count", _step_rrule("FREQ=DAILY;COUNT=99999999999")),
        Case("rrule: huge interval", _step_rrule("FREQ=DAILY;INTERVAL=99999999999;COUNT=2")),
        Case("rrule: until year 9999", _step_rrule("FREQ=YEARLY;UNTIL=99991231T000000")),
        Case("rrule: BYSETPOS huge", _step_rrule("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=99999999999")),
        Case("rrule: ninth Tuesday of a month", _step_rrule("FREQ=MONTHLY;BYDAY=9TU")),
        Case("rrule: 99th Tuesday of a year", _step_rrule("FREQ=YEARLY;BYDAY=99TU")),
        Case(
            "rrule: dtstart year 9999",
            _step_rrule("FREQ=DAILY;COUNT=2", dtstart="9999-12-31T10:00"),
        ),
        Case(
            "rrule: dtstart with an offset, year 10,000 in Paris",
            _step_rrule("FREQ=DAILY;COUNT=2", dtstart="9999-12-31T23:59Z"),
        ),
        # numbers
        Case(
            "indicator value 1e999999999",
            ("indicator", "record", PLAN, "I1", "--period", "2026-01", "--value", "1e999999999"),
        ),
        Case(
            "indicator value -1e999999999",
            ("indicator", "record", PLAN, "I1", "--period", "2026-01", "--value", "-1e999999999"),
        ),
        Case(
            "indicator value 1e-999999999",
            ("indicator", "record", PLAN, "I1", "--period", "2026-01", "--value", "1e-999999999"),
        ),
        Case(
            "step budget 1e999999999", _step_add("--due", "2026-03-01", "--budget", "1e999999999")
        ),
        Case("step days 1e999999", _step_add("--due", "2026-03-01", "--days", "1e999999")),
        Case("step order 10**30", _step_add("--due", "2026-03-01", "--order", "1" + "0" * 30)),
        Case(
            "set-targets 1e5000",
            ("indicator", "set-targets", PLAN, "I1", "--target", "2026-04=1e5000"),
        ),
        Case(
            "objective value 1e400",
            (
                "objective",
                "set",
                PLAN,
                "T1",
                "--statement",
                "x",
                "--value",
                "1e400",
                "--unit",
                "kEUR",
                "--due",
                "2026-12-31",
            ),
        ),  # fmt: skip
        # periods
        Case(
            "period in fullwidth digits",
            ("indicator", "record", PLAN, "I1", "--period", _fullwidth("2026-01"), "--value", "5"),
        ),
        Case(
            "set-targets period in Arabic-Indic digits",
            ("indicator", "set-targets", PLAN, "I1", "--target", _arabic_indic("2026-04=5")),
        ),
        Case(
            "period year 0",
            ("indicator", "record", PLAN, "I1", "--period", "0000-01", "--value", "5"),
        ),  # fmt: skip
        # control characters
        Case("NUL in a step title", _step_add("--due", "2026-03-01", "--title", "Visit\0BRC")),
        Case("escape in a reason", ("step", "start", PLAN, "S01", "--reason", "go\x1b[2J")),
        Case("NUL in an actor", ("--actor", "h\0g", "step", "start", PLAN, "S01")),
        Case("lone surrogate in a title", _step_add("--due", "2026-03-01", "--title", "a\udcff")),
        Case("NUL in a plan key", ("plan", "show", "PAC\0F")),
        Case("NUL in a stream", ("store", "log", "--stream", "PAC\0F")),
        Case("NUL in a person key", ("plan", "show", PLAN, "--person", "c\0d")),
        # dates
        Case("impossible due date", _step_add("--due", "2026-02-30")),
        Case("due date year 9999", _step_add("--due", "9999-12-31")),
        Case("due date year 1", _step_add("--due", "0001-01-01")),
        Case("fullwidth due date", _step_add("--due", _fullwidth("2026-03-01"))),
        Case("plan ends in 9999", _create("--end", "9999-12-31")),
        Case("demo --until year 1", ("demo", "--until", "0001-01-01T00:00")),
        Case(
            "demo --until in fullwidth digits", ("demo", "--until", _fullwidth("2025-06-30T17:00"))
        ),
        # log positions
        Case("store log --after 10**20", ("store", "log", "--after", "99999999999999999999")),
        Case("store log --limit 10**20", ("store", "log", "--limit", "99999999999999999999")),
        # store URLs
        Case("store URL http", ("info",), db="http://x", exits=_STORE),
        Case(
            "store URL with a bad IPv6 host",
            ("info",),
            db="postgresql+psycopg://u@[::1:5432/x",
            exits=_STORE,
        ),
        Case("store URL unknown driver", ("info",), db="sqlite+nodriver:///x.db", exits=_STORE),
        Case("store URL garbage", ("info",), db="::::", exits=_STORE),
        Case("store URL NUL", ("info",), db="sqlite:///x\0.db", exits=frozenset({2, 3})),
        # sync timeouts
        Case("sync --timeout nan", ("sync", PLAN, "--timeout", "nan")),
        Case("sync --timeout inf", ("sync", PLAN, "--timeout", "inf")),
        Case("sync --timeout 1e308", ("sync", PLAN, "--timeout", "1e308")),
        Case("sync --retries 10**20", ("sync", PLAN, "--retries", "99999999999999999999")),
        # outputs
        Case(
            "export yaml -o of an unknown plan",
            ("export", "yaml", "NOPE", "-o", "{dir}/previous.out"),
        ),  # fmt: skip
        Case(
            "export ics -o of an unknown plan",
            ("export", "ics", "NOPE", "-o", "{dir}/previous.out"),
        ),  # fmt: skip
        Case(
            "export ics -o with a bad --as-of",
            ("export", "ics", PLAN, "--as-of", "9999-12-31", "-o", "{dir}/previous.out"),
        ),  # fmt: skip
        Case(
            "report -o of an unknown plan",
            ("report", "NOPE", "--by", "theme", "-o", "{dir}/previous.out"),
        ),  # fmt: skip
        Case(
            "export yaml -o a named pipe", ("export", "yaml", PLAN, "-o", "{dir}/pipe"), fifo="pipe"
        ),  # fmt: skip
        Case(
            "export ics -o a named pipe", ("export", "ics", PLAN, "-o", "{dir}/pipe"), fifo="pipe"
        ),  # fmt: skip
        Case(
            "report -o a named pipe",
            ("report", PLAN, "--by", "theme", "-o", "{dir}/pipe"),
            fifo="pipe",
        ),  # fmt: skip
        Case(
            "dashboard -o a named pipe",
            ("dashboard", PLAN, "-o", "{dir}/pipe.html"),
            fifo="pipe.html",
        ),  # fmt: skip
        Case(
            "export yaml -o in a missing folder",
            ("export", "yaml", PLAN, "-o", "{dir}/missing/plan.yaml"),
        ),  # fmt: skip
    ]
    for command in AS_OF_COMMANDS:
        for moment in BAD_MOMENTS:
            cases.append(Case(f"{' '.join(command[:2])} {command[-1]} {moment}",
                              (*command, moment)))  # fmt: skip
    return cases


def _create(option: str, value: str) -> tuple[str, ...]:
    fields = {
        "--title": "Fuzz",
        "--start": "2026-01-01",
        "--end": "2026-12-31",
        "--timezone": "Europe/Paris",
        "--owner": "hg",
    }
    fields[option] = value
    return ("plan", "create", "PAC-NEW", *(part for item in fields.items() for part in item))


def _step_add(*options: str) -> tuple[str, ...]:
    fields = {"--track": "T1-ELEV", "--title": "Fuzz step", "--responsible": "cd"}
    extra: list[str] = []
    pairs = list(zip(options[::2], options[1::2], strict=True))
    for option, value in pairs:
        if option in fields:
            fields[option] = value
        else:
            extra += [option, value]
    flat = [part for item in fields.items() for part in item]
    return ("step", "add", PLAN, "S99", *flat, *extra)


def _step_rrule(rule: str, dtstart: str = "2026-02-03T10:00") -> tuple[str, ...]:
    return _step_add("--rrule", rule, "--dtstart", dtstart, "--duration", "PT1H")


def _plan_file_cases() -> list[Case]:
    deep = "plan: " + "[" * 10_000 + "]" * 10_000 + "\n"
    deep_map = "plan:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 200))
    return [
        _plan_file("NUL in the plan's title", _seed_with("Plan for fuzzing", "Plan\0file")),
        _plan_file("NUL (escaped) in the title", _seed_with("Plan for fuzzing", '"Plan\\0file"')),
        _plan_file("NUL in a step title", _seed_with("Map the IT org", '"Map\\0 the org"')),
        _plan_file("bell in a person's name", _seed_with("Claire Dubois", '"Claire\\aDubois"')),
        _plan_file("C1 control in a title", _seed_with("Grow BRC", '"Grow\\x85BRC"')),
        _plan_file("impossible date", _seed_with("due: 2026-01-31", "due: 2026-02-30")),
        _plan_file("impossible plan start", _seed_with("start: 2026-01-01", "start: 2026-13-01")),
        _plan_file("year 9999 end", _seed_with("end: 2026-12-31", "end: 9999-12-31")),
        _plan_file("year 1 start", _seed_with("start: 2026-01-01", "start: 0001-01-01")),
        _plan_file("fullwidth period", _seed_with("2026-01: 40", _fullwidth("2026-01") + ": 40")),
        _plan_file("budget 1e999999999", _seed_with("budget: 5", "budget: 1e999999999")),
        _plan_file("budget 1.0e+400 (a YAML float)", _seed_with("budget: 5", "budget: 1.0e+400")),
        _plan_file("target 1e5000", _seed_with("2026-03: 170", "2026-03: 1e5000")),
        _plan_file("huge integer order", _seed_with("budget: 5", "order: " + "9" * 5000)),
        _plan_file("empty sessions", _seed_with("due: 2026-01-31", "sessions: []")),
        _plan_file(
            "empty schedule", _seed_with("due: 2026-01-31, budget: 5", "budget: 5, due: null")
        ),
        _plan_file(
            "empty recurrence rules",
            _seed_with(
                '- {dtstart: 2026-01-13T10:00:00, rrule: "FREQ=MONTHLY;BYDAY=2TU;COUNT=6"}', "[]"
            ),
        ),  # fmt: skip
        _plan_file("rrule with a superscript count", _seed_with("COUNT=6", "COUNT=\u00b2")),
        _plan_file("rrule with a 5,000-digit count", _seed_with("COUNT=6", "COUNT=" + "9" * 5000)),
        _plan_file("timezone folder", _seed_with("timezone: Europe/Paris", "timezone: Europe")),
        _plan_file("YAML bomb (342 bytes)", YAML_BOMB),
        _plan_file("recursive anchor", "plan: &a\n  key: [*a]\n"),
        _plan_file("self-referencing merge", "plan: &a {<<: *a}\n"),
        _plan_file("10,000 levels of nesting", deep),
        _plan_file("200 levels of mappings", deep_map),
        _plan_file("not UTF-8", b"plan:\n  title: \xff\xfe\n"),
        _plan_file("a list", "- 1\n- 2\n"),
        _plan_file("empty", ""),
        _plan_file("a tag for a Python object", "plan: !!python/object:os.system {}\n"),
        Case("apply a directory", ("apply", "{dir}")),
        Case("apply /dev/zero", ("apply", "/dev/zero")),
        Case("apply a named pipe", ("apply", "{dir}/pipe"), fifo="pipe"),
        Case("apply a missing file", ("apply", "{dir}/missing.yaml")),
        _plan_file("a 12 MB plan file", "# " + "x" * (12 * 1024 * 1024) + "\n" + NEW_PLAN),
    ]


CORPUS: tuple[Case, ...] = (*_cli_cases(), *_plan_file_cases())
"""The held-in corpus: every case of issue 12 plus close variants."""
