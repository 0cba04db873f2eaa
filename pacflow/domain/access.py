"""Links handed to people: who may see or report on the plan outside the terminal.

Granting and revoking are facts of the plan's audit trail (who gave whom which access, and
when); the secrets are not: they live, hashed, in the access table of the store's database.
Like market changes, these events leave the plan's content as it was.
"""

from __future__ import annotations

from pacflow.domain.commands import GrantAccess, RevokeAccess
from pacflow.domain.events import AccessGranted, AccessRevoked, PlanEvent
from pacflow.domain.rules import active_person, get_person
from pacflow.domain.state import PlanState


def grant_access(state: PlanState, command: GrantAccess) -> list[PlanEvent]:
    """A person still in the team gets a link (even on a closed plan: it is read-only)."""
    active_person(state, command.person, "person")
    return [AccessGranted(grant=command.grant, person=command.person, scope=command.scope)]


def revoke_access(state: PlanState, command: RevokeAccess) -> list[PlanEvent]:
    """A grant stops working (whoever it was for, even someone who left)."""
    get_person(state, command.person, "person")
    return [AccessRevoked(grant=command.grant, person=command.person)]
