"""Cashback offers: what an order earns, and how several offers combine.

An offer is a percentage (basis points, from a percent with at most two
decimals) or a fixed amount, on the whole order or on some products or
categories, with a minimum order amount, a maximum per order, "first order
only", an optional start and end, a target program (in the store currency)
and a credit expiry.

**What one offer gives an order.** The offer applies when it is active, the
order is placed within [starts_at, ends_at), the order amount reaches
`min_order_amount`, and — if first-order-only — the customer has no earlier
order that was not cancelled. Its base is the order `amount` for a
whole-order offer, or the total (quantity times unit amount) of the lines whose
product is listed or that carry a listed category; no matching line, no
cashback. A percentage is computed per line (half-even, the remainder to the
largest line; see `rounding`) so the lines' parts add up to the order's
cashback; a whole-order percentage is one half-even product of the amount. A
fixed amount is given once per order. Then `max_amount` caps it.

**Several offers on one order add up.** Every offer that applies is computed
independently on the order as above — offers never apply to each other's
cashback — each capped by its own `max_amount`, and each becomes its own
promise (in its own target program, with its own credit expiry), granted,
voided, shrunk or clawed back on its own. To keep offers from stacking,
scope them to different products or categories, or close the older one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from billfold.commerce.rounding import format_percent, percent_of_lines
from billfold.commerce.settings import get_settings, require_currency_program
from billfold.errors import Code, refusal, require
from billfold.ids import new_id
from billfold.ledger.checks import check_id, check_name
from billfold.money import apply_basis_points, check_amount, parse_percent
from billfold.store.tables import cashback_offers

OFFER_ACTIVE, OFFER_CLOSED = "active", "closed"
MAX_OFFER_TARGETS = 500
MAX_ACTIVE_OFFERS = 200


@dataclass(frozen=True, slots=True)
class Offer:
    id: str
    store_id: str
    name: str
    status: str
    percent_basis_points: int | None
    fixed_amount: int | None
    program: str
    product_ids: tuple[str, ...]
    category_ids: tuple[str, ...]
    min_order_amount: int | None
    max_amount: int | None
    is_first_order_only: bool
    starts_at: datetime | None
    ends_at: datetime | None
    credit_expires_seconds: int | None
    created_at: datetime
    closed_at: datetime | None

    @property
    def percent(self) -> str | None:
        bp = self.percent_basis_points
        return None if bp is None else format_percent(bp)


@dataclass(frozen=True, slots=True)
class Line:
    product_id: str
    category_ids: tuple[str, ...]
    quantity: int
    unit_amount: int

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_amount


def create_offer(conn: Connection, *, store_id: str, name: str, program: str, now: datetime,
                 percent: object = None, amount: int | None = None,
                 product_ids: list[str] | None = None, category_ids: list[str] | None = None,
                 min_order_amount: int | None = None, max_amount: int | None = None,
                 first_order_only: bool = False, starts_at: datetime | None = None,
                 ends_at: datetime | None = None,
                 credit_expires_seconds: int | None = None) -> Offer:
    """A new active cashback offer. Exactly one of `percent` and `amount`."""
    check_name(name)
    require((percent is None) != (amount is None), "Give percent or amount, not both.",
            param="percent" if percent is not None else "amount")
    basis_points = None if percent is None else parse_percent(percent)
    if amount is not None:
        check_amount(amount)
    require_currency_program(get_settings(conn, store_id), program, param="program")
    products = _targets(product_ids, "product_ids")
    categories = _targets(category_ids, "category_ids")
    for value, param in ((min_order_amount, "min_order_amount"), (max_amount, "max_amount")):
        if value is not None:
            check_amount(value, param=param)
    require(isinstance(first_order_only, bool), "first_order_only must be true or false.",
            param="first_order_only")
    require(starts_at is None or ends_at is None or starts_at < ends_at,
            "ends_at must be after starts_at.", param="ends_at")
    require(credit_expires_seconds is None or (isinstance(credit_expires_seconds, int)
                                               and credit_expires_seconds > 0),
            "credit_expires_in must be a positive duration.", param="credit_expires_in")
    offer_id = new_id("off")
    conn.execute(insert(cashback_offers).values(
        store_id=store_id, offer_id=offer_id, name=name.strip(),
        percent_basis_points=basis_points, fixed_amount=amount, program=program,
        product_ids=list(products), category_ids=list(categories),
        min_order_amount=min_order_amount, max_amount=max_amount,
        is_first_order_only=first_order_only, starts_at=starts_at, ends_at=ends_at,
        credit_expires_seconds=credit_expires_seconds, status=OFFER_ACTIVE, created_at=now,
        closed_at=None))
    return get_offer(conn, store_id, offer_id)


def close_offer(conn: Connection, *, store_id: str, offer_id: str, now: datetime) -> Offer:
    """Close an offer: no new order earns it, and orders not yet fulfilled lose it."""
    get_offer(conn, store_id, offer_id)  # NotFound first
    closed = conn.execute(update(cashback_offers).where(
        cashback_offers.c.store_id == store_id, cashback_offers.c.offer_id == offer_id,
        cashback_offers.c.status == OFFER_ACTIVE).values(status=OFFER_CLOSED, closed_at=now))
    if closed.rowcount != 1:  # closed already, perhaps by a request a moment ago
        raise refusal(Code.OFFER_CLOSED, "The offer is already closed.")
    return get_offer(conn, store_id, offer_id)


def get_offer(conn: Connection, store_id: str, offer_id: str) -> Offer:
    check_id(offer_id, "offer_id")
    row = conn.execute(select(cashback_offers).where(
        cashback_offers.c.store_id == store_id,
        cashback_offers.c.offer_id == offer_id)).one_or_none()
    if row is None:
        raise refusal(Code.OFFER_NOT_FOUND, f"No cashback offer {offer_id!r} in this store.",
                      param="offer_id")
    return _offer(row)


def list_offers(conn: Connection, store_id: str, *, status: str | None = None,
                limit: int = MAX_ACTIVE_OFFERS) -> tuple[Offer, ...]:
    query = select(cashback_offers).where(cashback_offers.c.store_id == store_id)
    if status is not None:
        query = query.where(cashback_offers.c.status == status)
    rows = conn.execute(query.order_by(cashback_offers.c.offer_id).limit(limit)).all()
    return tuple(_offer(row) for row in rows)


def cashback_for(offer: Offer, *, amount: int, lines: tuple[Line, ...], is_first_order: bool,
                 now: datetime) -> int:
    """What `offer` gives an order placed at `now` (0 when it does not apply)."""
    if offer.status != OFFER_ACTIVE:
        return 0
    if (offer.starts_at is not None and now < offer.starts_at) or (
            offer.ends_at is not None and now >= offer.ends_at):
        return 0
    if offer.min_order_amount is not None and amount < offer.min_order_amount:
        return 0
    if offer.is_first_order_only and not is_first_order:
        return 0
    scoped = bool(offer.product_ids or offer.category_ids)
    matching = [line for line in lines if line.product_id in offer.product_ids
                or set(line.category_ids) & set(offer.category_ids)] if scoped else []
    if scoped and not any(line.amount for line in matching):
        return 0
    if offer.fixed_amount is not None:
        cashback = offer.fixed_amount
    else:
        assert offer.percent_basis_points is not None
        cashback = (sum(percent_of_lines([line.amount for line in matching],
                                         offer.percent_basis_points)) if scoped
                    else apply_basis_points(amount, offer.percent_basis_points))
    if offer.max_amount is not None:
        cashback = min(cashback, offer.max_amount)
    return cashback


def _targets(values: list[str] | None, param: str) -> tuple[str, ...]:
    if values is None:
        return ()
    require(isinstance(values, list) and len(values) <= MAX_OFFER_TARGETS
            and all(isinstance(v, str) and 0 < len(v) <= 200 for v in values),
            f"{param} is a list of at most {MAX_OFFER_TARGETS} ids.", param=param)
    return tuple(dict.fromkeys(values))


def _offer(row: Any) -> Offer:
    return Offer(
        id=row.offer_id, store_id=row.store_id, name=row.name, status=row.status,
        percent_basis_points=row.percent_basis_points, fixed_amount=row.fixed_amount,
        program=row.program, product_ids=tuple(row.product_ids),
        category_ids=tuple(row.category_ids), min_order_amount=row.min_order_amount,
        max_amount=row.max_amount, is_first_order_only=bool(row.is_first_order_only),
        starts_at=row.starts_at, ends_at=row.ends_at,
        credit_expires_seconds=row.credit_expires_seconds, created_at=row.created_at,
        closed_at=row.closed_at)
