"""The server's HTML: navigation around the report and dashboard pages (which their own
renderers write), and the few pages the CLI prints as text (my plan, check, history, diff).

Everything a user typed reaches a page through `esc`; pages carry no script, and their
forms work without one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from pacflow.reports.html_parts import esc
from pacflow.reports.html_style import CSS
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from pacflow.app.access import Reach
    from pacflow.reports.model import PersonSection, StepLine, Visit

WEB_CSS = """
nav.pf{display:flex;flex-wrap:wrap;gap:.4rem 1rem;padding:.5rem 0;margin-bottom:1rem;
  border-bottom:1px solid #ccd}
nav.pf a{text-decoration:none}
.notice{padding:.5rem .8rem;border-radius:4px;margin:.6rem 0}
.notice.ok{background:#e6f4ea}.notice.error{background:#fde8e8}
ul.items{list-style:none;padding:0}
ul.items li{padding:.5rem 0;border-bottom:1px solid #eee}
ul.items form{display:inline-block;margin:.2rem .4rem 0 0}
ul.items input[type=text]{width:12rem}
.when{font-weight:600;margin-right:.5rem}
pre.lines{white-space:pre-wrap}
"""

VIEWS = (
    ("plan?by=theme", "Plan by theme"),
    ("plan?by=rep", "by rep"),
    ("plan?by=sector", "by sector"),
    ("plan?by=target", "by target"),
    ("dashboard", "Dashboard"),
    ("check", "Check"),
    ("history", "History"),
    ("diff", "Diff"),
)


def navigation(base: str, reach: Reach) -> str:
    """Links between the pages the token reaches (the whole plan's only for a manager)."""
    links = [f'<a href="{esc(base)}">My plan</a>']
    if reach.whole_plan:
        links += [f'<a href="{esc(base)}/{esc(path)}">{esc(text)}</a>' for path, text in VIEWS]
    return f'<nav class="pf">{"".join(links)}</nav>'


def with_navigation(document: str, nav: str) -> str:
    """A page of the report or dashboard renderer, with the server's navigation on top."""
    head, sep, rest = document.partition("<body>")
    return f"{head}{sep}{nav}{rest}" if sep else document


def page(title: str, body: Iterable[str], *, nav: str = "", lang: str = "en") -> str:
    """A whole page in the reports' style."""
    return "\n".join(
        [
            "<!doctype html>",
            f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)}</title>",
            f"<style>{CSS}{WEB_CSS}</style></head><body>",
            nav,
            *body,
            "</body></html>",
        ]
    )


def not_found() -> str:
    """What every unknown, revoked or out-of-scope link gets: the same page."""
    return page("Not found", ["<h1>Not found</h1>", "<p>This link does not lead anywhere.</p>"])


def notice(text: str | None, kind: str) -> str:
    return f'<p class="notice {kind}" role="status">{esc(text)}</p>' if text else ""


def text_page(title: str, heading: str, lines: Sequence[str], *, nav: str) -> str:
    """A page for what the CLI prints as lines (check, history, diff): the same words."""
    body = [f"<h1>{esc(heading)}</h1>", f'<pre class="lines">{esc(chr(10).join(lines))}</pre>']
    return page(title, body, nav=nav)


@frozen_record
class Forms(FrozenValue):
    """What a page's forms need: where they post, their key, and a fresh request id."""

    base: str
    key: str
    request: str
    enabled: bool

    def button(self, path: str, label: str, fields: str = "") -> str:
        if not self.enabled:
            return ""
        return (
            f'<form method="post" action="{esc(self.base)}/{esc(path)}">'
            f'<input type="hidden" name="form_key" value="{esc(self.key)}">'
            f'<input type="hidden" name="request" value="{esc(self.request)}">'
            f'{fields}<button type="submit">{esc(label)}</button></form>'
        )


def my_plan(
    section: PersonSection | None,
    *,
    plan: str,
    title: str,
    person: str,
    today: date,
    weeks: int,
    forms: Forms,
    feed_url: str,
    nav: str,
    message: str | None = None,
    error: str | None = None,
) -> str:
    """A person's page: what is coming in the next `weeks`, what is past and not reported
    yet, with a form for each (held / not held / moved / done) when they may report."""
    horizon = today + timedelta(weeks=weeks)
    coming: list[tuple[date, str]] = []
    overdue: list[tuple[date, str]] = []
    assignments = section.assignments if section is not None else ()
    for assignment in assignments:
        step = assignment.step
        if step.state in ("done", "cancelled"):
            continue
        if step.visits:
            for visit in step.visits:
                if visit.state in ("held", "cancelled"):
                    continue
                line = _visit_line(step, visit, forms)
                if visit.day < today:
                    overdue.append((visit.day, line))
                elif visit.day <= horizon:
                    coming.append((visit.day, line))
        else:
            due = step.end or step.start
            if due is None:
                continue
            line = _step_line(step, due, forms, today)
            if due < today:
                overdue.append((due, line))
            elif due <= horizon:
                coming.append((due, line))
    name = section.person.name if section is not None else person
    body = [
        f'<header class="doc-head"><div class="kicker">{esc(plan)}</div>',
        f"<h1>{esc(name)} <small>— {esc(title)}</small></h1>",
        f'<p class="facts">Today {esc(today.isoformat())} · '
        f'<a href="{esc(feed_url)}">Subscribe to my calendar</a></p></header>',
        notice(message, "ok"),
        notice(error, "error"),
        f"<h2>To report ({len(overdue)})</h2>",
        _items(overdue, "Nothing left to report."),
        f"<h2>Coming {weeks} weeks ({len(coming)})</h2>",
        _items(coming, "Nothing planned in these weeks."),
    ]
    return page(f"{plan} — {name}", body, nav=nav)


def _items(found: list[tuple[date, str]], empty: str) -> str:
    if not found:
        return f"<p>{esc(empty)}</p>"
    found.sort(key=lambda pair: pair[0])
    return '<ul class="items">' + "".join(f"<li>{line}</li>" for _, line in found) + "</ul>"


def _visit_line(step: StepLine, visit: Visit, forms: Forms) -> str:
    when = visit.day.isoformat() + (f" {visit.at}" if visit.at else "")
    held = forms.button(
        f"visits/{visit.key}/held",
        "Held",
        f'<input type="date" name="on" value="{esc(visit.day.isoformat())}" '
        'aria-label="held on">',
    )
    not_held = forms.button(
        f"visits/{visit.key}/not-held",
        "Not held",
        '<input type="text" name="reason" required placeholder="why" aria-label="why not">',
    )
    moved = forms.button(
        f"visits/{visit.key}/moved",
        "Move",
        f'<input type="datetime-local" name="to" required value="{esc(visit.day.isoformat())}'
        f'T{esc(visit.at or "09:00")}" aria-label="move to">'
        '<input type="text" name="reason" required placeholder="why" aria-label="why move">',
    )
    return (
        f'<span class="when">{esc(when)}</span> {esc(step.title)} '
        f"<small>({esc(visit.key)})</small><br>{held}{not_held}{moved}"
    )


def _step_line(step: StepLine, due: date, forms: Forms, today: date) -> str:
    done = forms.button(
        f"steps/{step.key}/done",
        "Done",
        f'<input type="date" name="on" value="{esc(today.isoformat())}" aria-label="done on">',
    )
    return (
        f'<span class="when">{esc(due.isoformat())}</span> {esc(step.title)} '
        f"<small>({esc(step.key)})</small><br>{done}"
    )
