"""Qualitative sources, codes, selections, codings and cases.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _guid() -> sa.Column:
    return sa.Column("guid", sa.String(40), nullable=False)


def _unique(scope: str) -> sa.UniqueConstraint:
    """GUIDs are unique within their partnership (or source, or selection), so a project can
    be imported into several partnerships and keep its identities in each."""
    return sa.UniqueConstraint(scope, "guid")


def _string(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=False)


def _parent(table: str, column: str, ondelete: str = "CASCADE", nullable: bool = False):
    return sa.Column(column, sa.Integer(), sa.ForeignKey(f"{table}.id", ondelete=ondelete),
                     nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "qual_sources", _id(), _parent("partnerships", "partnership_id"), _guid(),
        _string("name", 200), _string("kind", 30), sa.Column("text", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False), _string("collected_by", 200),
        _string("collection_method", 300),
        _string("consent_basis", 300), _string("participant_role", 300),
        _string("access_tier", 20), _string("licence", 200),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _unique("partnership_id"))
    op.create_table(
        "qual_codes", _id(), _parent("partnerships", "partnership_id"), _guid(),
        _parent("qual_codes", "parent_id", nullable=True), _string("name", 200),
        sa.Column("description", sa.Text(), nullable=False), _string("color", 10),
        sa.Column("codable", sa.Boolean(), nullable=False), _unique("partnership_id"))
    op.create_table(
        "qual_selections", _id(), _parent("qual_sources", "source_id"), _guid(),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False), _unique("source_id"))
    op.create_table(
        "qual_codings", _id(), _parent("qual_selections", "selection_id"),
        _parent("qual_codes", "code_id"), _guid(), _string("coder", 200),
        _string("coder_guid", 40),
        sa.Column("coder_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        _string("created", 40), _unique("selection_id"))
    op.create_table(
        "qual_cases", _id(), _parent("partnerships", "partnership_id"), _guid(),
        _string("name", 200), _string("kind", 30), _string("place_code", 12),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source_guids", sa.JSON(), nullable=False), _unique("partnership_id"))
    for table, column in (("qual_sources", "partnership_id"), ("qual_codes", "partnership_id"),
                          ("qual_selections", "source_id"), ("qual_codings", "selection_id"),
                          ("qual_cases", "partnership_id")):
        op.create_index(f"ix_{table}_{column}", table, [column])
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_full_text()


def _sqlite_full_text() -> None:
    """An FTS5 index of the sources' names and text, kept in step by triggers (PostgreSQL
    searches with to_tsvector at query time and needs none)."""
    op.execute("CREATE VIRTUAL TABLE qual_sources_fts USING fts5(name, text, "
               "content='qual_sources', content_rowid='id', tokenize='porter unicode61')")
    op.execute("CREATE TRIGGER qual_sources_ai AFTER INSERT ON qual_sources BEGIN "
               "INSERT INTO qual_sources_fts(rowid, name, text) VALUES (new.id, new.name, "
               "new.text); END")
    op.execute("CREATE TRIGGER qual_sources_ad AFTER DELETE ON qual_sources BEGIN "
               "INSERT INTO qual_sources_fts(qual_sources_fts, rowid, name, text) "
               "VALUES ('delete', old.id, old.name, old.text); END")
    op.execute("CREATE TRIGGER qual_sources_au AFTER UPDATE ON qual_sources BEGIN "
               "INSERT INTO qual_sources_fts(qual_sources_fts, rowid, name, text) "
               "VALUES ('delete', old.id, old.name, old.text); "
               "INSERT INTO qual_sources_fts(rowid, name, text) VALUES (new.id, new.name, "
               "new.text); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS qual_sources_fts")
    for table in ("qual_cases", "qual_codings", "qual_selections", "qual_codes",
                  "qual_sources"):
        op.drop_table(table)
