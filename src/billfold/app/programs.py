"""`shop.programs`: the kinds of wallet a store offers (PATCH /v1/settings edits them
too, with their per-order caps and points rate)."""

from __future__ import annotations

from billfold.app.namespace import Namespace
from billfold.durations import parse_duration_seconds
from billfold.ledger import stores


class Programs(Namespace):
    def create(self, name: str, *, unit: str, spending_strategy: str = "expiry_first",
               expires_in: object = None) -> None:
        seconds = None if expires_in is None else parse_duration_seconds(expires_in)
        self._bf.run(lambda c: stores.create_program(
            c, store_id=self.store_id, name=name, unit=unit, now=self.now,
            spending_strategy=spending_strategy, default_expires_seconds=seconds))

    def update(self, name: str, *, spending_strategy: str | None = None) -> None:
        self._bf.run(lambda c: stores.update_program(
            c, store_id=self.store_id, name=name, spending_strategy=spending_strategy))
