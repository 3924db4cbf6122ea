-- credit.credit: find or open the wallet, create the lot, post the wallet and the store's
-- issuance account, record the transaction and its event.
CREATE OR REPLACE FUNCTION billfold_credit(
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_funding_type text, p_is_withdrawable boolean, p_expires_at timestamptz,
    p_now timestamptz, p_new_wallet_id text, p_new_wallet_bucket integer,
    p_transaction_id text, p_lot_id text, p_event_id text,
    p_description text, p_reference text, p_metadata jsonb,
    p_key text DEFAULT NULL, p_fingerprint text DEFAULT NULL
) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_unit text;
    v_default_seconds bigint;
    v_expires_at timestamptz := p_expires_at;
    v_wallet_id text;
    v_bucket integer;
    v_wallet_balance bigint;
    v_wallet_held bigint;
BEGIN
    SELECT unit, default_expires_seconds INTO v_unit, v_default_seconds FROM programs
     WHERE store_id = p_store_id AND name = p_program;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('error', 'program_not_found');
    END IF;
    IF v_expires_at IS NULL AND v_default_seconds IS NOT NULL AND v_default_seconds > 0 THEN
        v_expires_at := p_now + make_interval(secs => v_default_seconds);
    END IF;
    SELECT account_id, bucket INTO v_wallet_id, v_bucket FROM accounts
     WHERE store_id = p_store_id AND customer_id = p_customer_id AND program = p_program
     FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO customers (store_id, customer_id, email, name, metadata, created_at)
        VALUES (p_store_id, p_customer_id, NULL, NULL, '{}'::jsonb, p_now)
        ON CONFLICT DO NOTHING;
        INSERT INTO accounts (store_id, account_id, kind, customer_id, program, code,
                              funding_type, bucket, unit, balance, held, pending,
                              debits_posted, credits_posted, last_seq, created_at)
        VALUES (p_store_id, p_new_wallet_id, 'wallet', p_customer_id, p_program, NULL, NULL,
                p_new_wallet_bucket, v_unit, 0, 0, 0, 0, 0, 0, p_now)
        ON CONFLICT DO NOTHING;
        SELECT account_id, bucket INTO v_wallet_id, v_bucket FROM accounts
         WHERE store_id = p_store_id AND customer_id = p_customer_id AND program = p_program
         FOR UPDATE;
    END IF;

    INSERT INTO lots (store_id, lot_id, wallet_id, unit, amount, remaining, held, funding_type,
                      is_withdrawable, expires_at, status, source_type, source_id,
                      description, transaction_id, created_at, closed_at)
    VALUES (p_store_id, p_lot_id, v_wallet_id, v_unit, p_amount, p_amount, 0, p_funding_type,
            p_is_withdrawable, v_expires_at, 'active', 'manual', NULL, p_description,
            p_transaction_id, p_now, NULL);

    SELECT o_balance, o_held INTO v_wallet_balance, v_wallet_held FROM billfold_post_leg(
        p_store_id, v_wallet_id, v_unit, p_amount, 0, p_transaction_id, p_now);
    PERFORM billfold_post_leg(
        p_store_id, 'acc_issued.' || p_funding_type || '.' || v_unit || '.' || v_bucket,
        v_unit, -p_amount, 0, p_transaction_id, p_now);

    INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                              unit, amount, balance_after, held_after, funding_type,
                              description, reference, metadata, reverses_transaction_id,
                              hold_id, lot_id, idempotency_key, request_fingerprint,
                              created_at)
    VALUES (p_store_id, p_transaction_id, 'credit', v_wallet_id, p_customer_id, p_program,
            v_unit, p_amount, v_wallet_balance, v_wallet_held, p_funding_type, p_description,
            p_reference, p_metadata, NULL, NULL, p_lot_id, p_key, p_fingerprint, p_now);
    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    VALUES (p_store_id, p_event_id, 'wallet.credited', jsonb_build_object(
        'transaction_id', p_transaction_id, 'type', 'credit', 'wallet_id', v_wallet_id,
        'customer_id', p_customer_id, 'program', p_program, 'unit', v_unit,
        'amount', p_amount, 'balance_after', v_wallet_balance, 'held_after', v_wallet_held,
        'reference', p_reference), p_now, NULL);
    RETURN jsonb_build_object('wallet_id', v_wallet_id, 'unit', v_unit,
                              'balance_after', v_wallet_balance, 'held_after', v_wallet_held);
END
$fn$;
