"""`billfold verify` catches each kind of corruption it promises to catch."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import text

from billfold.app import Billfold, Shop
from billfold.clock import FrozenClock


def _books(shop: Shop, clock: FrozenClock) -> None:
    shop.wallets.credit("alice", "main", 5000, funding_type="cash")
    shop.wallets.credit("alice", "main", 500, funding_type="promotional", expires_in="1d")
    shop.wallets.debit("alice", "main", 700)
    shop.holds.create("alice", "main", 1000)
    shop.wallets.credit("bob", "main", 100, funding_type="cash")


CORRUPTIONS = {
    1: "UPDATE postings SET amount = amount + 1 WHERE seq = 1 AND account_id LIKE 'wal_%' "
       "AND transaction_id = (SELECT MIN(transaction_id) FROM transactions)",
    2: "UPDATE lots SET remaining = remaining - 1, amount = amount WHERE funding_type = 'cash' "
       "AND remaining > 100",
    3: "UPDATE lots SET remaining = amount + 5 WHERE funding_type = 'promotional'",
    4: "UPDATE lots SET status = 'expired' WHERE amount = 100",
    5: "UPDATE holds SET status = 'released'",
    6: "UPDATE accounts SET balance = balance + 10, credits_posted = credits_posted + 10 "
       "WHERE kind = 'store' AND code = 'issued' AND funding_type = 'cash'",
}


def test_clean_books_verify(bf: Billfold, shop: Shop, clock: FrozenClock) -> None:
    _books(shop, clock)
    report = bf.verify()
    assert report.ok, report.render()
    assert report.postings > 0
    assert report.render().startswith("OK")


@pytest.mark.parametrize("invariant", sorted(CORRUPTIONS))
def test_each_corruption_is_caught(bf: Billfold, shop: Shop, clock: FrozenClock,
                                   invariant: int) -> None:
    _books(shop, clock)
    with bf.begin() as conn:
        assert conn.execute(text(CORRUPTIONS[invariant])).rowcount >= 1
    report = bf.verify()
    assert not report.ok
    assert invariant in {p.invariant for p in report.problems}, report.render()
    assert report.render().startswith("FAILED")


def test_running_balance_corruption_is_caught(bf: Billfold, shop: Shop,
                                              clock: FrozenClock) -> None:
    _books(shop, clock)
    with bf.begin() as conn:
        conn.execute(text("UPDATE postings SET balance_after = balance_after + 3 "
                          "WHERE seq = 2 AND account_id LIKE 'wal_%'"))
    checks = {p.check for p in bf.verify().problems}
    assert "each posting's balance-after is the running sum" in checks


def test_verify_command_exits_non_zero_with_a_report(database_url: str, bf: Billfold,
                                                     shop: Shop,
                                                     clock: FrozenClock) -> None:
    _books(shop, clock)
    command = [sys.executable, "-m", "billfold.cli", "verify", "--database-url", database_url]
    clean = subprocess.run(command, capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "the books balance" in clean.stdout
    with bf.begin() as conn:
        conn.execute(text(CORRUPTIONS[3]))
    broken = subprocess.run(command, capture_output=True, text=True, check=False)
    assert broken.returncode == 1
    assert "invariant 3" in broken.stdout
