CREATE OR REPLACE FUNCTION billfold_capture_keyed(
    p_key text, p_operation text, p_fingerprint text, p_template jsonb,
    p_store_id text, p_hold_id text, p_amount bigint, p_amount_is_valid boolean,
    p_now timestamptz, p_transaction_id text, p_expiry_transaction_id text,
    p_expiry_event_id text, p_event_id text, p_description text
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
    v_result := billfold_capture(p_store_id, p_hold_id, p_amount, p_amount_is_valid, p_now,
                                 p_transaction_id, p_expiry_transaction_id,
                                 p_expiry_event_id, p_event_id, p_description, p_key,
                                 p_fingerprint);
    RETURN v_result;
END
$fn$;
