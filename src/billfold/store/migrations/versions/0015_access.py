"""access: dashboard users and sessions, the audit log, portal sessions

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

Passwords are argon2 hashes; session and portal tokens are kept as SHA-256 digests
only (a token is 256 random bits: a slow hash adds nothing).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
ID = sa.String(length=64)
NAME = sa.String(length=200)


def upgrade() -> None:
    op.create_table(
        "dashboard_users",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("email", NAME, nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("store_id", "user_id", name=op.f("pk_dashboard_users")),
        sa.UniqueConstraint("email", name=op.f("uq_dashboard_users_email")),
    )
    op.create_table(
        "dashboard_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_dashboard_sessions")),
    )
    op.create_table(
        "audit_log",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("email", NAME, nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", NAME, nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("object_id", ID, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("store_id", "entry_id", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "portal_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("customer_id", NAME, nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("return_url", sa.String(length=2048), nullable=True),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_portal_sessions")),
    )


def downgrade() -> None:
    op.drop_table("portal_sessions")
    op.drop_table("audit_log")
    op.drop_table("dashboard_sessions")
    op.drop_table("dashboard_users")
