"""Balance and history reads: what they return, how many statements they cost, and
that a balance read outside a transaction still sees one consistent wallet."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from billfold.app import Billfold, Shop
from billfold.errors import NotFound

READERS_ROUNDS = 300
WRITER_ROUNDS = 150


@contextmanager
def _statements(bf: Billfold) -> Iterator[list[tuple[str, bool]]]:
    """Each statement sent while inside, with whether its connection was in autocommit
    (on PostgreSQL: no BEGIN, no COMMIT round trips around it)."""
    seen: list[tuple[str, bool]] = []

    def record(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append((statement, bool(getattr(conn.connection.driver_connection,
                                             "autocommit", False))))

    event.listen(bf.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(bf.engine, "before_cursor_execute", record)


def test_a_balance_read_is_one_statement(shop: Shop) -> None:
    shop.wallets.credit("ann", "main", 500, funding_type="cash")
    shop.wallets.credit("ann", "main", 300, funding_type="promotional", expires_in="1d")
    with _statements(shop._bf) as seen:
        balance = shop.wallets.get("ann")
    assert (balance.available, dict(balance.by_funding_type)) == (
        800, {"cash": 500, "promotional": 300})
    assert len(seen) == 1
    if shop._bf.engine.dialect.name == "postgresql":
        assert seen[0][1], "a balance read on PostgreSQL runs in autocommit"


def test_a_history_page_is_two_statements(shop: Shop) -> None:
    for amount in (100, 200, 300):
        shop.wallets.credit("ann", "main", amount, funding_type="cash")
    shop.wallets.debit("ann", "main", 450)
    with _statements(shop._bf) as seen:
        page = shop.wallets.list_transactions("ann", limit=2)
    assert [t.type for t in page.data] == ["debit", "credit"]
    assert [e.amount for e in page.data[0].lots] == [-100, -200, -150]
    assert page.has_more and page.next_cursor is not None
    assert len(seen) == 2  # the page, then the lot entries of its transactions
    if shop._bf.engine.dialect.name == "postgresql":
        assert all(autocommit for _, autocommit in seen)
    rest = shop.wallets.list_transactions("ann", limit=2, starting_after=page.next_cursor)
    assert [t.amount for t in rest.data] == [200, 100]
    assert not rest.has_more and rest.next_cursor is None


def test_reads_name_what_is_missing(shop: Shop) -> None:
    shop.customers.create("bob")
    for read in (shop.wallets.get, shop.wallets.list_transactions):
        with pytest.raises(NotFound) as unknown_customer:
            read("nobody")
        assert unknown_customer.value.code == "customer_not_found"
        with pytest.raises(NotFound) as unknown_program:
            read("bob", "nope")
        assert unknown_program.value.code == "program_not_found"
    empty = shop.wallets.get("bob")
    assert (empty.id, empty.available, empty.unit) == (None, 0, "SAR")
    assert shop.wallets.list_transactions("bob").data == []


def test_balance_read_outside_a_transaction_sees_one_wallet(shop: Shop) -> None:
    """Reads race debits and credits: every balance read adds up (its own assertion
    compares the wallet's counters with its lots) and never shows more than was put in."""
    shop.wallets.credit("ann", "main", 10_000, funding_type="cash")
    failures: list[BaseException] = []
    stop = threading.Event()

    def write() -> None:
        try:
            for _ in range(WRITER_ROUNDS):
                shop.wallets.credit("ann", "main", 7, funding_type="promotional", expires_in="1d")
                shop.wallets.debit("ann", "main", 11)
        except BaseException as error:
            failures.append(error)
        finally:
            stop.set()

    def read() -> None:
        try:
            rounds = 0
            while not stop.is_set() or rounds < READERS_ROUNDS // 10:
                balance = shop.wallets.get("ann")
                assert balance.available == sum(balance.by_funding_type.values())
                assert balance.total == balance.available + balance.held
                assert 0 <= balance.available <= 10_000 + 7 * WRITER_ROUNDS
                rounds += 1
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=write), *(threading.Thread(target=read)
                                                 for _ in range(2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert shop.wallets.get("ann").available == 10_000 + (7 - 11) * WRITER_ROUNDS


def test_a_credit_writes_no_entry_for_the_lot_it_makes(shop: Shop) -> None:
    """Lean rows (issue 12): the lot a credit makes is named by the transaction
    (`lot_id`) and made filled; its entry is shown from the lot, never written."""
    from sqlalchemy import func, select

    from billfold.store.tables import lot_entries

    credit = shop.wallets.credit("ann", "main", 500, funding_type="cash")
    grant = shop.wallets.grant("main", [("ann", 70), ("bob", 30)], funding_type="promotional")
    debit = shop.wallets.debit("ann", "main", 550)  # 70 promotional first, then 480 cash
    with shop._bf.begin(read_only=True) as conn:
        written = conn.execute(select(lot_entries.c.transaction_id, func.count())
                               .group_by(lot_entries.c.transaction_id)).all()
    assert dict(written) == {debit.id: 2}  # the debit drew the promotional lot and the cash one
    [made] = credit.lots
    assert made.amount == 500
    assert shop.transactions.get(credit.id) == credit
    usage = shop.lots.usage(made.lot_id)
    assert [(u.transaction_id, u.amount) for u in usage] == [(credit.id, 500), (debit.id, -480)]
    history = shop.wallets.list_transactions("bob").data
    assert [(t.type, [e.amount for e in t.lots]) for t in history] == [("credit", [30])]
    assert grant.transactions == 2
    assert shop._bf.verify().ok
