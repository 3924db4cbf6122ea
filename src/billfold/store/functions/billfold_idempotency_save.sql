-- Store a successful outcome beside its effect; a concurrent duplicate that stored
-- first makes this a serialization failure (the caller retries and replays).
CREATE OR REPLACE FUNCTION billfold_idempotency_save(
    p_store_id text, p_key text, p_operation text, p_fingerprint text, p_response jsonb,
    p_now timestamptz
) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO idempotency_keys (store_id, key, operation, fingerprint, outcome,
                                  status_code, response, created_at)
    VALUES (p_store_id, p_key, p_operation, p_fingerprint, 'ok', NULL, p_response, p_now)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'idempotency key % was stored by a concurrent request', p_key
            USING ERRCODE = 'serialization_failure';
    END IF;
END
$fn$;
