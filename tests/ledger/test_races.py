"""The library's mutations that no endpoint calls yet, under concurrency (issue 10):
keys, programs, promises and lot administration each decide from what they
locked, so simultaneous calls leave one winner and balanced books."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from billfold.app import Billfold, Shop
from billfold.errors import AuthenticationFailed
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
