-- credit.credit_call: a credit under an idempotency key, as billfold_debit_keyed.
CREATE OR REPLACE FUNCTION billfold_credit_keyed(
    p_key text, p_operation text, p_fingerprint text, p_template jsonb,
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_funding_type text, p_is_withdrawable boolean, p_expires_at timestamptz,
    p_now timestamptz, p_new_wallet_id text, p_new_wallet_bucket integer,
    p_transaction_id text, p_lot_id text, p_event_id text,
    p_description text, p_reference text, p_metadata jsonb
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_result jsonb;
BEGIN
    IF p_key IS NOT NULL THEN
        v_result := billfold_keyed_replay(p_store_id, p_key);
        IF v_result IS NOT NULL THEN
            RETURN v_result;
        END IF;
    END IF;
    RETURN billfold_credit(p_store_id, p_customer_id, p_program, p_amount,
                           p_funding_type, p_is_withdrawable, p_expires_at, p_now,
                           p_new_wallet_id, p_new_wallet_bucket, p_transaction_id,
                           p_lot_id, p_event_id, p_description, p_reference,
                           p_metadata, p_key, p_fingerprint);
END
$fn$;
