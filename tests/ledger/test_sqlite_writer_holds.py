"""On SQLite a hold, a capture and a release write through store.writer.SqliteWriter.
Run the same random scenario with it and with the SQLAlchemy writer
(`Billfold(fast_paths=False)`): every row of every ledger table, the holds and the outbox must
be the same text in the file (ids aside), the results and refusals the same, a
refusal must move nothing, and the books must verify."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billfold.app import Billfold, Shop
from billfold.clock import FrozenClock
from billfold.contract import Hold
from billfold.errors import BillfoldError, Conflict, InsufficientFunds, InvalidRequest, NotFound
from billfold.ledger import accounts, credit
from billfold.store import writer
from tests.helpers import assert_books_balance
from tests.ledger.sqlite_rows import LEDGER_TABLES, dump_rows, normalise, refusal_of

CUSTOMERS = ["ann", "ben"]
SEED_LOTS = [(1000, "cash", None), (800, "promotional", "1h"), (600, "cashback", "1d"),
             (400, "refund", "2h")]
UNKNOWN_HOLD = "hold_" + "0" * 26
FUNDING = st.sampled_from(["cash", "promotional", "cashback", "refund"])
CREDIT = st.tuples(st.sampled_from(CUSTOMERS), st.sampled_from(["main", "main", "gifts"]),
                   st.integers(1, 2500), FUNDING, st.sampled_from([None, "1h", "1d", "2d"]))
HOLD = st.tuples(st.sampled_from([*CUSTOMERS * 4, "cy", "nobody"]),
                 st.sampled_from(["main"] * 6 + ["gifts", "nope"]),
                 st.one_of(st.integers(1, 1500), st.integers(1, 4000)),
                 st.sampled_from(["10m", "3h", "3d", "+03:00"]), st.integers(0, 2),
                 st.booleans())
# Which hold: an index into those placed so far, modulo their number; -1: none that exists.
PICK = st.integers(-1, 30)
CAPTURE = st.tuples(PICK, st.one_of(st.none(), st.integers(1, 1500), st.integers(1, 4000)),
                    st.booleans(), st.booleans())
# Two holds to start with, drawing several lots each, the soonest expiring first.
OPENING_HOLDS = [("hold", ("ann", "main", 1200, "3d", 2, True)),
                 ("hold", ("ben", "main", 1700, "3h", 0, False))]
STEP = st.one_of(
    st.tuples(st.just("credit"), CREDIT),
    st.tuples(st.just("hold"), HOLD),
    st.tuples(st.just("hold"), HOLD),
    st.tuples(st.just("capture"), CAPTURE),
    st.tuples(st.just("capture"), CAPTURE),
    st.tuples(st.just("release"), st.tuples(PICK, st.booleans())),
    st.tuples(st.just("debit"), st.tuples(st.sampled_from(CUSTOMERS), st.integers(1, 2000))),
    st.tuples(st.just("advance"), st.sampled_from([30, 600, 3600, 3 * 3600, 86_400,
                                                   2 * 86_400])),
    st.tuples(st.just("sweep"), st.sampled_from(["holds", "lots"])),
)


def _hold_call(shop: Shop, clock: FrozenClock, args: Any,
               key: str) -> Callable[[], Any]:
    customer, program, amount, expiry, described, keyed = args
    at = clock.now().astimezone(timezone(timedelta(hours=3))) + timedelta(hours=5)
    return lambda: shop.holds.create(
                customer, program, amount, expires_in=None if expiry == "+03:00" else expiry,
                expires_at=at if expiry == "+03:00" else None,
                reference=f"order-{key}" if described else None,
                metadata={"checkout": key, "n": described} if described == 2 else None,
                idempotency_key=key if keyed else None)


def _settle_call(shop: Shop, kind: str, args: Any, placed: list[str],
                 key: str) -> Callable[[], Any]:
    pick = args[0]
    hold_id = UNKNOWN_HOLD if pick < 0 or not placed else placed[pick % len(placed)]
    if kind == "release":
        return lambda: shop.holds.release(hold_id, idempotency_key=key if args[1] else None)
    _pick, amount, described, keyed = args
    return lambda: shop.holds.capture(hold_id, amount=amount,
                                      description="Order shipped" if described else None,
                                      idempotency_key=key if keyed else None)


def _attempt(call: Callable[[], Any], path: Path, keyed: bool) -> list[Any]:
    """The call's result, or its refusal after checking that it moved nothing and
    that a keyed retry gets the same refusal."""
    before = dump_rows(path)
    try:
        return [call()]
    except BillfoldError as refusal:
        after = dump_rows(path)
        for table in LEDGER_TABLES:
            assert after[table] == before[table], table
        return [refusal.to_dict(), *([refusal_of(call)] if keyed else [])]


def _play(shop: Shop, clock: FrozenClock, path: Path, steps: list[Any]) -> list[Any]:
    outcomes: list[Any] = []
    placed: list[str] = []
    for number, (kind, args) in enumerate(steps):
        key = f"step-{number}"
        if kind == "advance":
            clock.advance(seconds=args)
        elif kind == "sweep":
            outcomes.append(shop.holds.expire_due() if args == "holds" else shop.lots.expire_due())
        elif kind == "credit":
            customer, program, amount, funding, expiry = args
            outcomes.append(shop.wallets.credit(customer, program, amount, funding_type=funding,
                                                expires_in=expiry))
        elif kind == "debit":
            outcomes += _attempt(lambda a=args: shop.wallets.debit(a[0], "main", a[1]), path, False)
        elif kind == "hold":
            outcomes += _attempt(_hold_call(shop, clock, args, key), path, args[-1])
            if isinstance(outcomes[-1], Hold):
                placed.append(outcomes[-1].id)
        else:
            outcomes += _attempt(_settle_call(shop, kind, args, placed, key), path, args[-1])
    return outcomes


def _run(steps: list[Any], use_fast_path: bool) -> tuple[Any, Any]:
    with pytest.MonkeyPatch.context() as patch, \
            tempfile.TemporaryDirectory(prefix="billfold-fast-holds-") as workdir:
        for module in (accounts, credit):
            patch.setattr(module, "bucket_of", lambda wallet_id: 0)  # same store accounts
        path = Path(workdir) / "billfold.db"
        clock = FrozenClock()
        with Billfold(f"sqlite:///{path}", clock=clock, fast_paths=use_fast_path) as bf:
            shop = bf.store(bf.create_store("Twin", currency="SAR").id)
            shop.programs.create("gifts", unit="SAR", spending_strategy="oldest_first")
            shop.wallets.credit("cy", "gifts", 100, funding_type="cash")  # cy has no 'main' wallet
            for customer in CUSTOMERS:  # lots of every kind, soon expiring ones among them
                for amount, funding, expiry in SEED_LOTS:
                    shop.wallets.credit(customer, "main", amount, funding_type=funding,
                                        expires_in=expiry)
            outcomes = _play(shop, clock, path, steps)
            outcomes += [_attempt(lambda c=c: shop.wallets.get(c, "main"), path, False)
                         for c in CUSTOMERS]
            assert_books_balance(bf)
        return normalise(outcomes, _without_fingerprints(dump_rows(path)))


def _without_fingerprints(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, Any]:
    """A keyed capture's fingerprint hashes its hold id, which differs between runs
    (app.py computes it, not the paths under test): compare the rest of the record."""
    # A migrated file's transactions end with request_fingerprint (0011 appended it).
    return {**rows, "idempotency_keys": [(*row[:3], "fingerprint", *row[4:])
                                         for row in rows["idempotency_keys"]],
            "transactions": [(*row[:-1], row[-1] and "fingerprint")
                             for row in rows["transactions"]]}


def _assert_same(steps: list[Any]) -> None:
    fast, python = _run(steps, True), _run(steps, False)
    assert fast[0] == python[0]
    for table in python[1]:
        assert fast[1][table] == python[1][table], table


@settings(max_examples=25)
@given(st.lists(STEP, min_size=1, max_size=20))
def test_fast_holds_and_python_holds_write_the_same_rows(steps: list[Any]) -> None:
    _assert_same([*OPENING_HOLDS, *steps])


def _credits(customer: str) -> list[Any]:
    """Eight lots of every funding type and expiry, for holds that draw many."""
    kinds = [("cash", None), ("promotional", "1h"), ("cashback", "1d"), ("refund", None),
             ("promotional", "2d"), ("cash", "1h"), ("cashback", None), ("refund", "1d")]
    return [("credit", (customer, "main", 300 + 10 * n, funding, expiry))
            for n, (funding, expiry) in enumerate(kinds)]


def test_holds_that_draw_many_lots_capture_in_part_and_lapse_while_held() -> None:
    hold = ("hold", ("ann", "main", 1900, "3d", 2, True))
    steps = [*_credits("ann"), *_credits("ben"), hold, hold, ("hold", ("ben", "main", 2500,
                                                                        "3h", 1, False)),
             ("capture", (0, 1234, True, True)), ("advance", 2 * 3600),
             ("capture", (1, 1900, False, False)),       # its 1h lots lapsed while held
             ("release", (2, True)),                      # so did ben's
             ("capture", (0, None, False, True)),         # already captured
             ("release", (1, False)), ("capture", (-1, None, False, False)),
             ("release", (-1, True)), ("hold", ("ann", "main", 100, "10m", 0, False)),
             ("advance", 600), ("capture", (3, None, False, True)),  # timed out
             ("sweep", "holds"), ("release", (3, True)), ("sweep", "lots")]
    _assert_same(steps)


def test_over_capture_and_timed_out_holds_match() -> None:
    steps = [*_credits("ann"), ("hold", ("ann", "main", 700, "10m", 1, True)),
             ("capture", (0, 701, True, True)), ("advance", 86_400),
             ("capture", (0, 100, False, False)), ("release", (0, False)),
             ("hold", ("ann", "gifts", 5, "3d", 0, True)),
             ("hold", ("cy", "main", 5, "3d", 0, True)),
             ("hold", ("nobody", "main", 5, "3d", 0, True)),
             ("hold", ("ann", "nope", 5, "3d", 0, True)),
             ("hold", ("ann", "main", 99_999, "+03:00", 2, True))]
    _assert_same(steps)


# -- refusals on the fast path -----------------------------------------------------------


@pytest.fixture
def fast_shop(tmp_path: Path) -> Any:
    clock = FrozenClock()
    with Billfold(f"sqlite:///{tmp_path / 'billfold.db'}", clock=clock) as bf:
        assert bf.fast_paths
        shop = bf.store(bf.create_store("Fast", currency="SAR").id)
        shop.wallets.credit("ann", "main", 1000, funding_type="cash")
        shop.wallets.credit("ann", "main", 500, funding_type="promotional", expires_in="1h")
        yield shop, clock, tmp_path / "billfold.db"


def _refused(path: Path, call: Callable[[], Any], error: type[BillfoldError],
             code: str) -> BillfoldError:
    before = dump_rows(path)
    with pytest.raises(error) as caught:
        call()
    assert caught.value.code == code
    assert dump_rows(path) == before, "a refusal moved something"
    return caught.value


def test_fast_hold_refusals(fast_shop: Any) -> None:
    shop, _clock, path = fast_shop
    refused = _refused(path, lambda: shop.holds.create("ann", "main", 1501), InsufficientFunds,
                       "insufficient_funds")
    assert refused.message == "The wallet has 1500 SAR available, 1501 SAR needed."
    _refused(path, lambda: shop.holds.create("ann", "nope", 1), NotFound, "program_not_found")
    _refused(path, lambda: shop.holds.create("nobody", "main", 1), NotFound, "customer_not_found")
    shop.programs.create("gifts", unit="SAR")
    refused = _refused(path, lambda: shop.holds.create("ann", "gifts", 7), InsufficientFunds,
                       "insufficient_funds")
    assert refused.message == "The wallet has 0 SAR available, 7 SAR needed."
    _refused(path, lambda: shop.holds.create("ann", "main", 0), InvalidRequest, "invalid_amount")


def test_fast_capture_and_release_refusals(fast_shop: Any) -> None:
    shop, clock, path = fast_shop
    hold = shop.holds.create("ann", "main", 800, expires_in="10m")
    refused = _refused(path, lambda: shop.holds.capture(hold.id, amount=801), InvalidRequest,
                       "amount_exceeds_hold")
    assert refused.message == "Cannot capture 801: the hold is for 800."
    _refused(path, lambda: shop.holds.capture(hold.id, amount=0), InvalidRequest, "invalid_amount")
    _refused(path, lambda: shop.holds.capture(UNKNOWN_HOLD), NotFound, "hold_not_found")
    _refused(path, lambda: shop.holds.release(UNKNOWN_HOLD), NotFound, "hold_not_found")
    _refused(path, lambda: shop.holds.capture(""), InvalidRequest, "invalid_request")
    clock.advance(minutes=10)
    _refused(path, lambda: shop.holds.capture(hold.id), Conflict, "hold_expired")
    assert shop.holds.release(hold.id).status == "released"   # a timed-out hold may be let go
    for call in (lambda: shop.holds.capture(hold.id), lambda: shop.holds.release(hold.id)):
        refused = _refused(path, call, Conflict, "hold_not_open")
        assert refused.message == "The hold is already released."
    captured = shop.holds.capture(shop.holds.create("ann", "main", 300).id)
    _refused(path, lambda: shop.holds.capture(captured.id), Conflict, "hold_not_open")
    assert shop.wallets.get("ann").available == 1200
    assert_books_balance(shop._bf)


def test_sqlite_movements_take_the_sqlite_writer(fast_shop: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The twin tests would pass if nothing used the SQLite writer: make the SQLAlchemy
    writer's statements fail wherever the SQLite writer has its own."""
    def sqlalchemy_statement(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the SQLAlchemy writer ran")

    shop, _clock, _path = fast_shop
    for name, method in vars(writer.SqliteWriter).items():
        if callable(method) and not name.startswith("_"):
            monkeypatch.setattr(writer.Writer, name, sqlalchemy_statement)
    assert shop.holds.capture(shop.holds.create("ann", "main", 900).id,
                              amount=400).captured_amount == 400
    assert shop.holds.release(shop.holds.create("ann", "main", 100).id).status == "released"
    shop.wallets.credit("ann", "main", 50, funding_type="cash")
    shop.wallets.debit("ann", "main", 150)
    assert shop.wallets.get("ann").available == 1000
