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
