CREATE OR REPLACE FUNCTION billfold_sweep_expired(
    p_store_id text, p_now timestamptz, p_wallet_ids text[], p_transaction_ids text[],
    p_event_ids text[]
) RETURNS jsonb LANGUAGE plpgsql
-- Every table access is by key or row address: never scan a whole table to hash it,
-- whatever the planner thinks of a batch that is large next to a small table.
SET enable_seqscan = off AS $fn$
DECLARE
    v_ords bigint[];              -- per wallet of the batch, locked
    v_wallet_ids text[];
    v_transaction_ids text[];
    v_event_ids text[];
    v_customers text[];
    v_programs text[];
    v_units text[];
    v_buckets integer[];
    v_last_seqs bigint[];
    v_balances bigint[];
    v_helds bigint[];
    v_row_ids tid[];
    v_totals bigint[];
    v_types text[];
    v_lot_ids text[];             -- per expired lot, in wallet then lot id order
    v_lot_row_ids tid[];
    v_lot_ords bigint[];
    v_lot_transactions text[];
    v_lot_free bigint[];
    v_lot_types text[];
    v_lot_positions integer[];
    v_leg_accounts text[];        -- per (wallet, funding type)
    v_leg_transactions text[];
    v_leg_amounts bigint[];
BEGIN
    -- Lock the wallets one by one in id order (the caller sorts them); remember their
    -- totals and row addresses (stable while we hold the lock).
    SELECT array_agg(w.ord ORDER BY w.ord), array_agg(w.wallet_id ORDER BY w.ord),
           array_agg(w.transaction_id ORDER BY w.ord), array_agg(w.event_id ORDER BY w.ord),
           array_agg(a.customer_id ORDER BY w.ord), array_agg(a.program ORDER BY w.ord),
           array_agg(a.unit ORDER BY w.ord), array_agg(a.bucket ORDER BY w.ord),
           array_agg(a.last_seq ORDER BY w.ord), array_agg(a.balance ORDER BY w.ord),
           array_agg(a.held ORDER BY w.ord), array_agg(a.ctid ORDER BY w.ord)
      INTO v_ords, v_wallet_ids, v_transaction_ids, v_event_ids, v_customers, v_programs,
           v_units, v_buckets, v_last_seqs, v_balances, v_helds, v_row_ids
      FROM unnest(p_wallet_ids, p_transaction_ids, p_event_ids)
           WITH ORDINALITY AS w(wallet_id, transaction_id, event_id, ord)
     CROSS JOIN LATERAL (
           SELECT a.customer_id, a.program, a.unit, a.bucket, a.last_seq, a.balance, a.held,
                  a.ctid
             FROM accounts AS a
            WHERE a.store_id = p_store_id AND a.account_id = w.wallet_id AND a.kind = 'wallet'
              FOR UPDATE) AS a;

    SELECT array_agg(e.lot_id ORDER BY e.ord, e.lot_id),
           array_agg(e.ctid ORDER BY e.ord, e.lot_id),
           array_agg(e.ord ORDER BY e.ord, e.lot_id),
           array_agg(e.transaction_id ORDER BY e.ord, e.lot_id),
           array_agg(e.free ORDER BY e.ord, e.lot_id),
           array_agg(e.funding_type ORDER BY e.ord, e.lot_id),
           array_agg(e.position ORDER BY e.ord, e.lot_id)
      INTO v_lot_ids, v_lot_row_ids, v_lot_ords, v_lot_transactions, v_lot_free, v_lot_types,
           v_lot_positions
      FROM (SELECT w.ord, w.transaction_id, l.lot_id, l.ctid, l.remaining - l.held AS free,
                   l.funding_type,
                   (row_number() OVER (PARTITION BY w.ord ORDER BY l.lot_id) - 1)::integer
                       AS position
              FROM unnest(v_wallet_ids, v_transaction_ids, v_ords)
                   AS w(wallet_id, transaction_id, ord)
             CROSS JOIN LATERAL (
                   SELECT l.lot_id, l.ctid, l.remaining, l.held, l.funding_type
                     FROM lots AS l
                    WHERE l.store_id = p_store_id AND l.wallet_id = w.wallet_id
                      AND l.status = 'active' AND l.expires_at IS NOT NULL
                      AND l.expires_at <= p_now AND l.remaining > l.held
                   OFFSET 0) AS l) AS e;
    IF v_lot_ids IS NULL THEN
        RETURN jsonb_build_object('transactions', 0, 'lots', 0, 'amount', 0);
    END IF;

    -- Keep the wallets with something to expire, with their expiry transaction's
    -- figures (funding type NULL when their lots mix several).
    SELECT array_agg(w.ord ORDER BY w.ord), array_agg(w.wallet_id ORDER BY w.ord),
           array_agg(w.transaction_id ORDER BY w.ord), array_agg(w.event_id ORDER BY w.ord),
           array_agg(w.customer_id ORDER BY w.ord), array_agg(w.program ORDER BY w.ord),
           array_agg(w.unit ORDER BY w.ord), array_agg(w.bucket ORDER BY w.ord),
           array_agg(w.last_seq + 1 ORDER BY w.ord),
           array_agg(w.balance - t.total ORDER BY w.ord), array_agg(w.held ORDER BY w.ord),
           array_agg(w.row_id ORDER BY w.ord), array_agg(t.total ORDER BY w.ord),
           array_agg(t.funding_type ORDER BY w.ord)
      INTO v_ords, v_wallet_ids, v_transaction_ids, v_event_ids, v_customers, v_programs,
           v_units, v_buckets, v_last_seqs, v_balances, v_helds, v_row_ids, v_totals,
           v_types
      FROM (SELECT l.ord, sum(l.free) AS total,
                   CASE WHEN min(l.funding_type) = max(l.funding_type)
                        THEN min(l.funding_type) END AS funding_type
              FROM unnest(v_lot_ords, v_lot_free, v_lot_types) AS l(ord, free, funding_type)
             GROUP BY l.ord) AS t
      JOIN unnest(v_ords, v_wallet_ids, v_transaction_ids, v_event_ids, v_customers,
                  v_programs, v_units, v_buckets, v_last_seqs, v_balances, v_helds,
                  v_row_ids)
           AS w(ord, wallet_id, transaction_id, event_id, customer_id, program, unit, bucket,
                last_seq, balance, held, row_id)
        ON w.ord = t.ord;

    INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                              unit, amount, balance_after, held_after, funding_type,
                              description, reference, metadata, reverses_transaction_id,
                              hold_id, lot_id, created_at)
    SELECT p_store_id, r.transaction_id, 'expiry', r.wallet_id, r.customer_id, r.program,
           r.unit, r.total, r.balance_after, r.held_after, r.funding_type, 'Credit expired',
           NULL, '{}'::jsonb, NULL, NULL, NULL, p_now
      FROM unnest(v_transaction_ids, v_wallet_ids, v_customers, v_programs, v_units,
                  v_totals, v_balances, v_helds, v_types)
           AS r(transaction_id, wallet_id, customer_id, program, unit, total, balance_after,
                held_after, funding_type);
    INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position,
                             created_at)
    SELECT p_store_id, l.transaction_id, l.lot_id, -l.free, 0, l.position, p_now
      FROM unnest(v_lot_transactions, v_lot_ids, v_lot_free, v_lot_positions)
           AS l(transaction_id, lot_id, free, position);
    UPDATE lots AS l
       SET remaining = l.held,
           status = CASE WHEN l.held = 0 THEN 'expired' ELSE l.status END,
           closed_at = CASE WHEN l.held = 0 THEN p_now ELSE l.closed_at END
      FROM unnest(v_lot_row_ids, v_lot_ids) AS e(row_id, lot_id)
     WHERE l.store_id = p_store_id AND l.ctid = ANY (v_lot_row_ids) AND l.ctid = e.row_id
       AND l.lot_id = e.lot_id;

    UPDATE accounts AS a
       SET balance = a.balance - r.total, debits_posted = a.debits_posted + r.total,
           last_seq = a.last_seq + 1
      FROM unnest(v_row_ids, v_wallet_ids, v_totals) AS r(row_id, wallet_id, total)
     WHERE a.store_id = p_store_id AND a.ctid = ANY (v_row_ids) AND a.ctid = r.row_id
       AND a.account_id = r.wallet_id;
    INSERT INTO postings (store_id, account_id, seq, transaction_id, unit, amount, held_delta,
                          pending_delta, balance_after, held_after, created_at)
    SELECT p_store_id, r.wallet_id, r.seq, r.transaction_id, r.unit, -r.total, 0, 0,
           r.balance_after, r.held_after, p_now
      FROM unnest(v_wallet_ids, v_last_seqs, v_transaction_ids, v_units, v_totals,
                  v_balances, v_helds)
           AS r(wallet_id, seq, transaction_id, unit, total, balance_after, held_after);

    -- Store side: one leg per (wallet, funding type), in wallet order per account.
    SELECT array_agg('acc_expired.' || s.funding_type || '.' || w.unit || '.' || w.bucket
                     ORDER BY s.ord, s.funding_type),
           array_agg(w.transaction_id ORDER BY s.ord, s.funding_type),
           array_agg(s.amount ORDER BY s.ord, s.funding_type)
      INTO v_leg_accounts, v_leg_transactions, v_leg_amounts
      FROM (SELECT l.ord, l.funding_type, sum(l.free) AS amount
              FROM unnest(v_lot_ords, v_lot_free, v_lot_types) AS l(ord, free, funding_type)
             GROUP BY l.ord, l.funding_type) AS s
      JOIN unnest(v_ords, v_transaction_ids, v_units, v_buckets)
           AS w(ord, transaction_id, unit, bucket) ON w.ord = s.ord;
    PERFORM billfold_post_store_legs(p_store_id, v_leg_accounts, v_leg_transactions,
                                     v_leg_amounts, p_now);

    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    SELECT p_store_id, r.event_id, 'wallet.credit_expired', jsonb_build_object(
               'transaction_id', r.transaction_id, 'type', 'expiry',
               'wallet_id', r.wallet_id, 'customer_id', r.customer_id,
               'program', r.program, 'unit', r.unit, 'amount', r.total,
               'balance_after', r.balance_after, 'held_after', r.held_after,
               'reference', NULL),
           p_now, NULL
      FROM unnest(v_event_ids, v_transaction_ids, v_wallet_ids, v_customers, v_programs,
                  v_units, v_totals, v_balances, v_helds)
           AS r(event_id, transaction_id, wallet_id, customer_id, program, unit, total,
                balance_after, held_after);
    RETURN jsonb_build_object('transactions', cardinality(v_wallet_ids),
                              'lots', cardinality(v_lot_ids),
                              'amount', (SELECT sum(t) FROM unnest(v_totals) AS t));
END
$fn$;
