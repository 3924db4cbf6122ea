"""The statistics' daily sums on Citus: the worker's roll-up (a lock on the store's
mark row, an insert-if-absent, a set of rows) runs on the store's shard, and the
figures and `billfold verify` agree with the transactions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from billfold.app import Billfold
from billfold.clock import FrozenClock
from billfold.store.tables import flow_rollups

pytestmark = pytest.mark.citus


def test_closed_days_roll_up_on_the_stores_shard(citus_test_url: str) -> None:
    from tests.conftest import _empty_postgres_database

    clock = FrozenClock(datetime(2026, 5, 1, 12, tzinfo=UTC))
    bf = Billfold(_empty_postgres_database(citus_test_url), clock=clock)
    try:
        shop = bf.store(bf.create_store("Rolled", currency="SAR").id)
        for day in range(3):
            shop.wallets.credit("ann", "main", 1000 + day, funding_type="cash")
            shop.wallets.debit("ann", "main", 100)
            clock.advance(days=1)
        window = {"start": datetime(2026, 5, 1, tzinfo=UTC),
                  "end": datetime(2026, 5, 5, tzinfo=UTC)}
        before = shop.stats.get(**window)
        assert (before.issued, before.spent) == (3003, 300)
        assert shop.stats.roll_up() == 3  # May 1 to 3; May 4 is today
        assert bf.read(lambda c: c.execute(select(flow_rollups.c.through).where(
            flow_rollups.c.store_id == shop.store_id)).scalar()) == "2026-05-04"
        after = shop.stats.get(**window)
        assert (after.issued, after.spent, after.series) == (before.issued, before.spent,
                                                             before.series)
        assert bf.verify().ok
    finally:
        bf.close()
