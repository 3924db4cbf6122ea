"""The schema. Every store table leads its primary key, unique constraints and
indexes with `store_id` (DESIGN.md, "Scaling out"), so a store is one shard.

Amounts are BigInteger minor units. Signs follow the wallet's point of view:
a posting's `amount` is positive when it credits the account (a wallet grows),
negative when it debits; the postings of one transaction sum to zero, and so do
their `held_delta` and `pending_delta`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from billfold.store.types import Json, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(64)
NAME = String(200)

stores = Table(
    "stores",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("name", NAME, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("settings", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("key_id", ID, nullable=False),
    Column("key_hash", String(128), nullable=False),
    Column("key_hint", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "key_id"),
    UniqueConstraint("store_id", "key_hash"),
)

customers = Table(
    "customers",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("email", NAME),
    Column("name", NAME),
    Column("metadata", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "customer_id"),
)

programs = Table(
    "programs",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("name", String(64), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("spending_strategy", String(32), nullable=False),
    Column("default_expires_seconds", BigInteger),
    Column("settings", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "name"),
)

# A wallet is an account of kind 'wallet' (its account_id is the `wal_` id);
# store accounts (issued, spent, expired, voided, holds…) are per unit, funding
# type and bucket, so concurrent movements on different wallets rarely meet on
# one row. Running totals live here; postings justify them.
accounts = Table(
    "accounts",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("account_id", ID, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("customer_id", NAME),
    Column("program", String(64)),
    Column("code", String(32)),
    Column("funding_type", String(32)),
    Column("bucket", Integer, nullable=False),
    Column("unit", String(32), nullable=False),
    Column("balance", BigInteger, nullable=False),
    Column("held", BigInteger, nullable=False),
    Column("pending", BigInteger, nullable=False),
    Column("debits_posted", BigInteger, nullable=False),
    Column("credits_posted", BigInteger, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "account_id"),
    UniqueConstraint("store_id", "customer_id", "program"),
)

transactions = Table(
    "transactions",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("transaction_id", ID, nullable=False),
    Column("type", String(32), nullable=False),
    Column("wallet_id", ID),
    Column("customer_id", NAME),
    Column("program", String(64)),
    Column("unit", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("balance_after", BigInteger),
    Column("held_after", BigInteger),
    Column("funding_type", String(32)),
    Column("description", Text),
    Column("reference", NAME),
    Column("metadata", Json, nullable=False),
    Column("reverses_transaction_id", ID),
    Column("hold_id", ID),
    Column("lot_id", ID),
    # A keyed movement's idempotency record is its transaction (migration 0011): the key
    # and the request's fingerprint. Refusals and other operations keep idempotency_keys.
    Column("idempotency_key", String(255)),
    Column("request_fingerprint", String(64)),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "transaction_id"),
    # Only reversals name the transaction they reverse (migration 0009).
    Index("ix_transactions_reversals", "store_id", "reverses_transaction_id",
          postgresql_where=text("reverses_transaction_id IS NOT NULL"),
          sqlite_where=text("reverses_transaction_id IS NOT NULL")),
    Index("uq_transactions_idempotency_key", "store_id", "idempotency_key", unique=True,
          postgresql_where=text("idempotency_key IS NOT NULL"),
          sqlite_where=text("idempotency_key IS NOT NULL")),
    Index(None, "store_id", "created_at"),
)

postings = Table(
    "postings",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("account_id", ID, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("transaction_id", ID, nullable=False),
    Column("unit", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("held_delta", BigInteger, nullable=False),
    Column("pending_delta", BigInteger, nullable=False),
    Column("balance_after", BigInteger, nullable=False),
    Column("held_after", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "account_id", "seq"),
)

lots = Table(
    "lots",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("lot_id", ID, nullable=False),
    Column("wallet_id", ID, nullable=False),
    Column("unit", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("remaining", BigInteger, nullable=False),
    Column("held", BigInteger, nullable=False),
    Column("funding_type", String(32), nullable=False),
    Column("is_withdrawable", Boolean, nullable=False),
    Column("expires_at", UtcDateTime),
    Column("status", String(16), nullable=False),
    Column("source_type", String(32), nullable=False),
    Column("source_id", NAME),
    Column("description", Text),
    Column("transaction_id", ID, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "lot_id"),
    Index(None, "store_id", "wallet_id", "status", "expires_at"),
    Index(None, "store_id", "status", "expires_at"),
)

# What each transaction took from or gave to each lot: traceability both ways.
lot_entries = Table(
    "lot_entries",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("transaction_id", ID, nullable=False),
    Column("lot_id", ID, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("held_delta", BigInteger, nullable=False),
    Column("position", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "transaction_id", "lot_id"),
    Index(None, "store_id", "lot_id"),
)

holds = Table(
    "holds",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("hold_id", ID, nullable=False),
    Column("wallet_id", ID, nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("program", String(64), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("captured_amount", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reference", NAME),
    Column("metadata", Json, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("transaction_id", ID, nullable=False),
    Column("settled_transaction_id", ID),
    Column("created_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "hold_id"),
    Index(None, "store_id", "status", "expires_at"),
)

promises = Table(
    "promises",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("promise_id", ID, nullable=False),
    Column("wallet_id", ID, nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("program", String(64), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("original_amount", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("funding_type", String(32), nullable=False),
    Column("is_withdrawable", Boolean, nullable=False),
    Column("credit_expires_seconds", BigInteger),
    Column("source_type", String(32), nullable=False),
    Column("source_id", NAME),
    Column("description", Text),
    Column("metadata", Json, nullable=False),
    Column("transaction_id", ID, nullable=False),
    Column("settled_transaction_id", ID),
    Column("lot_id", ID),
    Column("created_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "promise_id"),
    Index(None, "store_id", "source_type", "source_id"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("key", String(255), nullable=False),
    Column("operation", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("outcome", String(8), nullable=False),
    Column("status_code", Integer),
    Column("response", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "key"),
)

outbox_events = Table(
    "outbox_events",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("event_id", ID, nullable=False),
    Column("type", String(64), nullable=False),
    Column("payload", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("published_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "event_id"),
    # The delivery backlog only (migration 0009).
    Index("ix_outbox_events_unpublished", "store_id", "event_id",
          postgresql_where=text("published_at IS NULL"),
          sqlite_where=text("published_at IS NULL")),
)


# == commerce (checkouts, orders, cashback offers, refunds) ===========================
# Owned by `billfold.commerce`. Amounts are minor units of the store currency unless a
# column says `points`. JSON columns hold small bounded lists (lines, payment parts).

checkouts = Table(
    "checkouts",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("checkout_id", ID, nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("order_id", NAME, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("wallet_amount", BigInteger, nullable=False),
    Column("remaining_amount", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("parts", Json, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "checkout_id"),
    Index(None, "store_id", "order_id"),
)

orders = Table(
    "orders",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("order_id", NAME, nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("lines", Json, nullable=False),
    Column("status", String(16), nullable=False),
    Column("checkout_id", ID),
    Column("wallet_amount", BigInteger, nullable=False),
    Column("payments", Json, nullable=False),
    Column("refunded_amount", BigInteger, nullable=False),
    Column("card_refunded_amount", BigInteger, nullable=False),
    Column("is_first_order", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("paid_at", UtcDateTime),
    Column("fulfilled_at", UtcDateTime),
    Column("cancelled_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "order_id"),
    Index(None, "store_id", "customer_id", "created_at"),
)

cashback_offers = Table(
    "cashback_offers",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("offer_id", ID, nullable=False),
    Column("name", NAME, nullable=False),
    Column("percent_basis_points", Integer),
    Column("fixed_amount", BigInteger),
    Column("program", String(64), nullable=False),
    Column("product_ids", Json, nullable=False),
    Column("category_ids", Json, nullable=False),
    Column("min_order_amount", BigInteger),
    Column("max_amount", BigInteger),
    Column("is_first_order_only", Boolean, nullable=False),
    Column("starts_at", UtcDateTime),
    Column("ends_at", UtcDateTime),
    Column("credit_expires_seconds", BigInteger),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "offer_id"),
    Index(None, "store_id", "status"),
)

order_cashbacks = Table(
    "order_cashbacks",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("order_id", NAME, nullable=False),
    Column("offer_id", ID, nullable=False),
    Column("program", String(64), nullable=False),
    Column("promise_id", ID, nullable=False),
    Column("promised_amount", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("granted_amount", BigInteger, nullable=False),
    Column("grant_transaction_id", ID),
    Column("clawed_back", BigInteger, nullable=False),
    Column("shortfall", BigInteger, nullable=False),
    Column("deducted", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "order_id", "offer_id"),
)

refunds = Table(
    "refunds",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("refund_id", ID, nullable=False),
    Column("order_id", NAME, nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("wallet_amount", BigInteger, nullable=False),
    Column("card_amount", BigInteger, nullable=False),
    Column("credited_amount", BigInteger, nullable=False),
    Column("clawed_back", BigInteger, nullable=False),
    Column("deducted", BigInteger, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("transaction_ids", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "refund_id"),
    Index(None, "store_id", "order_id"),
)

# Statistics' daily sums of the movements they count, one row per (UTC day, program,
# type, type undone, funding type), for closed days only; kept by the worker
# (commerce.stats.roll_up_flows). `flow_rollups.through` is the first day not rolled up:
# every day before it is in `flow_days`.
flow_days = Table(
    "flow_days",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("day", String(10), nullable=False),
    Column("program", String(64), nullable=False),
    Column("type", String(32), nullable=False),
    Column("undone", String(32), nullable=False),  # '' unless a reversal
    Column("funding_type", String(32), nullable=False),  # '' where none
    Column("amount", BigInteger, nullable=False),
    PrimaryKeyConstraint("store_id", "day", "program", "type", "undone", "funding_type"),
)

flow_rollups = Table(
    "flow_rollups",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("through", String(10), nullable=False),
    PrimaryKeyConstraint("store_id"),
)


# == loyalty (earning rules, events, awards, referrals, tiers) ========================
# Owned by `billfold.loyalty`. Points are whole numbers of the rule's program unit; a
# multiplier is in hundredths (2.5 → 250), a percentage in basis points.

loyalty_rules = Table(
    "loyalty_rules",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("rule_id", ID, nullable=False),
    Column("name", NAME, nullable=False),
    Column("program", String(64), nullable=False),
    Column("event", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("points", BigInteger),
    Column("percent_basis_points", Integer),
    Column("per_amount", BigInteger),
    Column("outcomes", Json, nullable=False),
    Column("multiplier_hundredths", Integer),
    Column("starts_at", UtcDateTime),
    Column("ends_at", UtcDateTime),
    Column("max_per_customer", BigInteger),
    Column("period", String(16)),
    Column("credit_expires_seconds", BigInteger),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "rule_id"),
    Index(None, "store_id", "event", "status"),
)

loyalty_events = Table(
    "loyalty_events",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("event_id", NAME, nullable=False),
    Column("type", String(64), nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("properties", Json, nullable=False),
    Column("awarded", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "event_id"),
)

loyalty_awards = Table(
    "loyalty_awards",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("award_id", ID, nullable=False),
    Column("rule_id", ID, nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("program", String(64), nullable=False),
    Column("source_type", String(16), nullable=False),
    Column("source_id", NAME, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("pending_amount", BigInteger, nullable=False),
    Column("granted_amount", BigInteger, nullable=False),
    Column("clawed_back", BigInteger, nullable=False),
    Column("shortfall", BigInteger, nullable=False),
    Column("promise_id", ID),
    Column("transaction_id", ID),
    Column("draw", Json),
    Column("multiplier_hundredths", Integer, nullable=False),
    Column("tier_multiplier_hundredths", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("granted_at", UtcDateTime),
    Column("settled_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "award_id"),
    Index(None, "store_id", "source_type", "source_id"),
    Index(None, "store_id", "rule_id", "customer_id", "created_at"),
    Index(None, "store_id", "customer_id", "granted_at"),
)

loyalty_referrals = Table(
    "loyalty_referrals",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("referral_id", ID, nullable=False),
    Column("referrer_id", NAME, nullable=False),
    Column("referee_id", NAME, nullable=False),
    Column("status", String(16), nullable=False),
    Column("order_id", NAME),
    Column("created_at", UtcDateTime, nullable=False),
    Column("rewarded_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "referral_id"),
    UniqueConstraint("store_id", "referee_id"),
)

loyalty_customers = Table(
    "loyalty_customers",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("tier", NAME),
    Column("tier_points", BigInteger, nullable=False),
    Column("next_check_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "customer_id"),
    Index(None, "store_id", "next_check_at"),
)


# == funding (wallet codes, top-ups, automatic top-ups, withdrawals) ==================
# Migration 0301. Plain codes are never stored: `wallet_codes` keeps their SHA-256.

wallet_code_batches = Table(
    "wallet_code_batches",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("batch_id", ID, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("program", String(64), nullable=False),
    Column("funding_type", String(32), nullable=False),
    Column("is_withdrawable", Boolean, nullable=False),
    Column("code_count", Integer, nullable=False),
    Column("max_redemptions", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("expires_at", UtcDateTime),
    Column("credit_expires_seconds", BigInteger),
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "batch_id"),
)

wallet_codes = Table(
    "wallet_codes",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("batch_id", ID, nullable=False),
    Column("redemptions", Integer, nullable=False),
    PrimaryKeyConstraint("store_id", "code_hash"),
)

wallet_code_redemptions = Table(
    "wallet_code_redemptions",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("batch_id", ID, nullable=False),
    Column("transaction_id", ID, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "code_hash", "customer_id"),
    Index(None, "store_id", "batch_id"),
)

# Wrong-code counters per (store, scope, subject): a fixed window from the first miss.
redeem_throttles = Table(
    "redeem_throttles",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("scope", String(16), nullable=False),
    Column("subject", NAME, nullable=False),
    Column("window_started_at", UtcDateTime, nullable=False),
    Column("failures", Integer, nullable=False),
    PrimaryKeyConstraint("store_id", "scope", "subject"),
)

topups = Table(
    "topups",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("topup_id", ID, nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("program", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("payment_reference", NAME),
    Column("transaction_id", ID),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "topup_id"),
    Index(None, "store_id", "customer_id", "program", "topup_id"),
    Index(None, "store_id", "status", "expires_at"),
)

auto_topup_rules = Table(
    "auto_topup_rules",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("program", String(64), nullable=False),
    Column("threshold", BigInteger, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("is_armed", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "customer_id", "program"),
)

withdrawals = Table(
    "withdrawals",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("withdrawal_id", ID, nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("program", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("hold_id", ID, nullable=False),
    Column("transaction_id", ID),
    Column("created_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "withdrawal_id"),
    Index(None, "store_id", "customer_id", "program", "withdrawal_id"),
)


# == webhooks (endpoints, delivery attempts) and expiry notices ======================
# Owned by `billfold.webhooks`. The signing secret is kept as it is: HMAC needs it.

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("endpoint_id", ID, nullable=False),
    Column("url", String(2048), nullable=False),
    Column("events", Json),  # a list of event types; NULL: every event
    Column("status", String(16), nullable=False),
    Column("secret", String(128), nullable=False),
    Column("previous_secret", String(128)),
    Column("previous_secret_until", UtcDateTime),
    Column("failing_since", UtcDateTime),
    Column("disabled_reason", String(64)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "endpoint_id"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("delivery_id", ID, nullable=False),
    Column("endpoint_id", ID, nullable=False),
    Column("event_id", ID, nullable=False),
    Column("customer_id", NAME),
    Column("attempt", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("claimed_until", UtcDateTime),
    Column("response_status", Integer),
    Column("duration_ms", Integer),
    Column("response_excerpt", String(500)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempted_at", UtcDateTime),
    PrimaryKeyConstraint("store_id", "delivery_id"),
    Index(None, "store_id", "endpoint_id", "delivery_id"),
    Index(None, "store_id", "endpoint_id", "customer_id", "event_id"),
    Index("ix_webhook_attempts_due", "next_attempt_at",
          postgresql_where=text("status = 'pending'"),
          sqlite_where=text("status = 'pending'")),
)

lot_notices = Table(
    "lot_notices",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("lot_id", ID, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "lot_id"),
)


# == access (dashboard users and sessions, the audit log, portal sessions) ============
# Owned by `billfold.access`. Tokens are kept as SHA-256 digests, passwords as argon2.

dashboard_users = Table(
    "dashboard_users",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("user_id", ID, nullable=False),
    Column("email", NAME, nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("must_change_password", Boolean, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "user_id"),
    UniqueConstraint("email"),
)

dashboard_sessions = Table(
    "dashboard_sessions",
    metadata,
    Column("token_hash", String(64), nullable=False),
    Column("store_id", ID, nullable=False),
    Column("user_id", ID, nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("token_hash"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("store_id", ID, nullable=False),
    Column("entry_id", ID, nullable=False),
    Column("user_id", ID, nullable=False),
    Column("email", NAME, nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", NAME),
    Column("amount", BigInteger),
    Column("reason", Text),
    Column("object_id", ID),
    Column("created_at", UtcDateTime, nullable=False),
    Column("unit", String(32)),
    PrimaryKeyConstraint("store_id", "entry_id"),
)

portal_sessions = Table(
    "portal_sessions",
    metadata,
    Column("token_hash", String(64), nullable=False),
    Column("store_id", ID, nullable=False),
    Column("customer_id", NAME, nullable=False),
    Column("locale", String(16), nullable=False),
    Column("return_url", String(2048)),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("token_hash"),
)
