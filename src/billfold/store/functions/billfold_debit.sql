-- debit.debit: draw lots in spending order (billfold_draw_lots), spend them, post the
-- wallet and one store leg per funding type, record the transaction and its event.
CREATE OR REPLACE FUNCTION billfold_debit(
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_now timestamptz, p_transaction_id text, p_event_id text,
    p_description text, p_reference text, p_metadata jsonb,
    p_key text DEFAULT NULL, p_fingerprint text DEFAULT NULL
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    d record;
    v_balance bigint;
    v_held bigint;
BEGIN
    d := billfold_draw_lots(p_store_id, p_customer_id, p_program, p_amount, p_now);
    IF d.o_error IS NOT NULL THEN
        RETURN jsonb_strip_nulls(jsonb_build_object(
            'error', d.o_error, 'available', d.o_available, 'unit', d.o_unit));
    END IF;
    UPDATE lots AS l SET remaining = l.remaining - t.take,
           status = CASE WHEN l.remaining = t.take AND l.held = 0 THEN 'spent'
                         ELSE l.status END,
           closed_at = CASE WHEN l.remaining = t.take AND l.held = 0 THEN p_now
                            ELSE l.closed_at END
      FROM unnest(d.o_ids, d.o_takes) AS t(lot_id, take)
     WHERE l.store_id = p_store_id AND l.lot_id = t.lot_id;
    INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position,
                             created_at)
    SELECT p_store_id, p_transaction_id, t.lot_id, -t.take, 0, t.n - 1, p_now
      FROM unnest(d.o_ids, d.o_takes) WITH ORDINALITY AS t(lot_id, take, n);
    SELECT o_balance, o_held INTO v_balance, v_held FROM billfold_post_leg(
        p_store_id, d.o_wallet_id, d.o_unit, -p_amount, 0, p_transaction_id, p_now);
    PERFORM billfold_post_store_legs_by_type(p_store_id, 'spent', d.o_unit, d.o_bucket,
                                             d.o_types, d.o_takes, 1, p_transaction_id, p_now);
    INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                              unit, amount, balance_after, held_after, funding_type,
                              description, reference, metadata, reverses_transaction_id,
                              hold_id, lot_id, idempotency_key, request_fingerprint,
                              created_at)
    VALUES (p_store_id, p_transaction_id, 'debit', d.o_wallet_id, p_customer_id, p_program,
            d.o_unit, p_amount, v_balance, v_held, d.o_funding, p_description,
            p_reference, p_metadata, NULL, NULL, NULL, p_key, p_fingerprint, p_now);
    PERFORM billfold_watch_available(p_store_id, d.o_wallet_id, p_customer_id, p_program,
                                     d.o_unit, v_balance - v_held + p_amount, v_balance - v_held,
                                     p_transaction_id, p_now);
    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    VALUES (p_store_id, p_event_id, 'wallet.debited', jsonb_build_object(
        'transaction_id', p_transaction_id, 'type', 'debit', 'wallet_id', d.o_wallet_id,
        'customer_id', p_customer_id, 'program', p_program, 'unit', d.o_unit,
        'amount', p_amount, 'balance_after', v_balance, 'held_after', v_held,
        'reference', p_reference), p_now, NULL);
    RETURN jsonb_build_object(
        'wallet_id', d.o_wallet_id, 'unit', d.o_unit, 'balance_after', v_balance,
        'held_after', v_held, 'funding_type', d.o_funding,
        'lots', (SELECT jsonb_agg(jsonb_build_array(t.lot_id, t.funding_type, -t.take)
                                  ORDER BY t.n)
                   FROM unnest(d.o_ids, d.o_types, d.o_takes) WITH ORDINALITY
                        AS t(lot_id, funding_type, take, n)));
END
$fn$;
