"""Money is an `int` of minor units plus a unit. Never a float.

A unit is an ISO 4217 currency code (upper case, precision from Babel's CLDR
data: SAR 2, JPY 0, KWD 3) or a points unit (lower case name such as
`points`, precision 0). Percentages are basis points (`int`, 1500 = 15 %);
`apply_basis_points` is the one place that rounds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_currency_precision, list_currencies

from billfold.errors import InvalidAmount, InvalidRequest, UnknownUnit

MIN_AMOUNT_MINOR = 1
MAX_AMOUNT_MINOR = 10**15
BASIS_POINTS_PER_WHOLE = 10_000
_POINTS_UNIT = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@lru_cache(maxsize=1)
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(unit: str) -> bool:
    return isinstance(unit, str) and unit in _currencies()


def is_points_unit(unit: str) -> bool:
    """A lower-case name that is not a currency code in disguise ('sar' is refused)."""
    return (isinstance(unit, str) and bool(_POINTS_UNIT.match(unit))
            and unit.upper() not in _currencies())


def check_unit(unit: object, *, param: str = "unit") -> str:
    """Return `unit` if it is an ISO 4217 code or a points unit name, else refuse."""
    if isinstance(unit, str) and (is_currency(unit) or is_points_unit(unit)):
        return unit
    raise UnknownUnit(
        f"Unknown unit {unit!r}: use an ISO 4217 currency code (e.g. 'SAR') "
        "or a lower-case points unit name (e.g. 'points').",
        param=param,
    )


def precision(unit: str) -> int:
    """Decimal places of one major unit: 2 for SAR, 0 for JPY, 3 for KWD, 0 for points."""
    check_unit(unit)
    if is_points_unit(unit):
        return 0
    return int(get_currency_precision(unit))


def check_amount(amount: object, *, param: str = "amount") -> int:
    """An amount that moves money: an int (not bool) from 1 to 10^15, else InvalidAmount."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidAmount(
            f"{param} must be an integer number of minor units, got {type(amount).__name__}.",
            param=param,
        )
    if amount < MIN_AMOUNT_MINOR or amount > MAX_AMOUNT_MINOR:
        raise InvalidAmount(
            f"{param} must be between {MIN_AMOUNT_MINOR} and {MAX_AMOUNT_MINOR} minor units, "
            f"got {amount}.",
            param=param,
        )
    return amount


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    unit: str

    def __post_init__(self) -> None:
        assert isinstance(self.amount_minor, int) and not isinstance(self.amount_minor, bool)
        check_unit(self.unit)

    def format(self) -> str:
        """Plain decimal rendering without floats: Money(1050, 'SAR') -> '10.50 SAR'."""
        places = precision(self.unit)
        sign = "-" if self.amount_minor < 0 else ""
        whole, frac = divmod(abs(self.amount_minor), 10**places)
        text = f"{whole}.{frac:0{places}d}" if places else str(whole)
        return f"{sign}{text} {self.unit}"


def apply_basis_points(amount_minor: int, basis_points: int) -> int:
    """`amount_minor * basis_points / 10000`, rounded half to even. The one rounding rule."""
    assert isinstance(amount_minor, int) and isinstance(basis_points, int)
    quotient, remainder = divmod(amount_minor * basis_points, BASIS_POINTS_PER_WHOLE)
    twice = 2 * remainder
    if twice > BASIS_POINTS_PER_WHOLE or (twice == BASIS_POINTS_PER_WHOLE and quotient % 2 == 1):
        quotient += 1
    return quotient


def parse_hundredths(value: object, *, param: str, maximum: int, message: str) -> int:
    """A positive decimal of at most two decimals as an exact count of hundredths
    (`2` → 200, `"12.5"` → 1250), at most `maximum`: the one reading of percentages and
    multipliers. Accepts an int, a decimal string, a Decimal, or a JSON number already
    parsed to float — read through its shortest decimal form, so `12.34` is 1234 and
    `12.345` is refused. Anything else is InvalidRequest(`message`, param)."""
    refusal = InvalidRequest(message, param=param)
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


def parse_percent(value: object, *, param: str = "percent", maximum_percent: int = 100) -> int:
    """A percentage (15 = 15 %, above 0, at most `maximum_percent`, at most two decimals)
    as basis points, exactly."""
    return parse_hundredths(value, param=param, maximum=maximum_percent * 100, message=(
        f"{param} must be a percentage above 0 and at most {maximum_percent} with at most "
        "two decimals, such as 15 or 12.5."))
