-- The refusal (or NULL) for settling hold `h` at `p_now` (holds._lock_open_hold).
CREATE OR REPLACE FUNCTION billfold_hold_refusal(h holds, p_now timestamptz,
                                                 p_allow_expired boolean)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $fn$
    SELECT CASE
        WHEN h.status <> 'held' THEN
            jsonb_build_object('error', 'hold_not_open', 'status', h.status)
        WHEN h.expires_at <= p_now AND NOT p_allow_expired THEN
            jsonb_build_object('error', 'hold_expired')
    END
$fn$;
