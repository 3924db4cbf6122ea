-- The draw of a debit or a hold (billfold.ledger.lots.draw): find the program, lock the
-- customer's wallet in it, and take from its spendable lots in the program's spending
-- order until p_amount is covered. Nothing is written. o_error is set (and the draw
-- empty) where the movement must be refused: program_not_found, customer_not_found,
-- insufficient_funds (with o_available). o_funding is the one funding type drawn, or
-- NULL when they mix.
CREATE OR REPLACE FUNCTION billfold_draw_lots(
    p_store_id text, p_customer_id text, p_program text, p_amount bigint, p_now timestamptz,
    OUT o_error text, OUT o_available bigint, OUT o_unit text, OUT o_wallet_id text,
    OUT o_bucket integer, OUT o_ids text[], OUT o_types text[], OUT o_takes bigint[],
    OUT o_funding text
) LANGUAGE plpgsql AS $fn$
DECLARE
    v_strategy text;
    v_oldest boolean;
    v_needed bigint := p_amount;
    v_lot record;
    v_take bigint;
    v_mixed boolean := false;
BEGIN
    SELECT unit, spending_strategy INTO o_unit, v_strategy FROM programs
     WHERE store_id = p_store_id AND name = p_program;
    IF NOT FOUND THEN
        o_error := 'program_not_found';
        RETURN;
    END IF;
    SELECT account_id, bucket INTO o_wallet_id, o_bucket FROM accounts
     WHERE store_id = p_store_id AND customer_id = p_customer_id AND program = p_program
     FOR UPDATE;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM customers WHERE store_id = p_store_id
                   AND customer_id = p_customer_id) THEN
            o_error := 'insufficient_funds';
            o_available := 0;
        ELSE
            o_error := 'customer_not_found';
        END IF;
        RETURN;
    END IF;
    o_ids := '{}';
    o_types := '{}';
    o_takes := '{}';
    v_oldest := v_strategy = 'oldest_first';
    -- The spending order (billfold.ledger.lots): soonest expiry first, never last;
    -- non-withdrawable first; oldest first; lot id. oldest_first: created, lot id.
    FOR v_lot IN
        SELECT lot_id, funding_type, remaining - held AS free FROM lots
         WHERE store_id = p_store_id AND wallet_id = o_wallet_id AND status = 'active'
           AND remaining > held AND (expires_at IS NULL OR expires_at > p_now)
         ORDER BY CASE WHEN v_oldest THEN NULL ELSE expires_at END ASC NULLS LAST,
                  CASE WHEN v_oldest THEN false ELSE is_withdrawable END ASC,
                  created_at ASC, lot_id ASC
    LOOP
        v_take := least(v_lot.free, v_needed);
        o_ids := o_ids || v_lot.lot_id;
        o_types := o_types || v_lot.funding_type;
        o_takes := o_takes || v_take;
        IF o_funding IS NULL THEN
            o_funding := v_lot.funding_type;
        ELSIF o_funding <> v_lot.funding_type THEN
            v_mixed := true;
        END IF;
        v_needed := v_needed - v_take;
        EXIT WHEN v_needed = 0;
    END LOOP;
    IF v_needed > 0 THEN
        o_error := 'insufficient_funds';
        o_available := p_amount - v_needed;
    ELSIF v_mixed THEN
        o_funding := NULL;
    END IF;
END
$fn$;
