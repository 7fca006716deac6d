"""The tables of application state. Every private thing belongs to one partnership; what may
be read or changed is decided in :mod:`placelens.services.workspaces`, never here."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("viewer", "editor", "admin")
ITEM_KINDS = ("place_set", "comparator_set", "note", "indicator_table", "journey_assessment",
              "logic_model", "evaluation_plan")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_hub_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Partnership(Base):
    __tablename__ = "partnerships"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    memberships: Mapped[list[Membership]] = relationship(back_populates="partnership")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "partnership_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id",
                                                           ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))
    user: Mapped[User] = relationship()
    partnership: Mapped[Partnership] = relationship(back_populates="memberships")


class Invitation(Base):
    """An invitation to join a partnership, redeemed once with a secret token (only its
    SHA-256 digest is stored)."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id",
                                                           ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WorkspaceItem(Base):
    """Something a partnership keeps: a place set, a comparator set, a note, an uploaded
    indicator table or a journey self-assessment. ``content`` is the item's JSON body;
    ``published`` items are visible to everyone, the rest only to members."""

    __tablename__ = "workspace_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id",
                                                           ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict] = mapped_column(JSON)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    partnership: Mapped[Partnership] = relationship()


class AuditEvent(Base):
    """One write: who did what to which partnership's item, and when."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnerships.id",
                                                                  ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(80), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class LoginAttempt(Base):
    """A failed sign-in, kept to slow down password guessing (see AccountService)."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EvidenceStudy(Base):
    """A study in the evidence library: the intervention it evaluated (name and type from
    :data:`placelens.evidence_terms.INTERVENTION_TYPES`), where and when, its design and its
    Maryland Scientific Methods Scale level with where that grade came from and who gave it.
    ``partnership_id`` None is the hub's shared library (the datapack's seed, public);
    otherwise the study is private to that partnership until ``published``. A study placelens
    made itself keeps its evaluation record (``evaluation``) and report (``report_html``)."""

    __tablename__ = "evidence_studies"
    #: One shared-library study per reference, even when two imports run at once.
    __table_args__ = (Index("ux_evidence_studies_shared_reference", "reference", unique=True,
                            sqlite_where=text("partnership_id IS NULL"),
                            postgresql_where=text("partnership_id IS NULL")),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey(
        "partnerships.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(80))
    intervention: Mapped[str] = mapped_column(String(300))
    intervention_type: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(8))
    places: Mapped[list] = mapped_column(JSON)
    place_label: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[int | None] = mapped_column(Integer)
    period_end: Mapped[int | None] = mapped_column(Integer)
    population: Mapped[str] = mapped_column(Text, default="")
    citation: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(1000), default="")
    design: Mapped[str] = mapped_column(Text, default="")
    comparison: Mapped[str] = mapped_column(Text, default="")
    sms: Mapped[int | None] = mapped_column(Integer)
    grade_source: Mapped[str] = mapped_column(String(24))
    grade_detail: Mapped[str] = mapped_column(Text, default="")
    graded_by: Mapped[str] = mapped_column(String(160), default="")
    context_notes: Mapped[str] = mapped_column(Text, default="")
    evaluation: Mapped[dict | None] = mapped_column(JSON)
    report_html: Mapped[str | None] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    findings: Mapped[list[EvidenceFinding]] = relationship(
        back_populates="study", cascade="all, delete-orphan", order_by="EvidenceFinding.id")
    partnership: Mapped[Partnership | None] = relationship()


class EvidenceFinding(Base):
    """One result of a study: the outcome domain, the direction of the effect, and the
    effect and its interval where the study gives them (as given, with their unit)."""

    __tablename__ = "evidence_findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("evidence_studies.id",
                                                     ondelete="CASCADE"), index=True)
    outcome_domain: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text, default="")
    effect: Mapped[str] = mapped_column(String(80), default="")
    effect_unit: Mapped[str] = mapped_column(String(300), default="")
    interval: Mapped[str] = mapped_column(String(300), default="")
    subgroup: Mapped[str] = mapped_column(String(300), default="")
    study: Mapped[EvidenceStudy] = relationship(back_populates="findings")
