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
