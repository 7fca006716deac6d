"""Team work on a partnership's sources (docs/qualitative.md): blind double coding and memos.

Blind double coding: an admin assigns two or more members (editors or admins) to code a
source. Until every one of them has said they have finished, each person who opens the
source — coders, the admin, anyone — sees only their own codings of it
(:func:`placelens.services.qualitative.coding_is_blind`), and coder agreement leaves the
source out, so nobody's coding is steered by another's. Once all have finished, everything is
shown and the source counts in the agreement statistics.

Memos are the analyst's notes about a source or one of its coded passages. They are working
material: members read them, exports carry them, and they are never published."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from placelens.db.database import Database
from placelens.db.models import Membership, User
from placelens.db.qual_models import QualAssignment, QualNote, QualSource
from placelens.errors import InputError, NotFoundError
from placelens.qda.project import new_guid
from placelens.services.access import RANK, audit, require_role, role_in
from placelens.services.accounts import Account

MAX_MEMO = 20_000


@dataclass(frozen=True)
class CoderStatus:
    """One assigned coder and whether they have finished."""

    name: str
    email: str
    done: bool


@dataclass(frozen=True)
class Memo:
    guid: str
    name: str
    text: str
    about: str          # "the source", or the quoted passage


def _member_source(session, actor: Account, source_id: int, role: str) -> QualSource:
    source = session.get(QualSource, source_id)
    if source is None or role_in(session, actor, source.partnership_id) is None:
        raise NotFoundError(f"No source {source_id} of a partnership you belong to")
    require_role(session, actor, source.partnership_id, role)
    return source


def assign_blind(db: Database, actor: Account, source_id: int, emails: list[str]) -> int:
    """Ask these members to code the source blind (admins); returns how many are assigned.

    Parameters
    ----------
    db
        The application database.
    actor
        An admin of the source's partnership.
    source_id
        The source.
    emails
        Two or more members who may code (editors or admins).

    Returns
    -------
    int
        The number of coders assigned (those already assigned keep their state).
    """
    wanted = sorted({e.strip().lower() for e in emails if e.strip()})
    if len(wanted) < 2:
        raise InputError("coders", "Choose at least two coders for blind double coding")
    with db.session() as session:
        source = _member_source(session, actor, source_id, "admin")
        coders = session.execute(select(User.id, User.email, Membership.role).join(
            Membership, Membership.user_id == User.id).where(
            Membership.partnership_id == source.partnership_id,
            User.email.in_(wanted))).all()
        unfit = sorted(set(wanted) - {email for _, email, role in coders
                                      if RANK[role] >= RANK["editor"]})
        if unfit:
            raise InputError("coders", f"{', '.join(unfit)}: not an editor or admin of the "
                             "partnership")
        held = {a.coder_id for a in source.assignments}
        for user_id, _, _ in coders:
            if user_id not in held:
                source.assignments.append(QualAssignment(coder_id=user_id, done=False))
        audit(session, actor, source.partnership_id, "assign_blind", f"source:{source.id}",
              ", ".join(wanted))
        return len(source.assignments)


def finish_coding(db: Database, actor: Account, source_id: int) -> None:
    """Record that ``actor`` has finished their blind coding of the source."""
    with db.session() as session:
        source = _member_source(session, actor, source_id, "editor")
        mine = next((a for a in source.assignments if a.coder_id == actor.id), None)
        if mine is None:
            raise InputError("source", "You are not assigned to code this source blind")
        mine.done = True
        audit(session, actor, source.partnership_id, "finish_coding", f"source:{source.id}")


def coding_status(db: Database, actor: Account, source_id: int) -> list[CoderStatus]:
    """The source's assigned coders and who has finished (members only)."""
    with db.session() as session:
        source = _member_source(session, actor, source_id, "viewer")
        people = {u.id: u for u in session.scalars(select(User).where(
            User.id.in_([a.coder_id for a in source.assignments])))}
        return [CoderStatus(people[a.coder_id].name, people[a.coder_id].email, a.done)
                for a in source.assignments]


def add_memo(db: Database, actor: Account, source_id: int, text: str,
             selection_guid: str = "") -> str:
    """Write a memo about the source, or about one of its selections (editors); returns the
    memo's GUID."""
    if not (text or "").strip():
        raise InputError("memo", "Write the memo")
    with db.session() as session:
        source = _member_source(session, actor, source_id, "editor")
        guid = new_guid()
        if selection_guid:
            about = next((s for s in source.selections if s.guid == selection_guid), None)
            if about is None:
                raise InputError("about", "Choose a coded passage of this source")
            about.note_guids = [*about.note_guids, guid]
        else:
            source.note_guids = [*source.note_guids, guid]
        session.add(QualNote(partnership_id=source.partnership_id, guid=guid,
                             name=f"Memo by {actor.name}"[:200], text=text.strip()[:MAX_MEMO],
                             creating_user="", created="", author_id=actor.id))
        audit(session, actor, source.partnership_id, "add_memo", f"source:{source.id}")
        return guid


def memos(db: Database, actor: Account, source_id: int) -> list[Memo]:
    """The memos about a source and its passages (members only), oldest first."""
    with db.session() as session:
        source = _member_source(session, actor, source_id, "viewer")
        about = {guid: "the source" for guid in source.note_guids}
        for selection in source.selections:
            quote = source.text[selection.start:selection.end]
            about |= {guid: f"“{quote[:80]}{'…' if len(quote) > 80 else ''}”"
                      for guid in selection.note_guids}
        notes = session.scalars(select(QualNote).where(
            QualNote.partnership_id == source.partnership_id,
            QualNote.guid.in_(list(about))).order_by(QualNote.id))
        return [Memo(n.guid, n.name, n.text, about[n.guid]) for n in notes]
