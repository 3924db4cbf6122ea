from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billfold.durations import parse_duration_seconds, resolve_expiry
from billfold.errors import InvalidAmount, InvalidRequest, UnknownUnit
from billfold.ids import new_id
from billfold.money import (
    MAX_AMOUNT_MINOR,
    Money,
    apply_basis_points,
    check_amount,
    check_unit,
    precision,
)


@pytest.mark.parametrize(("unit", "places"), [("SAR", 2), ("USD", 2), ("JPY", 0), ("KWD", 3),
                                              ("points", 0)])
def test_precision_comes_from_the_unit(unit: str, places: int) -> None:
    assert precision(unit) == places


@pytest.mark.parametrize("unit", ["XYZ", "sar", "", "US", 5, None, "Points!", "a" * 40])
def test_unknown_units_are_refused(unit: object) -> None:
    with pytest.raises(UnknownUnit) as caught:
        check_unit(unit)
    assert caught.value.code == "unknown_unit"


@pytest.mark.parametrize("amount", [0, -1, MAX_AMOUNT_MINOR + 1, 1.0, 10.5, "100", True, None,
                                    2**70])
def test_amounts_that_move_money_are_positive_bounded_integers(amount: object) -> None:
    with pytest.raises(InvalidAmount) as caught:
        check_amount(amount)
    assert caught.value.param == "amount"
    assert caught.value.status == 400


def test_amount_bounds_are_inclusive() -> None:
    assert check_amount(1) == 1
    assert check_amount(MAX_AMOUNT_MINOR) == MAX_AMOUNT_MINOR


def test_money_formats_without_floats() -> None:
    assert Money(1050, "SAR").format() == "10.50 SAR"
    assert Money(-5, "KWD").format() == "-0.005 KWD"
    assert Money(1200, "JPY").format() == "1200 JPY"


@pytest.mark.parametrize(("amount", "bps", "expected"), [
    (1000, 1500, 150),      # 15 % of 10.00
    (5, 5000, 2),           # 2.5 -> 2 (half to even)
    (15, 5000, 8),          # 7.5 -> 8 (half to even)
    (1, 3333, 0),
    (200_000, 1000, 20_000),
])
def test_basis_points_round_half_to_even(amount: int, bps: int, expected: int) -> None:
    assert apply_basis_points(amount, bps) == expected


@given(st.integers(0, 10**15), st.integers(0, 10_000))
def test_basis_points_stay_within_half_a_minor_unit(amount: int, bps: int) -> None:
    result = apply_basis_points(amount, bps)
    exact_times_10000 = amount * bps
    assert abs(result * 10_000 - exact_times_10000) <= 5_000


@pytest.mark.parametrize(("text", "seconds"), [("30m", 1800), ("12h", 43200), ("90d", 7776000),
                                                ("2w", 1209600), (60, 60), ("45s", 45)])
def test_durations_parse_to_seconds(text: object, seconds: int) -> None:
    assert parse_duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "0m", "-5m", "5x", "1.5h", 0, -1, True, 1.5, "m", None])
def test_bad_durations_are_refused(text: object) -> None:
    with pytest.raises(InvalidRequest):
        parse_duration_seconds(text)


def test_expiry_counts_exactly_from_now() -> None:
    now = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    assert resolve_expiry(now, expires_in="1m") == now + timedelta(seconds=60)
    assert resolve_expiry(now) is None
    with pytest.raises(InvalidRequest):
        resolve_expiry(now, expires_in="1m", expires_at=now + timedelta(days=1))
    with pytest.raises(InvalidRequest):
        resolve_expiry(now, expires_at=now - timedelta(seconds=1))


def test_ids_are_prefixed_and_increase_within_a_process() -> None:
    made = [new_id("txn") for _ in range(2000)]
    assert all(i.startswith("txn_") and len(i) == 30 for i in made)
    assert made == sorted(made)
    assert len(set(made)) == len(made)
