CREATE OR REPLACE FUNCTION billfold_release_keyed(
    p_key text, p_operation text, p_fingerprint text, p_template jsonb,
    p_store_id text, p_hold_id text, p_now timestamptz, p_status text,
    p_transaction_id text, p_expiry_transaction_id text, p_expiry_event_id text,
    p_event_id text
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
    v_result := billfold_release(p_store_id, p_hold_id, p_now, p_status, p_transaction_id,
                                 p_expiry_transaction_id, p_expiry_event_id, p_event_id,
                                 p_key, p_fingerprint);
    RETURN v_result;
END
$fn$;
