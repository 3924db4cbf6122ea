from __future__ import annotations

from sqlalchemy import select

from billfold.app import Shop
from billfold.store.tables import outbox_events


def test_every_state_change_writes_an_event_in_its_transaction(shop: Shop) -> None:
    credit = shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    debit = shop.wallets.debit("alice", "main", 100)
    hold = shop.holds.create("alice", "main", 100)
    shop.holds.capture(hold.id)
    shop.holds.release(shop.holds.create("alice", "main", 50).id)
    shop.transactions.reverse(debit.id, description="correction")
    with shop._bf.begin(read_only=True) as conn:
        events = conn.execute(select(outbox_events.c.type, outbox_events.c.payload)
                              .where(outbox_events.c.store_id == shop.store_id)
                              .order_by(outbox_events.c.created_at, outbox_events.c.event_id)).all()
    assert [e.type for e in events] == [
        "wallet.credited", "wallet.debited", "hold.created", "hold.captured", "hold.created",
        "hold.released", "transaction.reversed"]
    assert events[0].payload["transaction_id"] == credit.id
    assert events[0].payload["amount"] == 1000
