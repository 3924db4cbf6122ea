"""Prefixed, time-sortable ids: `txn_01JF…` (a ULID after the prefix).

Ids never rely on a database sequence, so any process may mint them.
"""

from __future__ import annotations

from ulid import ULID

PREFIXES = frozenset(
    {"sto", "key", "wal", "acc", "txn", "lot", "hold", "evt", "ord", "off", "code", "chk",
     "ref", "top", "wd", "whe", "rule", "usr", "ps", "tier"}
)
MAX_ID_LENGTH = 64


def new_id(prefix: str) -> str:
    assert prefix in PREFIXES, f"unknown id prefix {prefix!r}"
    return f"{prefix}_{ULID()!s}".lower()


def has_prefix(value: str, prefix: str) -> bool:
    return isinstance(value, str) and value.startswith(prefix + "_") and len(value) <= MAX_ID_LENGTH
