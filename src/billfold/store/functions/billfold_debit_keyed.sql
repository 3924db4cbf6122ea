CREATE OR REPLACE FUNCTION billfold_debit_keyed(
    p_key text, p_operation text, p_fingerprint text, p_template jsonb,
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_now timestamptz, p_transaction_id text, p_event_id text,
    p_description text, p_reference text, p_metadata jsonb
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_found jsonb;
    v_result jsonb;
BEGIN
    IF p_key IS NOT NULL THEN
        SELECT jsonb_build_object('replay', jsonb_build_object(
                   'operation', operation, 'fingerprint', fingerprint, 'outcome', outcome,
                   'status_code', status_code, 'response', response))
          INTO v_found FROM idempotency_keys WHERE store_id = p_store_id AND key = p_key;
        IF v_found IS NOT NULL THEN
            RETURN v_found;
        END IF;
    END IF;
    v_result := billfold_debit(p_store_id, p_customer_id, p_program, p_amount, p_now,
                               p_transaction_id, p_event_id, p_description, p_reference,
                               p_metadata);
    IF p_key IS NOT NULL AND NOT v_result ? 'error' THEN
        INSERT INTO idempotency_keys (store_id, key, operation, fingerprint, outcome,
                                      status_code, response, created_at)
        VALUES (p_store_id, p_key, p_operation, p_fingerprint, 'ok', NULL,
                billfold_encoded_transaction(p_template, v_result), p_now)
        ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'idempotency key % was stored by a concurrent request', p_key
                USING ERRCODE = 'serialization_failure';
        END IF;
    END IF;
    RETURN v_result;
END
$fn$;
