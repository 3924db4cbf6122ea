-- What a key already stands for, for a movement whose record is its transaction row
-- (credit, debit): that transaction's id and fingerprint, else a refusal kept in
-- idempotency_keys (billfold_idempotency_replay), else NULL. PL/pgSQL, and the two
-- lookups in statements of their own: on Citus a query on a distributed table is sent
-- to its shard whole, and a function called inside it would query from the shard.
CREATE OR REPLACE FUNCTION billfold_keyed_replay(p_store_id text, p_key text)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    v_found jsonb;
BEGIN
    v_found := (SELECT jsonb_build_object('replay', jsonb_build_object(
                          'fingerprint', request_fingerprint, 'outcome', 'ok',
                          'transaction_id', transaction_id))
                  FROM transactions WHERE store_id = p_store_id AND idempotency_key = p_key);
    IF v_found IS NOT NULL THEN
        RETURN v_found;
    END IF;
    RETURN billfold_idempotency_replay(p_store_id, p_key);
END
$fn$;
