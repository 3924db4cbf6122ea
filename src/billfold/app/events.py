"""`shop.events`: every state change of the store, as written in the same transaction
(REST `GET /v1/events`, `GET /v1/events/{id}`)."""

from __future__ import annotations

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.ledger import outbox


class Events(Namespace):
    def list(self, *, type: str | None = None, customer_id: str | None = None,
             limit: int | None = None,
             starting_after: str | None = None) -> contract.Page[contract.Event]:
        """The store's events, newest first (`type`: one event type only; `customer_id`:
        one customer's only)."""
        return render.page(contract.Event, self._read(lambda c: outbox.list_events(
            c, self.store_id, type=type, customer_id=customer_id, limit=limit or 20,
            starting_after=starting_after)), render.event)

    def get(self, event_id: str) -> contract.Event:
        return render.event(self._read(lambda c: outbox.get_event(c, self.store_id,
                                                                  event_id)))
