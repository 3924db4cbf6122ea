-- holds.capture_hold: spend `p_amount` (NULL: all) of an open hold from the lots it
-- drew, in the order it drew them, and let go of the rest. `p_amount_is_valid` false
-- (the caller could not send the amount) is refused once the hold checks pass.
CREATE OR REPLACE FUNCTION billfold_capture(
    p_store_id text, p_hold_id text, p_amount bigint, p_amount_is_valid boolean,
    p_now timestamptz, p_transaction_id text, p_expiry_transaction_id text,
    p_expiry_event_id text, p_event_id text, p_description text,
    p_key text DEFAULT NULL, p_fingerprint text DEFAULT NULL
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_lock record;
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
    v_lock := billfold_lock_open_hold(p_store_id, p_hold_id, p_now, false);
    v_hold := v_lock.o_hold;
    v_bucket := v_lock.o_bucket;
    v_refusal := v_lock.o_refusal;
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
                              hold_id, lot_id, idempotency_key, request_fingerprint,
                              created_at)
    VALUES (p_store_id, p_transaction_id, 'capture', v_hold.wallet_id, v_hold.customer_id,
            v_hold.program, v_hold.unit, v_amount, v_balance, v_held, v_funding,
            p_description, v_hold.reference, '{}'::jsonb, NULL, p_hold_id, NULL, p_key,
            p_fingerprint, p_now);
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
