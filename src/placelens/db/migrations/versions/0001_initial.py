"""Accounts, partnerships, workspace items and audit log (the first schema).

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _partnership(ondelete: str = "CASCADE", nullable: bool = False) -> sa.Column:
    return sa.Column("partnership_id", sa.Integer(), sa.ForeignKey(
        "partnerships.id", ondelete=ondelete), nullable=nullable)


def _accounts() -> None:
    op.create_table("users", _id(), sa.Column("email", sa.String(254), nullable=False,
                                              unique=True),
                    sa.Column("name", sa.String(120), nullable=False),
                    sa.Column("password_hash", sa.String(200), nullable=False),
                    sa.Column("is_hub_admin", sa.Boolean(), nullable=False), _when("created_at"))
    op.create_table("login_attempts", _id(), sa.Column("email", sa.String(254), nullable=False),
                    _when("at"))
    op.create_index("ix_login_attempts_email", "login_attempts", ["email"])


def _partnerships() -> None:
    op.create_table("partnerships", _id(), sa.Column("name", sa.String(160), nullable=False,
                                                     unique=True), _when("created_at"))
    op.create_table("memberships", _id(),
                    sa.Column("user_id", sa.Integer(), sa.ForeignKey(
                        "users.id", ondelete="CASCADE"), nullable=False),
                    _partnership(), sa.Column("role", sa.String(10), nullable=False),
                    sa.UniqueConstraint("user_id", "partnership_id"))
    op.create_table("invitations", _id(), _partnership(),
                    sa.Column("email", sa.String(254), nullable=False),
                    sa.Column("role", sa.String(10), nullable=False),
                    sa.Column("token_digest", sa.String(64), nullable=False, unique=True),
                    sa.Column("invited_by", sa.Integer(), sa.ForeignKey("users.id"),
                              nullable=False),
                    _when("created_at"), _when("accepted_at", nullable=True))


def _items_and_audit() -> None:
    op.create_table("workspace_items", _id(), _partnership(),
                    sa.Column("kind", sa.String(24), nullable=False),
                    sa.Column("title", sa.String(200), nullable=False),
                    sa.Column("content", sa.JSON(), nullable=False),
                    sa.Column("published", sa.Boolean(), nullable=False),
                    sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"),
                              nullable=False),
                    _when("created_at"), _when("updated_at"))
    op.create_index("ix_workspace_items_partnership_id", "workspace_items", ["partnership_id"])
    op.create_table("audit_events", _id(), _when("at"),
                    sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"),
                              nullable=True),
                    _partnership("SET NULL", nullable=True),
                    sa.Column("action", sa.String(40), nullable=False),
                    sa.Column("target", sa.String(80), nullable=False),
                    sa.Column("detail", sa.Text(), nullable=False))


def upgrade() -> None:
    _accounts()
    _partnerships()
    _items_and_audit()


def downgrade() -> None:
    for table in ("audit_events", "workspace_items", "invitations", "memberships",
                  "partnerships", "login_attempts", "users"):
        op.drop_table(table)
