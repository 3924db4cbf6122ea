-- A hold as billfold.codec encodes billfold.ledger.models.Hold.
CREATE OR REPLACE FUNCTION billfold_encoded_hold(h holds) RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
    SELECT jsonb_build_object(
        'id', h.hold_id, 'store_id', h.store_id, 'wallet_id', h.wallet_id,
        'customer_id', h.customer_id, 'program', h.program, 'unit', h.unit,
        'status', h.status, 'amount', h.amount, 'captured_amount', h.captured_amount,
        'reference', h.reference, 'metadata', h.metadata,
        'expires_at', billfold_isoformat(h.expires_at),
        'created_at', billfold_isoformat(h.created_at),
        'settled_at', billfold_isoformat(h.settled_at),
        'transaction_id', h.transaction_id,
        'settled_transaction_id', h.settled_transaction_id)
$fn$;
