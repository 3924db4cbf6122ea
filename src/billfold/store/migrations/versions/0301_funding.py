"""funding: wallet codes, redemption throttles, top-ups, automatic top-ups, withdrawals

Revision ID: 0301
Revises: 0201
Create Date: 2026-12-02

Every primary key and index leads with `store_id` (DESIGN.md, "Scaling out").
Plain wallet codes are never stored: `wallet_codes.code_hash` is their SHA-256.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0301"
down_revision = "0201"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
ID = sa.String(length=64)
NAME = sa.String(length=200)


def upgrade() -> None:
    op.create_table(
        "wallet_code_batches",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("batch_id", ID, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("program", sa.String(length=64), nullable=False),
        sa.Column("funding_type", sa.String(length=32), nullable=False),
        sa.Column("is_withdrawable", sa.Boolean(), nullable=False),
        sa.Column("code_count", sa.Integer(), nullable=False),
        sa.Column("max_redemptions", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", TZ, nullable=True),
        sa.Column("credit_expires_seconds", sa.BigInteger(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("disabled_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("store_id", "batch_id", name=op.f("pk_wallet_code_batches")),
    )
    op.create_table(
        "wallet_codes",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("batch_id", ID, nullable=False),
        sa.Column("redemptions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "code_hash", name=op.f("pk_wallet_codes")),
    )
    op.create_table(
        "wallet_code_redemptions",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("customer_id", NAME, nullable=False),
        sa.Column("batch_id", ID, nullable=False),
        sa.Column("transaction_id", ID, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("store_id", "code_hash", "customer_id",
                                name=op.f("pk_wallet_code_redemptions")),
    )
    op.create_index(op.f("ix_wallet_code_redemptions_store_id_batch_id"),
                    "wallet_code_redemptions", ["store_id", "batch_id"], unique=False)
    op.create_table(
        "redeem_throttles",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("subject", NAME, nullable=False),
        sa.Column("window_started_at", TZ, nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "scope", "subject",
                                name=op.f("pk_redeem_throttles")),
    )
    op.create_table(
        "topups",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("topup_id", ID, nullable=False),
        sa.Column("customer_id", NAME, nullable=False),
        sa.Column("program", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("payment_reference", NAME, nullable=True),
        sa.Column("transaction_id", ID, nullable=True),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("settled_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("store_id", "topup_id", name=op.f("pk_topups")),
    )
    op.create_index(op.f("ix_topups_store_id_customer_id_program_topup_id"), "topups",
                    ["store_id", "customer_id", "program", "topup_id"], unique=False)
    op.create_index(op.f("ix_topups_store_id_status_expires_at"), "topups",
                    ["store_id", "status", "expires_at"], unique=False)
    op.create_table(
        "auto_topup_rules",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("customer_id", NAME, nullable=False),
        sa.Column("program", sa.String(length=64), nullable=False),
        sa.Column("threshold", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("is_armed", sa.Boolean(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("store_id", "customer_id", "program",
                                name=op.f("pk_auto_topup_rules")),
    )
    op.create_table(
        "withdrawals",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("withdrawal_id", ID, nullable=False),
        sa.Column("customer_id", NAME, nullable=False),
        sa.Column("program", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hold_id", ID, nullable=False),
        sa.Column("transaction_id", ID, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("settled_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("store_id", "withdrawal_id", name=op.f("pk_withdrawals")),
    )
    op.create_index(op.f("ix_withdrawals_store_id_customer_id_program_withdrawal_id"),
                    "withdrawals", ["store_id", "customer_id", "program", "withdrawal_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_withdrawals_store_id_customer_id_program_withdrawal_id"),
                  table_name="withdrawals")
    op.drop_table("withdrawals")
    op.drop_table("auto_topup_rules")
    op.drop_index(op.f("ix_topups_store_id_status_expires_at"), table_name="topups")
    op.drop_index(op.f("ix_topups_store_id_customer_id_program_topup_id"), table_name="topups")
    op.drop_table("topups")
    op.drop_table("redeem_throttles")
    op.drop_index(op.f("ix_wallet_code_redemptions_store_id_batch_id"),
                  table_name="wallet_code_redemptions")
    op.drop_table("wallet_code_redemptions")
    op.drop_table("wallet_codes")
    op.drop_table("wallet_code_batches")
