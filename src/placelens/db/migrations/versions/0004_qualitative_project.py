"""The rest of the qualitative project model: coders, variables, memos, sets, the standard's
attributes of sources, selections and cases, blind coding assignments and evidence studies
citing coded passages.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NEW_COLUMNS = {
    "qual_sources": (("creating_user", sa.String(40), "''"), ("created", sa.String(40), "''"),
                     ("note_guids", sa.JSON(), "'[]'"), ("values", sa.JSON(), "'[]'")),
    "qual_selections": (("name", sa.String(200), "''"), ("description", sa.Text(), "''"),
                        ("creating_user", sa.String(40), "''"),
                        ("created", sa.String(40), "''"), ("note_guids", sa.JSON(), "'[]'")),
    "qual_cases": (("selection_guids", sa.JSON(), "'[]'"), ("code_guids", sa.JSON(), "'[]'"),
                   ("values", sa.JSON(), "'[]'")),
}


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _partnership() -> sa.Column:
    return sa.Column("partnership_id", sa.Integer(),
                     sa.ForeignKey("partnerships.id", ondelete="CASCADE"), nullable=False)


def _string(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=False)


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=False)


def _json(name: str) -> sa.Column:
    return sa.Column(name, sa.JSON(), nullable=False)


def _owned(table: str, *columns: sa.Column) -> None:
    """A partnership's table of GUID-keyed objects."""
    op.create_table(table, _id(), _partnership(), _string("guid", 40), *columns,
                    sa.UniqueConstraint("partnership_id", "guid"))
    op.create_index(f"ix_{table}_partnership_id", table, ["partnership_id"])


def upgrade() -> None:
    # plain ADD COLUMN (no batch copy on SQLite: that would drop the full-text triggers)
    for table, columns in NEW_COLUMNS.items():
        for name, kind, default in columns:
            op.add_column(table, sa.Column(name, kind, nullable=False,
                                           server_default=sa.text(default)))
    _owned("qual_coders", _string("name", 200), _string("external_id", 200))
    _owned("qual_variables", _string("name", 200), _string("kind", 10), _text("description"))
    _owned("qual_notes", _string("name", 200), _text("text"), _string("creating_user", 40),
           _string("created", 40),
           sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True))
    _owned("qual_sets", _string("name", 200), _text("description"), _json("code_guids"),
           _json("source_guids"), _json("note_guids"))
    op.create_table(
        "qual_assignments", _id(),
        sa.Column("source_id", sa.Integer(),
                  sa.ForeignKey("qual_sources.id", ondelete="CASCADE"), nullable=False),
        sa.Column("coder_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("source_id", "coder_id"))
    op.create_index("ix_qual_assignments_source_id", "qual_assignments", ["source_id"])
    op.create_table(
        "evidence_qual_citations", _id(),
        sa.Column("study_id", sa.Integer(),
                  sa.ForeignKey("evidence_studies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("selection_id", sa.Integer(),
                  sa.ForeignKey("qual_selections.id", ondelete="CASCADE"), nullable=False),
        sa.UniqueConstraint("study_id", "selection_id"))
    op.create_index("ix_evidence_qual_citations_study_id", "evidence_qual_citations",
                    ["study_id"])


def downgrade() -> None:
    for table in ("evidence_qual_citations", "qual_assignments", "qual_sets", "qual_notes",
                  "qual_variables", "qual_coders"):
        op.drop_table(table)
    for table, columns in NEW_COLUMNS.items():
        for name, _, _ in columns:
            op.drop_column(table, name)
