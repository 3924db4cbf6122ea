"""The spending order's two forms — Python key and SQL ORDER BY — always agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from billfold.app import Billfold
from billfold.ledger.lots import lot_from_row, spending_key, spending_order_by
from billfold.store.tables import lots

BASE = datetime(2026, 1, 1, tzinfo=UTC)

LOT = st.tuples(
    st.one_of(st.none(), st.integers(0, 5)),    # expiry, in days (few values: many ties)
    st.booleans(),                               # withdrawable
    st.integers(0, 3),                           # created, in minutes
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(specs=st.lists(LOT, min_size=1, max_size=12),
       strategy=st.sampled_from(["expiry_first", "oldest_first"]))
def test_sql_and_python_spending_orders_agree(bf: Billfold, specs: list, strategy: str) -> None:
    rows = [{
        "store_id": "sto_x", "lot_id": f"lot_{index:04d}", "wallet_id": "wal_x", "unit": "SAR",
        "amount": 100, "remaining": 100, "held": 0, "funding_type": "cash",
        "is_withdrawable": withdrawable,
        "expires_at": None if days is None else BASE + timedelta(days=days),
        "status": "active", "source_type": "test", "source_id": None, "description": None,
        "transaction_id": "txn_x", "created_at": BASE + timedelta(minutes=minutes),
        "closed_at": None,
    } for index, (days, withdrawable, minutes) in enumerate(specs)]
    with bf.begin() as conn:
        conn.execute(delete(lots).where(lots.c.store_id == "sto_x"))
        conn.execute(insert(lots), rows)
        ordered = conn.execute(select(lots).where(lots.c.store_id == "sto_x")
                               .order_by(*spending_order_by(strategy))).all()
        conn.execute(delete(lots).where(lots.c.store_id == "sto_x"))
    from_sql = [row.lot_id for row in ordered]
    models = [lot_from_row(row, BASE) for row in ordered]
    from_python = [lot.id for lot in sorted(models, key=lambda lot: spending_key(lot, strategy))]
    assert from_sql == from_python
