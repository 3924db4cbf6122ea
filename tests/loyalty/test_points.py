"""Loyalty points through the library, on both databases, and the rules' arithmetic."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billfold.app import Billfold, Shop
from billfold.errors import InvalidRequest
from billfold.loyalty import arithmetic
from billfold.loyalty.arithmetic import Outcome
from billfold.money import parse_percent
from tests.helpers import assert_books_balance


def _points_shop(shop: Shop) -> None:
    shop.settings.update({"programs": {"points": {"unit": "points", "points_per_unit": 100}},
                          "tiers": [{"name": "VIP", "min_points": 1000, "window": "365d"}]})
    shop.loyalty.create_rule("Per 100", program="points", event="purchase",
                             kind="proportional", points=100, per_amount=10000)
    shop.loyalty.create_rule("First order", program="points", event="first_purchase",
                             kind="fixed", points=200)


def test_purchase_points_are_granted_on_fulfilment_and_half_taken_back_on_half_refund(
        shop: Shop, bf: Billfold) -> None:
    _points_shop(shop)
    placed = shop.orders.create("o1", "amira", 25050, currency="SAR", lines=[])
    assert placed.points.pending == 250 + 200
    assert shop.wallets.get("amira", "points").pending == 450
    done = shop.orders.set_status("o1", "completed")
    assert (done.points.pending, done.points.granted) == (0, 450)
    shop.orders.refund("o1", 12525)
    assert shop.orders.get("o1").points.clawed_back == 225
    assert shop.wallets.get("amira", "points").available == 225
    assert_books_balance(bf)


def test_an_event_id_awards_once(shop: Shop) -> None:
    _points_shop(shop)
    shop.loyalty.create_rule("Review", program="points", event="review", kind="fixed",
                             points=20)
    first = shop.loyalty.create_event("review", "amira", id="rev-1")
    again = shop.loyalty.record_event("review", "amira", id="rev-1")
    assert [a.amount for a in first.awarded] == [20] and again.replayed
    assert shop.wallets.get("amira", "points").available == 20


@pytest.mark.parametrize(("fields", "param"), [
    ({"kind": "fixed", "points": 0}, "points"),
    ({"kind": "percent", "percent": "1.234"}, "percent"),
    ({"kind": "proportional", "points": 1, "per_amount": 0}, "per_amount"),
    ({"kind": "random", "outcomes": []}, "outcomes"),
    ({"kind": "random", "outcomes": [{"points": 5, "weight": 0}]}, "outcomes"),
    ({"kind": "bonus", "points": 5}, "kind"),
    ({"kind": "fixed", "points": 5, "program": "nope"}, "program"),
])
def test_a_bad_rule_is_refused_and_creates_nothing(shop: Shop, fields: dict[str, object],
                                                   param: str) -> None:
    _points_shop(shop)
    before = shop.loyalty.list_rules().data
    with pytest.raises(InvalidRequest) as refused:
        shop.loyalty.create_rule("Bad", **{"program": "points", "event": "review", **fields})
    assert refused.value.param == param
    assert shop.loyalty.list_rules().data == before


@given(amount=st.integers(0, 10**12), points=st.integers(1, 10**6),
       per=st.integers(1, 10**9), multiplier=st.integers(1, 10_000))
def test_proportional_award_is_one_floor_after_the_multiplier(
        amount: int, points: int, per: int, multiplier: int) -> None:
    base = arithmetic.proportional_base(amount, points, per)
    assert arithmetic.award_points(base, multiplier) == (amount * points * multiplier
                                                        // (per * 100))
    assert arithmetic.award_points(Fraction(amount * points, per)) == amount * points // per


def test_percent_of_200_sar_at_100_points_per_unit_is_2000_points() -> None:
    ten_percent = parse_percent(10, maximum_percent=arithmetic.MAX_PERCENT)
    base = arithmetic.percent_base(20000, ten_percent, 100, 2)
    assert arithmetic.award_points(base) == 2000


def test_a_random_rule_draws_by_weight_and_replays_from_its_seed() -> None:
    outcomes = (Outcome(5, 1), Outcome(50, 3))
    draws = [arithmetic.draw(outcomes, seed) for seed in range(4000)]
    share = sum(d.outcome == 1 for d in draws) / len(draws)
    assert abs(share - 0.75) < 0.03
    assert all(arithmetic.draw(outcomes, d.seed) == d for d in draws[:50])


def test_a_random_rules_draws_pass_a_chi_square_test_at_fixed_seeds() -> None:
    """Seeds 0..5999 of four outcomes weighted 1:2:3:4: the observed counts fit the
    weights (chi-square with 3 degrees of freedom below 16.27, p = 0.001) and are far
    from what a rule ignoring its weights would draw."""
    outcomes = (Outcome(10, 1), Outcome(20, 2), Outcome(50, 3), Outcome(100, 4))
    counts = [0] * len(outcomes)
    for seed in range(6000):
        counts[arithmetic.draw(outcomes, seed).outcome] += 1
    expected = [6000 * o.weight / 10 for o in outcomes]
    chi_square = sum((c - e) ** 2 / e for c, e in zip(counts, expected, strict=True))
    assert chi_square < 16.27, (counts, chi_square)
    against_uniform = sum((c - 1500) ** 2 / 1500 for c in counts)
    assert against_uniform > 100  # the same counts reject weights the rule does not have


def test_a_tier_is_reached_by_awards_and_lost_when_the_worker_sees_points_age_out(
        shop: Shop, bf: Billfold, clock) -> None:
    _points_shop(shop)
    shop.loyalty.create_rule("Review", program="points", event="review", kind="fixed",
                             points=600)
    shop.loyalty.create_event("review", "amira", id="r1")
    assert (shop.customers.get("amira").tier, shop.customers.get("amira").tier_points) == (
        None, 600)
    clock.advance(days=200)
    shop.loyalty.create_event("review", "amira", id="r2")
    reached = shop.customers.get("amira")
    assert (reached.tier, reached.tier_points) == ("VIP", 1200)
    clock.advance(days=170)  # the first award is now 370 days old: out of the 365d window
    bf.sweep()
    aged = shop.customers.get("amira")
    assert (aged.tier, aged.tier_points) == (None, 600)
    assert_books_balance(bf)


def test_an_admin_credits_and_debits_points_with_a_reason_like_money(shop: Shop,
                                                                     bf: Billfold) -> None:
    _points_shop(shop)
    given_ = shop.wallets.credit("amira", "points", 500, funding_type="manual_adjustment",
                                 description="Goodwill for a late parcel")
    taken = shop.wallets.debit("amira", "points", 120, description="Correction of a double award")
    assert (given_.description, taken.description) == ("Goodwill for a late parcel",
                                                       "Correction of a double award")
    wallet = shop.wallets.get("amira", "points")
    assert (wallet.unit, wallet.available) == ("points", 380)
    history = shop.wallets.list_transactions("amira", "points").data
    assert [(t.type, t.amount, t.description) for t in history] == [
        ("debit", 120, "Correction of a double award"),
        ("credit", 500, "Goodwill for a late parcel")]
    assert_books_balance(bf)
