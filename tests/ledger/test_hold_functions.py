"""On PostgreSQL placing, capturing and releasing a hold are one call each of
`billfold_hold`, `billfold_capture` and `billfold_release` (keyed: the `_keyed`
variants, the idempotency record included); inside a caller's transaction
(checkout, the hold sweep) the same functions run unkeyed. Run one scenario of
holds both ways on PostgreSQL: the outcomes, the books, the holds and the stored
idempotency records must match row for row (ids aside), and the books verify."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from billfold.app import Billfold, Shop
from billfold.clock import FrozenClock
from billfold.errors import BillfoldError
from billfold.ledger import accounts, credit
from billfold.ledger.models import Hold
from billfold.store.tables import transactions
from tests.conftest import _empty_postgres_database
from tests.helpers import OBJECT_ID, assert_books_balance, race_calls, rename_ids, snapshot

# Microseconds, so stored results show both paths encode datetimes alike.
_START = datetime(2026, 1, 1, 8, 30, 0, 250_000, tzinfo=UTC)


def _refusal(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(BillfoldError) as caught:
        call()
    return caught.value.to_dict()


def _twice(call: Callable[[], Any]) -> Any:
    """A keyed call and its replay, which must return (or raise) the same."""
    try:
        first = call()
    except BillfoldError as refusal:
        assert _refusal(call) == refusal.to_dict()
        return refusal.to_dict()
    assert call() == first
    return first


def _draw_capture_release(shop: Shop, clock: FrozenClock) -> list[Any]:
    """Several lots drawn, partial and full capture, release, refusals, replays."""
    shop.programs.create("gifts", unit="SAR", spending_strategy="oldest_first")
    shop.wallets.credit("ann", "main", 300, funding_type="promotional", expires_in="1d")
    shop.wallets.credit("ann", "main", 400, funding_type="cashback", expires_in="2d")
    shop.wallets.credit("ann", "main", 500, funding_type="cash")
    shop.wallets.credit("ann", "main", 600, funding_type="refund")
    shop.wallets.credit("ann", "gifts", 300, funding_type="cash")
    clock.advance(seconds=1)
    shop.wallets.credit("ann", "gifts", 200, funding_type="promotional", expires_in="1h")
    out: list[Any] = []
    first = _twice(lambda: shop.holds.create("ann", "main", 1000, expires_in="3d", reference="o-1",
                                             metadata={"cart": "c-1"}, idempotency_key="hold-1"))
    out.append(first)
    out.append(_twice(lambda: shop.holds.capture(first.id, amount=450, description="order 1",
                                                 idempotency_key="capture-1")))
    out.append(_twice(lambda: shop.holds.capture(first.id, idempotency_key="capture-again")))
    out.append(_refusal(lambda: shop.holds.capture(first.id, amount=1,
                                                   idempotency_key="capture-1")))
    out.append(_refusal(lambda: shop.holds.create("ann", "main", 5, idempotency_key="capture-1")))
    out.append(_refusal(lambda: shop.holds.release(first.id)))
    gifts = shop.holds.create("ann", "gifts", 400)
    out.append(shop.holds.capture(gifts.id))
    third = _twice(lambda: shop.holds.create("ann", "main", 300, idempotency_key="hold-3"))
    out.append(_twice(lambda: shop.holds.release(third.id, idempotency_key="release-3")))
    fourth = shop.holds.create("ann", "main", 500, expires_in="5d")
    out.append(fourth)
    for refused in (lambda: shop.holds.capture(fourth.id, amount=501),
                    lambda: shop.holds.capture(fourth.id, amount=0),
                    lambda: shop.holds.capture(fourth.id, amount=True),  # type: ignore[arg-type]
                    lambda: shop.holds.capture("hold_missing"),
                    lambda: shop.holds.capture("hold_missing", amount=0),
                    lambda: shop.holds.release("hold_missing", idempotency_key="release-missing"),
                    lambda: shop.holds.create("ann", "main", 100_000),
                    lambda: shop.holds.create("nobody", "main", 1),
                    lambda: shop.holds.create("ann", "nope", 1),
                    lambda: shop.holds.create("ann", "gifts", 1, expires_in="40d"),
                    lambda: shop.holds.create("ann", "main", 0)):
        out.append(_refusal(refused))
    out.append(_twice(lambda: shop.holds.create("ann", "main", 100_000,
                                                idempotency_key="too-much")))
    clock.advance(days=2, hours=1)  # the cashback lot fourth holds has lapsed
    out.append(_twice(lambda: shop.holds.capture(fourth.id, amount=100, idempotency_key="cap-4")))
    out.append(shop.wallets.get("ann", "main"))
    return out


def _expired_holds(shop: Shop, bf: Billfold, clock: FrozenClock) -> list[Any]:
    """Holds past their time: capture refused, release and the sweep let go of them,
    and held lots that lapsed meanwhile expire then."""
    shop.wallets.credit("bob", "main", 300, funding_type="promotional", expires_in="1d")
    shop.wallets.credit("bob", "main", 200, funding_type="cash")
    shop.wallets.credit("cy", "main", 250, funding_type="cashback", expires_in="1d")
    shop.wallets.credit("cy", "main", 50, funding_type="cashback", expires_in="2h")
    bob = shop.holds.create("bob", "main", 400, expires_in="2h")
    cy = shop.holds.create("cy", "main", 200, expires_in="2h", reference="o-cy")
    clock.advance(days=1, minutes=1)
    out: list[Any] = [
        _twice(lambda: shop.holds.capture(bob.id, idempotency_key="capture-late")),
        _twice(lambda: shop.holds.release(bob.id, idempotency_key="release-late")),
        bf.sweep(),
        shop.holds.get(cy.id),
        shop.wallets.get("bob", "main"),
        shop.wallets.get("cy", "main"),
    ]
    return out


def _checkouts(shop: Shop, clock: FrozenClock) -> list[Any]:
    """Checkout places, captures and releases holds inside its own transaction."""
    shop.wallets.credit("dee", "main", 700, funding_type="cash", expires_in="30d")
    shop.wallets.credit("dee", "main", 900, funding_type="refund")
    paid = shop.checkouts.create("dee", "o-10", 1000, currency="SAR")
    dropped = shop.checkouts.create("dee", "o-11", 400, currency="SAR")
    clock.advance(minutes=1)
    return [paid, dropped, shop.checkouts.complete(paid.id), shop.checkouts.cancel(dropped.id),
            shop.wallets.get("dee", "main")]


def _scenario(bf: Billfold, clock: FrozenClock) -> list[Any]:
    shop = bf.store(bf.create_store("Twin holds", currency="SAR").id)
    return [*_draw_capture_release(shop, clock), *_expired_holds(shop, bf, clock),
            *_checkouts(shop, clock)]


def _ids_in(value: Any, found: set[str]) -> set[str]:
    if isinstance(value, str) and OBJECT_ID.match(value):
        found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _ids_in(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _ids_in(item, found)
    return found


def _run(url: str, use_functions: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    for module in (accounts, credit):  # the same store accounts in both runs
        monkeypatch.setattr(module, "bucket_of", lambda wallet_id: 0)
    clock = FrozenClock(_START)
    with Billfold(_empty_postgres_database(url), clock=clock,
                  fast_paths=use_functions) as bf:
        outcomes = _scenario(bf, clock)
        assert_books_balance(bf)
        books = snapshot(bf, with_idempotency=True)
    names: dict[str, str] = {}
    # Name ids in creation order (ids grow monotonically within this process), ids
    # inside stored JSON (idempotency responses, event payloads) included.
    for value in sorted(_ids_in(list(books.values()), set())):
        rename_ids(value, names)
    # A request's fingerprint hashes its hold id, which differs between runs: both
    # paths take it from the same Python (idempotency.fingerprint); compare the rest.
    books["idempotency_keys"] = [(*row[:3], "<fingerprint>", *row[4:])
                                 for row in books["idempotency_keys"]]
    at = [column.name for column in transactions.columns].index("request_fingerprint")
    books["transactions"] = [(*row[:at], row[at] and "<fingerprint>", *row[at + 1:])
                             for row in books["transactions"]]
    normalised_books = {table: sorted(map(repr, rename_ids(rows, names)))
                        for table, rows in books.items()}
    return rename_ids(outcomes, names), normalised_books


def test_hold_functions_and_python_path_agree(postgres_test_url: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with_functions = _run(postgres_test_url, True, monkeypatch)
    in_python = _run(postgres_test_url, False, monkeypatch)
    assert with_functions[0] == in_python[0]
    for table in with_functions[1]:
        assert with_functions[1][table] == in_python[1][table], table


def test_scenario_exercises_what_it_claims(postgres_test_url: str) -> None:
    """The scenario above really expires held lots, refuses, replays and sweeps."""
    clock = FrozenClock()
    with Billfold(_empty_postgres_database(postgres_test_url), clock=clock) as bf:
        outcomes = _scenario(bf, clock)
        books = snapshot(bf, with_idempotency=True)
    codes = {o["code"] for o in outcomes if isinstance(o, dict) and "code" in o}
    assert codes >= {"hold_not_open", "idempotency_conflict", "amount_exceeds_hold",
                     "invalid_amount", "hold_not_found", "insufficient_funds",
                     "customer_not_found", "program_not_found", "invalid_request",
                     "hold_expired"}
    types = [row[2] for row in books["transactions"]]
    assert types.count("expiry") >= 3 and types.count("release") >= 4
    statuses = sorted(row[8] for row in books["holds"])
    assert {"captured", "released", "expired"} <= set(statuses)
    # Refusals keep a record of their own; a keyed success is its transaction row.
    assert {row[4] for row in books["idempotency_keys"]} == {"error"}
    at = [column.name for column in transactions.columns].index("idempotency_key")
    assert any(row[at] is not None for row in books["transactions"])


def test_racing_captures_and_releases_settle_a_hold_once(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    hold = shop.holds.create("alice", "main", 600)
    calls: list[Callable[[], object]] = [lambda: shop.holds.capture(hold.id, amount=100),
                                         lambda: shop.holds.release(hold.id)] * 5
    outcomes = race_calls(calls)
    assert outcomes == {"ok": 1, "hold_not_open": 9}
    balance = shop.wallets.get("alice")
    assert balance.held == 0 and balance.total in (900, 1000)
    assert_books_balance(shop._bf)


def test_identical_keyed_holds_at_once_hold_once(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    placed: list[Hold] = []

    def hold() -> None:
        placed.append(shop.holds.create("alice", "main", 700, idempotency_key="checkout-7"))

    assert race_calls([hold] * 10) == {"ok": 10}
    assert len({h.id for h in placed}) == 1
    balance = shop.wallets.get("alice")
    assert (balance.available, balance.held) == (300, 700)
    assert_books_balance(shop._bf)


def test_datetimes_are_stored_as_python_encodes_them(postgres_test_url: str) -> None:
    """A replayed capture or release decodes what the function stored (codec.encode)."""
    moments = [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 9, 3, 4, 5, 6, tzinfo=UTC),
               datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)]
    with Billfold(_empty_postgres_database(postgres_test_url)) as bf, bf.begin() as conn:
        for moment in moments:
            stored = conn.execute(text("SELECT billfold_isoformat(:moment)"),
                                  {"moment": moment}).scalar_one()
            assert stored == moment.isoformat()
