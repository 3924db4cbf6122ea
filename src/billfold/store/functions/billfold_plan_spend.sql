-- What a debit or a hold spends: the wallet (billfold.ledger.accounts.wallet_to_spend_from),
-- locked, with its bucket and unit, and the lots drawn for `p_amount` in the spending
-- order (billfold_draw); or, with nothing written, the refusal: program_not_found,
-- customer_not_found, or insufficient_funds (with what is available).
CREATE OR REPLACE FUNCTION billfold_plan_spend(
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_now timestamptz, OUT o_wallet_id text, OUT o_bucket integer, OUT o_unit text,
    OUT o_ids text[], OUT o_types text[], OUT o_takes bigint[], OUT o_refusal jsonb
) LANGUAGE plpgsql AS $fn$
DECLARE
    v_strategy text;
    v_short bigint;
BEGIN
    SELECT unit, spending_strategy INTO o_unit, v_strategy FROM programs
     WHERE store_id = p_store_id AND name = p_program;
    IF NOT FOUND THEN
        o_refusal := jsonb_build_object('error', 'program_not_found');
        RETURN;
    END IF;
    SELECT account_id, bucket INTO o_wallet_id, o_bucket FROM accounts
     WHERE store_id = p_store_id AND customer_id = p_customer_id AND program = p_program
     FOR UPDATE;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM customers WHERE store_id = p_store_id
                   AND customer_id = p_customer_id) THEN
            o_refusal := jsonb_build_object('error', 'insufficient_funds', 'available', 0,
                                            'unit', o_unit);
        ELSE
            o_refusal := jsonb_build_object('error', 'customer_not_found');
        END IF;
        RETURN;
    END IF;
    SELECT d.o_ids, d.o_types, d.o_takes, d.o_short INTO o_ids, o_types, o_takes, v_short
      FROM billfold_draw(p_store_id, o_wallet_id, p_amount, p_now,
                         v_strategy = 'oldest_first') AS d;
    IF v_short > 0 THEN
        o_refusal := jsonb_build_object('error', 'insufficient_funds',
                                        'available', p_amount - v_short, 'unit', o_unit);
    END IF;
END
$fn$;
