-- The spending order (billfold.ledger.lots.spending_order), its one SQL copy: the
-- wallet's free, unexpired credit, soonest expiry first (never-expiring last), then
-- non-withdrawable first, then oldest, then lot id; `oldest_first` programs: oldest,
-- then lot id. Returns the lots drawn for `p_amount`, in that order, with their funding
-- types and what is taken of each, and `o_short`: what they could not cover (0 when
-- the wallet has enough). Reads only; the caller holds the wallet's lock.
CREATE OR REPLACE FUNCTION billfold_draw(
    p_store_id text, p_wallet_id text, p_amount bigint, p_now timestamptz,
    p_oldest boolean, OUT o_ids text[], OUT o_types text[], OUT o_takes bigint[],
    OUT o_short bigint
) LANGUAGE plpgsql AS $fn$
DECLARE
    v_lot record;
    v_take bigint;
BEGIN
    o_ids := '{}';
    o_types := '{}';
    o_takes := '{}';
    o_short := p_amount;
    FOR v_lot IN
        SELECT lot_id, funding_type, remaining - held AS free FROM lots
         WHERE store_id = p_store_id AND wallet_id = p_wallet_id AND status = 'active'
           AND remaining > held AND (expires_at IS NULL OR expires_at > p_now)
         ORDER BY CASE WHEN p_oldest THEN NULL ELSE expires_at END ASC NULLS LAST,
                  CASE WHEN p_oldest THEN false ELSE is_withdrawable END ASC,
                  created_at ASC, lot_id ASC
    LOOP
        v_take := least(v_lot.free, o_short);
        o_ids := o_ids || v_lot.lot_id;
        o_types := o_types || v_lot.funding_type;
        o_takes := o_takes || v_take;
        o_short := o_short - v_take;
        EXIT WHEN o_short = 0;
    END LOOP;
END
$fn$;
