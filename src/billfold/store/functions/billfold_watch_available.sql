-- thresholds.watch: a movement took a wallet's available from p_before down to p_after
-- (the wallet locked): the store's wallet.low_balance notice and the wallet's automatic
-- top-up each fire when available goes from at or above their threshold to below it.
CREATE OR REPLACE FUNCTION billfold_watch_available(
    p_store_id text, p_wallet_id text, p_customer_id text, p_program text, p_unit text,
    p_before bigint, p_after bigint, p_transaction_id text, p_now timestamptz
) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    v_settings jsonb;
    v_low bigint;
    v_rule_threshold bigint;
    v_rule_amount bigint;
    v_expires jsonb;
    v_seconds bigint := 86400;
    v_topup topups;
BEGIN
    SELECT s.settings, r.threshold, r.amount INTO v_settings, v_rule_threshold, v_rule_amount
      FROM stores s LEFT JOIN auto_topup_rules r
        ON r.store_id = s.store_id AND r.customer_id = p_customer_id AND r.program = p_program
     WHERE s.store_id = p_store_id;
    v_low := (v_settings ->> 'low_balance_threshold')::bigint;
    IF v_low IS NOT NULL AND p_before >= v_low AND v_low > p_after THEN
        INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
        VALUES (p_store_id, billfold_new_id('evt'), 'wallet.low_balance', jsonb_build_object(
            'wallet_id', p_wallet_id, 'customer_id', p_customer_id, 'program', p_program,
            'unit', p_unit, 'available', p_after, 'threshold', v_low,
            'transaction_id', p_transaction_id), p_now, NULL);
    END IF;
    IF v_rule_threshold IS NULL
       OR NOT (p_before >= v_rule_threshold AND v_rule_threshold > p_after) THEN
        RETURN;
    END IF;
    v_expires := v_settings -> 'topup_expires_in';
    IF jsonb_typeof(v_expires) = 'number' THEN
        v_seconds := (v_expires #>> '{}')::bigint;
    ELSIF jsonb_typeof(v_expires) = 'string' THEN
        v_seconds := substring(v_expires #>> '{}' FROM '^\s*([0-9]+)')::bigint
            * CASE substring(v_expires #>> '{}' FROM '([smhdw])\s*$')
                WHEN 's' THEN 1 WHEN 'm' THEN 60 WHEN 'h' THEN 3600 WHEN 'd' THEN 86400
                WHEN 'w' THEN 604800 END;
    END IF;
    INSERT INTO topups (store_id, topup_id, customer_id, program, amount, status, trigger,
                        payment_reference, transaction_id, expires_at, created_at, settled_at)
    VALUES (p_store_id, billfold_new_id('top'), p_customer_id, p_program, v_rule_amount,
            'pending', 'auto', NULL, NULL, p_now + make_interval(secs => v_seconds), p_now,
            NULL)
    RETURNING * INTO v_topup;
    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    VALUES (p_store_id, billfold_new_id('evt'), 'topup.required', jsonb_build_object(
        'topup_id', v_topup.topup_id, 'customer_id', p_customer_id, 'program', p_program,
        'amount', v_topup.amount, 'status', 'pending', 'trigger', 'auto',
        'payment_reference', NULL, 'transaction_id', NULL), p_now, NULL);
END
$fn$;
