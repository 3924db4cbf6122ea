"""The store's events, newest first (`shared/API.md`, "Events and webhooks")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from billfold.api.common import DEFAULT_LIMIT, ContractRoute, Limit, StartingAfter, errors
from billfold.api.deps import Store
from billfold.api.schemas import CUSTOMER_ID_PATTERN, OBJECT_ID_PATTERN
from billfold.contract import Event, Page

router = APIRouter(prefix="/v1", tags=["events"], route_class=ContractRoute)


@router.get("/events", responses=errors())
def list_events(store: Store,
                type: Annotated[str | None, Query(
                    max_length=64, description="Only events of this type.",
                    examples=["wallet.debited"])] = None,
                customer_id: Annotated[str | None, Query(
                    pattern=CUSTOMER_ID_PATTERN, description="Only this customer's.")
                ] = None,
                limit: Limit = DEFAULT_LIMIT,
                starting_after: StartingAfter = None) -> Page[Event]:
    """Every state change of the store, newest first; 400 for an unknown type."""
    return store.events.list(type=type, customer_id=customer_id, limit=limit,
                             starting_after=starting_after)


@router.get("/events/{event_id}", responses=errors(404))
def get_event(event_id: Annotated[str, Path(pattern=OBJECT_ID_PATTERN,
                                            examples=["evt_01jf3z8k0d"])],
              store: Store) -> Event:
    return store.events.get(event_id)
