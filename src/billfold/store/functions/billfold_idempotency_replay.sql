-- The stored idempotency record for a key, as a replay (NULL if none).
CREATE OR REPLACE FUNCTION billfold_idempotency_replay(p_store_id text, p_key text)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    RETURN (SELECT jsonb_build_object('replay', jsonb_build_object(
                       'operation', operation, 'fingerprint', fingerprint, 'outcome', outcome,
                       'status_code', status_code, 'response', response))
              FROM idempotency_keys WHERE store_id = p_store_id AND key = p_key);
END
$fn$;
