-- What a debit or a hold spends: the wallet (billfold.ledger.accounts.wallet_to_spend_from),
-- locked, with its bucket and unit, and the lots drawn for `p_amount`, in order, with
-- their funding types and what is taken of each; or, with nothing written, the refusal:
-- program_not_found, customer_not_found, or insufficient_funds (with what is available).
-- The spending order (billfold.ledger.lots.spending_order), its one SQL copy: free,
-- unexpired credit, soonest expiry first (never-expiring last), then non-withdrawable
-- first, then oldest, then lot id; `oldest_first` programs: oldest, then lot id.
CREATE OR REPLACE FUNCTION billfold_plan_spend(
    p_store_id text, p_customer_id text, p_program text, p_amount bigint,
    p_now timestamptz, OUT o_wallet_id text, OUT o_bucket integer, OUT o_unit text,
    OUT o_ids text[], OUT o_types text[], OUT o_takes bigint[], OUT o_refusal jsonb
) LANGUAGE plpgsql AS $fn$
DECLARE
    v_strategy text;
    v_oldest boolean;
    v_short bigint := p_amount;
    v_lot record;
    v_take bigint;
BEGIN
    SELECT unit, spending_strategy INTO o_unit, v_strategy FROM programs
     WHERE store_id = p_store_id AND name = p_program;
    IF NOT FOUND THEN
        o_refusal := jsonb_build_object('error', 'program_not_found');
        RETURN;
    END IF;
    SELECT account_id, bucket INTO o_wallet_id, o_bucket FROM accounts
     WHERE store_id = p_store_id AND customer_id = p_customer_id AND program = p_program
     FOR UPDATE;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM customers WHERE store_id = p_store_id
                   AND customer_id = p_customer_id) THEN
            o_refusal := jsonb_build_object('error', 'insufficient_funds', 'available', 0,
                                            'unit', o_unit);
        ELSE
            o_refusal := jsonb_build_object('error', 'customer_not_found');
        END IF;
        RETURN;
    END IF;
    v_oldest := v_strategy = 'oldest_first';
    o_ids := '{}';
    o_types := '{}';
    o_takes := '{}';
    FOR v_lot IN
        SELECT lot_id, funding_type, remaining - held AS free FROM lots
         WHERE store_id = p_store_id AND wallet_id = o_wallet_id AND status = 'active'
           AND remaining > held AND (expires_at IS NULL OR expires_at > p_now)
         ORDER BY CASE WHEN v_oldest THEN NULL ELSE expires_at END ASC NULLS LAST,
                  CASE WHEN v_oldest THEN false ELSE is_withdrawable END ASC,
                  created_at ASC, lot_id ASC
    LOOP
        v_take := least(v_lot.free, v_short);
        o_ids := o_ids || v_lot.lot_id;
        o_types := o_types || v_lot.funding_type;
        o_takes := o_takes || v_take;
        v_short := v_short - v_take;
        EXIT WHEN v_short = 0;
    END LOOP;
    IF v_short > 0 THEN
        o_refusal := jsonb_build_object('error', 'insufficient_funds',
                                        'available', p_amount - v_short, 'unit', o_unit);
    END IF;
END
$fn$;
