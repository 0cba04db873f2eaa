"""Links handed to people: grant, list, revoke, and what a token reaches.

A grant is recorded twice, each part where it belongs: the fact (who gave whom which
scope, when, why) as an `AccessGranted` event in the plan's log, the secret's hash in the
access table (`integrations.access`). The token is shown once, to whoever grants it.

What a token reaches depends on its scope and on the person: a manager or back-office
member sees the whole plan, a rep their own page and items; nothing reaches another plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pacflow.errors import InvalidInputError, NotFoundError, Suggestion
from slotted import FrozenValue, frozen_record

if TYPE_CHECKING:
    from integrations.access import Grant
    from pacflow.app.root import App

SCOPES = ("feed", "read", "report", "api")
_RANK = {"feed": 0, "read": 1, "report": 2}


@frozen_record
class Handed(FrozenValue):
    """A new grant and its token (shown once, never stored)."""

    grant: Grant
    token: str

    def as_json(self) -> dict[str, Any]:
        return {**grant_json(self.grant), "token": self.token}


@frozen_record
class Reach(FrozenValue):
    """What an authenticated token may see and do."""

    grant: Grant
    whole_plan: bool
    """A manager's or back office's link: every page and the team's feed."""

    @property
    def plan(self) -> str:
        return self.grant.plan

    @property
    def person(self) -> str:
        return self.grant.person

    def allows(self, scope: str) -> bool:
        """Whether the grant's scope covers `scope` (feed < read < report; api apart)."""
        have = self.grant.scope
        if scope == "api" or have == "api":
            return have == scope
        return _RANK[have] >= _RANK[scope]


def grant_json(grant: Grant) -> dict[str, Any]:
    return {
        "grant": grant.grant_id,
        "plan": grant.plan,
        "person": grant.person,
        "scope": grant.scope,
        "granted_at": grant.granted_at,
        "granted_by": grant.granted_by,
        "revoked_at": grant.revoked_at,
    }


def _scope(text: str) -> str:
    if text not in SCOPES:
        raise InvalidInputError(f"--scope {text!r}: expected one of {', '.join(SCOPES)}")
    return text


def grant(
    app: App, plan: str, person: str, scope: str, *, actor: str, reason: str | None = None
) -> Handed:
    """Hand `person` a link to `plan` with `scope`; the event is recorded, the secret kept
    hashed, and the token returned (the only time it is seen)."""
    from integrations.access import Grant, new_secret, token_of
    from pacflow.app.changes import execute

    fields = {"plan": plan, "person": person, "scope": _scope(scope), "reason": reason}
    grant_id, secret = new_secret()
    fields["grant"] = grant_id
    # The rules first (the person must be in the team): nothing is kept if they refuse.
    execute(app, "GrantAccess", fields, actor=actor, dry_run=True)
    handed = Grant(grant_id, plan, person, scope, app.now(), actor)
    access = app.access()
    access.add(handed, secret)
    try:
        execute(app, "GrantAccess", fields, actor=actor)
    except BaseException:
        access.forget(grant_id)
        raise
    return Handed(handed, token_of(grant_id, secret))


def grants(app: App, plan: str, *, person: str | None = None) -> list[Grant]:
    """The plan's grants, revoked ones included (the plan must exist)."""
    from pacflow.app.plans import origin

    origin(app, plan)
    return app.access().grants(plan, person=person)


def revoke(app: App, plan: str, grant_id: str, *, actor: str, reason: str | None = None) -> Grant:
    """Stop a grant from working, and record it."""
    from pacflow.app.changes import execute

    found = app.access().get(plan, grant_id)
    if found is None:
        raise NotFoundError(
            f"grant {grant_id}: not a grant of plan {plan}",
            code="no-such-grant",
            subject=grant_id,
            suggestion=Suggestion(("access", "list", plan), "to see its grants"),
        )
    if found.revoked_at is not None:
        return found
    fields = {"plan": plan, "grant": grant_id, "person": found.person, "reason": reason}
    execute(app, "RevokeAccess", fields, actor=actor)
    app.access().revoke(grant_id, app.now())
    revoked = app.access().get(plan, grant_id)
    assert revoked is not None
    return revoked


def reach(app: App, token: str) -> Reach | None:
    """What `token` reaches, or None (unknown, wrong or revoked alike)."""
    found = app.access().check(token)
    if found is None:
        return None
    from pacflow.domain.values import PersonKind

    state = app.service().load(found.plan)
    if state is None:
        return None
    person = state.people.get(found.person)
    if person is None:
        return None
    return Reach(found, whole_plan=person.kind in (PersonKind.MANAGER, PersonKind.BACK_OFFICE))
