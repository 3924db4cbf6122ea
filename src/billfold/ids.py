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
     "ref", "top", "wd", "whe", "rule", "usr", "ps", "tier", "prm"}
)
_RANDOM_BITS = 80
_lock = threading.Lock()
_last = (0, 0)  # (milliseconds, random part) of the last id made here


def _next_ulid() -> ULID:
    global _last
    with _lock:
        milliseconds = time.time_ns() // 1_000_000
        last_ms, last_random = _last
        if milliseconds <= last_ms:
            milliseconds, random_part = last_ms, last_random + 1
            assert random_part < 2**_RANDOM_BITS, "ULID randomness overflow"
        else:
            random_part = secrets.randbits(_RANDOM_BITS - 1)  # headroom to count up
        _last = (milliseconds, random_part)
    return ULID.from_int((milliseconds << _RANDOM_BITS) | random_part)


def new_id(prefix: str) -> str:
    assert prefix in PREFIXES, f"unknown id prefix {prefix!r}"
    return f"{prefix}_{_next_ulid()!s}".lower()

