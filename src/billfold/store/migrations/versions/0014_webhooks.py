"""webhooks: endpoints, delivery attempts, and the lots already noticed as expiring

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

`webhook_attempts` is every delivery attempt of an event to an endpoint; the one
`pending` row of an (endpoint, event) is its next attempt, claimed by a worker with
a lease (`claimed_until`). `lot_notices` remembers each lot `lot.expiring_soon` was
written for, so that it is written once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
ID = sa.String(length=64)
NAME = sa.String(length=200)
JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("endpoint_id", ID, nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("events", JSON, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("previous_secret", sa.String(length=128), nullable=True),
        sa.Column("previous_secret_until", TZ, nullable=True),
        sa.Column("failing_since", TZ, nullable=True),
        sa.Column("disabled_reason", sa.String(length=64), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("store_id", "endpoint_id", name=op.f("pk_webhook_endpoints")),
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("delivery_id", ID, nullable=False),
        sa.Column("endpoint_id", ID, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("customer_id", NAME, nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("claimed_until", TZ, nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("response_excerpt", sa.String(length=500), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("attempted_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("store_id", "delivery_id", name=op.f("pk_webhook_attempts")),
    )
    op.create_index(op.f("ix_webhook_attempts_store_id_endpoint_id_delivery_id"),
                    "webhook_attempts", ["store_id", "endpoint_id", "delivery_id"])
    op.create_index(op.f("ix_webhook_attempts_store_id_endpoint_id_customer_id_event_id"),
                    "webhook_attempts", ["store_id", "endpoint_id", "customer_id", "event_id"])
    op.create_index("ix_webhook_attempts_due", "webhook_attempts",
                    ["next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"),
                    sqlite_where=sa.text("status = 'pending'"))
    op.create_table(
        "lot_notices",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("lot_id", ID, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("store_id", "lot_id", name=op.f("pk_lot_notices")),
    )


def downgrade() -> None:
    op.drop_table("lot_notices")
    op.drop_index("ix_webhook_attempts_due", table_name="webhook_attempts")
    op.drop_index(op.f("ix_webhook_attempts_store_id_endpoint_id_customer_id_event_id"),
                  table_name="webhook_attempts")
    op.drop_index(op.f("ix_webhook_attempts_store_id_endpoint_id_delivery_id"),
                  table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_endpoints")
