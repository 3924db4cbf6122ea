CREATE OR REPLACE FUNCTION billfold_grant(
    p_store_id text, p_program text, p_customer_ids text[], p_amounts bigint[],
    p_transaction_ids text[], p_lot_ids text[], p_event_ids text[],
    p_new_customer_ids text[], p_new_wallet_ids text[], p_new_wallet_buckets integer[],
    p_funding_type text, p_is_withdrawable boolean, p_expires_at timestamptz,
    p_type text, p_description text, p_now timestamptz
) RETURNS jsonb LANGUAGE plpgsql
-- Every table access is by key or row address: never scan a whole table to hash it,
-- whatever the planner thinks of a batch that is large next to a small table.
SET enable_seqscan = off AS $fn$
DECLARE
    v_unit text;
    v_count integer := cardinality(p_customer_ids);
    v_wallet_ids text[];
    v_seqs bigint[];
    v_balances bigint[];
    v_helds bigint[];
    v_store_accounts text[];
    v_row_ids tid[];
    v_same_unit boolean;
BEGIN
    SELECT unit INTO v_unit FROM programs WHERE store_id = p_store_id AND name = p_program;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('error', 'program_not_found');
    END IF;
    IF cardinality(p_new_wallet_ids) > 0 THEN
        INSERT INTO customers (store_id, customer_id, email, name, metadata, created_at)
        SELECT p_store_id, c, NULL, NULL, '{}'::jsonb, p_now
          FROM unnest(p_new_customer_ids) AS c
        ON CONFLICT DO NOTHING;
        INSERT INTO accounts (store_id, account_id, kind, customer_id, program, code,
                              funding_type, bucket, unit, balance, held, pending,
                              debits_posted, credits_posted, last_seq, created_at)
        SELECT p_store_id, n.wallet_id, 'wallet', n.customer_id, p_program, NULL, NULL,
               n.bucket, v_unit, 0, 0, 0, 0, 0, 0, p_now
          FROM unnest(p_new_customer_ids, p_new_wallet_ids, p_new_wallet_buckets)
               AS n(customer_id, wallet_id, bucket)
        ON CONFLICT DO NOTHING;
    END IF;

    -- Lock the wallets in id order (found by their unique key, then locked one by one
    -- in that order: index lookups, never a scan of the store's accounts); read their
    -- totals and row addresses (stable while we hold the lock) in grant order.
    SELECT array_agg(w.account_id ORDER BY w.ord), array_agg(w.last_seq + 1 ORDER BY w.ord),
           array_agg(w.balance + w.amount ORDER BY w.ord), array_agg(w.held ORDER BY w.ord),
           array_agg('acc_issued.' || p_funding_type || '.' || w.unit || '.' || w.bucket
                     ORDER BY w.ord),
           array_agg(w.ctid ORDER BY w.ord), bool_and(w.unit = v_unit)
      INTO v_wallet_ids, v_seqs, v_balances, v_helds, v_store_accounts, v_row_ids,
           v_same_unit
      FROM (SELECT g.ord, g.amount, a.*
              FROM (SELECT g.ord, g.amount, x.account_id
                      FROM unnest(p_customer_ids, p_amounts)
                           WITH ORDINALITY AS g(customer_id, amount, ord)
                     CROSS JOIN LATERAL (
                           SELECT account_id FROM accounts
                            WHERE store_id = p_store_id AND program = p_program
                              AND customer_id = g.customer_id LIMIT 1) AS x
                     ORDER BY x.account_id) AS g
             CROSS JOIN LATERAL (
                   SELECT a.account_id, a.last_seq, a.balance, a.held, a.bucket, a.unit, a.ctid
                     FROM accounts AS a
                    WHERE a.store_id = p_store_id AND a.account_id = g.account_id
                      FOR UPDATE) AS a) AS w;
    IF coalesce(cardinality(v_wallet_ids), 0) < v_count
       AND coalesce(cardinality(p_new_wallet_ids), 0) = 0 THEN
        -- Some customers have no wallet here: name them; the caller mints wallet ids
        -- and calls again (the wallets locked so far stay locked).
        RETURN jsonb_build_object('missing', (
            SELECT jsonb_agg(g.customer_id) FROM unnest(p_customer_ids) AS g(customer_id)
             WHERE NOT EXISTS (SELECT 1 FROM accounts AS a
                                WHERE a.store_id = p_store_id AND a.program = p_program
                                  AND a.customer_id = g.customer_id)));
    END IF;
    IF cardinality(v_wallet_ids) IS DISTINCT FROM v_count OR NOT v_same_unit THEN
        RAISE EXCEPTION 'billfold: % wallets for % grants, same unit: %',
            cardinality(v_wallet_ids), v_count, v_same_unit;
    END IF;

    INSERT INTO lots (store_id, lot_id, wallet_id, unit, amount, remaining, held, funding_type,
                      is_withdrawable, expires_at, status, source_type, source_id,
                      description, transaction_id, created_at, closed_at)
    SELECT p_store_id, r.lot_id, r.wallet_id, v_unit, r.amount, r.amount, 0, p_funding_type,
           p_is_withdrawable, p_expires_at, 'active', 'bulk', NULL, p_description,
           r.transaction_id, p_now, NULL
      FROM unnest(p_lot_ids, v_wallet_ids, p_amounts, p_transaction_ids)
           AS r(lot_id, wallet_id, amount, transaction_id);
    INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                              unit, amount, balance_after, held_after, funding_type,
                              description, reference, metadata, reverses_transaction_id,
                              hold_id, lot_id, created_at)
    SELECT p_store_id, r.transaction_id, p_type, r.wallet_id, r.customer_id, p_program, v_unit,
           r.amount, r.balance_after, r.held_after, p_funding_type, p_description, NULL,
           '{}'::jsonb, NULL, NULL, r.lot_id, p_now
      FROM unnest(p_transaction_ids, v_wallet_ids, p_customer_ids, p_amounts, v_balances,
                  v_helds, p_lot_ids)
           AS r(transaction_id, wallet_id, customer_id, amount, balance_after, held_after,
                lot_id);

    UPDATE accounts AS a
       SET balance = a.balance + r.amount, credits_posted = a.credits_posted + r.amount,
           last_seq = a.last_seq + 1
      FROM unnest(v_row_ids, v_wallet_ids, p_amounts) AS r(row_id, wallet_id, amount)
     WHERE a.store_id = p_store_id AND a.ctid = ANY (v_row_ids) AND a.ctid = r.row_id
       AND a.account_id = r.wallet_id;
    INSERT INTO postings (store_id, account_id, seq, transaction_id, unit, amount, held_delta,
                          pending_delta, balance_after, held_after, created_at)
    SELECT p_store_id, r.wallet_id, r.seq, r.transaction_id, v_unit, r.amount, 0, 0,
           r.balance_after, r.held_after, p_now
      FROM unnest(v_wallet_ids, v_seqs, p_transaction_ids, p_amounts, v_balances, v_helds)
           AS r(wallet_id, seq, transaction_id, amount, balance_after, held_after);

    PERFORM billfold_post_store_legs(
        p_store_id, v_store_accounts, p_transaction_ids,
        (SELECT array_agg(-x.amount ORDER BY x.ord)
           FROM unnest(p_amounts) WITH ORDINALITY AS x(amount, ord)), p_now);

    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    SELECT p_store_id, r.event_id, 'wallet.credited', jsonb_build_object(
               'transaction_id', r.transaction_id, 'type', p_type, 'wallet_id', r.wallet_id,
               'customer_id', r.customer_id, 'program', p_program, 'unit', v_unit,
               'amount', r.amount, 'balance_after', r.balance_after,
               'held_after', r.held_after, 'reference', NULL),
           p_now, NULL
      FROM unnest(p_event_ids, p_transaction_ids, v_wallet_ids, p_customer_ids, p_amounts,
                  v_balances, v_helds)
           AS r(event_id, transaction_id, wallet_id, customer_id, amount, balance_after,
                held_after);
    RETURN jsonb_build_object('transactions', v_count);
END
$fn$;
