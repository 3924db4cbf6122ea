CREATE OR REPLACE FUNCTION billfold_hold_keyed(
    p_key text, p_operation text, p_fingerprint text, p_template jsonb,
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_now timestamptz, p_expires_at timestamptz, p_hold_id text, p_transaction_id text,
    p_event_id text, p_reference text, p_metadata jsonb
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
    v_result := billfold_hold(p_store_id, p_customer_id, p_program, p_amount, p_now,
                              p_expires_at, p_hold_id, p_transaction_id, p_event_id,
                              p_reference, p_metadata, p_key, p_fingerprint);
    RETURN v_result;
END
$fn$;
