"""`billfold demo`: a store filled with 90 days of activity through the library, whose
books balance, on both backends; and the command itself, on SQLite."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from billfold import demo
from billfold.app import Billfold
from billfold.cli import cli
from billfold.clock import FrozenClock
from billfold.errors import InvalidRequest
from tests.helpers import assert_books_balance

CUSTOMERS = 24


def test_demo_fills_ninety_days_that_the_dashboard_can_show(bf: Billfold,
                                                            clock: FrozenClock) -> None:
    now = clock.now() + timedelta(days=demo.DAYS)
    shop = bf.store(bf.create_store("Demo shop", currency="SAR").id)
    summary = demo.fill(bf, shop.store_id, customers=CUSTOMERS, now=now)

    assert clock.now() == now
    assert len(summary.customer_ids) == CUSTOMERS
    assert summary.orders > CUSTOMERS // 2 and summary.cancelled > 0 and summary.refunds > 0
    stats = shop.stats.get(start=now - timedelta(days=demo.DAYS))
    assert stats.issued > 0 and stats.spent > 0 and stats.expired > 0
    assert stats.cashback.granted > 0 and stats.cashback.voided > 0
    busy_days = [day.date for day in stats.series if day.issued or day.spent]
    assert len(busy_days) >= 40, busy_days
    assert stats.outstanding["points"] > 0 and stats.outstanding["rewards"] > 0
    assert summary.outstanding["main"] == (stats.outstanding["main"], "SAR")
    assert any(shop.customers.get(c).tier for c in summary.customer_ids)
    pending = shop.withdrawals.list(status="pending").data
    assert len(pending) == summary.withdrawals_pending > 0
    assert_books_balance(bf)
    with pytest.raises(InvalidRequest):  # a second fill of the same store moves nothing
        demo.fill(bf, shop.store_id, customers=CUSTOMERS, now=now)


def test_demo_command_fills_a_new_store_and_verify_passes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    runner = CliRunner()
    filled = runner.invoke(cli, ["demo", "--database-url", url, "--customers", "10",
                                 "--seed", "7"])
    assert filled.exit_code == 0, filled.output
    assert "Created store sto_" in filled.output and "Customers: 10" in filled.output
    assert "/dashboard" in filled.output
    checked = runner.invoke(cli, ["verify", "--database-url", url])
    assert checked.exit_code == 0, checked.output
