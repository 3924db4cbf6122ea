-- holds._lock_open_hold: find the hold, lock its wallet (the one lock order: wallet
-- first), read the hold again under the lock. o_refusal is why it cannot be settled at
-- p_now (NULL: it can): hold_not_found, hold_not_open, or hold_expired unless
-- p_allow_expired (a release may let go of a hold past its time).
CREATE OR REPLACE FUNCTION billfold_lock_open_hold(
    p_store_id text, p_hold_id text, p_now timestamptz, p_allow_expired boolean,
    OUT o_hold holds, OUT o_bucket integer, OUT o_refusal jsonb
) LANGUAGE plpgsql AS $fn$
DECLARE
    v_wallet_id text;
BEGIN
    SELECT wallet_id INTO v_wallet_id FROM holds
     WHERE store_id = p_store_id AND hold_id = p_hold_id;
    IF NOT FOUND THEN
        o_refusal := jsonb_build_object('error', 'hold_not_found');
        RETURN;
    END IF;
    SELECT bucket INTO o_bucket FROM accounts
     WHERE store_id = p_store_id AND account_id = v_wallet_id AND kind = 'wallet'
     FOR UPDATE;
    SELECT * INTO o_hold FROM holds WHERE store_id = p_store_id AND hold_id = p_hold_id;
    IF o_hold.status <> 'held' THEN
        o_refusal := jsonb_build_object('error', 'hold_not_open', 'status', o_hold.status);
    ELSIF o_hold.expires_at <= p_now AND NOT p_allow_expired THEN
        o_refusal := jsonb_build_object('error', 'hold_expired');
    END IF;
END
$fn$;
