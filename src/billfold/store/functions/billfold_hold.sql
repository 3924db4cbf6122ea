-- holds.place_hold: draw lots in spending order (billfold_draw_lots), move their `held`.
-- Returns the wallet id and unit (the caller knows the rest of the Hold).
CREATE OR REPLACE FUNCTION billfold_hold(
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_now timestamptz, p_expires_at timestamptz, p_hold_id text, p_transaction_id text,
    p_event_id text, p_reference text, p_metadata jsonb,
    p_key text DEFAULT NULL, p_fingerprint text DEFAULT NULL
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    d record;
    v_balance bigint;
    v_held bigint;
    v_hold holds;
BEGIN
    d := billfold_draw_lots(p_store_id, p_customer_id, p_program, p_amount, p_now);
    IF d.o_error IS NOT NULL THEN
        RETURN jsonb_strip_nulls(jsonb_build_object(
            'error', d.o_error, 'available', d.o_available, 'unit', d.o_unit));
    END IF;

    UPDATE lots AS l SET held = l.held + t.take
      FROM unnest(d.o_ids, d.o_takes) AS t(lot_id, take)
     WHERE l.store_id = p_store_id AND l.lot_id = t.lot_id;
    INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position,
                             created_at)
    SELECT p_store_id, p_transaction_id, t.lot_id, 0, t.take, t.n - 1, p_now
      FROM unnest(d.o_ids, d.o_takes) WITH ORDINALITY AS t(lot_id, take, n);
    SELECT o_balance, o_held INTO v_balance, v_held FROM billfold_post_leg(
        p_store_id, d.o_wallet_id, d.o_unit, 0, p_amount, p_transaction_id, p_now);
    PERFORM billfold_post_leg(p_store_id, 'acc_holds.all.' || d.o_unit || '.' || d.o_bucket,
                              d.o_unit, 0, -p_amount, p_transaction_id, p_now);
    INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                              unit, amount, balance_after, held_after, funding_type,
                              description, reference, metadata, reverses_transaction_id,
                              hold_id, lot_id, idempotency_key, request_fingerprint,
                              created_at)
    VALUES (p_store_id, p_transaction_id, 'hold', d.o_wallet_id, p_customer_id, p_program,
            d.o_unit, p_amount, v_balance, v_held, NULL, NULL, p_reference, p_metadata, NULL,
            p_hold_id, NULL, p_key, p_fingerprint, p_now);
    INSERT INTO holds (store_id, hold_id, wallet_id, customer_id, program, unit, amount,
                       captured_amount, status, reference, metadata, expires_at,
                       transaction_id, settled_transaction_id, created_at, settled_at)
    VALUES (p_store_id, p_hold_id, d.o_wallet_id, p_customer_id, p_program, d.o_unit, p_amount, 0,
            'held', p_reference, p_metadata, p_expires_at, p_transaction_id, NULL, p_now,
            NULL)
    RETURNING * INTO v_hold;
    PERFORM billfold_watch_available(p_store_id, d.o_wallet_id, p_customer_id, p_program,
                                     d.o_unit, v_balance - v_held + p_amount, v_balance - v_held,
                                     p_transaction_id, p_now);
    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    VALUES (p_store_id, p_event_id, 'hold.created', billfold_hold_payload(v_hold), p_now,
            NULL);
    RETURN jsonb_build_object('wallet_id', d.o_wallet_id, 'unit', d.o_unit);
END
$fn$;
