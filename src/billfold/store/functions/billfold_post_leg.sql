-- One leg (billfold.ledger.accounts.post): add to the account's running totals and
-- append its posting. A store account (acc_<code>.<funding>.<unit>.<bucket>) is
-- created on first use; a wallet must exist and be locked by the caller.
CREATE OR REPLACE FUNCTION billfold_post_leg(
    p_store_id text, p_account_id text, p_unit text, p_amount bigint, p_held_delta bigint,
    p_transaction_id text, p_now timestamptz, OUT o_balance bigint, OUT o_held bigint
) LANGUAGE plpgsql AS $fn$
DECLARE
    v_seq bigint;
BEGIN
    FOR v_attempt IN 1 .. 2 LOOP
        UPDATE accounts SET balance = balance + p_amount, held = held + p_held_delta,
               credits_posted = credits_posted + greatest(p_amount, 0),
               debits_posted = debits_posted + greatest(-p_amount, 0),
               last_seq = last_seq + 1
         WHERE store_id = p_store_id AND account_id = p_account_id
        RETURNING last_seq, balance, held INTO v_seq, o_balance, o_held;
        EXIT WHEN FOUND;
        IF v_attempt = 2 OR p_account_id NOT LIKE 'acc\_%' THEN
            RAISE EXCEPTION 'billfold: account % missing', p_account_id;
        END IF;
        INSERT INTO accounts (store_id, account_id, kind, customer_id, program, code,
                              funding_type, bucket, unit, balance, held, pending,
                              debits_posted, credits_posted, last_seq, created_at)
        VALUES (p_store_id, p_account_id, 'store', NULL, NULL,
                split_part(substr(p_account_id, 5), '.', 1),
                nullif(split_part(p_account_id, '.', 2), 'all'),
                split_part(p_account_id, '.', 4)::integer, p_unit, 0, 0, 0, 0, 0, 0, p_now)
        ON CONFLICT DO NOTHING;
    END LOOP;
    INSERT INTO postings (store_id, account_id, seq, transaction_id, unit, amount, held_delta,
                          pending_delta, balance_after, held_after, created_at)
    VALUES (p_store_id, p_account_id, v_seq, p_transaction_id, p_unit, p_amount, p_held_delta,
            0, o_balance, o_held, p_now);
END
$fn$;
