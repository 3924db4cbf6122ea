from __future__ import annotations

from sqlalchemy import select

from billfold.app import StoreWallets
from billfold.store.tables import outbox_events


def test_every_state_change_writes_an_event_in_its_transaction(shop: StoreWallets) -> None:
    credit = shop.credit("alice", "main", 1000, funding_type="cash")
    debit = shop.debit("alice", "main", 100)
    hold = shop.hold("alice", "main", 100)
    shop.capture(hold.id)
    shop.release(shop.hold("alice", "main", 50).id)
    shop.reverse(debit.id, description="correction")
    with shop._bf.begin(read_only=True) as conn:
        events = conn.execute(select(outbox_events.c.type, outbox_events.c.payload)
                              .where(outbox_events.c.store_id == shop.store_id)
                              .order_by(outbox_events.c.created_at, outbox_events.c.event_id)).all()
    assert [e.type for e in events] == [
        "wallet.credited", "wallet.debited", "hold.created", "hold.captured", "hold.created",
        "hold.released", "transaction.reversed"]
    assert events[0].payload["transaction_id"] == credit.id
    assert events[0].payload["amount"] == 1000
