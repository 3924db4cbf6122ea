CREATE OR REPLACE FUNCTION billfold_post_store_legs(
    p_store_id text, p_account_ids text[], p_transaction_ids text[], p_amounts bigint[],
    p_now timestamptz
) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    v_accounts text[];
BEGIN
    SELECT array_agg(DISTINCT a ORDER BY a) INTO v_accounts FROM unnest(p_account_ids) AS a;
    INSERT INTO accounts (store_id, account_id, kind, customer_id, program, code, funding_type,
                          bucket, unit, balance, held, pending, debits_posted, credits_posted,
                          last_seq, created_at)
    SELECT p_store_id, a, 'store', NULL, NULL, split_part(substr(a, 5), '.', 1),
           nullif(split_part(a, '.', 2), 'all'), split_part(a, '.', 4)::integer,
           split_part(a, '.', 3), 0, 0, 0, 0, 0, 0, p_now
      FROM unnest(v_accounts) AS a
     WHERE NOT EXISTS (SELECT 1 FROM accounts x WHERE x.store_id = p_store_id
                                                  AND x.account_id = a)
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM accounts WHERE store_id = p_store_id AND account_id = ANY (v_accounts)
     ORDER BY account_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'billfold: store accounts missing';
    END IF;

    INSERT INTO postings (store_id, account_id, seq, transaction_id, unit, amount, held_delta,
                          pending_delta, balance_after, held_after, created_at)
    SELECT p_store_id, l.account_id,
           b.last_seq + row_number() OVER w, l.transaction_id, b.unit, l.amount, 0, 0,
           b.balance + sum(l.amount) OVER w, b.held, p_now
      FROM unnest(p_account_ids, p_transaction_ids, p_amounts)
           WITH ORDINALITY AS l(account_id, transaction_id, amount, ord)
      JOIN (SELECT account_id, unit, last_seq, balance, held FROM accounts
             WHERE store_id = p_store_id AND account_id = ANY (v_accounts)) AS b
        ON b.account_id = l.account_id
    WINDOW w AS (PARTITION BY l.account_id ORDER BY l.ord
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);

    UPDATE accounts AS a
       SET balance = a.balance + s.total,
           credits_posted = a.credits_posted + s.credits,
           debits_posted = a.debits_posted + s.debits,
           last_seq = a.last_seq + s.legs
      FROM (SELECT account_id, sum(amount) AS total,
                   sum(greatest(amount, 0)) AS credits, sum(greatest(-amount, 0)) AS debits,
                   count(*) AS legs
              FROM unnest(p_account_ids, p_amounts) AS l(account_id, amount)
             GROUP BY account_id) AS s
     WHERE a.store_id = p_store_id AND a.account_id = s.account_id;
END
$fn$;
