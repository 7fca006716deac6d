"""Partnerships and their private workspaces: members and roles, invitations, saved place and
comparator sets, notes, uploaded indicator tables and journey self-assessments, each private
to its partnership until an admin publishes it.

Every read and write is authorised here, whatever the caller (web page, API, export): an item
that does not exist and an item the caller may not see raise the same :class:`NotFoundError`,
so a private item's existence never leaks. Every write is recorded in the audit log."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from placelens.db.database import Database, flush_unique
from placelens.db.models import (
    ITEM_KINDS,
    ROLES,
    AuditEvent,
    Invitation,
    Membership,
    Partnership,
    User,
    WorkspaceItem,
    utcnow,
)
from placelens.errors import InputError, NotFoundError, check_choice
from placelens.services.access import audit, own_partnerships, require_role, role_in
from placelens.services.accounts import Account, check_email

MAX_NOTE = 20_000
MAX_TITLE = 200


@dataclass(frozen=True)
class PartnershipView:
    id: int
    name: str
    role: str | None
    members: int


@dataclass(frozen=True)
class ItemView:
    """An item as a caller may see it."""

    id: int
    partnership_id: int
    partnership: str
    kind: str
    title: str
    content: dict
    published: bool
    created_by: str
    created_at: datetime

    def to_dict(self) -> dict:
        return {"id": self.id, "partnership_id": self.partnership_id,
                "partnership": self.partnership, "kind": self.kind, "title": self.title,
                "content": self.content, "published": self.published,
                "created_by": self.created_by, "created_at": self.created_at.isoformat()}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_title(title: str) -> str:
    text = (title or "").strip()
    if not 1 <= len(text) <= MAX_TITLE:
        raise InputError("title", f"Enter a title (at most {MAX_TITLE} characters)")
    return text


class WorkspaceService:
    """What partnerships keep, and who may see or change it."""

    def __init__(self, db: Database):
        self.db = db

    # ---- partnerships and members ---------------------------------------------------
    def create_partnership(self, actor: Account, name: str) -> PartnershipView:
        """A new partnership with ``actor`` as its admin."""
        text = (name or "").strip()
        if not 3 <= len(text) <= 160:
            raise InputError("name", "Enter the partnership's name (3 to 160 characters)")
        with self.db.session() as session:
            taken = session.scalar(select(Partnership).where(
                func.lower(Partnership.name) == text.lower()))
            if taken is not None:
                raise InputError("name", "A partnership with this name already exists")
            partnership = Partnership(name=text)
            session.add(partnership)
            flush_unique(session, "name", "A partnership with this name already exists")
            session.add(Membership(user_id=actor.id, partnership_id=partnership.id,
                                   role="admin"))
            audit(session, actor, partnership.id, "create_partnership",
                        f"partnership:{partnership.id}", text)
            return PartnershipView(partnership.id, text, "admin", 1)

    def partnerships(self, actor: Account) -> list[PartnershipView]:
        """The partnerships ``actor`` belongs to (a hub admin sees every partnership's name
        and size, without its items)."""
        with self.db.session() as session:
            counts = dict(session.execute(select(Membership.partnership_id, func.count())
                                          .group_by(Membership.partnership_id)).all())
            roles = dict(session.execute(select(Membership.partnership_id, Membership.role)
                                         .where(Membership.user_id == actor.id)).all())
            query = select(Partnership).order_by(Partnership.name)
            if not actor.is_hub_admin:
                query = query.where(Partnership.id.in_(list(roles)))
            return [PartnershipView(p.id, p.name, roles.get(p.id), counts.get(p.id, 0))
                    for p in session.scalars(query)]

    def partnership(self, actor: Account, partnership_id: int) -> PartnershipView:
        with self.db.session() as session:
            partnership = require_role(session, actor, partnership_id, "viewer")
            count = session.scalar(select(func.count()).select_from(Membership).where(
                Membership.partnership_id == partnership_id)) or 0
            return PartnershipView(partnership.id, partnership.name,
                                   role_in(session, actor, partnership_id), count)

    def members(self, actor: Account, partnership_id: int) -> list[dict]:
        with self.db.session() as session:
            require_role(session, actor, partnership_id, "viewer")
            rows = session.execute(select(User.name, User.email, Membership.role).join(
                Membership, Membership.user_id == User.id).where(
                Membership.partnership_id == partnership_id).order_by(User.name)).all()
            return [{"name": n, "email": e, "role": r} for n, e, r in rows]

    def invite(self, actor: Account, partnership_id: int, email: str, role: str) -> str:
        """A one-time token inviting ``email`` to join with ``role`` (admins only); the
        caller sends it to the invitee (placelens stores only its digest)."""
        address = check_email(email)
        check_choice("role", role, ROLES)
        token = secrets.token_urlsafe(24)
        with self.db.session() as session:
            require_role(session, actor, partnership_id, "admin")
            session.add(Invitation(partnership_id=partnership_id, email=address, role=role,
                                   token_digest=_digest(token), invited_by=actor.id))
            audit(session, actor, partnership_id, "invite", f"email:{address}", role)
        return token

    def accept(self, actor: Account, token: str) -> PartnershipView:
        """Join the partnership an invitation addressed to ``actor``'s email is for."""
        with self.db.session() as session:
            invitation = session.scalar(select(Invitation).where(
                Invitation.token_digest == _digest(token or ""),
                Invitation.accepted_at.is_(None)))
            if invitation is None or invitation.email != actor.email:
                raise NotFoundError("This invitation does not exist, was used already or is "
                                    "for another email address")
            invitation.accepted_at = utcnow()
            if role_in(session, actor, invitation.partnership_id) is None:
                session.add(Membership(user_id=actor.id, role=invitation.role,
                                       partnership_id=invitation.partnership_id))
            audit(session, actor, invitation.partnership_id, "accept_invitation",
                        f"invitation:{invitation.id}")
            partnership_id = invitation.partnership_id
        return self.partnership(actor, partnership_id)

    # ---- items ------------------------------------------------------------------------
    def add_item(self, actor: Account, partnership_id: int, kind: str, title: str,
                 content: dict) -> ItemView:
        """Store a new private item (editors and admins)."""
        check_choice("kind", kind, ITEM_KINDS)
        with self.db.session() as session:
            require_role(session, actor, partnership_id, "editor")
            return self._insert(session, actor, partnership_id, kind, title, content)

    def add_item_in_turn(self, actor: Account, partnership_id: int, kind: str,
                         prepare: Callable[[list[dict]], tuple[str, dict] | None]
                         ) -> ItemView | None:
        """Store an item whose content depends on the partnership's items of that kind (a
        version number, a check that it is not there yet): ``prepare`` gets their contents
        and returns (title, content), or None to store nothing. Concurrent calls for one
        partnership take turns: each first takes the partnership row's write lock (a row lock
        in PostgreSQL, the database write lock in SQLite), so no two see the same items."""
        check_choice("kind", kind, ITEM_KINDS)
        with self.db.session() as session:
            require_role(session, actor, partnership_id, "editor")
            session.execute(update(Partnership).where(Partnership.id == partnership_id)
                            .values(name=Partnership.name))
            existing = list(session.scalars(select(WorkspaceItem.content).where(
                WorkspaceItem.partnership_id == partnership_id, WorkspaceItem.kind == kind)))
            prepared = prepare(existing)
            if prepared is None:
                return None
            return self._insert(session, actor, partnership_id, kind, *prepared)

    def _insert(self, session: Session, actor: Account, partnership_id: int, kind: str,
                title: str, content: dict) -> ItemView:
        item = WorkspaceItem(partnership_id=partnership_id, kind=kind, title=check_title(title),
                             content=content, created_by=actor.id)
        session.add(item)
        session.flush()
        audit(session, actor, partnership_id, "add_item", f"item:{item.id}", kind)
        return self._view(session, item)

    def items(self, actor: Account, partnership_id: int, kind: str | None = None
              ) -> list[ItemView]:
        """Every item of a partnership ``actor`` belongs to, newest first."""
        with self.db.session() as session:
            require_role(session, actor, partnership_id, "viewer")
            query = select(WorkspaceItem).where(WorkspaceItem.partnership_id == partnership_id)
            if kind:
                query = query.where(WorkspaceItem.kind == check_choice("kind", kind,
                                                                       ITEM_KINDS))
            items = session.scalars(query.order_by(WorkspaceItem.id.desc()))
            return [self._view(session, item) for item in items]

    def item(self, actor: Account | None, item_id: int) -> ItemView:
        """One item: published ones for anyone, private ones for members only."""
        with self.db.session() as session:
            item = session.get(WorkspaceItem, item_id)
            if item is None or not (item.published or role_in(
                    session, actor, item.partnership_id)):
                raise NotFoundError(f"No item {item_id} that you can see")
            return self._view(session, item)

    def visible_items(self, actor: Account | None, kind: str | None = None,
                      text: str = "") -> list[ItemView]:
        """Items ``actor`` may see across partnerships (published ones and those of their
        own partnerships), optionally of one kind or with ``text`` in the title: the one
        query behind search and listings, so neither can show more than this."""
        with self.db.session() as session:
            own = own_partnerships(session, actor)
            query = select(WorkspaceItem).where(or_(
                WorkspaceItem.published.is_(True), WorkspaceItem.partnership_id.in_(own)))
            if kind:
                query = query.where(WorkspaceItem.kind == check_choice("kind", kind,
                                                                       ITEM_KINDS))
            if text:
                query = query.where(func.lower(WorkspaceItem.title).contains(text.lower()))
            items = session.scalars(query.order_by(WorkspaceItem.id.desc()).limit(500))
            return [self._view(session, item) for item in items]

    def set_published(self, actor: Account, item_id: int, published: bool) -> ItemView:
        """Publish an item to everyone, or take it back (partnership admins only)."""
        with self.db.session() as session:
            item = self._writable(session, actor, item_id, "admin")
            item.published = published
            item.updated_at = utcnow()
            audit(session, actor, item.partnership_id,
                        "publish" if published else "unpublish", f"item:{item.id}")
            return self._view(session, item)

    def delete_item(self, actor: Account, item_id: int) -> None:
        with self.db.session() as session:
            item = self._writable(session, actor, item_id, "editor")
            audit(session, actor, item.partnership_id, "delete_item", f"item:{item.id}",
                        item.title)
            session.delete(item)

    def audit_log(self, actor: Account, partnership_id: int, limit: int = 100) -> list[dict]:
        """The partnership's recent writes (admins only)."""
        with self.db.session() as session:
            require_role(session, actor, partnership_id, "admin")
            rows = session.execute(select(AuditEvent.at, User.name, AuditEvent.action,
                                          AuditEvent.target).outerjoin(
                User, User.id == AuditEvent.user_id).where(
                AuditEvent.partnership_id == partnership_id).order_by(
                AuditEvent.id.desc()).limit(limit)).all()
            return [{"at": at, "who": who, "action": action, "target": target}
                    for at, who, action, target in rows]

    def _writable(self, session: Session, actor: Account, item_id: int, role: str
                  ) -> WorkspaceItem:
        item = session.get(WorkspaceItem, item_id)
        if item is None or role_in(session, actor, item.partnership_id) is None:
            raise NotFoundError(f"No item {item_id} that you can see")
        require_role(session, actor, item.partnership_id, role)
        return item

    @staticmethod
    def _view(session: Session, item: WorkspaceItem) -> ItemView:
        author = session.get(User, item.created_by)
        return ItemView(item.id, item.partnership_id, item.partnership.name, item.kind,
                        item.title, item.content, item.published,
                        author.name if author else "", item.created_at)
