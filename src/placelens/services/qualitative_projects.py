"""REFI-QDA projects into and out of a partnership's qualitative data (docs/qualitative.md).

Import stores everything of the project model placelens keeps (:mod:`placelens.db.qual_models`):
users as coders, the codebook (codes already in the partnership's codebook, by GUID, are
reused), variables, cases (a case whose name or description gives a GSS code becomes a place
case), text sources with their selections, codings, memos and variable values, notes and sets.
A coding of a whole source becomes a selection of its whole text. Non-text sources (PDF,
picture, audio, video), links and graphs are not stored: the import names them. Export writes
what the database holds as a project; a partnership's export is its members' alone."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from placelens.db.database import Database, flush_unique
from placelens.db.qual_models import (
    QualCase,
    QualCode,
    QualCoder,
    QualCoding,
    QualNote,
    QualSelection,
    QualSet,
    QualSource,
    QualVariable,
)
from placelens.errors import InputError
from placelens.qda.project import (
    Case,
    Code,
    CodeSet,
    Coding,
    Project,
    Selection,
    TextSource,
    User,
    Variable,
    VariableValue,
)
from placelens.qda.refi_read import kept_elements
from placelens.services.access import audit, require_role
from placelens.services.accounts import Account

_GSS = re.compile(r"\b[EKNSW]\d{8}\b")


@dataclass(frozen=True)
class ImportedProject:
    """What an import stored (how many of each kind) and what it did not (named)."""

    counts: dict[str, int]
    not_stored: list[str]

    @property
    def summary(self) -> str:
        """The counts in words: "14 codes, 3 sources, 1 case, 0 variables"."""
        return ", ".join(counted(n, kind.removesuffix("s")) for kind, n in self.counts.items())


def counted(number: int, noun: str) -> str:
    """``number`` with ``noun`` (one that takes an s) in the right number: "1 code",
    "3 codes"."""
    return f"{number} {noun if number == 1 else noun + 's'}"


def import_project(db: Database, actor: Account, partnership_id: int, project: Project
                   ) -> ImportedProject:
    """Store a project in a partnership (editors); all or nothing.

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
    ImportedProject
        How many codes (new to the codebook), sources, selections, codings, cases,
        variables, notes and sets were stored, and the elements placelens does not keep.
    """
    with db.session() as session:
        require_role(session, actor, partnership_id, "editor")
        _refuse_repeats(session, partnership_id, project)
        codes = _rows(session, QualCode, partnership_id)
        held = len(codes)
        for top in project.codes:
            _store_code(session, partnership_id, top, None, codes)
        coders = _rows(session, QualCoder, partnership_id)
        for user in project.users:
            if user.guid not in coders:
                coders[user.guid] = QualCoder(partnership_id=partnership_id, guid=user.guid,
                                              name=user.name, external_id=user.id)
                session.add(coders[user.guid])
        names = {guid: coder.name for guid, coder in coders.items()}
        counts = {"codes": len(codes) - held, "sources": 0, "selections": 0, "codings": 0}
        for source in project.sources:
            row = _source_row(partnership_id, actor, source, codes, names)
            session.add(row)
            counts["sources"] += 1
            counts["selections"] += len(row.selections)
            counts["codings"] += sum(len(s.codings) for s in row.selections)
        session.add_all(_other_rows(partnership_id, actor, project))
        counts |= {"cases": len(project.cases), "variables": len(project.variables),
                   "notes": len(project.notes), "sets": len(project.sets)}
        flush_unique(session, "project", "the partnership already holds part of this "
                     "project (an import of it ran at the same time); nothing was stored")
        audit(session, actor, partnership_id, "import_project", "qualitative", project.name)
        return ImportedProject(counts, _not_stored(project))


def _refuse_repeats(session, partnership_id: int, project: Project) -> None:
    held = set(session.scalars(select(QualSource.guid).where(
        QualSource.partnership_id == partnership_id)))
    repeated = [s.name for s in project.sources if s.guid in held]
    if repeated:
        raise InputError("project", f"the partnership already holds source "
                         f"{repeated[0]!r} of this project (same GUID)")


def _rows(session, model, partnership_id: int) -> dict:
    return {row.guid: row for row in session.scalars(select(model).where(
        model.partnership_id == partnership_id))}


def _not_stored(project: Project) -> list[str]:
    """The elements of the project the database does not keep, named."""
    return kept_elements(project) + [f"codings of note {n.name!r}" for n in project.notes
                                     if n.selections or n.codings]


def _values(values: list[VariableValue]) -> list[list[str]]:
    return [[v.variable, v.kind, v.value] for v in values]


def _other_rows(partnership_id: int, actor: Account, project: Project) -> list:
    """Cases, variables, notes and sets as rows of the partnership."""
    rows: list = []
    for case in project.cases:
        place = _GSS.search(f"{case.name} {case.description}")
        rows.append(QualCase(
            partnership_id=partnership_id, guid=case.guid, name=case.name[:200] or "(case)",
            kind="place" if place else "unspecified",
            place_code=place.group() if place else "", description=case.description,
            source_guids=case.sources, selection_guids=case.selections,
            code_guids=case.codes, values=_values(case.values)))
    rows += [QualVariable(partnership_id=partnership_id, guid=v.guid, name=v.name[:200],
                          kind=v.kind, description=v.description) for v in project.variables]
    rows += [QualNote(partnership_id=partnership_id, guid=n.guid, name=n.name[:200],
                      text=n.text, creating_user=n.user, created=n.created,
                      author_id=actor.id) for n in project.notes]
    rows += [QualSet(partnership_id=partnership_id, guid=s.guid, name=s.name[:200],
                     description=s.description, code_guids=s.codes, source_guids=s.sources,
                     note_guids=s.notes) for s in project.sets]
    return rows


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
                     creating_user=source.user, created=source.created,
                     note_guids=source.notes, values=_values(source.values),
                     created_by=actor.id)
    for selection in selections:
        if not 0 <= selection.start <= selection.end <= len(source.text):
            raise InputError("project", f"selection {selection.guid} of {source.name!r} lies "
                             "outside the text")
        row.selections.append(QualSelection(
            guid=selection.guid, start=selection.start, end=selection.end,
            name=selection.name[:200], description=selection.description,
            creating_user=selection.user, created=selection.created,
            note_guids=selection.notes, codings=[
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
        Codebook, variables, cases, sources with selections, codings and values, notes,
        sets, and the coders as users.
    """
    with db.session() as session:
        require_role(session, actor, partnership_id, "viewer")

        def owned(model):
            return list(session.scalars(select(model).where(
                model.partnership_id == partnership_id).order_by(model.id)))

        users = {c.guid: User(c.guid, c.name, c.external_id) for c in owned(QualCoder)}
        project = Project(name, codes=codebook_tree(owned(QualCode)), cases=[Case(
            c.guid, c.name, c.description, list(c.code_guids), _read_values(c.values),
            list(c.source_guids), list(c.selection_guids)) for c in owned(QualCase)])
        project.variables = [Variable(v.guid, v.name, v.kind, v.description)
                             for v in owned(QualVariable)]
        project.sources = [_text_source(s, users) for s in owned(QualSource)]
        project.notes = [TextSource(n.guid, n.name, n.text, user=n.creating_user,
                                    created=n.created) for n in owned(QualNote)]
        project.sets = [CodeSet(s.guid, s.name, s.description, list(s.code_guids),
                                list(s.source_guids), list(s.note_guids))
                        for s in owned(QualSet)]
        project.users = list(users.values())
        return project


def _read_values(values: list) -> list[VariableValue]:
    return [VariableValue(*value) for value in values]


def _text_source(source: QualSource, users: dict[str, User]) -> TextSource:
    return TextSource(
        source.guid, source.name, source.text, source.description, source.creating_user,
        source.created, selections=[Selection(
            x.guid, x.start, x.end, x.name, x.description, x.creating_user, x.created,
            codings=[Coding(c.guid, c.code.guid, _user(users, c).guid, c.created)
                     for c in x.codings], notes=list(x.note_guids))
            for x in source.selections],
        notes=list(source.note_guids), values=_read_values(source.values))


def _user(users: dict[str, User], coding: QualCoding) -> User:
    """The coder as a project user: the GUID the project gave them, or one derived from
    their placelens account (stable across exports)."""
    guid = coding.coder_guid or str(uuid.uuid5(uuid.NAMESPACE_URL,
                                               f"placelens:user:{coding.coder_id}"))
    return users.setdefault(guid, User(guid, coding.coder))


def codebook_tree(codes: list[QualCode]) -> list[Code]:
    """The partnership's code rows as the codebook's tree (top-level codes first)."""
    nodes = {c.id: Code(c.guid, c.name, c.codable, c.color, c.description) for c in codes}
    roots: list[Code] = []
    for code in codes:
        (nodes[code.parent_id].children if code.parent_id in nodes else roots).append(
            nodes[code.id])
    return roots


def import_codebook(db: Database, actor: Account, partnership_id: int, codes: list[Code]
                    ) -> int:
    """Add a codebook's codes to the partnership's (editors); codes it already holds, by
    GUID, are kept as they are.

    Parameters
    ----------
    db
        The application database.
    actor
        The member importing it.
    partnership_id
        The partnership.
    codes
        The top-level codes (:func:`placelens.qda.refi_read.read_qdc`).

    Returns
    -------
    int
        How many codes were added.
    """
    with db.session() as session:
        require_role(session, actor, partnership_id, "editor")
        held = _rows(session, QualCode, partnership_id)
        before = len(held)
        for top in codes:
            _store_code(session, partnership_id, top, None, held)
        session.flush()
        audit(session, actor, partnership_id, "import_codebook", "qualitative",
              f"{len(held) - before} codes")
        return len(held) - before


def export_codebook(db: Database, actor: Account, partnership_id: int) -> list[Code]:
    """The partnership's codebook as a tree of codes (members only)."""
    with db.session() as session:
        require_role(session, actor, partnership_id, "viewer")
        return codebook_tree(list(session.scalars(select(QualCode).where(
            QualCode.partnership_id == partnership_id).order_by(QualCode.id))))
