"""The one rounding rule of commerce: integers only, half-even per line, the
remainder to the largest line, so parts always add up to the whole.

- A percentage of an amount is `money.apply_basis_points` (half to even).
- A percentage of an order with lines: the whole is the percentage of the lines'
  total; each line gets its own half-even share; what those shares miss or
  overshoot (a few minor units at most) goes to the largest line (the first of
  equal largest) — and when an overshoot is more than that line's share (many
  tiny equal lines), on to the next largest, never below zero. So the lines'
  cashback adds up to the order's cashback.
- A proportion (a refund's share of the cashback) is `whole * part / of`,
  half to even; cumulative proportions are used so repeated partial refunds
  never drift: the n-th refund takes `share(total refunded) - share(before)`.
"""

from __future__ import annotations

from billfold.money import BASIS_POINTS_PER_WHOLE, apply_basis_points


def divide_half_even(numerator: int, denominator: int) -> int:
    """`numerator / denominator` for non-negative integers, rounded half to even."""
    assert numerator >= 0 and denominator > 0
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def proportion(whole: int, part: int, of: int) -> int:
    """The share of `whole` that `part` is of `of` (0 <= part <= of), half-even."""
    assert 0 <= part <= of and of > 0 and whole >= 0
    return divide_half_even(whole * part, of)


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` over `weights` in proportion: half-even per part, remainder to the
    largest weight. The parts sum to `total` exactly."""
    assert total >= 0 and weights and all(w >= 0 for w in weights)
    weight_sum = sum(weights)
    if weight_sum == 0:
        parts = [0] * len(weights)
        parts[0] = total
        return parts
    parts = [divide_half_even(total * w, weight_sum) for w in weights]
    return _settle_remainder(parts, weights, total)


def percent_of_lines(line_amounts: list[int], basis_points: int) -> list[int]:
    """Each line's part of `basis_points` of the lines' total (see module docstring)."""
    assert 0 <= basis_points <= BASIS_POINTS_PER_WHOLE
    whole = apply_basis_points(sum(line_amounts), basis_points)
    parts = [apply_basis_points(amount, basis_points) for amount in line_amounts]
    return _settle_remainder(parts, line_amounts, whole)


def _settle_remainder(parts: list[int], weights: list[int], whole: int) -> list[int]:
    """Give `whole - sum(parts)` to the largest weight's part; an overshoot larger than
    that part goes on to the next largest, so no part is negative."""
    order = sorted(range(len(weights)), key=lambda i: (-weights[i], i))
    parts = list(parts)
    parts[order[0]] += max(whole - sum(parts), 0)
    for index in order:
        over = sum(parts) - whole
        if over <= 0:
            break
        taken = min(over, parts[index])
        parts[index] -= taken
    assert sum(parts) == whole and all(p >= 0 for p in parts)
    return parts


MAX_PERCENT_DECIMALS = 2




def format_percent(basis_points: int) -> str:
    """1250 → '12.50': a percentage as a decimal string (never a float)."""
    whole, cents = divmod(basis_points, 100)
    return f"{whole}.{cents:02d}"
