"""What every resource namespace of a store handle shares: its store, the clock, and the
three ways into the database (a mutation, a one-statement read, a consistent read)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection

from billfold.app.operation import Mutation

if TYPE_CHECKING:
    from billfold.app.billfold import Billfold

T = TypeVar("T")


class Namespace:
    def __init__(self, bf: Billfold, store_id: str):
        self._bf = bf
        self.store_id = store_id

    @property
    def now(self) -> datetime:
        return self._bf.clock.now()

    def _mutate(self, mutation: Mutation[T], idempotency_key: str | None) -> T:
        return self._bf.mutate(self.store_id, mutation, idempotency_key)

    def _read(self, work: Callable[[Connection], T]) -> T:
        """Statements that each stand alone (see Billfold.read)."""
        return self._bf.read(work)

    def _snapshot(self, work: Callable[[Connection], T]) -> T:
        """Several statements that must see one moment: a read-only transaction."""
        return self._bf.run(work, read_only=True)
