-- billfold.ledger.movements.debit in one call: lock the wallet, draw its lots in the
-- spending order, take from each (a drained lot is spent), post the wallet leg and one
-- `spent` leg per funding type, record the transaction and its event. A refusal is
-- returned as {"error": …} before anything is written.
CREATE OR REPLACE FUNCTION billfold_debit(
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_now timestamptz, p_transaction_id text, p_event_id text,
    p_description text, p_reference text, p_metadata jsonb
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    p record;
    v_funding text;
    v_balance bigint;
    v_held bigint;
BEGIN
    SELECT * INTO p FROM billfold_plan_spend(p_store_id, p_customer_id, p_program,
                                             p_amount, p_now);
    IF p.o_refusal IS NOT NULL THEN
        RETURN p.o_refusal;
    END IF;
    SELECT CASE WHEN count(DISTINCT t) = 1 THEN min(t) END INTO v_funding
      FROM unnest(p.o_types) AS t;

    UPDATE lots AS l SET remaining = l.remaining - u.take,
           status = CASE WHEN l.remaining = u.take AND l.held = 0 THEN 'spent'
                         ELSE l.status END,
           closed_at = CASE WHEN l.remaining = u.take AND l.held = 0 THEN p_now
                            ELSE l.closed_at END
      FROM unnest(p.o_ids, p.o_takes) AS u(lot_id, take)
     WHERE l.store_id = p_store_id AND l.lot_id = u.lot_id;
    INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position,
                             created_at)
    SELECT p_store_id, p_transaction_id, u.lot_id, -u.take, 0, u.n - 1, p_now
      FROM unnest(p.o_ids, p.o_takes) WITH ORDINALITY AS u(lot_id, take, n);

    SELECT o_balance, o_held INTO v_balance, v_held FROM billfold_post_leg(
        p_store_id, p.o_wallet_id, p.o_unit, -p_amount, 0, p_transaction_id, p_now);
    PERFORM billfold_post_store_legs_by_type(p_store_id, 'spent', p.o_unit, p.o_bucket,
                                             p.o_types, p.o_takes, 1, p_transaction_id,
                                             p_now);

    INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                              unit, amount, balance_after, held_after, funding_type,
                              description, reference, metadata, reverses_transaction_id,
                              hold_id, lot_id, created_at)
    VALUES (p_store_id, p_transaction_id, 'debit', p.o_wallet_id, p_customer_id, p_program,
            p.o_unit, p_amount, v_balance, v_held, v_funding, p_description, p_reference,
            p_metadata, NULL, NULL, NULL, p_now);
    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    VALUES (p_store_id, p_event_id, 'wallet.debited', jsonb_build_object(
        'transaction_id', p_transaction_id, 'type', 'debit', 'wallet_id', p.o_wallet_id,
        'customer_id', p_customer_id, 'program', p_program, 'unit', p.o_unit,
        'amount', p_amount, 'balance_after', v_balance, 'held_after', v_held,
        'reference', p_reference), p_now, NULL);
    RETURN jsonb_build_object(
        'wallet_id', p.o_wallet_id, 'unit', p.o_unit, 'balance_after', v_balance,
        'held_after', v_held, 'funding_type', v_funding,
        'lots', (SELECT jsonb_agg(jsonb_build_array(u.lot_id, u.funding_type, -u.take)
                                  ORDER BY u.n)
                   FROM unnest(p.o_ids, p.o_types, p.o_takes) WITH ORDINALITY
                        AS u(lot_id, funding_type, take, n)));
END
$fn$;
