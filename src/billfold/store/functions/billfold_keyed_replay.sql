-- What a key already stands for, for a movement whose record is its transaction row
-- (credit, debit): that transaction's id and fingerprint, else a refusal kept in
-- idempotency_keys (billfold_idempotency_replay), else NULL.
CREATE OR REPLACE FUNCTION billfold_keyed_replay(p_store_id text, p_key text)
RETURNS jsonb LANGUAGE sql STABLE AS $fn$
    SELECT coalesce(
        (SELECT jsonb_build_object('replay', jsonb_build_object(
                    'fingerprint', request_fingerprint, 'outcome', 'ok',
                    'transaction_id', transaction_id))
           FROM transactions WHERE store_id = p_store_id AND idempotency_key = p_key),
        billfold_idempotency_replay(p_store_id, p_key))
$fn$;
