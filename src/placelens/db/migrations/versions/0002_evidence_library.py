"""The evidence library: studies and their findings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False)


def _string(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=False)


def upgrade() -> None:
    op.create_table(
        "evidence_studies", sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("partnership_id", sa.Integer(), sa.ForeignKey(
            "partnerships.id", ondelete="CASCADE"), nullable=True),
        _string("reference", 80), _string("intervention", 300),
        _string("intervention_type", 40), _string("country", 8),
        sa.Column("places", sa.JSON(), nullable=False), _text("place_label"),
        sa.Column("period_start", sa.Integer(), nullable=True),
        sa.Column("period_end", sa.Integer(), nullable=True), _text("population"),
        _text("citation"), _string("link", 1000), _text("design"), _text("comparison"),
        sa.Column("sms", sa.Integer(), nullable=True), _string("grade_source", 24),
        _text("grade_detail"), _string("graded_by", 160), _text("context_notes"),
        sa.Column("evaluation", sa.JSON(), nullable=True),
        sa.Column("report_html", sa.Text(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False))
    op.create_index("ix_evidence_studies_partnership_id", "evidence_studies",
                    ["partnership_id"])
    shared = sa.text("partnership_id IS NULL")
    op.create_index("ux_evidence_studies_shared_reference", "evidence_studies", ["reference"],
                    unique=True, sqlite_where=shared, postgresql_where=shared)
    op.create_table(
        "evidence_findings", sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("study_id", sa.Integer(), sa.ForeignKey(
            "evidence_studies.id", ondelete="CASCADE"), nullable=False),
        _string("outcome_domain", 40), _string("direction", 10), _text("summary"),
        _string("effect", 80), _string("effect_unit", 300), _string("interval", 300),
        _string("subgroup", 300))
    op.create_index("ix_evidence_findings_study_id", "evidence_findings", ["study_id"])


def downgrade() -> None:
    op.drop_table("evidence_findings")
    op.drop_table("evidence_studies")
