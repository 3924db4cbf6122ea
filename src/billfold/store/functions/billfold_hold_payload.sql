-- The hold.* event payload (billfold.ledger.holds._hold_payload).
CREATE OR REPLACE FUNCTION billfold_hold_payload(h holds) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT jsonb_build_object(
        'hold_id', h.hold_id, 'status', h.status, 'wallet_id', h.wallet_id,
        'customer_id', h.customer_id, 'program', h.program, 'unit', h.unit,
        'amount', h.amount, 'captured_amount', h.captured_amount, 'reference', h.reference)
$fn$;
