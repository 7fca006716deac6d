"""Who may read or change a partnership's things: the role checks and the audit log that
every service holding private data (workspaces, the evidence library) goes through, so the
rule is written once.

Non-members get :class:`NotFoundError`, the same as for something that does not exist, so a
private item's existence never leaks; members with too low a role get
:class:`ForbiddenError`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from placelens.db.models import ROLES, AuditEvent, Membership, Partnership
from placelens.errors import ForbiddenError, NotFoundError
from placelens.services.accounts import Account

RANK = {role: number for number, role in enumerate(ROLES)}


def role_in(session: Session, actor: Account | None, partnership_id: int) -> str | None:
    """``actor``'s role in the partnership, or None (signed out or not a member)."""
    if actor is None:
        return None
    return session.scalar(select(Membership.role).where(
        Membership.user_id == actor.id, Membership.partnership_id == partnership_id))


def require_role(session: Session, actor: Account | None, partnership_id: int,
                 role: str) -> Partnership:
    """The partnership if ``actor`` holds at least ``role`` in it."""
    partnership = session.get(Partnership, partnership_id)
    held = role_in(session, actor, partnership_id)
    if partnership is None or held is None:
        raise NotFoundError(f"No partnership {partnership_id} that you belong to")
    if RANK[held] < RANK[role]:
        raise ForbiddenError(f"Only a partnership {role} can do this; you are a {held}")
    return partnership


def own_partnerships(session: Session, actor: Account | None) -> list[int]:
    """The ids of the partnerships ``actor`` belongs to (none when signed out)."""
    if actor is None:
        return []
    return list(session.scalars(select(Membership.partnership_id).where(
        Membership.user_id == actor.id)))


def audit(session: Session, actor: Account | None, partnership_id: int | None, action: str,
          target: str, detail: str = "") -> None:
    """Record one write in the audit log (``actor`` None: the command line's system user)."""
    session.add(AuditEvent(user_id=None if actor is None else actor.id,
                           partnership_id=partnership_id, action=action, target=target,
                           detail=detail[:2000]))
