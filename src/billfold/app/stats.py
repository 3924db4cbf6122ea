"""`shop.stats`: the store's liability now, and its flows over a period."""

from __future__ import annotations

from datetime import datetime

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.commerce import stats


class Stats(Namespace):
    def get(self, *, start: datetime | None = None,
            end: datetime | None = None) -> contract.Stats:
        return render.stats(self._snapshot(lambda c: stats.compute_stats(
            c, store_id=self.store_id, now=self.now, start=start, end=end)))

    def roll_up(self) -> int:
        """Sum the closed days not rolled up yet into the daily figures that `get` reads
        (the worker's, every pass; several workers at once are safe); how many days."""
        total = 0
        while days := self._bf.run(
                lambda c: stats.roll_up_flows(c, self.store_id, self.now)):
            total += days
        return total
