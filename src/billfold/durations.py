"""Durations as the API writes them: "30m", "12h", "90d", "2w", or whole seconds."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from billfold.errors import InvalidRequest

MAX_DURATION_SECONDS = 100 * 366 * 24 * 3600
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_PATTERN = re.compile(r"^([1-9][0-9]{0,9})([smhdw])$")


def parse_duration_seconds(value: object, *, param: str = "expires_in") -> int:
    if isinstance(value, bool):
        raise InvalidRequest(f"{param} must be a duration such as '30m' or seconds.", param=param)
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str) and (match := _PATTERN.match(value.strip())):
        seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    else:
        raise InvalidRequest(
            f"{param} must be a duration such as '30m', '12h', '90d', '2w' or whole seconds.",
            param=param,
        )
    if seconds < 1 or seconds > MAX_DURATION_SECONDS:
        raise InvalidRequest(
            f"{param} must be between 1 second and {MAX_DURATION_SECONDS} seconds.", param=param
        )
    return seconds


def resolve_expiry(now: datetime, *, expires_in: object = None, expires_at: datetime | None = None,
                   param: str = "expires_in") -> datetime | None:
    """Absolute expiry from either a relative duration or an absolute moment (not both)."""
    if expires_in is not None and expires_at is not None:
        raise InvalidRequest("Give expires_in or expires_at, not both.", param=param)
    if expires_in is not None:
        return now + timedelta(seconds=parse_duration_seconds(expires_in, param=param))
    if expires_at is not None:
        if not isinstance(expires_at, datetime) or expires_at.tzinfo is None:
            raise InvalidRequest("expires_at must be a timezone-aware time.", param="expires_at")
        return check_future_expiry(expires_at, now)
    return None


def check_future_expiry(expires_at: datetime | None, now: datetime) -> datetime | None:
    """`expires_at` (None: never), refused unless after `now`: every path that takes an
    absolute expiry (the API, credit, its PostgreSQL call, bulk grants) refuses here."""
    if expires_at is not None and expires_at <= now:
        raise InvalidRequest("expires_at must be in the future.", param="expires_at")
    return expires_at
