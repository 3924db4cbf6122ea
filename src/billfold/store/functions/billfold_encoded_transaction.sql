-- The transaction as billfold.codec encodes it: the caller's template (the fields it
-- knows before the call) completed with what the movement decided (non-null only: a
-- credit's result does not repeat its funding type or lot).
CREATE OR REPLACE FUNCTION billfold_encoded_transaction(p_template jsonb, p_result jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $fn$
    SELECT p_template || jsonb_strip_nulls(jsonb_build_object(
        'wallet_id', p_result->'wallet_id', 'unit', p_result->'unit',
        'balance_after', p_result->'balance_after', 'held_after', p_result->'held_after',
        'funding_type', p_result->'funding_type',
        'lots', coalesce((SELECT jsonb_agg(jsonb_build_object(
                    'lot_id', e->0, 'funding_type', e->1, 'amount', e->2, 'held_delta', 0)
                    ORDER BY n)
               FROM jsonb_array_elements(p_result->'lots') WITH ORDINALITY AS x(e, n)),
            p_template->'lots')))
$fn$;
