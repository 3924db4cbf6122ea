"""`shop.lots`: one lot, what drew on it, its expiry changed or what remains voided (with
a reason), and the sweep of expired lots into breakage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.commerce.settings import get_settings
from billfold.durations import parse_duration_seconds
from billfold.ledger import expiry, lot_admin, notices, queries
from billfold.ledger.models import LotUsage, SweepResult, Transaction


@dataclass(frozen=True, slots=True)
class ChangeLotExpiry(Mutation[Transaction]):
    operation = "change_lot_expiry"
    result_type = Transaction
    lot_id: str
    expires_at: datetime | None
    reason: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Transaction:
        return lot_admin.change_lot_expiry(conn, store_id=store_id, lot_id=self.lot_id,
                                           expires_at=self.expires_at, reason=self.reason,
                                           now=now)


@dataclass(frozen=True, slots=True)
class VoidLot(Mutation[Transaction]):
    operation = "void_lot"
    result_type = Transaction
    lot_id: str
    reason: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Transaction:
        return lot_admin.void_lot(conn, store_id=store_id, lot_id=self.lot_id,
                                  reason=self.reason, now=now)


class Lots(Namespace):
    def get(self, lot_id: str) -> contract.Lot:
        return render.lot(self._read(lambda c: queries.get_lot(c, self.store_id, lot_id,
                                                               self.now)))

    def usage(self, lot_id: str) -> tuple[LotUsage, ...]:
        """Every transaction that drew on or returned to the lot."""
        return self._read(lambda c: queries.lot_usage(c, self.store_id, lot_id))

    def change_expiry(self, lot_id: str, *, expires_at: datetime | None, reason: str,
                      idempotency_key: str | None = None) -> contract.Transaction:
        return render.transaction(self._mutate(ChangeLotExpiry(lot_id, expires_at, reason),
                                               idempotency_key))

    def void(self, lot_id: str, *, reason: str,
             idempotency_key: str | None = None) -> contract.Transaction:
        return render.transaction(self._mutate(VoidLot(lot_id, reason), idempotency_key))

    def expire_due(self) -> SweepResult:
        """Move every expired lot's remainder to breakage, batch by batch."""
        total = SweepResult(0, 0, 0)
        while (batch := self._bf.run(
                lambda c: expiry.sweep_expired_lots(c, self.store_id, self.now))).transactions:
            total = SweepResult(total.transactions + batch.transactions,
                                total.lots + batch.lots, total.amount + batch.amount)
        return total

    def notice_expiring(self) -> int:
        """Write `lot.expiring_soon` for each lot newly within the store's
        `expiry_notice_before`, batch by batch; how many."""
        seconds = parse_duration_seconds(self._bf.read(
            lambda c: get_settings(c, self.store_id)).expiry_notice_before,
            param="expiry_notice_before")
        total = 0
        while done := self._bf.run(lambda c: notices.notice_expiring(
                c, self.store_id, self.now, seconds)):
            total += done
        return total
