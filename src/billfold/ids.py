"""Prefixed, time-sortable ids: `txn_01jf…` (a lower-case ULID after the prefix).

Within one process ids are strictly increasing (monotonic ULIDs: same
millisecond, random part + 1), so events and lot entries written by one
process sort in the order they were made. Across processes nothing relies on
id order; no database sequence is used, so any process may mint ids.
"""

from __future__ import annotations

import secrets
import threading
import time

from ulid import ULID

PREFIXES = frozenset(
    {"sto", "key", "wal", "acc", "txn", "lot", "hold", "evt", "ord", "off", "code", "chk",
     "ref", "top", "wd", "wdh", "whe", "dlv", "aud", "rule", "usr", "ps", "tier", "prm"}
    | {"awd", "lev", "rfl"}  # loyalty: awards, reported events, referrals
)
_RANDOM_BITS = 80
_lock = threading.Lock()
_last = (0, 0)  # (milliseconds, random part) of the last id made here


def _next_ulid() -> ULID:
    return ULID.from_int(_reserve_ulids(1))


def new_id(prefix: str) -> str:
    assert prefix in PREFIXES, f"unknown id prefix {prefix!r}"
    return f"{prefix}_{_next_ulid()!s}".lower()


_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_PAIRS = [first + second for first in _CROCKFORD for second in _CROCKFORD]  # 10 bits each
_LOW_BITS = 40  # the last 8 characters of an id
_LOW_MASK = (1 << _LOW_BITS) - 1
MAX_MINTED_IDS = 1_000_000


def new_ids(prefix: str, count: int) -> list[str]:
    """`count` ids as `new_id(prefix)` would make them one by one (lower-case
    ULIDs after the prefix, increasing, after every id this process made), ~25x
    cheaper each. For set-based batches, where 5 µs per id is most of the client's time."""
    assert prefix in PREFIXES and 0 <= count <= MAX_MINTED_IDS, (prefix, count)
    minted: list[str] = []
    value = _reserve_ulids(count)
    end = value + count
    while value < end:  # a block of ids sharing all but their last 2 characters
        block_end = min(end, (value | 1023) + 1)
        high, low = value >> _LOW_BITS, value & _LOW_MASK
        head = (f"{prefix}_" + "".join(_CROCKFORD[(high >> shift) & 31]
                                      for shift in range(85, -1, -5))
                + _PAIRS[low >> 30] + _PAIRS[(low >> 20) & 1023] + _PAIRS[(low >> 10) & 1023])
        minted.extend(head + pair
                      for pair in _PAIRS[low & 1023:(low & 1023) + block_end - value])
        value = block_end
    return minted


def _reserve_ulids(count: int) -> int:
    """The first of `count` consecutive ULID values, reserved under the lock, as
    `count` calls of `new_id` would (same millisecond: count up;
    new millisecond: random start)."""
    global _last
    with _lock:
        milliseconds = time.time_ns() // 1_000_000
        last_ms, last_random = _last
        if milliseconds <= last_ms:
            milliseconds, random_part = last_ms, last_random + 1
        else:
            random_part = secrets.randbits(_RANDOM_BITS - 1)  # headroom to count up
        assert random_part + count < 2**_RANDOM_BITS, "ULID randomness overflow"
        if count:
            _last = (milliseconds, random_part + count - 1)
    return (milliseconds << _RANDOM_BITS) | random_part
