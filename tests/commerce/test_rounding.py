"""The one rounding rule: integers, half-even per line, remainder to the largest line;
parts always add up to the whole."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billfold.commerce.rounding import (
    allocate,
    format_percent,
    percent_of_lines,
    proportion,
)
from billfold.errors import InvalidRequest
from billfold.money import apply_basis_points, parse_percent

LINES = st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=30)
BASIS_POINTS = st.integers(min_value=0, max_value=10_000)


@given(LINES, BASIS_POINTS)
def test_line_parts_add_up_to_the_percentage_of_the_total(lines: list[int], bp: int) -> None:
    parts = percent_of_lines(lines, bp)
    assert sum(parts) == apply_basis_points(sum(lines), bp)
    assert all(part >= 0 for part in parts)
    largest = max(range(len(lines)), key=lambda i: (lines[i], -i))
    for index, (amount, part) in enumerate(zip(lines, parts, strict=True)):
        if index != largest and part != 0:
            assert abs(Decimal(part) - Decimal(amount) * bp / 10_000) <= Decimal("0.5")


@given(st.integers(min_value=0, max_value=10**12),
       st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20))
def test_allocation_adds_up(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total and all(p >= 0 for p in parts)


@given(st.integers(min_value=0, max_value=10**12), st.data())
def test_cumulative_proportions_never_drift(whole: int, data: st.DataObject) -> None:
    of = data.draw(st.integers(min_value=1, max_value=10**9))
    steps = data.draw(st.lists(st.integers(min_value=1, max_value=of), max_size=10))
    done = taken = 0
    for step in steps:
        step = min(step, of - done)
        done += step
        share = proportion(whole, done, of) - taken
        assert share >= 0
        taken += share
    if done == of:
        assert taken == whole


def test_half_even_examples() -> None:
    assert percent_of_lines([5, 15], 5000) == [2, 8]  # 2.5 -> 2, 7.5 -> 8
    assert percent_of_lines([3] * 7, 5000) == [0, 2, 2, 2, 2, 1, 1] or sum(
        percent_of_lines([3] * 7, 5000)) == 10
    assert proportion(3000, 15000, 30000) == 1500


@pytest.mark.parametrize(("given_value", "basis_points"), [
    (15, 1500), ("12.5", 1250), (12.34, 1234), ("0.01", 1), (100, 10_000), (Decimal("7.1"), 710)])
def test_percent_is_parsed_exactly(given_value: object, basis_points: int) -> None:
    assert parse_percent(given_value) == basis_points


@pytest.mark.parametrize("bad", [12.345, "12.345", 0, -1, 100.01, "abc", True, None, [15],
                                 float("nan"), "1e1000"])
def test_percent_with_more_decimals_or_out_of_range_is_refused(bad: object) -> None:
    with pytest.raises(InvalidRequest):
        parse_percent(bad)


def test_percent_renders_as_a_string() -> None:
    assert format_percent(1250) == "12.50" and format_percent(5) == "0.05"
