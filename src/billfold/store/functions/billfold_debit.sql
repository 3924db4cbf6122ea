-- billfold_debit, faster: each drawn lot is updated once (remaining and, when drained,
-- status) and its entries are inserted in one statement. Same rows as before.
CREATE OR REPLACE FUNCTION billfold_debit(
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_now timestamptz, p_transaction_id text, p_event_id text,
    p_description text, p_reference text, p_metadata jsonb
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
    v_types text[] := '{}';
    v_takes bigint[] := '{}';
    v_take bigint;
    v_seq bigint;
    v_balance bigint;
    v_wallet_balance bigint;
    v_wallet_held bigint;
    v_ft record;
    v_account_id text;
    v_funding text;
    v_mixed boolean := false;
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
    -- The spending order (billfold.ledger.lots): soonest expiry first, never last;
    -- non-withdrawable first; oldest first; lot id. oldest_first: created, lot id.
    FOR v_lot IN
        SELECT lot_id, funding_type, remaining - held AS free FROM lots
         WHERE store_id = p_store_id AND wallet_id = v_wallet_id AND status = 'active'
           AND remaining > held AND (expires_at IS NULL OR expires_at > p_now)
         ORDER BY CASE WHEN v_oldest THEN NULL ELSE expires_at END ASC NULLS LAST,
                  CASE WHEN v_oldest THEN false ELSE is_withdrawable END ASC,
                  created_at ASC, lot_id ASC
    LOOP
        v_take := least(v_lot.free, v_needed);
        v_ids := v_ids || v_lot.lot_id;
        v_types := v_types || v_lot.funding_type;
        v_takes := v_takes || v_take;
        IF v_funding IS NULL THEN
            v_funding := v_lot.funding_type;
        ELSIF v_funding <> v_lot.funding_type THEN
            v_mixed := true;
        END IF;
        v_needed := v_needed - v_take;
        EXIT WHEN v_needed = 0;
    END LOOP;
    IF v_needed > 0 THEN
        RETURN jsonb_build_object('error', 'insufficient_funds',
                                  'available', p_amount - v_needed, 'unit', v_unit);
    END IF;
    IF v_mixed THEN
        v_funding := NULL;
    END IF;

    UPDATE lots AS l SET remaining = l.remaining - d.take,
           status = CASE WHEN l.remaining = d.take AND l.held = 0 THEN 'spent'
                         ELSE l.status END,
           closed_at = CASE WHEN l.remaining = d.take AND l.held = 0 THEN p_now
                            ELSE l.closed_at END
      FROM unnest(v_ids, v_takes) AS d(lot_id, take)
     WHERE l.store_id = p_store_id AND l.lot_id = d.lot_id;
    INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position,
                             created_at)
    SELECT p_store_id, p_transaction_id, d.lot_id, -d.take, 0, d.n - 1, p_now
      FROM unnest(v_ids, v_takes) WITH ORDINALITY AS d(lot_id, take, n);

    UPDATE accounts SET balance = balance - p_amount, debits_posted = debits_posted + p_amount,
           last_seq = last_seq + 1
     WHERE store_id = p_store_id AND account_id = v_wallet_id
    RETURNING last_seq, balance, held INTO v_seq, v_wallet_balance, v_wallet_held;
    INSERT INTO postings (store_id, account_id, seq, transaction_id, unit, amount, held_delta,
                          pending_delta, balance_after, held_after, created_at)
    VALUES (p_store_id, v_wallet_id, v_seq, p_transaction_id, v_unit, -p_amount, 0, 0,
            v_wallet_balance, v_wallet_held, p_now);

    FOR v_ft IN
        SELECT t AS funding_type, sum(a) AS total
          FROM unnest(v_types, v_takes) AS u(t, a) GROUP BY t ORDER BY t
    LOOP
        v_account_id := 'acc_spent.' || v_ft.funding_type || '.' || v_unit || '.' || v_bucket;
        UPDATE accounts SET balance = balance + v_ft.total,
               credits_posted = credits_posted + v_ft.total, last_seq = last_seq + 1
         WHERE store_id = p_store_id AND account_id = v_account_id
        RETURNING last_seq, balance INTO v_seq, v_balance;
        IF NOT FOUND THEN
            INSERT INTO accounts (store_id, account_id, kind, customer_id, program, code,
                                  funding_type, bucket, unit, balance, held, pending,
                                  debits_posted, credits_posted, last_seq, created_at)
            VALUES (p_store_id, v_account_id, 'store', NULL, NULL, 'spent', v_ft.funding_type,
                    v_bucket, v_unit, 0, 0, 0, 0, 0, 0, p_now)
            ON CONFLICT DO NOTHING;
            UPDATE accounts SET balance = balance + v_ft.total,
                   credits_posted = credits_posted + v_ft.total, last_seq = last_seq + 1
             WHERE store_id = p_store_id AND account_id = v_account_id
            RETURNING last_seq, balance INTO v_seq, v_balance;
        END IF;
        INSERT INTO postings (store_id, account_id, seq, transaction_id, unit, amount,
                              held_delta, pending_delta, balance_after, held_after,
                              created_at)
        VALUES (p_store_id, v_account_id, v_seq, p_transaction_id, v_unit, v_ft.total, 0, 0,
                v_balance, 0, p_now);
    END LOOP;

    INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                              unit, amount, balance_after, held_after, funding_type,
                              description, reference, metadata, reverses_transaction_id,
                              hold_id, lot_id, created_at)
    VALUES (p_store_id, p_transaction_id, 'debit', v_wallet_id, p_customer_id, p_program,
            v_unit, p_amount, v_wallet_balance, v_wallet_held, v_funding, p_description,
            p_reference, p_metadata, NULL, NULL, NULL, p_now);
    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    VALUES (p_store_id, p_event_id, 'wallet.debited', jsonb_build_object(
        'transaction_id', p_transaction_id, 'type', 'debit', 'wallet_id', v_wallet_id,
        'customer_id', p_customer_id, 'program', p_program, 'unit', v_unit,
        'amount', p_amount, 'balance_after', v_wallet_balance, 'held_after', v_wallet_held,
        'reference', p_reference), p_now, NULL);
    RETURN jsonb_build_object(
        'wallet_id', v_wallet_id, 'unit', v_unit, 'balance_after', v_wallet_balance,
        'held_after', v_wallet_held, 'funding_type', v_funding,
        'lots', (SELECT jsonb_agg(jsonb_build_array(d.lot_id, d.funding_type, -d.take)
                                  ORDER BY d.n)
                   FROM unnest(v_ids, v_types, v_takes) WITH ORDINALITY
                        AS d(lot_id, funding_type, take, n)));
END
$fn$;
