"""PostgreSQL: a bulk grant and an expiry sweep batch in one call each

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

`billfold_grant` is `billfold.ledger.bulk.grant_credits` and
`billfold_sweep_expired` is the batch of `billfold.ledger.expiry.sweep_expired_lots`,
set-based over the whole batch: one statement per table, running totals of the
store accounts by window function, account totals with one UPDATE … FROM. The
caller mints the ids and passes them as arrays, so no row comes back to the
client; `billfold_grant` names the customers who have no wallet yet, and the
caller calls again with wallet ids (and their buckets) for them. SQLite keeps
the Python path; tests compare the two row for row.

Lock order as everywhere: wallets by id (`FOR UPDATE`), then store accounts by id.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Store side of a batch: `p_account_ids[i]` (acc_<code>.<funding>.<unit>.<bucket>)
# gets `p_amounts[i]` in transaction `p_transaction_ids[i]`, postings numbered in
# array order per account. Creates missing store accounts, locks them by id, posts
# with running balances, updates their totals.
POST_STORE_LEGS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION billfold_post_store_legs(
    p_store_id text, p_account_ids text[], p_transaction_ids text[], p_amounts bigint[],
    p_now timestamptz
) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    v_accounts text[];
BEGIN
    SELECT array_agg(DISTINCT a ORDER BY a) INTO v_accounts FROM unnest(p_account_ids) AS a;
    INSERT INTO accounts (store_id, account_id, kind, customer_id, program, code, funding_type,
                          bucket, unit, balance, held, pending, debits_posted, credits_posted,
                          last_seq, created_at)
    SELECT p_store_id, a, 'store', NULL, NULL, split_part(substr(a, 5), '.', 1),
           nullif(split_part(a, '.', 2), 'all'), split_part(a, '.', 4)::integer,
           split_part(a, '.', 3), 0, 0, 0, 0, 0, 0, p_now
      FROM unnest(v_accounts) AS a
     WHERE NOT EXISTS (SELECT 1 FROM accounts x WHERE x.store_id = p_store_id
                                                  AND x.account_id = a)
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM accounts WHERE store_id = p_store_id AND account_id = ANY (v_accounts)
     ORDER BY account_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'billfold: store accounts missing';
    END IF;

    INSERT INTO postings (store_id, account_id, seq, transaction_id, unit, amount, held_delta,
                          pending_delta, balance_after, held_after, created_at)
    SELECT p_store_id, l.account_id,
           b.last_seq + row_number() OVER w, l.transaction_id, b.unit, l.amount, 0, 0,
           b.balance + sum(l.amount) OVER w, b.held, p_now
      FROM unnest(p_account_ids, p_transaction_ids, p_amounts)
           WITH ORDINALITY AS l(account_id, transaction_id, amount, ord)
      JOIN (SELECT account_id, unit, last_seq, balance, held FROM accounts
             WHERE store_id = p_store_id AND account_id = ANY (v_accounts)) AS b
        ON b.account_id = l.account_id
    WINDOW w AS (PARTITION BY l.account_id ORDER BY l.ord
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);

    UPDATE accounts AS a
       SET balance = a.balance + s.total,
           credits_posted = a.credits_posted + s.credits,
           debits_posted = a.debits_posted + s.debits,
           last_seq = a.last_seq + s.legs
      FROM (SELECT account_id, sum(amount) AS total,
                   sum(greatest(amount, 0)) AS credits, sum(greatest(-amount, 0)) AS debits,
                   count(*) AS legs
              FROM unnest(p_account_ids, p_amounts) AS l(account_id, amount)
             GROUP BY account_id) AS s
     WHERE a.store_id = p_store_id AND a.account_id = s.account_id;
END
$fn$;
"""

GRANT_FUNCTION = r"""
CREATE OR REPLACE FUNCTION billfold_grant(
    p_store_id text, p_program text, p_customer_ids text[], p_amounts bigint[],
    p_transaction_ids text[], p_lot_ids text[], p_event_ids text[],
    p_new_customer_ids text[], p_new_wallet_ids text[], p_new_wallet_buckets integer[],
    p_funding_type text, p_is_withdrawable boolean, p_expires_at timestamptz,
    p_type text, p_description text, p_now timestamptz
) RETURNS jsonb LANGUAGE plpgsql
-- Every table access is by key or row address: never scan a whole table to hash it,
-- whatever the planner thinks of a batch that is large next to a small table.
SET enable_seqscan = off AS $fn$
DECLARE
    v_unit text;
    v_count integer := cardinality(p_customer_ids);
    v_wallet_ids text[];
    v_seqs bigint[];
    v_balances bigint[];
    v_helds bigint[];
    v_store_accounts text[];
    v_row_ids tid[];
    v_same_unit boolean;
BEGIN
    SELECT unit INTO v_unit FROM programs WHERE store_id = p_store_id AND name = p_program;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('error', 'program_not_found');
    END IF;
    IF cardinality(p_new_wallet_ids) > 0 THEN
        INSERT INTO customers (store_id, customer_id, email, name, metadata, created_at)
        SELECT p_store_id, c, NULL, NULL, '{}'::jsonb, p_now
          FROM unnest(p_new_customer_ids) AS c
        ON CONFLICT DO NOTHING;
        INSERT INTO accounts (store_id, account_id, kind, customer_id, program, code,
                              funding_type, bucket, unit, balance, held, pending,
                              debits_posted, credits_posted, last_seq, created_at)
        SELECT p_store_id, n.wallet_id, 'wallet', n.customer_id, p_program, NULL, NULL,
               n.bucket, v_unit, 0, 0, 0, 0, 0, 0, p_now
          FROM unnest(p_new_customer_ids, p_new_wallet_ids, p_new_wallet_buckets)
               AS n(customer_id, wallet_id, bucket)
        ON CONFLICT DO NOTHING;
    END IF;

    -- Lock the wallets in id order (found by their unique key, then locked one by one
    -- in that order: index lookups, never a scan of the store's accounts); read their
    -- totals and row addresses (stable while we hold the lock) in grant order.
    SELECT array_agg(w.account_id ORDER BY w.ord), array_agg(w.last_seq + 1 ORDER BY w.ord),
           array_agg(w.balance + w.amount ORDER BY w.ord), array_agg(w.held ORDER BY w.ord),
           array_agg('acc_issued.' || p_funding_type || '.' || w.unit || '.' || w.bucket
                     ORDER BY w.ord),
           array_agg(w.ctid ORDER BY w.ord), bool_and(w.unit = v_unit)
      INTO v_wallet_ids, v_seqs, v_balances, v_helds, v_store_accounts, v_row_ids,
           v_same_unit
      FROM (SELECT g.ord, g.amount, a.*
              FROM (SELECT g.ord, g.amount, x.account_id
                      FROM unnest(p_customer_ids, p_amounts)
                           WITH ORDINALITY AS g(customer_id, amount, ord)
                     CROSS JOIN LATERAL (
                           SELECT account_id FROM accounts
                            WHERE store_id = p_store_id AND program = p_program
                              AND customer_id = g.customer_id LIMIT 1) AS x
                     ORDER BY x.account_id) AS g
             CROSS JOIN LATERAL (
                   SELECT a.account_id, a.last_seq, a.balance, a.held, a.bucket, a.unit, a.ctid
                     FROM accounts AS a
                    WHERE a.store_id = p_store_id AND a.account_id = g.account_id
                      FOR UPDATE) AS a) AS w;
    IF coalesce(cardinality(v_wallet_ids), 0) < v_count
       AND coalesce(cardinality(p_new_wallet_ids), 0) = 0 THEN
        -- Some customers have no wallet here: name them; the caller mints wallet ids
        -- and calls again (the wallets locked so far stay locked).
        RETURN jsonb_build_object('missing', (
            SELECT jsonb_agg(g.customer_id) FROM unnest(p_customer_ids) AS g(customer_id)
             WHERE NOT EXISTS (SELECT 1 FROM accounts AS a
                                WHERE a.store_id = p_store_id AND a.program = p_program
                                  AND a.customer_id = g.customer_id)));
    END IF;
    IF cardinality(v_wallet_ids) IS DISTINCT FROM v_count OR NOT v_same_unit THEN
        RAISE EXCEPTION 'billfold: % wallets for % grants, same unit: %',
            cardinality(v_wallet_ids), v_count, v_same_unit;
    END IF;

    INSERT INTO lots (store_id, lot_id, wallet_id, unit, amount, remaining, held, funding_type,
                      is_withdrawable, expires_at, status, source_type, source_id,
                      description, transaction_id, created_at, closed_at)
    SELECT p_store_id, r.lot_id, r.wallet_id, v_unit, r.amount, r.amount, 0, p_funding_type,
           p_is_withdrawable, p_expires_at, 'active', 'bulk', NULL, p_description,
           r.transaction_id, p_now, NULL
      FROM unnest(p_lot_ids, v_wallet_ids, p_amounts, p_transaction_ids)
           AS r(lot_id, wallet_id, amount, transaction_id);
    INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position,
                             created_at)
    SELECT p_store_id, r.transaction_id, r.lot_id, r.amount, 0, 0, p_now
      FROM unnest(p_transaction_ids, p_lot_ids, p_amounts) AS r(transaction_id, lot_id, amount);
    INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                              unit, amount, balance_after, held_after, funding_type,
                              description, reference, metadata, reverses_transaction_id,
                              hold_id, lot_id, created_at)
    SELECT p_store_id, r.transaction_id, p_type, r.wallet_id, r.customer_id, p_program, v_unit,
           r.amount, r.balance_after, r.held_after, p_funding_type, p_description, NULL,
           '{}'::jsonb, NULL, NULL, r.lot_id, p_now
      FROM unnest(p_transaction_ids, v_wallet_ids, p_customer_ids, p_amounts, v_balances,
                  v_helds, p_lot_ids)
           AS r(transaction_id, wallet_id, customer_id, amount, balance_after, held_after,
                lot_id);

    UPDATE accounts AS a
       SET balance = a.balance + r.amount, credits_posted = a.credits_posted + r.amount,
           last_seq = a.last_seq + 1
      FROM unnest(v_row_ids, v_wallet_ids, p_amounts) AS r(row_id, wallet_id, amount)
     WHERE a.store_id = p_store_id AND a.ctid = ANY (v_row_ids) AND a.ctid = r.row_id
       AND a.account_id = r.wallet_id;
    INSERT INTO postings (store_id, account_id, seq, transaction_id, unit, amount, held_delta,
                          pending_delta, balance_after, held_after, created_at)
    SELECT p_store_id, r.wallet_id, r.seq, r.transaction_id, v_unit, r.amount, 0, 0,
           r.balance_after, r.held_after, p_now
      FROM unnest(v_wallet_ids, v_seqs, p_transaction_ids, p_amounts, v_balances, v_helds)
           AS r(wallet_id, seq, transaction_id, amount, balance_after, held_after);

    PERFORM billfold_post_store_legs(
        p_store_id, v_store_accounts, p_transaction_ids,
        (SELECT array_agg(-x.amount ORDER BY x.ord)
           FROM unnest(p_amounts) WITH ORDINALITY AS x(amount, ord)), p_now);

    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    SELECT p_store_id, r.event_id, 'wallet.credited', jsonb_build_object(
               'transaction_id', r.transaction_id, 'type', p_type, 'wallet_id', r.wallet_id,
               'customer_id', r.customer_id, 'program', p_program, 'unit', v_unit,
               'amount', r.amount, 'balance_after', r.balance_after,
               'held_after', r.held_after, 'reference', NULL),
           p_now, NULL
      FROM unnest(p_event_ids, p_transaction_ids, v_wallet_ids, p_customer_ids, p_amounts,
                  v_balances, v_helds)
           AS r(event_id, transaction_id, wallet_id, customer_id, amount, balance_after,
                held_after);
    RETURN jsonb_build_object('transactions', v_count);
END
$fn$;
"""

# The expiry of a batch of wallets (ids sorted; `p_transaction_ids[i]` and
# `p_event_ids[i]` serve `p_wallet_ids[i]`, unused when that wallet has nothing to
# expire any more). Each wallet's expired free credit becomes one 'expiry'
# transaction, as `expiry.expire_wallet_lots` writes it. Arrays are zipped with
# unnest, never subscripted (a text[] subscript walks the array: quadratic).
SWEEP_FUNCTION = r"""
CREATE OR REPLACE FUNCTION billfold_sweep_expired(
    p_store_id text, p_now timestamptz, p_wallet_ids text[], p_transaction_ids text[],
    p_event_ids text[]
) RETURNS jsonb LANGUAGE plpgsql
-- Every table access is by key or row address: never scan a whole table to hash it,
-- whatever the planner thinks of a batch that is large next to a small table.
SET enable_seqscan = off AS $fn$
DECLARE
    v_ords bigint[];              -- per wallet of the batch, locked
    v_wallet_ids text[];
    v_transaction_ids text[];
    v_event_ids text[];
    v_customers text[];
    v_programs text[];
    v_units text[];
    v_buckets integer[];
    v_last_seqs bigint[];
    v_balances bigint[];
    v_helds bigint[];
    v_row_ids tid[];
    v_totals bigint[];
    v_types text[];
    v_lot_ids text[];             -- per expired lot, in wallet then lot id order
    v_lot_row_ids tid[];
    v_lot_ords bigint[];
    v_lot_transactions text[];
    v_lot_free bigint[];
    v_lot_types text[];
    v_lot_positions integer[];
    v_leg_accounts text[];        -- per (wallet, funding type)
    v_leg_transactions text[];
    v_leg_amounts bigint[];
BEGIN
    -- Lock the wallets one by one in id order (the caller sorts them); remember their
    -- totals and row addresses (stable while we hold the lock).
    SELECT array_agg(w.ord ORDER BY w.ord), array_agg(w.wallet_id ORDER BY w.ord),
           array_agg(w.transaction_id ORDER BY w.ord), array_agg(w.event_id ORDER BY w.ord),
           array_agg(a.customer_id ORDER BY w.ord), array_agg(a.program ORDER BY w.ord),
           array_agg(a.unit ORDER BY w.ord), array_agg(a.bucket ORDER BY w.ord),
           array_agg(a.last_seq ORDER BY w.ord), array_agg(a.balance ORDER BY w.ord),
           array_agg(a.held ORDER BY w.ord), array_agg(a.ctid ORDER BY w.ord)
      INTO v_ords, v_wallet_ids, v_transaction_ids, v_event_ids, v_customers, v_programs,
           v_units, v_buckets, v_last_seqs, v_balances, v_helds, v_row_ids
      FROM unnest(p_wallet_ids, p_transaction_ids, p_event_ids)
           WITH ORDINALITY AS w(wallet_id, transaction_id, event_id, ord)
     CROSS JOIN LATERAL (
           SELECT a.customer_id, a.program, a.unit, a.bucket, a.last_seq, a.balance, a.held,
                  a.ctid
             FROM accounts AS a
            WHERE a.store_id = p_store_id AND a.account_id = w.wallet_id AND a.kind = 'wallet'
              FOR UPDATE) AS a;

    SELECT array_agg(e.lot_id ORDER BY e.ord, e.lot_id),
           array_agg(e.ctid ORDER BY e.ord, e.lot_id),
           array_agg(e.ord ORDER BY e.ord, e.lot_id),
           array_agg(e.transaction_id ORDER BY e.ord, e.lot_id),
           array_agg(e.free ORDER BY e.ord, e.lot_id),
           array_agg(e.funding_type ORDER BY e.ord, e.lot_id),
           array_agg(e.position ORDER BY e.ord, e.lot_id)
      INTO v_lot_ids, v_lot_row_ids, v_lot_ords, v_lot_transactions, v_lot_free, v_lot_types,
           v_lot_positions
      FROM (SELECT w.ord, w.transaction_id, l.lot_id, l.ctid, l.remaining - l.held AS free,
                   l.funding_type,
                   (row_number() OVER (PARTITION BY w.ord ORDER BY l.lot_id) - 1)::integer
                       AS position
              FROM unnest(v_wallet_ids, v_transaction_ids, v_ords)
                   AS w(wallet_id, transaction_id, ord)
             CROSS JOIN LATERAL (
                   SELECT l.lot_id, l.ctid, l.remaining, l.held, l.funding_type
                     FROM lots AS l
                    WHERE l.store_id = p_store_id AND l.wallet_id = w.wallet_id
                      AND l.status = 'active' AND l.expires_at IS NOT NULL
                      AND l.expires_at <= p_now AND l.remaining > l.held
                   OFFSET 0) AS l) AS e;
    IF v_lot_ids IS NULL THEN
        RETURN jsonb_build_object('transactions', 0, 'lots', 0, 'amount', 0);
    END IF;

    -- Keep the wallets with something to expire, with their expiry transaction's
    -- figures (funding type NULL when their lots mix several).
    SELECT array_agg(w.ord ORDER BY w.ord), array_agg(w.wallet_id ORDER BY w.ord),
           array_agg(w.transaction_id ORDER BY w.ord), array_agg(w.event_id ORDER BY w.ord),
           array_agg(w.customer_id ORDER BY w.ord), array_agg(w.program ORDER BY w.ord),
           array_agg(w.unit ORDER BY w.ord), array_agg(w.bucket ORDER BY w.ord),
           array_agg(w.last_seq + 1 ORDER BY w.ord),
           array_agg(w.balance - t.total ORDER BY w.ord), array_agg(w.held ORDER BY w.ord),
           array_agg(w.row_id ORDER BY w.ord), array_agg(t.total ORDER BY w.ord),
           array_agg(t.funding_type ORDER BY w.ord)
      INTO v_ords, v_wallet_ids, v_transaction_ids, v_event_ids, v_customers, v_programs,
           v_units, v_buckets, v_last_seqs, v_balances, v_helds, v_row_ids, v_totals,
           v_types
      FROM (SELECT l.ord, sum(l.free) AS total,
                   CASE WHEN min(l.funding_type) = max(l.funding_type)
                        THEN min(l.funding_type) END AS funding_type
              FROM unnest(v_lot_ords, v_lot_free, v_lot_types) AS l(ord, free, funding_type)
             GROUP BY l.ord) AS t
      JOIN unnest(v_ords, v_wallet_ids, v_transaction_ids, v_event_ids, v_customers,
                  v_programs, v_units, v_buckets, v_last_seqs, v_balances, v_helds,
                  v_row_ids)
           AS w(ord, wallet_id, transaction_id, event_id, customer_id, program, unit, bucket,
                last_seq, balance, held, row_id)
        ON w.ord = t.ord;

    INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                              unit, amount, balance_after, held_after, funding_type,
                              description, reference, metadata, reverses_transaction_id,
                              hold_id, lot_id, created_at)
    SELECT p_store_id, r.transaction_id, 'expiry', r.wallet_id, r.customer_id, r.program,
           r.unit, r.total, r.balance_after, r.held_after, r.funding_type, 'Credit expired',
           NULL, '{}'::jsonb, NULL, NULL, NULL, p_now
      FROM unnest(v_transaction_ids, v_wallet_ids, v_customers, v_programs, v_units,
                  v_totals, v_balances, v_helds, v_types)
           AS r(transaction_id, wallet_id, customer_id, program, unit, total, balance_after,
                held_after, funding_type);
    INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position,
                             created_at)
    SELECT p_store_id, l.transaction_id, l.lot_id, -l.free, 0, l.position, p_now
      FROM unnest(v_lot_transactions, v_lot_ids, v_lot_free, v_lot_positions)
           AS l(transaction_id, lot_id, free, position);
    UPDATE lots AS l
       SET remaining = l.held,
           status = CASE WHEN l.held = 0 THEN 'expired' ELSE l.status END,
           closed_at = CASE WHEN l.held = 0 THEN p_now ELSE l.closed_at END
      FROM unnest(v_lot_row_ids, v_lot_ids) AS e(row_id, lot_id)
     WHERE l.store_id = p_store_id AND l.ctid = ANY (v_lot_row_ids) AND l.ctid = e.row_id
       AND l.lot_id = e.lot_id;

    UPDATE accounts AS a
       SET balance = a.balance - r.total, debits_posted = a.debits_posted + r.total,
           last_seq = a.last_seq + 1
      FROM unnest(v_row_ids, v_wallet_ids, v_totals) AS r(row_id, wallet_id, total)
     WHERE a.store_id = p_store_id AND a.ctid = ANY (v_row_ids) AND a.ctid = r.row_id
       AND a.account_id = r.wallet_id;
    INSERT INTO postings (store_id, account_id, seq, transaction_id, unit, amount, held_delta,
                          pending_delta, balance_after, held_after, created_at)
    SELECT p_store_id, r.wallet_id, r.seq, r.transaction_id, r.unit, -r.total, 0, 0,
           r.balance_after, r.held_after, p_now
      FROM unnest(v_wallet_ids, v_last_seqs, v_transaction_ids, v_units, v_totals,
                  v_balances, v_helds)
           AS r(wallet_id, seq, transaction_id, unit, total, balance_after, held_after);

    -- Store side: one leg per (wallet, funding type), in wallet order per account.
    SELECT array_agg('acc_expired.' || s.funding_type || '.' || w.unit || '.' || w.bucket
                     ORDER BY s.ord, s.funding_type),
           array_agg(w.transaction_id ORDER BY s.ord, s.funding_type),
           array_agg(s.amount ORDER BY s.ord, s.funding_type)
      INTO v_leg_accounts, v_leg_transactions, v_leg_amounts
      FROM (SELECT l.ord, l.funding_type, sum(l.free) AS amount
              FROM unnest(v_lot_ords, v_lot_free, v_lot_types) AS l(ord, free, funding_type)
             GROUP BY l.ord, l.funding_type) AS s
      JOIN unnest(v_ords, v_transaction_ids, v_units, v_buckets)
           AS w(ord, transaction_id, unit, bucket) ON w.ord = s.ord;
    PERFORM billfold_post_store_legs(p_store_id, v_leg_accounts, v_leg_transactions,
                                     v_leg_amounts, p_now);

    INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at)
    SELECT p_store_id, r.event_id, 'wallet.credit_expired', jsonb_build_object(
               'transaction_id', r.transaction_id, 'type', 'expiry',
               'wallet_id', r.wallet_id, 'customer_id', r.customer_id,
               'program', r.program, 'unit', r.unit, 'amount', r.total,
               'balance_after', r.balance_after, 'held_after', r.held_after,
               'reference', NULL),
           p_now, NULL
      FROM unnest(v_event_ids, v_transaction_ids, v_wallet_ids, v_customers, v_programs,
                  v_units, v_totals, v_balances, v_helds)
           AS r(event_id, transaction_id, wallet_id, customer_id, program, unit, total,
                balance_after, held_after);
    RETURN jsonb_build_object('transactions', cardinality(v_wallet_ids),
                              'lots', cardinality(v_lot_ids),
                              'amount', (SELECT sum(t) FROM unnest(v_totals) AS t));
END
$fn$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POST_STORE_LEGS_FUNCTION)
        op.execute(GRANT_FUNCTION)
        op.execute(SWEEP_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS billfold_sweep_expired(text, timestamptz, text[], "
                   "text[], text[])")
        op.execute("DROP FUNCTION IF EXISTS billfold_grant(text, text, text[], bigint[], "
                   "text[], text[], text[], text[], text[], integer[], text, boolean, "
                   "timestamptz, text, text, timestamptz)")
        op.execute("DROP FUNCTION IF EXISTS billfold_post_store_legs(text, text[], text[], "
                   "bigint[], timestamptz)")
