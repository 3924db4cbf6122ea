"""The arithmetic of earning rules (API.md "Loyalty points"): pure functions, integers
and exact fractions only, one rounding — down, to a whole point — after every
multiplier.

- `fixed`: `points` per event.
- `percent`: points worth `percent` of the amount at the program's rate:
  `amount_minor * basis_points / 10_000 * points_per_unit / 10^precision`
  (10 % of 200.00 SAR at 100 points per 1.00 is 2,000 points).
- `proportional`: `amount_minor * points / per_amount`, as a rate
  (100 points per 100.00 on 250.50 is 250 points).
- `random`: the points of the outcome drawn (see `draw`).

An award is `floor(base * seasonal multiplier * tier multiplier)`, computed as
one exact fraction: multipliers are hundredths (`2.5` is 250), percentages basis
points. A draw is replayable: `draw(outcomes, seed)` is deterministic, and the
seed (OS randomness, `new_seed`) is stored with the award.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from billfold.errors import InvalidRequest

HUNDREDTHS_PER_WHOLE = 100
BASIS_POINTS_PER_WHOLE = 10_000
MAX_MULTIPLIER_HUNDREDTHS = 100 * HUNDREDTHS_PER_WHOLE  # *100 at most
MAX_PERCENT_BASIS_POINTS = 100 * 100 * 10  # 1,000 %
SEED_BITS = 53  # a seed survives JSON as a number everywhere
PERIODS = ("day", "week", "month", "year", "lifetime")


@dataclass(frozen=True, slots=True)
class Outcome:
    points: int
    weight: int


@dataclass(frozen=True, slots=True)
class Draw:
    """A random rule's draw: replay `draw(outcomes, seed)` to audit it."""

    seed: int
    roll: int
    outcome: int  # index into the rule's outcomes
    points: int


def parse_hundredths(value: object, *, param: str, maximum: int) -> int:
    """A positive decimal with at most two decimals (an int, a decimal string, or a JSON
    number parsed to float, read through its shortest decimal form) as hundredths,
    exactly: `2` → 200, `"1.25"` → 125; `1.255` and `0` are refused."""
    refusal = InvalidRequest(f"{param} must be a number above 0 and at most "
                             f"{maximum // 100} with at most two decimals.", param=param)
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise refusal
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise refusal from None
    if not number.is_finite() or number <= 0:
        raise refusal
    hundredths = number * 100
    if hundredths != hundredths.to_integral_value() or hundredths > maximum:
        raise refusal
    return int(hundredths)


def parse_multiplier(value: object, *, param: str = "multiplier") -> int:
    return parse_hundredths(value, param=param, maximum=MAX_MULTIPLIER_HUNDREDTHS)


def parse_percent(value: object, *, param: str = "percent") -> int:
    """A percentage (15 = 15 %, at most two decimals) as basis points."""
    return parse_hundredths(value, param=param, maximum=MAX_PERCENT_BASIS_POINTS)


def format_hundredths(value: int) -> str:
    """250 → '2.50' (never a float)."""
    whole, cents = divmod(value, 100)
    return f"{whole}.{cents:02d}"


def fixed_base(points: int) -> Fraction:
    return Fraction(points)


def percent_base(amount_minor: int, basis_points: int, points_per_unit: int,
                 precision: int) -> Fraction:
    return Fraction(amount_minor * basis_points * points_per_unit,
                    BASIS_POINTS_PER_WHOLE * 10**precision)


def proportional_base(amount_minor: int, points: int, per_amount: int) -> Fraction:
    assert per_amount > 0
    return Fraction(amount_minor * points, per_amount)


def award_points(base: Fraction, *multipliers_hundredths: int) -> int:
    """The one rounding: `floor(base * every multiplier)`, in whole points, never < 0."""
    value = base
    for multiplier in multipliers_hundredths:
        assert multiplier > 0
        value *= Fraction(multiplier, HUNDREDTHS_PER_WHOLE)
    return max(value.numerator // value.denominator, 0)


def new_seed() -> int:
    """A fresh draw seed from the OS's randomness."""
    return secrets.randbits(SEED_BITS)


def draw(outcomes: tuple[Outcome, ...], seed: int) -> Draw:
    """Outcome i with probability weight_i / Σ weights, decided by `seed` alone."""
    assert outcomes and all(o.weight > 0 for o in outcomes)
    total = sum(o.weight for o in outcomes)
    roll = random.Random(seed).randrange(total)
    upto = 0
    for index, outcome in enumerate(outcomes):
        upto += outcome.weight
        if roll < upto:
            return Draw(seed, roll, index, outcome.points)
    raise AssertionError("unreachable: roll < total")


def period_start(period: str, now: datetime) -> datetime | None:
    """The start of the calendar period (UTC) that contains `now`; None for lifetime.
    Weeks start on Monday (ISO)."""
    assert period in PERIODS
    now = now.astimezone(UTC)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "year":
        return day.replace(month=1, day=1)
    return None


def capped(award: int, already: int, max_per_customer: int | None) -> int:
    """What may still be awarded under a cap of `max_per_customer` in the period."""
    if max_per_customer is None:
        return award
    return max(0, min(award, max_per_customer - already))


def share_floor(whole: int, part: int, of: int) -> int:
    """`floor(whole * part / of)`: points taken back for a refund of `part` of `of`
    (cumulative, so repeated partial refunds never drift; a full refund takes all)."""
    assert 0 <= part <= of and of > 0 and whole >= 0
    return whole * part // of
