"""`billfold worker` as a real process, killed with SIGKILL in the middle of a batch and
started again: every event reaches the receiver at least once and is recorded as
delivered exactly once per endpoint, and every expired lot is expired exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from billfold.app import Billfold
from billfold.store.tables import (
    lot_entries,
    lots,
    outbox_events,
    transactions,
    webhook_attempts,
)
from tests.api.test_webhooks import Receiver
from tests.helpers import assert_books_balance

EVENTS = 30
DEADLINE_SECONDS = 90.0


def _worker(database_url: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BILLFOLD_DATABASE_URL": database_url,
           "BILLFOLD_WEBHOOK_ALLOW_PRIVATE": "1", "BILLFOLD_SWEEP_INTERVAL_SECONDS": "0.2",
           "BILLFOLD_WEBHOOK_LEASE_SECONDS": "2", "BILLFOLD_WEBHOOK_RETRY_SECONDS": "1,1,1"}
    return subprocess.Popen([sys.executable, "-m", "billfold.cli", "worker"], cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _until(condition: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_worker_killed_mid_batch_loses_nothing_and_doubles_nothing(
        bf: Billfold, database_url: str, tmp_path: Path) -> None:
    receiver = Receiver()
    receiver.delay_seconds = 0.05  # slow enough for the kill to land mid-batch
    try:
        os.environ["BILLFOLD_WEBHOOK_ALLOW_PRIVATE"] = "1"
        shop = bf.store(bf.create_store("Killed", currency="SAR").id)
        endpoint = shop.webhooks.create(receiver.url)
        for n in range(EVENTS):  # each lot expires a minute after the frozen clock's now,
            shop.wallets.credit(f"cus-{n % 9}", "main", 100 + n,  # long past in real time
                                funding_type="cashback", expires_in="1m")
        first = _worker(database_url, tmp_path)
        _until(lambda: len(receiver.requests) >= 10, "the first deliveries")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        killed_at = len(receiver.requests)
        assert killed_at < 2 * EVENTS, "the kill came after everything was delivered"
        second = _worker(database_url, tmp_path)
        try:
            def all_recorded() -> bool:
                with bf.begin(read_only=True) as conn:
                    done = conn.execute(select(func.count()).select_from(webhook_attempts)
                                        .where(webhook_attempts.c.status == "succeeded")
                                        ).scalar_one()
                    expired = conn.execute(select(func.count()).select_from(lots).where(
                        lots.c.status == "expired")).scalar_one()
                    unpublished, total = conn.execute(select(
                        func.count().filter(outbox_events.c.published_at.is_(None)),
                        func.count()).select_from(outbox_events)).one()
                return expired == EVENTS and unpublished == 0 and done >= total

            _until(all_recorded, "every event delivered and every lot expired")
        finally:
            second.send_signal(signal.SIGINT)
            second.wait(30)
    finally:
        os.environ.pop("BILLFOLD_WEBHOOK_ALLOW_PRIVATE", None)
        receiver.server.shutdown()
        receiver.server.server_close()
    events = [e.id for e in _all_events(shop)]
    assert len(events) > EVENTS  # the credits, and the expiries
    received = {headers["webhook-id"] for headers, _ in receiver.requests}
    assert received == set(events)  # at least once
    with bf.begin(read_only=True) as conn:
        succeeded = Counter(conn.execute(select(webhook_attempts.c.event_id).where(
            webhook_attempts.c.endpoint_id == endpoint.id,
            webhook_attempts.c.status == "succeeded")).scalars().all())
        expiries = Counter(conn.execute(
            select(lot_entries.c.lot_id).select_from(lot_entries.join(transactions, (
                transactions.c.store_id == lot_entries.c.store_id)
                & (transactions.c.transaction_id == lot_entries.c.transaction_id)))
            .where(transactions.c.type == "expiry")).scalars().all())
    assert set(succeeded) == set(events) and set(succeeded.values()) == {1}  # exactly once
    assert len(expiries) == EVENTS and set(expiries.values()) == {1}  # each lot once
    assert_books_balance(bf)


def _all_events(shop: object) -> list[object]:
    found, cursor = [], None
    while True:
        page = shop.events.list(limit=100, starting_after=cursor)  # type: ignore[attr-defined]
        found += page.data
        if not page.has_more:
            return found
        cursor = page.next_cursor
