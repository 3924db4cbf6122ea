"""PostgreSQL: a keyed credit or debit in one round trip

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-26

`billfold_debit_keyed` and `billfold_credit_keyed` wrap `billfold_debit` and
`billfold_credit` with the idempotency record (billfold.idempotency): a stored
record for the key is returned as is (the caller replays it or reports the
conflict); otherwise the movement runs and its outcome is stored beside it, in
the same transaction. Called outside an explicit transaction, a movement is
then one statement: one round trip, row locks held only while it runs.

A concurrent request with the same key that commits first makes our insert of
the key find a conflict: we raise serialization_failure (40001), the caller
retries, and the retry finds the first request's record.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION billfold_find_key(p_store_id text, p_key text)
RETURNS jsonb LANGUAGE sql STABLE AS $fn$
    SELECT jsonb_build_object('replay', jsonb_build_object(
               'operation', operation, 'fingerprint', fingerprint, 'outcome', outcome,
               'status_code', status_code, 'response', response))
      FROM idempotency_keys WHERE store_id = p_store_id AND key = p_key
$fn$;

CREATE OR REPLACE FUNCTION billfold_save_key(
    p_store_id text, p_key text, p_operation text, p_fingerprint text, p_response jsonb,
    p_now timestamptz
) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO idempotency_keys (store_id, key, operation, fingerprint, outcome, status_code,
                                  response, created_at)
    VALUES (p_store_id, p_key, p_operation, p_fingerprint, 'ok', NULL, p_response, p_now)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'idempotency key % was stored by a concurrent request', p_key
            USING ERRCODE = 'serialization_failure';
    END IF;
END
$fn$;

-- The transaction as billfold.codec encodes it: the caller's template (the fields it
-- knows before the call) completed with what the movement decided (non-null only: a
-- credit's result does not repeat its funding type or lot).
CREATE OR REPLACE FUNCTION billfold_encoded_transaction(p_template jsonb, p_result jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $fn$
    SELECT p_template || jsonb_strip_nulls(jsonb_build_object(
        'wallet_id', p_result->'wallet_id', 'unit', p_result->'unit',
        'balance_after', p_result->'balance_after', 'held_after', p_result->'held_after',
        'funding_type', p_result->'funding_type',
        'lots', coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'lot_id', e->0, 'funding_type', e->1, 'amount', e->2, 'held_delta', 0)
                    ORDER BY n)
               FROM jsonb_array_elements(p_result->'lots') WITH ORDINALITY AS x(e, n)),
            p_template->'lots')))
$fn$;

CREATE OR REPLACE FUNCTION billfold_debit_keyed(
    p_key text, p_operation text, p_fingerprint text, p_template jsonb,
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_now timestamptz, p_transaction_id text, p_event_id text,
    p_description text, p_reference text, p_metadata jsonb
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_found jsonb;
    v_result jsonb;
BEGIN
    IF p_key IS NOT NULL THEN
        v_found := billfold_find_key(p_store_id, p_key);
        IF v_found IS NOT NULL THEN
            RETURN v_found;
        END IF;
    END IF;
    v_result := billfold_debit(p_store_id, p_customer_id, p_program, p_amount, p_now,
                               p_transaction_id, p_event_id, p_description, p_reference,
                               p_metadata);
    IF p_key IS NOT NULL AND NOT v_result ? 'error' THEN
        PERFORM billfold_save_key(p_store_id, p_key, p_operation, p_fingerprint,
                                  billfold_encoded_transaction(p_template, v_result), p_now);
    END IF;
    RETURN v_result;
END
$fn$;

CREATE OR REPLACE FUNCTION billfold_credit_keyed(
    p_key text, p_operation text, p_fingerprint text, p_template jsonb,
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_funding_type text, p_is_withdrawable boolean, p_expires_at timestamptz,
    p_now timestamptz, p_new_wallet_id text, p_new_wallet_bucket integer,
    p_transaction_id text, p_lot_id text, p_event_id text,
    p_description text, p_reference text, p_metadata jsonb
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_found jsonb;
    v_result jsonb;
BEGIN
    IF p_key IS NOT NULL THEN
        v_found := billfold_find_key(p_store_id, p_key);
        IF v_found IS NOT NULL THEN
            RETURN v_found;
        END IF;
    END IF;
    v_result := billfold_credit(p_store_id, p_customer_id, p_program, p_amount,
                                p_funding_type, p_is_withdrawable, p_expires_at, p_now,
                                p_new_wallet_id, p_new_wallet_bucket, p_transaction_id,
                                p_lot_id, p_event_id, p_description, p_reference,
                                p_metadata);
    IF p_key IS NOT NULL AND NOT v_result ? 'error' THEN
        PERFORM billfold_save_key(p_store_id, p_key, p_operation, p_fingerprint,
                                  billfold_encoded_transaction(p_template, v_result), p_now);
    END IF;
    RETURN v_result;
END
$fn$;
"""

DROPS = [
    "billfold_credit_keyed(text, text, text, jsonb, text, text, text, bigint, text, boolean, "
    "timestamptz, timestamptz, text, integer, text, text, text, text, text, jsonb)",
    "billfold_debit_keyed(text, text, text, jsonb, text, text, text, bigint, timestamptz, "
    "text, text, text, text, jsonb)",
    "billfold_encoded_transaction(jsonb, jsonb)",
    "billfold_save_key(text, text, text, text, jsonb, timestamptz)",
    "billfold_find_key(text, text)",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTIONS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for signature in DROPS:
            op.execute(f"DROP FUNCTION IF EXISTS {signature}")
