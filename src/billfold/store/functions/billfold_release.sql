-- holds.release_hold: let go of an open hold, even one past its time; `p_status` is
-- 'released', or 'expired' when the timeout does it.
CREATE OR REPLACE FUNCTION billfold_release(
    p_store_id text, p_hold_id text, p_now timestamptz, p_status text,
    p_transaction_id text, p_expiry_transaction_id text, p_expiry_event_id text,
    p_event_id text, p_key text DEFAULT NULL, p_fingerprint text DEFAULT NULL
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_lock record;
    v_bucket integer;
    v_hold holds;
    v_refusal jsonb;
    v_ids text[];
    v_helds bigint[];
    v_lapsed boolean;
    v_balance bigint;
    v_held bigint;
BEGIN
    v_lock := billfold_lock_open_hold(p_store_id, p_hold_id, p_now, true);
    v_hold := v_lock.o_hold;
    v_bucket := v_lock.o_bucket;
    v_refusal := v_lock.o_refusal;
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
                              hold_id, lot_id, idempotency_key, request_fingerprint,
                              created_at)
    VALUES (p_store_id, p_transaction_id, 'release', v_hold.wallet_id, v_hold.customer_id,
            v_hold.program, v_hold.unit, v_hold.amount, v_balance, v_held, NULL,
            CASE WHEN p_status = 'expired' THEN 'Hold expired' END, v_hold.reference,
            '{}'::jsonb, NULL, p_hold_id, NULL, p_key, p_fingerprint, p_now);
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
