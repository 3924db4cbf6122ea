"""On SQLite every movement writes through store.writer.SqliteWriter (fixed SQL on the
raw sqlite3 connection); `Billfold(fast_paths=False)` writes the same plan through
SQLAlchemy Core (store.writer.Writer). Run the same random scenario with both: every row
of every ledger table must be the same text in the file (ids aside), the results and
refusals the same, and a refusal must move nothing."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billfold.app import Billfold, Shop, idempotency
from billfold.clock import FrozenClock
from billfold.errors import BillfoldError
from billfold.ledger import accounts, credit
from billfold.store import writer
from billfold.store.engine import sqlite_time
from tests.helpers import assert_books_balance
from tests.ledger.sqlite_rows import LEDGER_TABLES, dump_rows, normalise, refusal_of

CUSTOMERS = ["ann", "ben"]
FUNDING = st.sampled_from(["cash", "promotional", "cashback", "refund", "manual_adjustment"])
EXPIRY = st.sampled_from([None, None, "1h", "1d", "2d", "30d"])
CREDIT = st.tuples(st.sampled_from(CUSTOMERS), st.sampled_from(["main", "gifts", "rewards"]),
                   st.integers(1, 3000), FUNDING, EXPIRY, st.sampled_from([None, True, False]),
                   st.integers(0, 2))
DEBIT = st.tuples(st.sampled_from([*CUSTOMERS, "cy", "nobody"]),
                  st.sampled_from(["main", "gifts", "rewards", "nope"]),
                  st.integers(1, 6000), st.sampled_from([None, "order"]))
STEP = st.one_of(
    st.tuples(st.just("credit"), CREDIT),
    st.tuples(st.just("debit"), DEBIT),
    st.tuples(st.just("hold"), st.tuples(st.sampled_from(CUSTOMERS), st.integers(1, 1500))),
    st.tuples(st.just("advance"), st.sampled_from([30, 3600, 86_400, 2 * 86_400])),
)


def _play(shop: Shop, clock: FrozenClock, path: Path, steps: list[Any]) -> list[Any]:
    outcomes: list[Any] = []
    for number, (kind, args) in enumerate(steps):
        key = f"step-{number}"
        if kind == "advance":
            clock.advance(seconds=args)
        elif kind == "hold":
            customer, amount = args
            try:
                outcomes.append(shop.holds.create(customer, "main", amount, expires_in="3d"))
            except BillfoldError as refusal:
                outcomes.append(refusal.to_dict())
        elif kind == "credit":
            customer, program, amount, funding, expiry, withdrawable, described = args
            outcomes.append(shop.wallets.credit(
                        customer, program, amount, funding_type=funding, expires_in=expiry,
                        withdrawable=withdrawable, idempotency_key=key if described else None,
                        description="gift" if described == 2 else None,
                        reference="r-1" if described else None,
                        metadata={"n": number, "ok": True} if described == 2 else None))
        else:
            customer, program, amount, reference = args
            before = dump_rows(path)
            try:
                outcomes.append(shop.wallets.debit(
                            customer, program, amount, reference=reference, idempotency_key=key,
                            description="order" if reference else None,
                            metadata={"channel": "web"} if reference else None))
            except BillfoldError as refusal:
                after = dump_rows(path)
                for table in LEDGER_TABLES:  # a refusal moves nothing
                    assert after[table] == before[table], table
                outcomes.append(refusal.to_dict())
                # The replay returns the stored refusal and still moves nothing.
                outcomes.append(refusal_of(lambda c=customer, p=program, a=amount, r=reference,
                                        k=key: shop.wallets.debit(
                    c, p, a, reference=r, idempotency_key=k,
                    description="order" if r else None,
                    metadata={"channel": "web"} if r else None)))
    return outcomes


def _run(steps: list[Any], use_fast_path: bool) -> tuple[Any, Any]:
    with pytest.MonkeyPatch.context() as patch, \
            tempfile.TemporaryDirectory(prefix="billfold-fast-") as workdir:
        # The same store accounts in both runs.
        for module in (accounts, credit):
            patch.setattr(module, "bucket_of", lambda wallet_id: 0)
        path = Path(workdir) / "billfold.db"
        clock = FrozenClock()
        with Billfold(f"sqlite:///{path}", clock=clock, fast_paths=use_fast_path) as bf:
            shop = bf.store(bf.create_store("Twin", currency="SAR").id)
            shop.programs.create("gifts", unit="SAR", spending_strategy="oldest_first")
            shop.programs.create("rewards", unit="SAR", expires_in="30d")
            shop.wallets.credit("cy", "gifts", 100, funding_type="cash")  # cy has no 'main' wallet
            outcomes = _play(shop, clock, path, steps)
            outcomes.append(refusal_of(lambda: shop.wallets.credit("ann", "nope", 1,
                                                                   funding_type="cash")))
            outcomes.append([shop.wallets.get(c, "main") for c in CUSTOMERS if _has_wallet(
                    shop, c)])
            assert_books_balance(bf)
        return normalise(outcomes, dump_rows(path))


def _has_wallet(shop: Shop, customer: str) -> bool:
    try:
        shop.wallets.get(customer, "main")
    except BillfoldError:
        return False
    return True


def _assert_same(steps: list[Any]) -> None:
    fast, python = _run(steps, True), _run(steps, False)
    assert fast[0] == python[0]
    for table in python[1]:
        assert fast[1][table] == python[1][table], table


@settings(max_examples=30)
@given(st.lists(STEP, min_size=1, max_size=14))
def test_sqlite_writer_and_sqlalchemy_writer_write_the_same_rows(steps: list[Any]) -> None:
    _assert_same(steps)


def test_fast_path_draws_many_lots_and_marks_emptied_lots_spent() -> None:
    credits = [("credit", ("ann", "main", 100 + n, funding, expiry, None, n % 3))
               for n, (funding, expiry) in enumerate(
                   [("cash", None), ("promotional", "1d"), ("cashback", "2d"),
                    ("refund", None), ("promotional", "1h"), ("cash", "30d")] * 3)]
    steps = [*credits, ("hold", ("ann", 250)), ("advance", 30),
             ("debit", ("ann", "main", 900, "order")), ("debit", ("ann", "main", 99_999, None)),
             ("advance", 3600), ("debit", ("ann", "main", 700, None)),
             ("debit", ("nobody", "main", 1, None)), ("debit", ("ann", "nope", 1, None)),
             ("debit", ("cy", "main", 5, None))]
    _assert_same(steps)


def test_fast_path_time_text_matches_sqlalchemy() -> None:
    when = FrozenClock().advance(seconds=1.5)
    assert sqlite_time(when) == "2026-01-01 00:00:01.500000"
    assert sqlite_time(when + timedelta(hours=3)).endswith("03:00:01.500000")


def test_raw_idempotency_record_is_stored_as_sqlalchemy_stores_it(tmp_path: Path) -> None:
    """The SQLite writer keeps idempotency records on the raw sqlite3 connection; the row
    must not change form from what SQLAlchemy Core writes."""
    path = tmp_path / "billfold.db"
    now = FrozenClock().advance(seconds=0.25)
    response = {"id": "txn_1", "amount": 5, "lots": [["lot_1", "cash", -5, 0]], "x": None}
    record = ("debit", "f" * 64, idempotency.ERROR, 402, response)
    with Billfold(f"sqlite:///{path}") as bf, bf.begin() as conn:
        plain, raw = writer.Writer(conn), writer.writer(conn)
        assert isinstance(raw, writer.SqliteWriter)
        assert plain.add_idempotency_record("sto_1", "through-sqlalchemy", *record[:3],
                                            402, response, now)
        assert raw.add_idempotency_record("sto_1", "raw", *record[:3], 402, response, now)
        assert not raw.add_idempotency_record("sto_1", "raw", "debit", "f" * 64,
                                              idempotency.OK, None, {}, now)
        assert raw.idempotency_record("sto_1", "through-sqlalchemy") == record
        assert plain.idempotency_record("sto_1", "raw") == record
        found = idempotency.find(conn, "sto_1", "raw", "debit", "f" * 64)
        assert found == idempotency.Record(*record)
    rows = sorted(dump_rows(path)["idempotency_keys"], key=lambda row: row[1])
    assert [row[:1] + row[2:] for row in rows[0:1]] == [row[:1] + row[2:] for row in rows[1:]]
