"""The library's mutations that no endpoint calls yet, under concurrency (issue 10):
keys, programs, promises and lot administration each decide from what they
locked, so simultaneous calls leave one winner and balanced books."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import text

from billfold.app import Billfold, Shop
from billfold.app.idempotency import fingerprint
from billfold.app.wallets import Credit
from billfold.errors import AuthenticationFailed
from billfold.store import calls
from billfold.store.engine import LOCK_TIMEOUT_MS
from tests.helpers import assert_books_balance, race_calls

N = 6


def test_keys_created_at_once_are_all_distinct_and_valid(bf: Billfold,
                                                        shop: Shop) -> None:
    made = []
    assert race_calls([lambda: made.append(bf.create_api_key(shop.store_id))] * N) == \
        Counter({"ok": N})
    assert len({key.secret for key in made}) == N
    assert {bf.authenticate(key.secret) for key in made} == {shop.store_id}


def test_one_key_revoked_at_once_is_revoked_once(bf: Billfold, shop: Shop) -> None:
    key = bf.create_api_key(shop.store_id)
    outcomes = race_calls([lambda: bf.revoke_api_key(shop.store_id, key.id)] * N)
    assert outcomes == Counter({"ok": 1, "key_not_found": N - 1})
    with pytest.raises(AuthenticationFailed):
        bf.authenticate(key.secret)


def test_one_program_created_at_once_is_created_once(shop: Shop) -> None:
    outcomes = race_calls([lambda: shop.programs.create("gifts", unit="SAR")] * N)
    assert outcomes == Counter({"ok": 1, "program_exists": N - 1})
    assert "gifts" in shop.settings.get().programs


def test_granting_and_voiding_one_promise_at_once_one_wins(shop: Shop) -> None:
    promise = shop.promises.create("alice", "main", 1500, funding_type="cashback")
    outcomes = race_calls([lambda: shop.promises.grant(promise.id),
                           lambda: shop.promises.void(promise.id)] * (N // 2))
    assert outcomes == Counter({"ok": 1, "promise_not_pending": N - 1})
    status = shop.promises.get(promise.id).status
    balance = shop.wallets.get("alice")
    assert (balance.pending, balance.available) == (0, 1500 if status == "granted" else 0)
    assert_books_balance(shop._bf)


def test_voiding_a_lot_while_it_is_spent_never_overspends(shop: Shop) -> None:
    credit = shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    outcomes = race_calls([lambda: shop.lots.void(credit.lots[0].lot_id, reason="fraud"),
                           lambda: shop.wallets.debit("alice", "main", 400)] * (N // 2))
    assert outcomes["ok"] >= 1
    balance = shop.wallets.get("alice")
    assert balance.available >= 0
    voided = shop.lots.get(credit.lots[0].lot_id).status == "voided"
    debits = [t for t in shop.wallets.list_transactions("alice").data if t.type == "debit"]
    assert balance.available == (0 if voided else 1000 - 400 * len(debits))
    assert_books_balance(shop._bf)


def test_lot_expiry_changed_at_once_ends_at_one_of_the_values(shop: Shop) -> None:
    credit = shop.wallets.credit("alice", "main", 1000, funding_type="cash", expires_in="10d")
    moments = [shop.now.replace(microsecond=0) + timedelta(days=d)
               for d in range(1, N + 1)]
    outcomes = race_calls([lambda m=m: shop.lots.change_expiry(credit.lots[0].lot_id,
                                                               expires_at=m, reason="goodwill")
                            for m in moments])
    assert outcomes == Counter({"ok": N})
    lot = shop.lots.get(credit.lots[0].lot_id)
    assert lot.expires_at in moments
    changes = [t for t in shop.wallets.list_transactions("alice").data
               if t.type == "lot_expiry_change"]
    assert changes[0].metadata["expires_at"] == lot.expires_at.isoformat()  # the last one
    assert_books_balance(shop._bf)


def test_a_keyed_credit_that_meets_its_key_committed_mid_call_replays_it(
        bf: Billfold, shop: Shop) -> None:
    """The race the outside concurrency test finds now and then, made certain: the key
    is free when the call looks, taken (by a transaction still open) when it writes."""
    if not bf.uses_database_functions:
        pytest.skip("one database call per movement is PostgreSQL's path")
    first = Credit(customer_id="alice", program="main", amount=100, funding_type="cash")
    call = first.database_call(shop.store_id, shop.now)
    print_ = fingerprint(first.operation, first.fingerprinted())
    holder = bf.engine.raw_connection()
    try:
        reply = calls.call_in(holder.driver_connection, call.sql,
                              ("the-key", first.operation, print_, None, *call.args))
        second: list[object] = []
        racer = threading.Thread(target=lambda: second.append(
            shop.wallets.credit("alice", "main", 100, funding_type="cash",
                                idempotency_key="the-key")))
        racer.start()
        time.sleep(0.5)  # the racer finds no key, then waits on the open transaction's
        holder.driver_connection.commit()
        racer.join(timeout=30)
    finally:
        holder.close()
    assert len(second) == 1
    assert second[0].id == call.finish(reply).id  # type: ignore[attr-defined]
    assert shop.wallets.get("alice").available == 100
    assert_books_balance(bf)


def test_a_debit_waiting_on_a_locked_wallet_gives_up_whole(bf: Billfold, shop: Shop) -> None:
    """A wallet row locked by a transaction that does not end (on Citus: on its worker,
    where the call is delegated): the debit waits no longer than the bound, then is
    refused and writes nothing, and its key stays free."""
    if not bf.uses_database_functions:
        pytest.skip("SQLite has one writer at a time and its own busy_timeout")
    shop.wallets.credit("ann", "main", 1000, funding_type="cash")
    with bf.engine.connect() as blocker:  # its transaction ends when the block does
        blocker.execute(text("SELECT 1 FROM accounts WHERE store_id = :s FOR UPDATE"),
                        {"s": shop.store_id})
        started = time.monotonic()
        with pytest.raises(psycopg.errors.LockNotAvailable):
            shop.wallets.debit("ann", "main", 300, idempotency_key="stuck-1")
        waited = time.monotonic() - started
    assert LOCK_TIMEOUT_MS / 1000 - 0.5 <= waited < LOCK_TIMEOUT_MS / 1000 + 5
    assert shop.wallets.get("ann").available == 1000
    assert shop.wallets.debit("ann", "main", 300, idempotency_key="stuck-1").amount == 300
    assert shop.wallets.get("ann").available == 700  # the key was not spent on the refusal
    assert_books_balance(bf)
