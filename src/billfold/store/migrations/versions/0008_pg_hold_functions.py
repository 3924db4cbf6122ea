"""PostgreSQL: placing, capturing and releasing a hold in one call each

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

`billfold_hold`, `billfold_capture` and `billfold_release` implement the same
algorithm as `billfold.ledger.holds.place_hold`, `capture_hold` and
`release_hold`, and write the same rows: the lots' `held`/`remaining` and lot
entries, postings with running totals (the wallet, the wallet's `holds` store
account and, for a capture, the `spent` accounts per funding type), the
transaction, the `holds` row and the outbox event. A capture or release that lets
go of a lot past its expiry then expires the wallet's expired free credit as
`billfold.ledger.expiry.expire_wallet_lots` does (`billfold_expire_wallet_lots`).

Refusals are returned as `{"error": …}` before anything is written; the caller
raises the Python path's typed error. The `_keyed` variants add the idempotency
record exactly as `billfold_debit_keyed` does (0006): a stored record is
returned for replay, the outcome is stored beside the effect in the same
transaction, and a concurrent duplicate key raises serialization_failure (40001).

The stored outcome is the Hold as `billfold.codec` encodes it (datetimes as
Python's `isoformat()`), so a replay decodes to an equal Hold whichever path
stored it. Lock order as everywhere: the wallet, then store accounts by id.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

HELPERS = r"""
-- Python's datetime.isoformat() of an aware datetime in UTC, as billfold.codec stores it.
CREATE OR REPLACE FUNCTION billfold_isoformat(p_at timestamptz) RETURNS text
LANGUAGE sql STABLE AS $fn$
    SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
           || CASE WHEN date_trunc('second', p_at) = p_at THEN ''
                   ELSE to_char(p_at AT TIME ZONE 'UTC', '.US') END
           || '+00:00'
$fn$;

-- A hold as billfold.codec encodes billfold.ledger.models.Hold.
CREATE OR REPLACE FUNCTION billfold_encoded_hold(h holds) RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
    SELECT jsonb_build_object(
        'id', h.hold_id, 'store_id', h.store_id, 'wallet_id', h.wallet_id,
        'customer_id', h.customer_id, 'program', h.program, 'unit', h.unit,
        'status', h.status, 'amount', h.amount, 'captured_amount', h.captured_amount,
        'reference', h.reference, 'metadata', h.metadata,
        'expires_at', billfold_isoformat(h.expires_at),
        'created_at', billfold_isoformat(h.created_at),
        'settled_at', billfold_isoformat(h.settled_at),
        'transaction_id', h.transaction_id,
        'settled_transaction_id', h.settled_transaction_id)
$fn$;

-- The hold.* event payload (billfold.ledger.holds._hold_payload).
CREATE OR REPLACE FUNCTION billfold_hold_payload(h holds) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT jsonb_build_object(
        'hold_id', h.hold_id, 'status', h.status, 'wallet_id', h.wallet_id,
        'customer_id', h.customer_id, 'program', h.program, 'unit', h.unit,
        'amount', h.amount, 'captured_amount', h.captured_amount, 'reference', h.reference)
$fn$;

-- One leg (billfold.ledger.accounts.post): add to the account's running totals and
-- append its posting. A store account (acc_<code>.<funding>.<unit>.<bucket>) is
-- created on first use; a wallet must exist and be locked by the caller.
CREATE OR REPLACE FUNCTION billfold_post_leg(
    p_store_id text, p_account_id text, p_unit text, p_amount bigint, p_held_delta bigint,
    p_transaction_id text, p_now timestamptz, OUT o_balance bigint, OUT o_held bigint
) LANGUAGE plpgsql AS $fn$
DECLARE
    v_seq bigint;
BEGIN
    FOR v_attempt IN 1 .. 2 LOOP
        UPDATE accounts SET balance = balance + p_amount, held = held + p_held_delta,
               credits_posted = credits_posted + greatest(p_amount, 0),
               debits_posted = debits_posted + greatest(-p_amount, 0),
               last_seq = last_seq + 1
         WHERE store_id = p_store_id AND account_id = p_account_id
        RETURNING last_seq, balance, held INTO v_seq, o_balance, o_held;
        EXIT WHEN FOUND;
        IF v_attempt = 2 OR p_account_id NOT LIKE 'acc\_%' THEN
            RAISE EXCEPTION 'billfold: account % missing', p_account_id;
        END IF;
        INSERT INTO accounts (store_id, account_id, kind, customer_id, program, code,
                              funding_type, bucket, unit, balance, held, pending,
                              debits_posted, credits_posted, last_seq, created_at)
        VALUES (p_store_id, p_account_id, 'store', NULL, NULL,
                split_part(substr(p_account_id, 5), '.', 1),
                nullif(split_part(p_account_id, '.', 2), 'all'),
                split_part(p_account_id, '.', 4)::integer, p_unit, 0, 0, 0, 0, 0, 0, p_now)
        ON CONFLICT DO NOTHING;
    END LOOP;
    INSERT INTO postings (store_id, account_id, seq, transaction_id, unit, amount, held_delta,
                          pending_delta, balance_after, held_after, created_at)
    VALUES (p_store_id, p_account_id, v_seq, p_transaction_id, p_unit, p_amount, p_held_delta,
            0, o_balance, o_held, p_now);
END
$fn$;

-- The store side of a lot movement: one leg per funding type (in id order, the lock
-- order), `p_sign` times what moved (billfold.ledger.journal.store_legs).
CREATE OR REPLACE FUNCTION billfold_post_store_legs_by_type(
    p_store_id text, p_code text, p_unit text, p_bucket integer, p_types text[],
    p_amounts bigint[], p_sign integer, p_transaction_id text, p_now timestamptz
) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    v_ft record;
BEGIN
    FOR v_ft IN
        SELECT t AS funding_type, sum(a)::bigint AS total
          FROM unnest(p_types, p_amounts) AS u(t, a)
         GROUP BY t HAVING sum(a) <> 0 ORDER BY t COLLATE "C"
    LOOP
        PERFORM billfold_post_leg(
            p_store_id, 'acc_' || p_code || '.' || v_ft.funding_type || '.' || p_unit || '.'
            || p_bucket, p_unit, p_sign * v_ft.total, 0, p_transaction_id, p_now);
    END LOOP;
END
$fn$;

-- billfold.ledger.expiry.expire_wallet_lots: the locked wallet's expired free credit
-- (lots past expiry with remaining > held) becomes one 'expiry' transaction; a lot
-- left with nothing closes as expired, a lot still held stays active.
CREATE OR REPLACE FUNCTION billfold_expire_wallet_lots(
    p_store_id text, p_wallet_id text, p_customer_id text, p_program text, p_unit text,
    p_bucket integer, p_now timestamptz, p_transaction_id text, p_event_id text
) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    v_ids text[];
    v_types text[];
    v_free bigint[];
    v_total bigint;
    v_funding text;
    v_balance bigint;
    v_held bigint;
BEGIN
    SELECT array_agg(lot_id ORDER BY lot_id), array_agg(funding_type ORDER BY lot_id),
           array_agg(remaining - held ORDER BY lot_id), sum(remaining - held),
           CASE WHEN min(funding_type) = max(funding_type) THEN min(funding_type) END
      INTO v_ids, v_types, v_free, v_total, v_funding
      FROM lots
     WHERE store_id = p_store_id AND wallet_id = p_wallet_id AND status = 'active'
       AND remaining > held AND expires_at IS NOT NULL AND expires_at <= p_now;
    IF v_ids IS NULL THEN
        RETURN 0;
    END IF;
    UPDATE lots SET remaining = held,
           status = CASE WHEN held = 0 THEN 'expired' ELSE status END,
           closed_at = CASE WHEN held = 0 THEN p_now ELSE closed_at END
     WHERE store_id = p_store_id AND lot_id = ANY (v_ids);
    INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position,
                             created_at)
    SELECT p_store_id, p_transaction_id, d.lot_id, -d.free, 0, d.n - 1, p_now
      FROM unnest(v_ids, v_free) WITH ORDINALITY AS d(lot_id, free, n);
    SELECT o_balance, o_held INTO v_balance, v_held FROM billfold_post_leg(
        p_store_id, p_wallet_id, p_unit, -v_total, 0, p_transaction_id, p_now);
    PERFORM billfold_post_store_legs_by_type(p_store_id, 'expired', p_unit, p_bucket,
                                             v_types, v_free, 1, p_transaction_id, p_now);
    INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                              unit, amount, balance_after, held_after, funding_type,
                              description, reference, metadata, reverses_transaction_id,
                              hold_id, lot_id, created_at)
    VALUES (p_store_id, p_transaction_id, 'expiry', p_wallet_id, p_customer_id, p_program,
            p_unit, v_total, v_balance, v_held, v_funding, 'Credit expired', NULL,
            '{}'::jsonb, NULL, NULL, NULL, p_now);
    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    VALUES (p_store_id, p_event_id, 'wallet.credit_expired', jsonb_build_object(
        'transaction_id', p_transaction_id, 'type', 'expiry', 'wallet_id', p_wallet_id,
        'customer_id', p_customer_id, 'program', p_program, 'unit', p_unit,
        'amount', v_total, 'balance_after', v_balance, 'held_after', v_held,
        'reference', NULL), p_now, NULL);
    RETURN v_total;
END
$fn$;

-- The refusal (or NULL) for settling hold `h` at `p_now` (holds._lock_open_hold).
CREATE OR REPLACE FUNCTION billfold_hold_refusal(h holds, p_now timestamptz,
                                                 p_allow_expired boolean)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $fn$
    SELECT CASE
        WHEN h.status <> 'held' THEN
            jsonb_build_object('error', 'hold_not_open', 'status', h.status)
        WHEN h.expires_at <= p_now AND NOT p_allow_expired THEN
            jsonb_build_object('error', 'hold_expired')
    END
$fn$;

-- The stored idempotency record for a key, as a replay (NULL if none).
CREATE OR REPLACE FUNCTION billfold_idempotency_replay(p_store_id text, p_key text)
RETURNS jsonb LANGUAGE sql STABLE AS $fn$
    SELECT jsonb_build_object('replay', jsonb_build_object(
               'operation', operation, 'fingerprint', fingerprint, 'outcome', outcome,
               'status_code', status_code, 'response', response))
      FROM idempotency_keys WHERE store_id = p_store_id AND key = p_key
$fn$;

-- Store a successful outcome beside its effect; a concurrent duplicate that stored
-- first makes this a serialization failure (the caller retries and replays).
CREATE OR REPLACE FUNCTION billfold_idempotency_save(
    p_store_id text, p_key text, p_operation text, p_fingerprint text, p_response jsonb,
    p_now timestamptz
) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO idempotency_keys (store_id, key, operation, fingerprint, outcome,
                                  status_code, response, created_at)
    VALUES (p_store_id, p_key, p_operation, p_fingerprint, 'ok', NULL, p_response, p_now)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'idempotency key % was stored by a concurrent request', p_key
            USING ERRCODE = 'serialization_failure';
    END IF;
END
$fn$;
"""

HOLD_FUNCTION = r"""
-- holds.place_hold: lock the wallet, draw lots in spending order, move their `held`.
-- Returns the wallet id and unit (the caller knows the rest of the Hold).
CREATE OR REPLACE FUNCTION billfold_hold(
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_now timestamptz, p_expires_at timestamptz, p_hold_id text, p_transaction_id text,
    p_event_id text, p_reference text, p_metadata jsonb
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_strategy text;
    v_unit text;
    v_wallet_id text;
    v_bucket integer;
    v_oldest boolean;
    v_needed bigint := p_amount;
    v_lot record;
    v_ids text[] := '{}';
    v_takes bigint[] := '{}';
    v_take bigint;
    v_balance bigint;
    v_held bigint;
    v_hold holds;
BEGIN
    SELECT unit, spending_strategy INTO v_unit, v_strategy FROM programs
     WHERE store_id = p_store_id AND name = p_program;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('error', 'program_not_found');
    END IF;
    SELECT account_id, bucket INTO v_wallet_id, v_bucket FROM accounts
     WHERE store_id = p_store_id AND customer_id = p_customer_id AND program = p_program
     FOR UPDATE;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM customers WHERE store_id = p_store_id
                   AND customer_id = p_customer_id) THEN
            RETURN jsonb_build_object('error', 'insufficient_funds', 'available', 0,
                                      'unit', v_unit);
        END IF;
        RETURN jsonb_build_object('error', 'customer_not_found');
    END IF;
    v_oldest := v_strategy = 'oldest_first';
    -- The spending order (billfold.ledger.lots), as in billfold_debit.
    FOR v_lot IN
        SELECT lot_id, remaining - held AS free FROM lots
         WHERE store_id = p_store_id AND wallet_id = v_wallet_id AND status = 'active'
           AND remaining > held AND (expires_at IS NULL OR expires_at > p_now)
         ORDER BY CASE WHEN v_oldest THEN NULL ELSE expires_at END ASC NULLS LAST,
                  CASE WHEN v_oldest THEN false ELSE is_withdrawable END ASC,
                  created_at ASC, lot_id ASC
    LOOP
        v_take := least(v_lot.free, v_needed);
        v_ids := v_ids || v_lot.lot_id;
        v_takes := v_takes || v_take;
        v_needed := v_needed - v_take;
        EXIT WHEN v_needed = 0;
    END LOOP;
    IF v_needed > 0 THEN
        RETURN jsonb_build_object('error', 'insufficient_funds',
                                  'available', p_amount - v_needed, 'unit', v_unit);
    END IF;

    UPDATE lots AS l SET held = l.held + d.take
      FROM unnest(v_ids, v_takes) AS d(lot_id, take)
     WHERE l.store_id = p_store_id AND l.lot_id = d.lot_id;
    INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position,
                             created_at)
    SELECT p_store_id, p_transaction_id, d.lot_id, 0, d.take, d.n - 1, p_now
      FROM unnest(v_ids, v_takes) WITH ORDINALITY AS d(lot_id, take, n);
    SELECT o_balance, o_held INTO v_balance, v_held FROM billfold_post_leg(
        p_store_id, v_wallet_id, v_unit, 0, p_amount, p_transaction_id, p_now);
    PERFORM billfold_post_leg(p_store_id, 'acc_holds.all.' || v_unit || '.' || v_bucket,
                              v_unit, 0, -p_amount, p_transaction_id, p_now);
    INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                              unit, amount, balance_after, held_after, funding_type,
                              description, reference, metadata, reverses_transaction_id,
                              hold_id, lot_id, created_at)
    VALUES (p_store_id, p_transaction_id, 'hold', v_wallet_id, p_customer_id, p_program,
            v_unit, p_amount, v_balance, v_held, NULL, NULL, p_reference, p_metadata, NULL,
            p_hold_id, NULL, p_now);
    INSERT INTO holds (store_id, hold_id, wallet_id, customer_id, program, unit, amount,
                       captured_amount, status, reference, metadata, expires_at,
                       transaction_id, settled_transaction_id, created_at, settled_at)
    VALUES (p_store_id, p_hold_id, v_wallet_id, p_customer_id, p_program, v_unit, p_amount, 0,
            'held', p_reference, p_metadata, p_expires_at, p_transaction_id, NULL, p_now,
            NULL)
    RETURNING * INTO v_hold;
    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    VALUES (p_store_id, p_event_id, 'hold.created', billfold_hold_payload(v_hold), p_now,
            NULL);
    RETURN jsonb_build_object('wallet_id', v_wallet_id, 'unit', v_unit);
END
$fn$;
"""

CAPTURE_FUNCTION = r"""
-- holds.capture_hold: spend `p_amount` (NULL: all) of an open hold from the lots it
-- drew, in the order it drew them, and let go of the rest. `p_amount_is_valid` false
-- (the caller could not send the amount) is refused once the hold checks pass.
CREATE OR REPLACE FUNCTION billfold_capture(
    p_store_id text, p_hold_id text, p_amount bigint, p_amount_is_valid boolean,
    p_now timestamptz, p_transaction_id text, p_expiry_transaction_id text,
    p_expiry_event_id text, p_event_id text, p_description text
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_wallet_id text;
    v_bucket integer;
    v_hold holds;
    v_refusal jsonb;
    v_amount bigint;
    v_still bigint;
    v_lot record;
    v_ids text[] := '{}';
    v_types text[] := '{}';
    v_takes bigint[] := '{}';
    v_helds bigint[] := '{}';
    v_take bigint;
    v_lapsed boolean := false;
    v_funding text;
    v_balance bigint;
    v_held bigint;
BEGIN
    SELECT wallet_id INTO v_wallet_id FROM holds
     WHERE store_id = p_store_id AND hold_id = p_hold_id;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('error', 'hold_not_found');
    END IF;
    SELECT bucket INTO v_bucket FROM accounts
     WHERE store_id = p_store_id AND account_id = v_wallet_id AND kind = 'wallet'
     FOR UPDATE;
    SELECT * INTO v_hold FROM holds WHERE store_id = p_store_id AND hold_id = p_hold_id;
    v_refusal := billfold_hold_refusal(v_hold, p_now, false);
    IF v_refusal IS NOT NULL THEN
        RETURN v_refusal;
    ELSIF NOT p_amount_is_valid THEN
        RETURN jsonb_build_object('error', 'invalid_amount');
    END IF;
    v_amount := coalesce(p_amount, v_hold.amount);
    IF v_amount > v_hold.amount THEN
        RETURN jsonb_build_object('error', 'amount_exceeds_hold', 'held', v_hold.amount);
    END IF;

    v_still := v_amount;
    FOR v_lot IN
        SELECT e.lot_id, l.funding_type, e.held_delta AS held,
               coalesce(l.expires_at <= p_now, false) AS lapsed
          FROM lot_entries AS e
          JOIN lots AS l ON l.store_id = e.store_id AND l.lot_id = e.lot_id
         WHERE e.store_id = p_store_id AND e.transaction_id = v_hold.transaction_id
         ORDER BY e.position
    LOOP
        v_take := least(v_lot.held, v_still);
        v_still := v_still - v_take;
        v_ids := v_ids || v_lot.lot_id;
        v_types := v_types || v_lot.funding_type;
        v_takes := v_takes || v_take;
        v_helds := v_helds || v_lot.held;
        v_lapsed := v_lapsed OR v_lot.lapsed;
    END LOOP;
    -- A lot drawn down to nothing, nothing held either, is spent (lots.apply_entries).
    UPDATE lots AS l SET remaining = l.remaining - d.take, held = l.held - d.held,
           status = CASE WHEN d.take > 0 AND l.remaining = d.take AND l.held = d.held
                              AND l.status = 'active' THEN 'spent' ELSE l.status END,
           closed_at = CASE WHEN d.take > 0 AND l.remaining = d.take AND l.held = d.held
                                 AND l.status = 'active' THEN p_now ELSE l.closed_at END
      FROM unnest(v_ids, v_takes, v_helds) AS d(lot_id, take, held)
     WHERE l.store_id = p_store_id AND l.lot_id = d.lot_id;
    INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position,
                             created_at)
    SELECT p_store_id, p_transaction_id, d.lot_id, -d.take, -d.held, d.n - 1, p_now
      FROM unnest(v_ids, v_takes, v_helds) WITH ORDINALITY AS d(lot_id, take, held, n);

    SELECT o_balance, o_held INTO v_balance, v_held FROM billfold_post_leg(
        p_store_id, v_hold.wallet_id, v_hold.unit, -v_amount, -v_hold.amount,
        p_transaction_id, p_now);
    PERFORM billfold_post_leg(p_store_id, 'acc_holds.all.' || v_hold.unit || '.' || v_bucket,
                              v_hold.unit, 0, v_hold.amount, p_transaction_id, p_now);
    PERFORM billfold_post_store_legs_by_type(p_store_id, 'spent', v_hold.unit, v_bucket,
                                             v_types, v_takes, 1, p_transaction_id, p_now);
    SELECT CASE WHEN min(t) = max(t) THEN min(t) END INTO v_funding
      FROM unnest(v_types, v_takes) AS u(t, a) WHERE a > 0;
    INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                              unit, amount, balance_after, held_after, funding_type,
                              description, reference, metadata, reverses_transaction_id,
                              hold_id, lot_id, created_at)
    VALUES (p_store_id, p_transaction_id, 'capture', v_hold.wallet_id, v_hold.customer_id,
            v_hold.program, v_hold.unit, v_amount, v_balance, v_held, v_funding,
            p_description, v_hold.reference, '{}'::jsonb, NULL, p_hold_id, NULL, p_now);
    UPDATE holds SET status = 'captured', captured_amount = v_amount, settled_at = p_now,
           settled_transaction_id = p_transaction_id
     WHERE store_id = p_store_id AND hold_id = p_hold_id
    RETURNING * INTO v_hold;
    IF v_lapsed THEN
        PERFORM billfold_expire_wallet_lots(
            p_store_id, v_hold.wallet_id, v_hold.customer_id, v_hold.program, v_hold.unit,
            v_bucket, p_now, p_expiry_transaction_id, p_expiry_event_id);
    END IF;
    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    VALUES (p_store_id, p_event_id, 'hold.captured', billfold_hold_payload(v_hold), p_now,
            NULL);
    RETURN jsonb_build_object('hold', billfold_encoded_hold(v_hold));
END
$fn$;
"""

RELEASE_FUNCTION = r"""
-- holds.release_hold: let go of an open hold, even one past its time; `p_status` is
-- 'released', or 'expired' when the timeout does it.
CREATE OR REPLACE FUNCTION billfold_release(
    p_store_id text, p_hold_id text, p_now timestamptz, p_status text,
    p_transaction_id text, p_expiry_transaction_id text, p_expiry_event_id text,
    p_event_id text
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_wallet_id text;
    v_bucket integer;
    v_hold holds;
    v_refusal jsonb;
    v_ids text[];
    v_helds bigint[];
    v_lapsed boolean;
    v_balance bigint;
    v_held bigint;
BEGIN
    SELECT wallet_id INTO v_wallet_id FROM holds
     WHERE store_id = p_store_id AND hold_id = p_hold_id;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('error', 'hold_not_found');
    END IF;
    SELECT bucket INTO v_bucket FROM accounts
     WHERE store_id = p_store_id AND account_id = v_wallet_id AND kind = 'wallet'
     FOR UPDATE;
    SELECT * INTO v_hold FROM holds WHERE store_id = p_store_id AND hold_id = p_hold_id;
    v_refusal := billfold_hold_refusal(v_hold, p_now, true);
    IF v_refusal IS NOT NULL THEN
        RETURN v_refusal;
    END IF;

    SELECT array_agg(e.lot_id ORDER BY e.position), array_agg(e.held_delta ORDER BY e.position),
           coalesce(bool_or(l.expires_at <= p_now), false)
      INTO v_ids, v_helds, v_lapsed
      FROM lot_entries AS e
      JOIN lots AS l ON l.store_id = e.store_id AND l.lot_id = e.lot_id
     WHERE e.store_id = p_store_id AND e.transaction_id = v_hold.transaction_id;
    UPDATE lots AS l SET held = l.held - d.held
      FROM unnest(v_ids, v_helds) AS d(lot_id, held)
     WHERE l.store_id = p_store_id AND l.lot_id = d.lot_id;
    INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position,
                             created_at)
    SELECT p_store_id, p_transaction_id, d.lot_id, 0, -d.held, d.n - 1, p_now
      FROM unnest(v_ids, v_helds) WITH ORDINALITY AS d(lot_id, held, n);

    SELECT o_balance, o_held INTO v_balance, v_held FROM billfold_post_leg(
        p_store_id, v_hold.wallet_id, v_hold.unit, 0, -v_hold.amount, p_transaction_id,
        p_now);
    PERFORM billfold_post_leg(p_store_id, 'acc_holds.all.' || v_hold.unit || '.' || v_bucket,
                              v_hold.unit, 0, v_hold.amount, p_transaction_id, p_now);
    INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                              unit, amount, balance_after, held_after, funding_type,
                              description, reference, metadata, reverses_transaction_id,
                              hold_id, lot_id, created_at)
    VALUES (p_store_id, p_transaction_id, 'release', v_hold.wallet_id, v_hold.customer_id,
            v_hold.program, v_hold.unit, v_hold.amount, v_balance, v_held, NULL,
            CASE WHEN p_status = 'expired' THEN 'Hold expired' END, v_hold.reference,
            '{}'::jsonb, NULL, p_hold_id, NULL, p_now);
    UPDATE holds SET status = p_status, captured_amount = 0, settled_at = p_now,
           settled_transaction_id = p_transaction_id
     WHERE store_id = p_store_id AND hold_id = p_hold_id
    RETURNING * INTO v_hold;
    IF v_lapsed THEN
        PERFORM billfold_expire_wallet_lots(
            p_store_id, v_hold.wallet_id, v_hold.customer_id, v_hold.program, v_hold.unit,
            v_bucket, p_now, p_expiry_transaction_id, p_expiry_event_id);
    END IF;
    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    VALUES (p_store_id, p_event_id, 'hold.' || p_status, billfold_hold_payload(v_hold), p_now,
            NULL);
    RETURN jsonb_build_object('hold', billfold_encoded_hold(v_hold));
END
$fn$;
"""

# The keyed variants: replay a stored record, else run and store the outcome beside it.
KEYED_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION billfold_hold_keyed(
    p_key text, p_operation text, p_fingerprint text, p_template jsonb,
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_now timestamptz, p_expires_at timestamptz, p_hold_id text, p_transaction_id text,
    p_event_id text, p_reference text, p_metadata jsonb
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_result jsonb;
BEGIN
    IF p_key IS NOT NULL THEN
        v_result := billfold_idempotency_replay(p_store_id, p_key);
        IF v_result IS NOT NULL THEN
            RETURN v_result;
        END IF;
    END IF;
    v_result := billfold_hold(p_store_id, p_customer_id, p_program, p_amount, p_now,
                              p_expires_at, p_hold_id, p_transaction_id, p_event_id,
                              p_reference, p_metadata);
    IF p_key IS NOT NULL AND NOT v_result ? 'error' THEN
        -- The caller's template is the Hold but for what the call decided.
        PERFORM billfold_idempotency_save(p_store_id, p_key, p_operation, p_fingerprint,
                                          p_template || v_result, p_now);
    END IF;
    RETURN v_result;
END
$fn$;

CREATE OR REPLACE FUNCTION billfold_capture_keyed(
    p_key text, p_operation text, p_fingerprint text, p_template jsonb,
    p_store_id text, p_hold_id text, p_amount bigint, p_amount_is_valid boolean,
    p_now timestamptz, p_transaction_id text, p_expiry_transaction_id text,
    p_expiry_event_id text, p_event_id text, p_description text
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_result jsonb;
BEGIN
    IF p_key IS NOT NULL THEN
        v_result := billfold_idempotency_replay(p_store_id, p_key);
        IF v_result IS NOT NULL THEN
            RETURN v_result;
        END IF;
    END IF;
    v_result := billfold_capture(p_store_id, p_hold_id, p_amount, p_amount_is_valid, p_now,
                                 p_transaction_id, p_expiry_transaction_id,
                                 p_expiry_event_id, p_event_id, p_description);
    IF p_key IS NOT NULL AND NOT v_result ? 'error' THEN
        PERFORM billfold_idempotency_save(p_store_id, p_key, p_operation, p_fingerprint,
                                          v_result->'hold', p_now);
    END IF;
    RETURN v_result;
END
$fn$;

CREATE OR REPLACE FUNCTION billfold_release_keyed(
    p_key text, p_operation text, p_fingerprint text, p_template jsonb,
    p_store_id text, p_hold_id text, p_now timestamptz, p_status text,
    p_transaction_id text, p_expiry_transaction_id text, p_expiry_event_id text,
    p_event_id text
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_result jsonb;
BEGIN
    IF p_key IS NOT NULL THEN
        v_result := billfold_idempotency_replay(p_store_id, p_key);
        IF v_result IS NOT NULL THEN
            RETURN v_result;
        END IF;
    END IF;
    v_result := billfold_release(p_store_id, p_hold_id, p_now, p_status, p_transaction_id,
                                 p_expiry_transaction_id, p_expiry_event_id, p_event_id);
    IF p_key IS NOT NULL AND NOT v_result ? 'error' THEN
        PERFORM billfold_idempotency_save(p_store_id, p_key, p_operation, p_fingerprint,
                                          v_result->'hold', p_now);
    END IF;
    RETURN v_result;
END
$fn$;
"""

# Dropped in reverse order of creation (callers before what they call).
DROPS = [
    "billfold_release_keyed(text, text, text, jsonb, text, text, timestamptz, text, text, "
    "text, text, text)",
    "billfold_capture_keyed(text, text, text, jsonb, text, text, bigint, boolean, "
    "timestamptz, text, text, text, text, text)",
    "billfold_hold_keyed(text, text, text, jsonb, text, text, text, bigint, timestamptz, "
    "timestamptz, text, text, text, text, jsonb)",
    "billfold_release(text, text, timestamptz, text, text, text, text, text)",
    "billfold_capture(text, text, bigint, boolean, timestamptz, text, text, text, text, text)",
    "billfold_hold(text, text, text, bigint, timestamptz, timestamptz, text, text, text, "
    "text, jsonb)",
    "billfold_idempotency_save(text, text, text, text, jsonb, timestamptz)",
    "billfold_idempotency_replay(text, text)",
    "billfold_hold_refusal(holds, timestamptz, boolean)",
    "billfold_expire_wallet_lots(text, text, text, text, text, integer, timestamptz, text, "
    "text)",
    "billfold_post_store_legs_by_type(text, text, text, integer, text[], bigint[], integer, "
    "text, timestamptz)",
    "billfold_post_leg(text, text, text, bigint, bigint, text, timestamptz)",
    "billfold_hold_payload(holds)",
    "billfold_encoded_hold(holds)",
    "billfold_isoformat(timestamptz)",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for functions in (HELPERS, HOLD_FUNCTION, CAPTURE_FUNCTION, RELEASE_FUNCTION,
                          KEYED_FUNCTIONS):
            op.execute(functions)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for signature in DROPS:
            op.execute(f"DROP FUNCTION IF EXISTS {signature}")
