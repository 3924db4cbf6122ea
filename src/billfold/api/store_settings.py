"""Store settings (GET/PATCH) and statistics."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from billfold.api.commerce_schemas import SettingsPatch
from billfold.api.common import ContractRoute, errors
from billfold.api.deps import IdempotencyKey, Store
from billfold.contract import Settings, Stats
from billfold.errors import InvalidRequest

router = APIRouter(prefix="/v1", tags=["settings and statistics"], route_class=ContractRoute)


@router.get("/settings", responses=errors())
def get_settings(store: Store) -> Settings:
    """The store's settings and wallet programs."""
    return store.settings.get()


@router.patch("/settings", responses=errors(409))
def patch_settings(body: SettingsPatch, store: Store,
                   idempotency_key: IdempotencyKey = None) -> Settings:
    """Merge: keys left out keep their value, null clears, `programs` merges by name."""
    return store.settings.update(body.changes(), idempotency_key=idempotency_key)


@router.get("/stats", responses=errors())
def get_stats(store: Store,
              start: Annotated[datetime | None, Query(alias="from")] = None,
              end: Annotated[datetime | None, Query(alias="to")] = None) -> Stats:
    """Liability now, flows and a daily series over `from` to `to` (default: 30 days)."""
    window: list[datetime | None] = []
    for moment, param in ((start, "from"), (end, "to")):
        if moment is not None and moment.tzinfo is None:
            raise InvalidRequest(f"{param} must be an RFC 3339 time with an offset.",
                                 param=param)
        try:
            window.append(moment and moment.astimezone(UTC))
        except OverflowError:  # 0001-01-01T00:00+00:03 is before the first UTC moment
            raise InvalidRequest(f"{param} is out of range.", param=param) from None
    return store.stats.get(start=window[0], end=window[1])
