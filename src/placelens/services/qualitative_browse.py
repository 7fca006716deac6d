"""Browsing a partnership's qualitative data (docs/qualitative.md): the codebook as a tree with
how often each code was applied and the passages it marks, and the cases with the sources
they cover and their variable values. Members only; passages come through
:meth:`~placelens.services.qualitative.QualitativeService.partnership_sources`, so sources
still coded blind show only the caller's own codings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from placelens.db.qual_models import QualCase, QualCode, QualSet, QualSource, QualVariable
from placelens.services.access import require_role
from placelens.services.accounts import Account
from placelens.services.qualitative import QualitativeService


@dataclass(frozen=True)
class CodeRow:
    """A code of the tree, its depth (0 at the top) and how many codings apply it."""

    id: int
    name: str
    depth: int
    description: str
    codings: int


@dataclass(frozen=True)
class CaseRow:
    id: int
    name: str
    kind: str
    place_code: str
    description: str
    sources: list[tuple[int, str]]          # (source id, name)
    passages: list[tuple[int, str, str]]    # (source id, source name, the passage's words)
    values: list[tuple[str, str]]           # (variable name, value)


def code_tree(qual: QualitativeService, actor: Account, partnership_id: int
              ) -> list[CodeRow]:
    """The codebook depth first, each code with the number of codings the caller may see."""
    codes = qual.codebook(actor, partnership_id)
    counts: dict[str, int] = {}
    for source in qual.partnership_sources(actor, partnership_id):
        for selection in source.selections:
            for name, _ in selection.codes:
                counts[name] = counts.get(name, 0) + 1
    children: dict[int | None, list[dict]] = {}
    for code in codes:
        children.setdefault(code["parent_id"], []).append(code)
    rows: list[CodeRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for code in children.get(parent, []):
            rows.append(CodeRow(code["id"], code["name"], depth, code["description"],
                                counts.get(code["name"], 0)))
            walk(code["id"], depth + 1)

    walk(None, 0)
    return rows


def coded_passages(qual: QualitativeService, actor: Account, partnership_id: int,
                   code_name: str) -> list[dict]:
    """The passages coded with ``code_name``: source and selection, in source order."""
    return [{"source": source, "selection": selection}
            for source in qual.partnership_sources(actor, partnership_id)
            for selection in source.selections
            if any(code == code_name for code, _ in selection.codes)]


def cases(qual: QualitativeService, actor: Account, partnership_id: int) -> list[CaseRow]:
    """The partnership's cases with the sources and passages they cover and their variable
    values (by the variable's name)."""
    with qual.db.session() as session:
        require_role(session, actor, partnership_id, "viewer")
        held = list(session.scalars(select(QualSource).where(
            QualSource.partnership_id == partnership_id)))
        sources = {s.guid: (s.id, s.name) for s in held}
        passages = {x.guid: (s.id, s.name, s.text[x.start:x.end]) for s in held
                    for x in s.selections}
        variables = {v.guid: v.name for v in session.scalars(select(QualVariable).where(
            QualVariable.partnership_id == partnership_id))}
        return [CaseRow(c.id, c.name, c.kind, c.place_code, c.description,
                        [sources[g] for g in c.source_guids if g in sources],
                        [passages[g] for g in c.selection_guids if g in passages],
                        [(variables.get(guid, guid), value) for guid, _, value in c.values])
                for c in session.scalars(select(QualCase).where(
                    QualCase.partnership_id == partnership_id).order_by(QualCase.name))]


def code_sets(qual: QualitativeService, actor: Account, partnership_id: int
              ) -> list[tuple[str, list[str]]]:
    """The partnership's sets that group codes, as (set name, its codes' names)."""
    with qual.db.session() as session:
        require_role(session, actor, partnership_id, "viewer")
        names = {c.guid: c.name for c in session.scalars(select(QualCode).where(
            QualCode.partnership_id == partnership_id))}
        return [(s.name, [names[g] for g in s.code_guids if g in names])
                for s in session.scalars(select(QualSet).where(
                    QualSet.partnership_id == partnership_id).order_by(QualSet.name))
                if s.code_guids]
