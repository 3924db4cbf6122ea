-- The store side of a lot movement: one leg per funding type (in id order, the lock
-- order), `p_sign` times what moved (billfold.ledger.journal.store_legs).
CREATE OR REPLACE FUNCTION billfold_post_store_legs_by_type(
    p_store_id text, p_code text, p_unit text, p_bucket integer, p_types text[],
    p_amounts bigint[], p_sign integer, p_transaction_id text, p_now timestamptz
) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    v_ft record;
BEGIN
    FOR v_ft IN
        SELECT t AS funding_type, sum(a)::bigint AS total
          FROM unnest(p_types, p_amounts) AS u(t, a)
         GROUP BY t HAVING sum(a) <> 0 ORDER BY t COLLATE "C"
    LOOP
        PERFORM billfold_post_leg(
            p_store_id, 'acc_' || p_code || '.' || v_ft.funding_type || '.' || p_unit || '.'
            || p_bucket, p_unit, p_sign * v_ft.total, 0, p_transaction_id, p_now);
    END LOOP;
END
$fn$;
