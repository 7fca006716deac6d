"""Qualitative evidence in the application database (docs/qualitative.md): a partnership's
sources with their provenance, its codebook, coded selections and cases; REFI-QDA projects in
and out; full-text search with keyword in context; published testimony for a place.

Everything is private to its partnership until an admin publishes a source, which needs a
consent basis and an access tier and comes with a warning for personal details found in it.
Every read goes through :meth:`QualitativeService.visible` (published sources and the caller's
partnerships'), so pages, search, the API and exports cannot show more."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.orm import Session, selectinload

from placelens.db.database import Database
from placelens.db.qual_models import QualCase, QualCode, QualCoding, QualSelection, QualSource
from placelens.errors import InputError, NotFoundError
from placelens.geography.places import Place
from placelens.qda.project import new_guid
from placelens.qda.sensitive import personal_details
from placelens.services.access import audit, own_partnerships, require_role, role_in
from placelens.services.accounts import Account

SOURCE_KINDS = ("interview", "workshop notes", "case study", "minutes", "document")
#: The UK Data Service's access levels.
ACCESS_TIERS = ("open", "safeguarded", "controlled")
CONTEXT = 60
MAX_HITS = 200


@dataclass(frozen=True)
class SelectionView:
    guid: str
    start: int
    end: int
    quote: str
    codes: tuple[tuple[str, str], ...]      # (code, coder)


@dataclass(frozen=True)
class SourceView:
    """A source as a caller may see it, with its provenance and coded selections."""

    id: int
    guid: str
    partnership_id: int
    name: str
    kind: str
    text: str
    collected_by: str
    collection_method: str
    consent_basis: str
    participant_role: str
    access_tier: str
    licence: str
    published: bool
    selections: tuple[SelectionView, ...]
    blind: bool = False     # being coded blind: only the caller's own codings are shown


@dataclass(frozen=True)
class SearchHit:
    """One occurrence of a search term, with the words around it."""

    source_id: int
    source: str
    before: str
    match: str
    after: str


class QualitativeService:
    """Sources, codes, codings and cases, and who may see or change them."""

    def __init__(self, db: Database):
        self.db = db

    @staticmethod
    def visible(session: Session, actor: Account | None) -> Select:
        """The one query behind every read: published sources and the caller's own."""
        return select(QualSource).options(
            selectinload(QualSource.selections).selectinload(QualSelection.codings)
            .selectinload(QualCoding.code), selectinload(QualSource.assignments)).where(or_(
                QualSource.published.is_(True),
                QualSource.partnership_id.in_(own_partnerships(session, actor))))

    def source(self, actor: Account | None, source_id: int) -> SourceView:
        with self.db.session() as session:
            found = session.scalar(self.visible(session, actor).where(
                QualSource.id == source_id))
            if found is None:
                raise NotFoundError(f"No source {source_id} that you can see")
            return _view(found, actor)

    def sources(self, actor: Account | None) -> list[SourceView]:
        with self.db.session() as session:
            return [_view(s, actor) for s in session.scalars(self.visible(session, actor).order_by(
                QualSource.id))]

    def add_source(self, actor: Account, partnership_id: int, name: str, kind: str,
                   body: str, provenance: dict[str, str], place: Place | None = None
                   ) -> SourceView:
        """Store a private source with its provenance (editors and admins); with ``place``,
        the source joins that place's case (made if the partnership has none)."""
        if kind not in SOURCE_KINDS:
            raise InputError("kind", f"The kind of source is one of {', '.join(SOURCE_KINDS)}")
        if not (name or "").strip() or not (body or "").strip():
            raise InputError("name", "Give the source a name and its text")
        fields = {k: (provenance.get(k) or "").strip()[:300] for k in (
            "collected_by", "collection_method", "consent_basis", "participant_role",
            "licence")}
        with self.db.session() as session:
            require_role(session, actor, partnership_id, "editor")
            row = QualSource(partnership_id=partnership_id, guid=new_guid(),
                             name=name.strip()[:200], kind=kind, text=body, description="",
                             **fields,
                             access_tier="", published=False, created_by=actor.id)
            session.add(row)
            session.flush()
            if place is not None:
                _join_place_case(session, partnership_id, place, row.guid)
            audit(session, actor, partnership_id, "add_source", f"source:{row.id}", name)
            return _view(row, actor)

    def partnership_sources(self, actor: Account, partnership_id: int) -> list[SourceView]:
        """A partnership's sources, private and published (members only)."""
        with self.db.session() as session:
            require_role(session, actor, partnership_id, "viewer")
            return [_view(s, actor) for s in session.scalars(self.visible(session, actor).where(
                QualSource.partnership_id == partnership_id).order_by(QualSource.id))]

    def passages_about(self, actor: Account, partnership_id: int, topics: list[str]
                       ) -> dict[str, list[dict]]:
        """The partnership's coded passages whose code names a topic (a critical moment's
        name, say), by topic: what its own material says about each (members only)."""
        found: dict[str, list[dict]] = {topic: [] for topic in topics}
        for view in self.partnership_sources(actor, partnership_id):
            for selection in view.selections:
                for topic in topics:
                    if any(topic.lower() in code.lower() for code, _ in selection.codes):
                        found[topic].append({"source": view, "selection": selection})
        return found

    def testimony(self, actor: Account | None, place: Place) -> list[dict]:
        """Coded quotations from published sources (and the caller's own) in the cases of
        ``place`` or its districts — every coded passage of a source the case covers, and the
        passages it names — each with its provenance and consent basis."""
        codes = {place.code, *place.members}
        with self.db.session() as session:
            cases = list(session.scalars(select(QualCase).where(
                QualCase.place_code.in_(codes))))
            whole = {(c.partnership_id, g) for c in cases for g in c.source_guids}
            passages = {(c.partnership_id, g) for c in cases for g in c.selection_guids}
            quotes = []
            for source in session.scalars(self.visible(session, actor)):
                covered = (source.partnership_id, source.guid) in whole
                if not covered and not any((source.partnership_id, s.guid) in passages
                                           for s in source.selections):
                    continue       # not about this place: no view built
                view = _view(source, actor)
                quotes += [{"source": view, "selection": selection}
                           for selection in view.selections if selection.codes and (
                               covered or (source.partnership_id, selection.guid) in passages)]
            return quotes

    def passages(self, actor: Account | None, wanted: list[tuple[int, str]]) -> list[dict]:
        """The passages (source id, selection GUID) ``actor`` may see, in the order asked,
        each as ``{"source", "selection"}``; the others are left out."""
        with self.db.session() as session:
            sources = {s.id: _view(s, actor) for s in session.scalars(
                self.visible(session, actor).where(
                    QualSource.id.in_({source for source, _ in wanted})))}
        return [{"source": sources[source], "selection": selection}
                for source, guid in wanted if source in sources
                for selection in sources[source].selections if selection.guid == guid]

    def add_code(self, actor: Account, partnership_id: int, name: str,
                 parent_id: int | None = None, description: str = "") -> int:
        """A new code of the partnership's codebook, under ``parent_id`` if given."""
        with self.db.session() as session:
            require_role(session, actor, partnership_id, "editor")
            if parent_id is not None:
                self._code(session, partnership_id, parent_id)
            row = QualCode(partnership_id=partnership_id, guid=new_guid(), parent_id=parent_id,
                           name=name.strip()[:200], description=description, codable=True)
            session.add(row)
            session.flush()
            audit(session, actor, partnership_id, "add_code", f"code:{row.id}", name)
            return row.id

    def codebook(self, actor: Account, partnership_id: int) -> list[dict]:
        """The partnership's codes (id, name, parent), members only."""
        with self.db.session() as session:
            require_role(session, actor, partnership_id, "viewer")
            rows = session.scalars(select(QualCode).where(
                QualCode.partnership_id == partnership_id).order_by(QualCode.id))
            return [{"id": c.id, "name": c.name, "parent_id": c.parent_id,
                     "description": c.description} for c in rows]

    def code(self, actor: Account, source_id: int, start: int, end: int, code_id: int
             ) -> str:
        """Apply a code to characters ``start``–``end`` of a source (editors); returns the
        selection's citable GUID (an existing identical selection is reused)."""
        with self.db.session() as session:
            source = self._writable(session, actor, source_id)
            if not 0 <= start < end <= len(source.text):
                raise InputError("start", f"The selection must lie within the text (0 to "
                                 f"{len(source.text)}), start before end")
            code = self._code(session, source.partnership_id, code_id)
            selection = next((s for s in source.selections if (s.start, s.end) == (start, end)),
                             None)
            if selection is None:
                selection = QualSelection(guid=new_guid(), start=start, end=end)
                source.selections.append(selection)
            selection.codings.append(QualCoding(code=code, guid=new_guid(), coder=actor.name,
                                                coder_id=actor.id))
            audit(session, actor, source.partnership_id, "code", f"source:{source.id}",
                  f"{code.name} {start}-{end}")
            session.flush()
            return selection.guid

    def publish(self, actor: Account, source_id: int, consent_basis: str, access_tier: str
                ) -> list[tuple[str, str]]:
        """Publish a source (admins), which needs its consent basis and an access tier;
        returns the personal details found in it, for the publisher to check."""
        if not (consent_basis or "").strip():
            raise InputError("consent_basis", "State the consent basis before publishing")
        if access_tier not in ACCESS_TIERS:
            raise InputError("access_tier", f"Choose an access tier: {', '.join(ACCESS_TIERS)}")
        with self.db.session() as session:
            source = self._writable(session, actor, source_id, "admin")
            source.consent_basis, source.access_tier = consent_basis.strip()[:300], access_tier
            source.published = True
            audit(session, actor, source.partnership_id, "publish", f"source:{source.id}",
                  access_tier)
            return personal_details(source.text)

    def search(self, actor: Account | None, query: str) -> list[SearchHit]:
        """Sources the caller may see that match ``query`` (SQLite FTS5 or PostgreSQL full
        text), each occurrence with the words around it."""
        words = re.findall(r"\w+", query or "")
        if not words:
            return []
        with self.db.session() as session:
            visible = self.visible(session, actor).subquery()
            if session.get_bind().dialect.name == "sqlite":
                matching = text("SELECT rowid FROM qual_sources_fts WHERE qual_sources_fts "
                                "MATCH :q").bindparams(q=" ".join(f'"{w}"' for w in words))
                ids = set(session.scalars(matching))
            else:
                ids = set(session.scalars(select(QualSource.id).where(
                    func.to_tsvector("english", QualSource.name + " " + QualSource.text)
                    .op("@@")(func.plainto_tsquery("english", " ".join(words))))))
            rows = session.execute(select(visible.c.id, visible.c.name, visible.c.text)
                                   .where(visible.c.id.in_(ids))).all()
        return [hit for row in rows for hit in _in_context(row, words)][:MAX_HITS]

    # ---- authorisation ------------------------------------------------------------------
    @staticmethod
    def _writable(session: Session, actor: Account, source_id: int, role: str = "editor"
                  ) -> QualSource:
        source = session.get(QualSource, source_id)
        if source is None or role_in(session, actor, source.partnership_id) is None:
            raise NotFoundError(f"No source {source_id} of a partnership you belong to")
        require_role(session, actor, source.partnership_id, role)
        return source

    @staticmethod
    def _code(session: Session, partnership_id: int, code_id: int) -> QualCode:
        code = session.get(QualCode, code_id)
        if code is None or code.partnership_id != partnership_id:
            raise NotFoundError(f"No code {code_id} in this partnership's codebook")
        return code


def _join_place_case(session: Session, partnership_id: int, place: Place, guid: str) -> None:
    case = session.scalar(select(QualCase).where(QualCase.partnership_id == partnership_id,
                                                 QualCase.place_code == place.code))
    if case is None:
        case = QualCase(partnership_id=partnership_id, guid=new_guid(), kind="place",
                        name=f"{place.name} ({place.code})", place_code=place.code,
                        description="", source_guids=[])
        session.add(case)
    case.source_guids = [*case.source_guids, guid]


def _in_context(row, words: list[str]) -> list[SearchHit]:
    """Each occurrence of a word (or a word starting with its stem) in the source's text."""
    stems = "|".join(re.escape(w[:max(4, len(w) - 3)]) for w in words)
    return [SearchHit(row.id, row.name, row.text[max(0, m.start() - CONTEXT):m.start()],
                      m.group(), row.text[m.end():m.end() + CONTEXT])
            for m in re.finditer(rf"\b(?:{stems})\w*", row.text, flags=re.I)]


def coding_is_blind(source: QualSource) -> bool:
    """Whether the source is being coded blind: coders are assigned and not all have
    finished (:mod:`placelens.services.qualitative_team`)."""
    return bool(source.assignments) and not all(a.done for a in source.assignments)


def _view(source: QualSource, actor: Account | None) -> SourceView:
    """The source as ``actor`` may see it: while it is coded blind, only their own codings
    (and the selections they coded)."""
    blind = coding_is_blind(source)
    selections = []
    for s in source.selections:
        codings = [c for c in s.codings
                   if not blind or (actor is not None and c.coder_id == actor.id)]
        if codings or not s.codings:
            selections.append(SelectionView(s.guid, s.start, s.end, source.text[s.start:s.end],
                                            tuple((c.code.name, c.coder) for c in codings)))
    return SourceView(
        source.id, source.guid, source.partnership_id, source.name, source.kind, source.text,
        source.collected_by, source.collection_method, source.consent_basis,
        source.participant_role, source.access_tier, source.licence, source.published,
        tuple(selections), blind)

