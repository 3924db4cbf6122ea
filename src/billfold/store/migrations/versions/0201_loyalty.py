"""loyalty: earning rules, events, awards, referrals, customers' tiers

Revision ID: 0201
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0201"
down_revision = "0010"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ID = sa.String(length=64)
NAME = sa.String(length=200)


def _moment(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "loyalty_rules",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("rule_id", ID, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("program", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=True),
        sa.Column("percent_basis_points", sa.Integer(), nullable=True),
        sa.Column("per_amount", sa.BigInteger(), nullable=True),
        sa.Column("outcomes", JSON, nullable=False),
        sa.Column("multiplier_hundredths", sa.Integer(), nullable=True),
        _moment("starts_at"),
        _moment("ends_at"),
        sa.Column("max_per_customer", sa.BigInteger(), nullable=True),
        sa.Column("period", sa.String(length=16), nullable=True),
        sa.Column("credit_expires_seconds", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        _moment("created_at", nullable=False),
        _moment("closed_at"),
        sa.PrimaryKeyConstraint("store_id", "rule_id", name=op.f("pk_loyalty_rules")),
    )
    op.create_index("ix_loyalty_rules_store_id_event_status", "loyalty_rules",
                    ["store_id", "event", "status"])

    op.create_table(
        "loyalty_events",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("event_id", NAME, nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("customer_id", NAME, nullable=False),
        sa.Column("properties", JSON, nullable=False),
        sa.Column("awarded", JSON, nullable=False),
        _moment("created_at", nullable=False),
        sa.PrimaryKeyConstraint("store_id", "event_id", name=op.f("pk_loyalty_events")),
    )

    op.create_table(
        "loyalty_awards",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("award_id", ID, nullable=False),
        sa.Column("rule_id", ID, nullable=False),
        sa.Column("customer_id", NAME, nullable=False),
        sa.Column("program", sa.String(length=64), nullable=False),
        sa.Column("source_type", sa.String(length=16), nullable=False),
        sa.Column("source_id", NAME, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pending_amount", sa.BigInteger(), nullable=False),
        sa.Column("granted_amount", sa.BigInteger(), nullable=False),
        sa.Column("clawed_back", sa.BigInteger(), nullable=False),
        sa.Column("shortfall", sa.BigInteger(), nullable=False),
        sa.Column("promise_id", ID, nullable=True),
        sa.Column("transaction_id", ID, nullable=True),
        sa.Column("draw", JSON, nullable=True),
        sa.Column("multiplier_hundredths", sa.Integer(), nullable=False),
        sa.Column("tier_multiplier_hundredths", sa.Integer(), nullable=False),
        _moment("created_at", nullable=False),
        _moment("granted_at"),
        _moment("settled_at"),
        sa.PrimaryKeyConstraint("store_id", "award_id", name=op.f("pk_loyalty_awards")),
    )
    op.create_index("ix_loyalty_awards_store_id_source_type_source_id", "loyalty_awards",
                    ["store_id", "source_type", "source_id"])
    op.create_index("ix_loyalty_awards_store_id_rule_id_customer_id_created_at",
                    "loyalty_awards", ["store_id", "rule_id", "customer_id", "created_at"])
    op.create_index("ix_loyalty_awards_store_id_customer_id_granted_at", "loyalty_awards",
                    ["store_id", "customer_id", "granted_at"])

    op.create_table(
        "loyalty_referrals",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("referral_id", ID, nullable=False),
        sa.Column("referrer_id", NAME, nullable=False),
        sa.Column("referee_id", NAME, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("order_id", NAME, nullable=True),
        _moment("created_at", nullable=False),
        _moment("rewarded_at"),
        sa.PrimaryKeyConstraint("store_id", "referral_id", name=op.f("pk_loyalty_referrals")),
        sa.UniqueConstraint("store_id", "referee_id",
                            name=op.f("uq_loyalty_referrals_store_id_referee_id")),
    )

    op.create_table(
        "loyalty_customers",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("customer_id", NAME, nullable=False),
        sa.Column("tier", NAME, nullable=True),
        sa.Column("tier_points", sa.BigInteger(), nullable=False),
        _moment("next_check_at"),
        _moment("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("store_id", "customer_id", name=op.f("pk_loyalty_customers")),
    )
    op.create_index("ix_loyalty_customers_store_id_next_check_at", "loyalty_customers",
                    ["store_id", "next_check_at"])


def downgrade() -> None:
    op.drop_index("ix_loyalty_customers_store_id_next_check_at",
                  table_name="loyalty_customers")
    op.drop_table("loyalty_customers")
    op.drop_table("loyalty_referrals")
    for name in ("ix_loyalty_awards_store_id_customer_id_granted_at",
                 "ix_loyalty_awards_store_id_rule_id_customer_id_created_at",
                 "ix_loyalty_awards_store_id_source_type_source_id"):
        op.drop_index(name, table_name="loyalty_awards")
    op.drop_table("loyalty_awards")
    op.drop_table("loyalty_events")
    op.drop_index("ix_loyalty_rules_store_id_event_status", table_name="loyalty_rules")
    op.drop_table("loyalty_rules")
