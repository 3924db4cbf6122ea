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
from fractions import Fraction

from billfold.money import parse_hundredths

HUNDREDTHS_PER_WHOLE = 100
BASIS_POINTS_PER_WHOLE = 10_000
MAX_MULTIPLIER_HUNDREDTHS = 100 * HUNDREDTHS_PER_WHOLE  # *100 at most
MAX_PERCENT = 1_000  # a rule may award points worth up to ten times the amount
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


def parse_multiplier(value: object, *, param: str = "multiplier") -> int:
    """A multiplier (2, "1.5": above 0, at most two decimals) as hundredths."""
    return parse_hundredths(value, param=param, maximum=MAX_MULTIPLIER_HUNDREDTHS, message=(
        f"{param} must be a number above 0 and at most {MAX_MULTIPLIER_HUNDREDTHS // 100} "
        "with at most two decimals."))


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
