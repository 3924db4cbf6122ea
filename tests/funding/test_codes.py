"""Wallet codes and the wrong-code throttle, through the domain use cases, on both
databases (the library, SDK and HTTP layers are not wired yet)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from billfold.app import Billfold, Shop
from billfold.clock import FrozenClock
from billfold.errors import BillfoldError
from billfold.funding import codes, throttle


def _create(bf: Billfold, shop: Shop, **kwargs: object) -> tuple[codes.CodeBatch, list[str]]:
    args = {"amount": 500, "program": "main", "count": 2} | kwargs
    return bf.run(lambda c: codes.create_batch(c, store_id=shop.store_id, now=bf.clock.now(),
                                               **args))  # type: ignore[arg-type]


def _redeem(bf: Billfold, shop: Shop, code: str, customer: str) -> object:
    return bf.run(lambda c: codes.redeem_code(c, store_id=shop.store_id, code=code,
                                              customer_id=customer, now=bf.clock.now()))


def _refusal(work: object) -> BillfoldError:
    with pytest.raises(BillfoldError) as caught:
        work()  # type: ignore[operator]
    return caught.value


def test_codes_are_unguessable_grouped_and_read_loosely() -> None:
    code = codes.new_code()
    assert len(code) == 19 and code.count("-") == 3
    assert not set(code) & set("ILOU")
    assert codes.normalise_code(f"  {code.lower().replace('-', ' ')} ") == code.replace("-", "")
    assert codes.normalise_code("x" * 100) is None


def test_redeem_credits_once_per_customer_and_refusals_say_one_thing(
        bf: Billfold, shop: Shop, clock: FrozenClock) -> None:
    batch, plain = _create(bf, shop, max_redemptions=2, expires_at=clock.now() + timedelta(days=1))
    assert len(plain) == 2
    txn = _redeem(bf, shop, plain[0].lower(), "ann")
    assert shop.wallets.get("ann").available == 500
    assert txn.funding_type == "code_redemption"  # type: ignore[attr-defined]
    assert _refusal(lambda: _redeem(bf, shop, plain[0], "ann")).code == "code_already_redeemed"
    _redeem(bf, shop, plain[0], "bob")
    used_up = _refusal(lambda: _redeem(bf, shop, plain[0], "cat"))
    unknown = _refusal(lambda: _redeem(bf, shop, codes.new_code(), "cat"))
    bf.run(lambda c: codes.disable_batch(c, store_id=shop.store_id, batch_id=batch.id,
                                         now=clock.now()))
    disabled = _refusal(lambda: _redeem(bf, shop, plain[1], "cat"))
    assert used_up == unknown == disabled
    assert used_up.code == "invalid_wallet_code" and used_up.status == 400
    assert _refusal(lambda: shop.wallets.get("cat")).code == "customer_not_found"  # nothing made
    got = bf.run(lambda c: codes.get_batch(c, shop.store_id, batch.id))
    assert (got.redeemed, got.status) == (2, "disabled")


def test_expired_code_is_refused_like_an_unknown_one(bf: Billfold, shop: Shop,
                                                     clock: FrozenClock) -> None:
    _batch, plain = _create(bf, shop, expires_at=clock.now() + timedelta(minutes=1))
    clock.advance(120)
    assert _refusal(lambda: _redeem(bf, shop, plain[0], "ann")).code == "invalid_wallet_code"


def test_throttle_refuses_the_eleventh_miss_until_the_window_passes(
        bf: Billfold, shop: Shop, clock: FrozenClock) -> None:
    def reserve() -> object:
        return bf.run(lambda c: throttle.reserve_attempt(
            c, store_id=shop.store_id, customer_id="ann", now=clock.now()))

    for _ in range(throttle.MAX_MISSES_PER_CUSTOMER):
        reserve()
    refused = _refusal(reserve)
    assert refused.status == 429 and refused.retry_after_seconds == 600  # type: ignore[attr-defined]
    clock.advance(throttle.WINDOW_SECONDS)
    kept = reserve()
    bf.run(lambda c: throttle.give_back(c, kept))  # type: ignore[arg-type]
