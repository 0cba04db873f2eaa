"""The ASGI application of `pacflow serve` (FastAPI), over one `pacflow.app.App`.

Routes (every one behind a token from `pacflow access grant`; an unknown, revoked or
out-of-scope token gets the same 404 as a path that does not exist):

- `GET /feeds/{token}.ics`: the person's calendar, the bytes of `export ics --person`;
  `GET /feeds/{token}/team.ics` the whole plan's, for a manager. ETag, Last-Modified, 304.
- `GET /p/{token}`: "my plan" (coming weeks, past items not reported yet, with forms);
  `POST /p/{token}/visits/{key}/held|not-held|moved` and `/p/{token}/steps/{key}/done`.
- `GET /p/{token}/plan?by=`, `/dashboard`, `/check`, `/history`, `/diff`: the whole plan's
  pages, for a manager or back office, each `?as_of=` where the CLI has `--as-of`.
- `/api/v1/…`: the reads of `--json` (same shapes) and writes for other systems, with an
  `Authorization: Bearer` token of scope `api` and an `Idempotency-Key` on writes.

Handlers are plain functions (FastAPI runs them in its thread pool): the `App` is shared by
the threads of a process, and several processes may share one PostgreSQL store.
"""

from __future__ import annotations

import json
import secrets
from datetime import date
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any

from fastapi import FastAPI, Form, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from pacflow import __version__
from pacflow.app.access import Reach, reach
from pacflow.app.encoding import json_default
from pacflow.app.feeds import Feed, Feeds
from pacflow.app.root import App
from pacflow.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PacflowError,
    RuleViolationError,
)
from pacflow.web import pages
from pacflow.web.security import form_key, form_key_matches, guard, same_site


class ActualIn(BaseModel):
    """An indicator's actual value for a period."""

    period: str = Field(
        description="The period: 2026-03, 2026-Q1 or 2026, as the indicator is kept"
    )
    value: str = Field(description='A decimal number, as text ("12", "28.5")')
    note: str | None = None


class VisitReportIn(BaseModel):
    """A visit held (on a day, default the visit's own) or not held (with a reason)."""

    held: bool
    on: date | None = None
    reason: str | None = None


FormText = Annotated[str, Form()]
RequestId = Annotated[str, Form(alias="request")]
Auth = Annotated[str | None, Header(description="`Bearer TOKEN` (a grant of scope api)")]
Idempotency = Annotated[
    str | None, Header(description="Names this write: a retry with it records nothing twice")
]


WEB_SOURCE = "web"
DIFF_LABELS = {
    "from_": "from",
    "to": "to",
    "from_revision": "from_revision",
    "to_revision": "to_revision",
}
HISTORY_LABELS = {"since": "since", "until": "until"}
API_SOURCE = "api"


class Hidden(Exception):
    """Whatever a token may not see: answered as a plain 404, like an unknown path."""


def _status(error: PacflowError) -> int:
    if isinstance(error, InvalidInputError):
        return 422
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, RuleViolationError | ConflictError):
        return 409
    return 400


def _json(data: object, status: int = 200) -> Response:
    body = json.dumps(data, default=json_default, ensure_ascii=False, indent=2)
    return Response(body + "\n", status_code=status, media_type="application/json")


def _api_error(error: PacflowError) -> Response:
    return _json({"error": error.as_json()}, _status(error))


def create_app(app: App, *, public_url: str | None = None) -> FastAPI:
    """The web application over `app` (its store, clock and id factory)."""
    web = FastAPI(
        title="pacflow",
        version=__version__,
        summary="A commercial action plan for the whole team: pages, calendar feeds, JSON API.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    web.middleware("http")(guard)
    feeds = Feeds(app)

    @web.exception_handler(Hidden)
    def _hidden(request: Request, error: Hidden) -> Response:
        if request.url.path.startswith("/api/"):
            return _json({"error": {"code": "not-found", "message": "not found"}}, 404)
        return HTMLResponse(pages.not_found(), status_code=404)

    @web.exception_handler(404)
    def _unknown_path(request: Request, error: Exception) -> Response:
        return _hidden(request, Hidden())

    def authorised(token: str, scope: str) -> Reach:
        found = reach(app, token) if len(token) <= 200 else None
        if found is None or not found.allows(scope):
            raise Hidden
        return found

    def manager(token: str) -> Reach:
        found = authorised(token, "read")
        if not found.whole_plan:
            raise Hidden
        return found

    def base_url(request: Request) -> str:
        return (public_url or str(request.base_url)).rstrip("/")

    # -- feeds ------------------------------------------------------------------------

    def feed_response(found: Feed, request: Request) -> Response:
        headers = {
            "ETag": found.etag,
            "Last-Modified": format_datetime(found.last_modified, usegmt=True),
            "Cache-Control": "private, no-cache",
        }
        if _not_modified(request, found):
            return Response(status_code=304, headers=headers)
        return Response(found.body, media_type="text/calendar; charset=utf-8", headers=headers)

    @web.get("/feeds/{token}.ics", include_in_schema=False)
    def person_feed(token: str, request: Request) -> Response:
        found = authorised(token, "feed")
        return feed_response(feeds.feed(found.plan, found.person), request)

    @web.get("/feeds/{token}/team.ics", include_in_schema=False)
    def team_feed(token: str, request: Request) -> Response:
        found = authorised(token, "feed")
        if not found.whole_plan:
            raise Hidden
        return feed_response(feeds.feed(found.plan, None), request)

    # -- pages ------------------------------------------------------------------------

    def page_base(token: str) -> str:
        return f"/p/{token}"

    def html(document: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(
            document, status_code=status, headers={"Cache-Control": "no-store, private"}
        )

    def my_page(
        token: str,
        request: Request,
        *,
        weeks: int = 4,
        message: str | None = None,
        error: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        from pacflow.app.plans import origin
        from pacflow.reports.build import person_section

        found = authorised(token, "read")
        state = app.service().load(found.plan)
        if state is None:
            raise Hidden
        today = origin(app, found.plan).today(app.now())
        section = person_section(state, found.person, today=today)
        feed = f"{base_url(request)}/feeds/{token}.ics"
        forms = pages.Forms(
            page_base(token), form_key(token), secrets.token_urlsafe(16), found.allows("report")
        )
        document = pages.my_plan(
            section,
            plan=found.plan,
            title=state.title,
            person=found.person,
            today=today,
            weeks=weeks,
            forms=forms,
            feed_url="webcal://" + feed.split("://", 1)[1],
            nav=pages.navigation(page_base(token), found),
            message=message,
            error=error,
        )
        return html(document, status)

    @web.get("/p/{token}", response_class=HTMLResponse, include_in_schema=False)
    def my_plan(
        token: str,
        request: Request,
        weeks: Annotated[int, Query(ge=1, le=52)] = 4,
        done: str | None = None,
    ) -> HTMLResponse:
        return my_page(token, request, weeks=weeks, message=_DONE.get(done or ""))

    @web.get("/p/{token}/plan", response_class=HTMLResponse, include_in_schema=False)
    def plan_page(
        token: str, by: str = "theme", as_of: str | None = None, lang: str = "en"
    ) -> HTMLResponse:
        from pacflow.app.piloting import plan_report
        from pacflow.reports import render

        found = manager(token)
        return guarded_page(
            token,
            found,
            lambda: render(plan_report(app, found.plan, by, as_of=as_of), "html", _lang(lang)),
        )

    @web.get("/p/{token}/dashboard", response_class=HTMLResponse, include_in_schema=False)
    def dashboard_page(
        token: str, period: str | None = None, as_of: str | None = None, lang: str = "en"
    ) -> HTMLResponse:
        from pacflow.app.piloting import dashboard
        from pacflow.reports.dashboard_html import render_dashboard_html
        from pacflow.reports.labels import Labels

        found = manager(token)

        def render() -> str:
            answer = dashboard(app, found.plan, period=period, as_of=as_of)
            known = answer.moment or app.now()
            return render_dashboard_html(answer.board, Labels(_lang(lang)), known)

        return guarded_page(token, found, render)

    @web.get("/p/{token}/check", response_class=HTMLResponse, include_in_schema=False)
    def check_page(token: str, as_of: str | None = None) -> HTMLResponse:
        from pacflow.app.piloting import check

        found = manager(token)

        def render() -> str:
            answer = check(app, found.plan, as_of=as_of)
            lines = _check_lines(answer.as_json(), answer.origin.local)
            heading = f"{found.plan}: {len(answer.report.findings)} finding(s)"
            nav = pages.navigation(page_base(token), found)
            return pages.text_page(f"{found.plan} — check", heading, lines, nav=nav)

        return guarded_page(token, found, render, navigated=True)

    @web.get("/p/{token}/history", response_class=HTMLResponse, include_in_schema=False)
    def history_page(
        token: str,
        step: str | None = None,
        target: str | None = None,
        actor: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 200,
    ) -> HTMLResponse:
        from pacflow.app.plans import plan_history

        found = manager(token)

        def render() -> str:
            answer = plan_history(
                app,
                found.plan,
                since=since,
                until=until,
                step=step,
                target=target,
                actor=actor,
                limit=limit,
                labels=HISTORY_LABELS,
            )
            nav = pages.navigation(page_base(token), found)
            heading = f"{found.plan}: history (newest {limit})"
            return pages.text_page(f"{found.plan} — history", heading, answer.lines(), nav=nav)

        return guarded_page(token, found, render, navigated=True)

    @web.get("/p/{token}/diff", response_class=HTMLResponse, include_in_schema=False)
    def diff_page(
        token: str,
        from_: Annotated[str | None, Query(alias="from")] = None,
        to: str | None = None,
    ) -> HTMLResponse:
        from pacflow.app.plans import plan_diff

        found = manager(token)

        def render() -> str:
            if from_ is None:
                raise InvalidInputError("from: expected a date to compare from (?from=2025-06-01)")
            answer = plan_diff(app, found.plan, from_=from_, to=to, labels=DIFF_LABELS)
            nav = pages.navigation(page_base(token), found)
            lines = answer.lines()
            return pages.text_page(f"{found.plan} — diff", lines[0], lines[1:], nav=nav)

        return guarded_page(token, found, render, navigated=True)

    def guarded_page(
        token: str, found: Reach, render: Any, *, navigated: bool = False
    ) -> HTMLResponse:
        nav = pages.navigation(page_base(token), found)
        try:
            document = render()
        except PacflowError as error:
            body = [pages.notice(str(error), "error")]
            return html(pages.page(found.plan, body, nav=nav), _status(error))
        return html(document if navigated else pages.with_navigation(document, nav))

    # -- reporting from the page --------------------------------------------------------

    def report_from_page(
        token: str,
        request: Request,
        key: str,
        request_id: str,
        command: str,
        fields: dict[str, Any],
        done: str,
    ) -> Response:
        found = authorised(token, "report")
        if not same_site(request) or not form_key_matches(token, key):
            return my_page(
                token, request, error="This form has expired: reload the page.", status=403
            )
        mine(found, fields)
        access = app.access()
        request_key = f"form:{request_id[:100]}"
        answered = access.claim(found.grant.grant_id, request_key, app.now())
        target = f"{page_base(token)}?done={done}"
        if answered is not None:
            return RedirectResponse(target, status_code=303)  # the first one did it
        try:
            record(found, command, fields, WEB_SOURCE)
        except PacflowError as error:
            access.release(found.grant.grant_id, request_key)
            return my_page(token, request, error=str(error), status=_status(error))
        except BaseException:
            access.release(found.grant.grant_id, request_key)
            raise
        access.answer(found.grant.grant_id, request_key, 303, target)
        return RedirectResponse(target, status_code=303)

    def record(found: Reach, command: str, fields: dict[str, Any], source: str) -> Any:
        from pacflow.app.changes import execute

        return execute(
            app, command, {**fields, "plan": found.plan}, actor=found.person, source=source
        )

    def mine(found: Reach, fields: dict[str, Any]) -> None:
        """A rep reports on their own steps and visits only (a manager on any)."""
        if found.whole_plan:
            return
        state = app.service().load(found.plan)
        assert state is not None
        step_key = fields.get("step")
        occurrence = state.occurrences.get(str(fields.get("occurrence")))
        if occurrence is not None:
            step_key = occurrence.step
        step = state.steps.get(str(step_key))
        if step is None or found.person not in (step.responsible, *step.participants):
            raise Hidden

    @web.post("/p/{token}/{kind}/{key}/{action}", include_in_schema=False)
    def report_on_page(
        token: str,
        kind: str,
        key: str,
        action: str,
        request: Request,
        form_key: FormText = "",
        request_id: RequestId = "",
        on: FormText = "",
        to: FormText = "",
        reason: FormText = "",
    ) -> Response:
        found = PAGE_ACTIONS.get((kind, action))
        if found is None:
            raise Hidden
        command, subject = found
        given = {"on": on or None, "to": to or None, "reason": reason.strip() or None}
        fields = {subject: key, **{name: given[name] for name in PAGE_FIELDS[command]}}
        if command == "CompleteOccurrence" and fields["on"] is None:
            fields["on"] = _own_day(key)
        return report_from_page(token, request, form_key, request_id, command, fields, action)

    # -- JSON API -----------------------------------------------------------------------

    def api_reach(authorization: str | None, plan: str, *, whole: bool = True) -> Reach:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Hidden
        found = authorised(token.strip(), "api")
        if found.plan != plan or (whole and not found.whole_plan):
            raise Hidden
        return found

    def answer(call: Any) -> Response:
        try:
            return _json(call())
        except PacflowError as error:
            return _api_error(error)

    @web.get("/api/v1/plans/{plan}", tags=["plans"])
    def api_plan(plan: str, authorization: Auth = None, as_of: str | None = None) -> Response:
        """The plan now, or as recorded at `as_of` (`pacflow plan show --json`)."""
        from pacflow.app.plans import plan_as_of, plan_now

        api_reach(authorization, plan)
        if as_of is None:
            return answer(lambda: plan_now(app, plan))
        return answer(lambda: plan_as_of(app, plan, as_of, "as_of").as_json())

    @web.get("/api/v1/plans/{plan}/history", tags=["plans"])
    def api_history(
        plan: str,
        authorization: Auth = None,
        step: str | None = None,
        target: str | None = None,
        actor: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: Annotated[int | None, Query(ge=1)] = None,
    ) -> Response:
        """Who changed what, when, why (`pacflow plan history --json`)."""
        from pacflow.app.plans import plan_history

        api_reach(authorization, plan)
        return answer(
            lambda: plan_history(
                app,
                plan,
                since=since,
                until=until,
                step=step,
                target=target,
                actor=actor,
                limit=limit,
                labels=HISTORY_LABELS,
            ).as_json()
        )

    @web.get("/api/v1/plans/{plan}/diff", tags=["plans"])
    def api_diff(
        plan: str,
        authorization: Auth = None,
        from_: Annotated[str | None, Query(alias="from")] = None,
        to: str | None = None,
        from_revision: str | None = None,
        to_revision: str | None = None,
    ) -> Response:
        """What changed between two moments (`pacflow plan diff --json`)."""
        from pacflow.app.plans import plan_diff

        api_reach(authorization, plan)
        return answer(
            lambda: plan_diff(
                app,
                plan,
                from_=from_,
                to=to,
                from_revision=from_revision,
                to_revision=to_revision,
                labels=DIFF_LABELS,
            ).as_json()
        )

    @web.get("/api/v1/plans/{plan}/dashboard", tags=["piloting"])
    def api_dashboard(
        plan: str, authorization: Auth = None, period: str | None = None, as_of: str | None = None
    ) -> Response:
        """Every indicator for a period (`pacflow dashboard --json`)."""
        from pacflow.app.piloting import dashboard

        api_reach(authorization, plan)
        return answer(lambda: dashboard(app, plan, period=period, as_of=as_of).as_json())

    @web.get("/api/v1/plans/{plan}/check", tags=["piloting"])
    def api_check(
        plan: str, authorization: Auth = None, as_of: str | None = None, fail_on: str = "error"
    ) -> Response:
        """What makes the plan obsolete (`pacflow check --json`)."""
        from pacflow.app.piloting import check

        api_reach(authorization, plan)
        return answer(lambda: check(app, plan, as_of=as_of).as_json(fail_on))

    @web.get("/api/v1/plans/{plan}/indicators/{key}", tags=["piloting"])
    def api_indicator(
        plan: str,
        key: str,
        authorization: Auth = None,
        as_of: str | None = None,
        from_: Annotated[str | None, Query(alias="from")] = None,
        to: str | None = None,
    ) -> Response:
        """One indicator per period (`pacflow indicator history --json`)."""
        from pacflow.app.piloting import indicator_history

        api_reach(authorization, plan)
        return answer(
            lambda: indicator_history(app, plan, key, as_of=as_of, first=from_, last=to).as_json()
        )

    def api_write(
        found: Reach, idempotency_key: str | None, command: str, fields: dict[str, Any]
    ) -> Response:
        from pacflow.app.changes import outcome_json

        if not idempotency_key or len(idempotency_key) > 200:
            return _api_error(
                InvalidInputError(
                    "Idempotency-Key: expected a header of 1-200 characters naming this write "
                    "(a retry with the same key records nothing twice)"
                )
            )
        access = app.access()
        grant_id = found.grant.grant_id
        answered = access.claim(grant_id, f"api:{idempotency_key}", app.now())
        if answered is not None:
            status, body = answered
            if status == 0:
                return _api_error(
                    ConflictError("Idempotency-Key: this write is still running; retry later")
                )
            return Response(
                body,
                status_code=status,
                media_type="application/json",
                headers={"Idempotent-Replayed": "true"},
            )
        try:
            outcome = record(found, command, fields, API_SOURCE)
        except PacflowError as error:
            response = _api_error(error)
        except BaseException:
            access.release(grant_id, f"api:{idempotency_key}")
            raise
        else:
            response = _json(outcome_json(outcome, dry_run=False), 201)
        access.answer(
            grant_id, f"api:{idempotency_key}", response.status_code, bytes(response.body).decode()
        )
        return response

    @web.post("/api/v1/plans/{plan}/indicators/{key}/actuals", tags=["writes"], status_code=201)
    def api_actual(
        plan: str,
        key: str,
        body: ActualIn,
        authorization: Auth = None,
        idempotency_key: Idempotency = None,
    ) -> Response:
        """Record an indicator's actual value for a period (`pacflow indicator record`)."""
        found = api_reach(authorization, plan, whole=False)
        state = app.service().load(plan)
        indicator = state.indicators.get(key) if state is not None else None
        if not found.whole_plan and (indicator is None or indicator.owner != found.person):
            raise Hidden
        fields = {"indicator": key, **body.model_dump(exclude_none=True)}
        return api_write(found, idempotency_key, "RecordIndicatorValue", fields)

    @web.post("/api/v1/plans/{plan}/visits/{occurrence}/report", tags=["writes"], status_code=201)
    def api_visit(
        plan: str,
        occurrence: str,
        body: VisitReportIn,
        authorization: Auth = None,
        idempotency_key: Idempotency = None,
    ) -> Response:
        """Report a visit held (on a day) or not held (with a reason)."""
        found = api_reach(authorization, plan, whole=False)
        mine(found, {"occurrence": occurrence})
        if body.held:
            fields: dict[str, Any] = {
                "occurrence": occurrence,
                "on": body.on or _own_day(occurrence),
            }
            return api_write(found, idempotency_key, "CompleteOccurrence", fields)
        fields = {"occurrence": occurrence, "reason": body.reason}
        return api_write(found, idempotency_key, "CancelOccurrence", fields)

    @web.get("/healthz", include_in_schema=False)
    def health() -> JSONResponse:
        return JSONResponse({"ok": True, "version": __version__})

    return web


PAGE_ACTIONS = {
    ("visits", "held"): ("CompleteOccurrence", "occurrence"),
    ("visits", "not-held"): ("CancelOccurrence", "occurrence"),
    ("visits", "moved"): ("MoveOccurrence", "occurrence"),
    ("steps", "done"): ("CompleteStep", "step"),
}
"""What each form of a person's page records: /p/{token}/{kind}/{key}/{action}."""
PAGE_FIELDS = {
    "CompleteOccurrence": ("on",),
    "CancelOccurrence": ("reason",),
    "MoveOccurrence": ("to", "reason"),
    "CompleteStep": ("on",),
}


def _own_day(occurrence: str) -> str | None:
    """The day an occurrence key names (`S08@2025-06-24`): when it was held by default."""
    return occurrence.partition("@")[2][:10] or None


_DONE = {
    "held": "Recorded: the visit was held.",
    "not-held": "Recorded: the visit was not held.",
    "moved": "Recorded: the visit was moved.",
    "done": "Recorded: the step is done.",
}


def _lang(text: str) -> str:
    return text if text in ("en", "fr") else "en"


def _not_modified(request: Request, found: Feed) -> bool:
    wanted = request.headers.get("if-none-match")
    if wanted is not None:
        return found.etag in [tag.strip().removeprefix("W/") for tag in wanted.split(",")] or (
            wanted.strip() == "*"
        )
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return found.last_modified.replace(microsecond=0) <= moment


def _check_lines(data: dict[str, Any], local: Any) -> list[str]:
    lines: list[str] = []
    for finding in data["findings"]:
        lines += [f"{finding['severity']}: [{finding['rule']}] {finding['message']}"]
        lines += [f"  fact #{fact['position']}: {fact['summary']}" for fact in finding["facts"]]
        lines += [f"  → {finding['command']}", ""]
    return lines or ["No finding."]
