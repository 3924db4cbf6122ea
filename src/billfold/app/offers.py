"""`shop.offers`: cashback offers (REST `/v1/cashback_offers`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.commerce import offers
from billfold.commerce.offers import Offer
from billfold.durations import parse_duration_seconds


@dataclass(frozen=True, slots=True)
class CreateOffer(Mutation[Offer]):
    operation = "create_offer"
    result_type = Offer
    name: str
    program: str = "main"
    percent: object = None
    amount: int | None = None
    product_ids: list[str] | None = None
    category_ids: list[str] | None = None
    min_order_amount: int | None = None
    max_amount: int | None = None
    first_order_only: bool = False
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    credit_expires_in: object = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> Offer:
        seconds = (None if self.credit_expires_in is None else
                   parse_duration_seconds(self.credit_expires_in, param="credit_expires_in"))
        return offers.create_offer(
            conn, store_id=store_id, name=self.name, program=self.program, now=now,
            percent=self.percent, amount=self.amount, product_ids=self.product_ids,
            category_ids=self.category_ids, min_order_amount=self.min_order_amount,
            max_amount=self.max_amount, first_order_only=self.first_order_only,
            starts_at=self.starts_at, ends_at=self.ends_at, credit_expires_seconds=seconds)


@dataclass(frozen=True, slots=True)
class CloseOffer(Mutation[Offer]):
    operation = "close_offer"
    result_type = Offer
    offer_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Offer:
        return offers.close_offer(conn, store_id=store_id, offer_id=self.offer_id, now=now)


class Offers(Namespace):
    def create(self, name: str, *, program: str = "main", percent: object = None,
               amount: int | None = None, product_ids: list[str] | None = None,
               category_ids: list[str] | None = None, min_order_amount: int | None = None,
               max_amount: int | None = None, first_order_only: bool = False,
               starts_at: datetime | None = None, ends_at: datetime | None = None,
               credit_expires_in: object = None,
               idempotency_key: str | None = None) -> contract.CashbackOffer:
        """A cashback offer; `percent` is a percentage (15 or "12.5"), never a float sum."""
        return render.offer(self._mutate(CreateOffer(
            name, program, percent, amount, product_ids, category_ids, min_order_amount,
            max_amount, first_order_only, starts_at, ends_at, credit_expires_in),
            idempotency_key))

    def get(self, offer_id: str) -> contract.CashbackOffer:
        return render.offer(self._snapshot(lambda c: offers.get_offer(c, self.store_id,
                                                                      offer_id)))

    def close(self, offer_id: str, *,
              idempotency_key: str | None = None) -> contract.CashbackOffer:
        """No new order earns it; orders not yet fulfilled lose it."""
        return render.offer(self._mutate(CloseOffer(offer_id), idempotency_key))
