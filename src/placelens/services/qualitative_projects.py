"""REFI-QDA projects into and out of a partnership's qualitative data (docs/qualitative.md).

Import stores the codebook (codes already in the partnership's codebook, by GUID, are reused),
the text sources with their selections and codings (coders named as the project names them;
a coding of a whole source becomes a selection of its whole text) and the cases (a case whose
name or description gives a GSS code becomes a place case). Variables, sets, notes and the
elements placelens does not model stay in the file, not the database. Export writes what the
database holds as a project; a partnership's export is its members' alone."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from placelens.db.database import Database
from placelens.db.models import QualCase, QualCode, QualCoding, QualSelection, QualSource
from placelens.errors import InputError
from placelens.qda.project import Case, Code, Coding, Project, Selection, TextSource, User
from placelens.services.access import audit, require_role
from placelens.services.accounts import Account

_GSS = re.compile(r"\b[EKNSW]\d{8}\b")


def import_project(db: Database, actor: Account, partnership_id: int, project: Project
                   ) -> dict[str, int]:
    """Store a project's codebook, sources, codings and cases in a partnership (editors);
    all or nothing.

    Parameters
    ----------
    db
        The application database.
    actor
        The member importing it.
    partnership_id
        The partnership.
    project
        The project (:func:`placelens.qda.refi_read.read_qdpx`).

    Returns
    -------
    dict
        How many codes, sources, selections, codings and cases were stored.
    """
    coders = {user.guid: user.name for user in project.users}
    with db.session() as session:
        require_role(session, actor, partnership_id, "editor")
        held = set(session.scalars(select(QualSource.guid).where(
            QualSource.partnership_id == partnership_id)))
        repeated = [s.name for s in project.sources if s.guid in held]
        if repeated:
            raise InputError("project", f"the partnership already holds source "
                             f"{repeated[0]!r} of this project (same GUID)")
        codes = {c.guid: c for c in session.scalars(select(QualCode).where(
            QualCode.partnership_id == partnership_id))}
        for top in project.codes:
            _store_code(session, partnership_id, top, None, codes)
        counts = {"codes": len(codes), "sources": 0, "selections": 0, "codings": 0}
        for source in project.sources:
            row = _source_row(partnership_id, actor, source, codes, coders)
            session.add(row)
            counts["sources"] += 1
            counts["selections"] += len(row.selections)
            counts["codings"] += sum(len(s.codings) for s in row.selections)
        for case in project.cases:
            text = f"{case.name} {case.description}"
            code = _GSS.search(text)
            session.add(QualCase(partnership_id=partnership_id, guid=case.guid,
                                 name=case.name[:200] or "(case)",
                                 kind="place" if code else "unspecified",
                                 place_code=code.group() if code else "",
                                 description=case.description, source_guids=case.sources))
        counts["cases"] = len(project.cases)
        session.flush()
        audit(session, actor, partnership_id, "import_project", "qualitative", project.name)
        return counts


def _store_code(session, partnership_id: int, code: Code, parent: QualCode | None,
                codes: dict[str, QualCode]) -> None:
    if code.guid not in codes:
        row = QualCode(partnership_id=partnership_id, guid=code.guid, parent=parent,
                       name=code.name[:200], description=code.description, color=code.color,
                       codable=code.codable)
        session.add(row)
        codes[code.guid] = row
    for child in code.children:
        _store_code(session, partnership_id, child, codes[code.guid], codes)


def _source_row(partnership_id: int, actor: Account, source: TextSource,
                codes: dict[str, QualCode], coders: dict[str, str]) -> QualSource:
    selections = list(source.selections)
    if source.codings:   # codes of the whole source: a selection of its whole text
        selections.append(Selection(str(uuid.uuid4()), 0, len(source.text),
                                    codings=source.codings))
    row = QualSource(partnership_id=partnership_id, guid=source.guid,
                     name=(source.name or "(untitled)")[:200], kind="document",
                     text=source.text, description=source.description, published=False,
                     created_by=actor.id)
    for selection in selections:
        if not 0 <= selection.start <= selection.end <= len(source.text):
            raise InputError("project", f"selection {selection.guid} of {source.name!r} lies "
                             "outside the text")
        row.selections.append(QualSelection(guid=selection.guid, start=selection.start,
                                            end=selection.end, codings=[
            QualCoding(guid=c.guid, code=_known(codes, c.code, source.name),
                       coder=coders.get(c.user, ""), coder_guid=c.user, created=c.created)
            for c in selection.codings]))
    return row


def _known(codes: dict[str, QualCode], guid: str, source: str) -> QualCode:
    if guid not in codes:
        raise InputError("project", f"a coding in {source!r} refers to code {guid}, which "
                         "the codebook does not hold")
    return codes[guid]


def export_project(db: Database, actor: Account, partnership_id: int, name: str) -> Project:
    """A partnership's qualitative data as a project (its members only).

    Parameters
    ----------
    db
        The application database.
    actor
        A member of the partnership.
    partnership_id
        The partnership.
    name
        The project's name.

    Returns
    -------
    Project
        Codebook, sources with selections and codings, cases, and the coders as users.
    """
    with db.session() as session:
        require_role(session, actor, partnership_id, "viewer")
        codes = list(session.scalars(select(QualCode).where(
            QualCode.partnership_id == partnership_id).order_by(QualCode.id)))
        sources = list(session.scalars(select(QualSource).where(
            QualSource.partnership_id == partnership_id).order_by(QualSource.id)))
        cases = list(session.scalars(select(QualCase).where(
            QualCase.partnership_id == partnership_id).order_by(QualCase.id)))
        users: dict[str, User] = {}
        project = Project(name, codes=_tree(codes), users=[], cases=[
            Case(c.guid, c.name, c.description, sources=list(c.source_guids)) for c in cases])
        project.sources = [TextSource(
            s.guid, s.name, s.text, s.description, selections=[Selection(
                x.guid, x.start, x.end, codings=[Coding(
                    c.guid, c.code.guid, _user(users, c).guid, c.created) for c in x.codings])
                for x in s.selections]) for s in sources]
        project.users = list(users.values())
        return project


def _user(users: dict[str, User], coding: QualCoding) -> User:
    """The coder as a project user: the GUID the project gave them, or one derived from
    their placelens account (stable across exports)."""
    guid = coding.coder_guid or str(uuid.uuid5(uuid.NAMESPACE_URL,
                                               f"placelens:user:{coding.coder_id}"))
    return users.setdefault(guid, User(guid, coding.coder))


def _tree(codes: list[QualCode]) -> list[Code]:
    nodes = {c.id: Code(c.guid, c.name, c.codable, c.color, c.description) for c in codes}
    roots: list[Code] = []
    for code in codes:
        (nodes[code.parent_id].children if code.parent_id in nodes else roots).append(
            nodes[code.id])
    return roots
