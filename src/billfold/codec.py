"""Frozen dataclasses to JSON-safe dicts and back.

Used to store a use case's result beside its idempotency key, so that a replay
returns an equal object. Handles the field types our results use: int, str,
bool, None, datetime, dict, tuples and nested dataclasses.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from functools import cache
from typing import Any

_PLAIN = frozenset({int, str, bool, float, type(None)})  # returned as they are


def encode(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:  # most values: skip the checks below (every keyed request pays them)
        return value
    names = _field_names(kind)
    if names is not None:
        return {name: encode(getattr(value, name)) for name in names}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    assert value is None or isinstance(value, int | str | float), type(value)
    return value


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type, None for any other type."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind))


@cache
def _hints(klass: type) -> dict[str, Any]:
    return typing.get_type_hints(klass)


def decode(klass: Any, data: Any) -> Any:
    """Rebuild `data` as an instance of the type annotation `klass`."""
    if data is None:
        return None
    origin = typing.get_origin(klass)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(klass) if a is not type(None)]
        if all(option in _PLAIN for option in options):  # int | str: JSON kept it apart
            return data
        assert len(options) == 1, f"ambiguous union {klass}"
        return decode(options[0], data)
    if origin is tuple:
        (item_type, _ellipsis) = typing.get_args(klass)
        return tuple(decode(item_type, item) for item in data)
    if origin is dict or klass is dict:
        return dict(data)
    if dataclasses.is_dataclass(klass):
        hints = _hints(klass)
        return klass(**{f.name: decode(hints[f.name], data[f.name])
                        for f in dataclasses.fields(klass)})
    if klass is datetime:
        return datetime.fromisoformat(data)
    if klass is typing.Any:
        return data
    return data
