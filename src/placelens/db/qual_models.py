"""The tables of qualitative evidence (docs/qualitative.md): a superset of the REFI-QDA
project model, every row belonging to one partnership. Sources, selections and cases carry the
standard's GUIDs, unique within their partnership, so a project imported into two partnerships
keeps its identities in each. Variable values are kept as ``[variable GUID, type, value]``
lists and references to other objects as GUID lists, as the standard writes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from placelens.db.models import Base, utcnow


def _partnership() -> Mapped[int]:
    return mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)


def _guids() -> Mapped[list]:
    return mapped_column(JSON, default=list)


class QualSource(Base):
    """A qualitative source (interview, workshop notes, case study, minutes) and how it came
    to be: who collected it, how, on what consent basis, the participants' part in producing
    it, its access tier and licence. Private to its partnership until published, which needs a
    consent basis and an access tier (:mod:`placelens.services.qualitative`)."""

    __tablename__ = "qual_sources"
    __table_args__ = (UniqueConstraint("partnership_id", "guid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = _partnership()
    guid: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    collected_by: Mapped[str] = mapped_column(String(200), default="")
    collection_method: Mapped[str] = mapped_column(String(300), default="")
    consent_basis: Mapped[str] = mapped_column(String(300), default="")
    participant_role: Mapped[str] = mapped_column(String(300), default="")
    access_tier: Mapped[str] = mapped_column(String(20), default="")
    licence: Mapped[str] = mapped_column(String(200), default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    creating_user: Mapped[str] = mapped_column(String(40), default="")
    created: Mapped[str] = mapped_column(String(40), default="")
    note_guids: Mapped[list] = _guids()
    values: Mapped[list] = _guids()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    selections: Mapped[list[QualSelection]] = relationship(
        back_populates="source", cascade="all, delete-orphan", order_by="QualSelection.start")
    assignments: Mapped[list[QualAssignment]] = relationship(
        back_populates="source", cascade="all, delete-orphan", order_by="QualAssignment.id")


class QualCode(Base):
    """A code of a partnership's codebook; ``parent_id`` makes the hierarchy."""

    __tablename__ = "qual_codes"
    __table_args__ = (UniqueConstraint("partnership_id", "guid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = _partnership()
    guid: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("qual_codes.id",
                                                             ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    color: Mapped[str] = mapped_column(String(10), default="")
    codable: Mapped[bool] = mapped_column(Boolean, default=True)
    parent: Mapped[QualCode | None] = relationship(remote_side="QualCode.id")


class QualSelection(Base):
    """A stretch of a source (character positions) with a persistent, citable GUID."""

    __tablename__ = "qual_selections"
    __table_args__ = (UniqueConstraint("source_id", "guid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("qual_sources.id", ondelete="CASCADE"),
                                           index=True)
    guid: Mapped[str] = mapped_column(String(40))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    creating_user: Mapped[str] = mapped_column(String(40), default="")
    created: Mapped[str] = mapped_column(String(40), default="")
    note_guids: Mapped[list] = _guids()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source: Mapped[QualSource] = relationship(back_populates="selections")
    codings: Mapped[list[QualCoding]] = relationship(
        back_populates="selection", cascade="all, delete-orphan", order_by="QualCoding.id")


class QualCoding(Base):
    """A code applied to a selection by a coder (named as the project gives them, and the
    placelens account when the coding was made here)."""

    __tablename__ = "qual_codings"
    __table_args__ = (UniqueConstraint("selection_id", "guid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("qual_selections.id",
                                                         ondelete="CASCADE"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("qual_codes.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(40))
    coder: Mapped[str] = mapped_column(String(200), default="")
    coder_guid: Mapped[str] = mapped_column(String(40), default="")
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created: Mapped[str] = mapped_column(String(40), default="")
    selection: Mapped[QualSelection] = relationship(back_populates="codings")
    code: Mapped[QualCode] = relationship()


class QualCase(Base):
    """A case (a unit of analysis): ``kind`` is "place" (with its GSS code) or "unspecified"
    (any other unit an imported project brings, such as a stakeholder group), with the sources
    and selections it covers, the codes that describe it and its variable values."""

    __tablename__ = "qual_cases"
    __table_args__ = (UniqueConstraint("partnership_id", "guid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = _partnership()
    guid: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    place_code: Mapped[str] = mapped_column(String(12), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source_guids: Mapped[list] = _guids()
    selection_guids: Mapped[list] = _guids()
    code_guids: Mapped[list] = _guids()
    values: Mapped[list] = _guids()


class QualCoder(Base):
    """A person who coded or wrote in a project, by the GUID the project gives them (and
    their placelens account when they work here)."""

    __tablename__ = "qual_coders"
    __table_args__ = (UniqueConstraint("partnership_id", "guid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = _partnership()
    guid: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200), default="")
    external_id: Mapped[str] = mapped_column(String(200), default="")


class QualVariable(Base):
    """A variable that cases and sources take values of (a place's population, an
    interviewee's sector), with its type from the standard."""

    __tablename__ = "qual_variables"
    __table_args__ = (UniqueConstraint("partnership_id", "guid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = _partnership()
    guid: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="Text")
    description: Mapped[str] = mapped_column(Text, default="")


class QualNote(Base):
    """A memo: the analyst's note about a source, a passage or the project. Memos are working
    material and are never published."""

    __tablename__ = "qual_notes"
    __table_args__ = (UniqueConstraint("partnership_id", "guid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = _partnership()
    guid: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    creating_user: Mapped[str] = mapped_column(String(40), default="")
    created: Mapped[str] = mapped_column(String(40), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class QualSet(Base):
    """A named group of codes, sources and notes (a theme, a wave of interviews)."""

    __tablename__ = "qual_sets"
    __table_args__ = (UniqueConstraint("partnership_id", "guid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = _partnership()
    guid: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    code_guids: Mapped[list] = _guids()
    source_guids: Mapped[list] = _guids()
    note_guids: Mapped[list] = _guids()


class QualAssignment(Base):
    """A coder asked to code a source blind: until every coder assigned to the source has
    finished (``done``), each sees only their own codings of it."""

    __tablename__ = "qual_assignments"
    __table_args__ = (UniqueConstraint("source_id", "coder_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("qual_sources.id", ondelete="CASCADE"),
                                           index=True)
    coder_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[QualSource] = relationship(back_populates="assignments")


class EvidenceCitation(Base):
    """An evidence-library study citing a coded passage of qualitative case material; shown
    only to those who may see the passage's source."""

    __tablename__ = "evidence_qual_citations"
    __table_args__ = (UniqueConstraint("study_id", "selection_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("evidence_studies.id",
                                                     ondelete="CASCADE"), index=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("qual_selections.id",
                                                         ondelete="CASCADE"))
    selection: Mapped[QualSelection] = relationship()
