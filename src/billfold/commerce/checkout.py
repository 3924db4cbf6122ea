"""Checkout: propose what each wallet program pays, hold it, leave the rest to the card.

Programs are drawn in the contract's order: capped reward programs (by name),
then points programs, then uncapped ones (`main`). Each pays the least of
what is still due, its per-order cap (the smaller of `max_per_order_amount`
and `max_per_order_percent` of the order amount) and its available balance —
for points, converted at `points_per_unit` points per one major unit of the
store currency; the points for an amount are rounded up to a whole point, so
a program never pays more than its points are worth. What a program pays is
held (one hold per program); `complete` captures every hold, `cancel` releases
them, and an abandoned checkout's holds time out at `expires_at` (the sweeper
releases them, and the checkout reads as `expired`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from billfold.commerce.settings import (
    ProgramSettings,
    StoreSettings,
    get_settings,
    require_store_currency,
)
from billfold.errors import Code, refusal, require
from billfold.ids import new_id
from billfold.ledger import holds, queries
from billfold.ledger.accounts import customer_exists, lock_customer_wallets
from billfold.ledger.checks import check_id
from billfold.ledger.models import HOLD_HELD
from billfold.money import apply_basis_points, check_amount, precision
from billfold.store.tables import checkouts

CHECKOUT_OPEN, CHECKOUT_COMPLETED = "open", "completed"
CHECKOUT_CANCELLED, CHECKOUT_EXPIRED = "cancelled", "expired"
DRAW_ORDER = ("capped", "points", "uncapped")
DEFAULT_CHECKOUT_SECONDS = holds.DEFAULT_HOLD_SECONDS
MAX_PROGRAMS_PER_CHECKOUT = 20


@dataclass(frozen=True, slots=True)
class CheckoutPart:
    """What one program pays: `amount` in the store currency; `points` drawn for it
    from a points program (else None); the hold and, once completed, its capture."""

    program: str
    unit: str
    amount: int
    points: int | None
    hold_id: str
    capture_transaction_id: str | None = None


@dataclass(frozen=True, slots=True)
class Checkout:
    id: str
    store_id: str
    customer_id: str
    order_id: str
    currency: str
    amount: int
    wallet_amount: int
    remaining_amount: int
    status: str
    parts: tuple[CheckoutPart, ...]
    expires_at: datetime
    created_at: datetime
    settled_at: datetime | None


def create_checkout(conn: Connection, *, store_id: str, customer_id: str, order_id: str,
                    currency: str, amount: int, now: datetime,
                    programs: list[str] | None = None,
                    expires_seconds: int | None = None) -> Checkout:
    """Hold what the customer's wallets pay of `amount`; see the module docstring."""
    check_id(customer_id, "customer_id")
    check_id(order_id, "order_id")
    check_amount(amount)
    settings = get_settings(conn, store_id)
    require_store_currency(settings, currency)
    chosen = _chosen_programs(settings, programs)
    seconds = DEFAULT_CHECKOUT_SECONDS if expires_seconds is None else expires_seconds
    require(isinstance(seconds, int) and 0 < seconds <= holds.MAX_HOLD_SECONDS,
            "A checkout must expire within 31 days.", param="expires_in")
    expires_at = now + timedelta(seconds=seconds)
    checkout_id = new_id("chk")
    parts: list[CheckoutPart] = []
    due = amount
    known = customer_exists(conn, store_id, customer_id)
    if known and chosen:
        # Lock before reading balances: a checkout pays what the wallets hold when its
        # holds are placed, so a concurrent one cannot make a hold below refuse.
        lock_customer_wallets(conn, store_id, customer_id, [p.name for p in chosen])
    for program in chosen if known else []:
        if due == 0:
            break
        pays, points = _what_program_pays(conn, store_id, customer_id, program, amount, due,
                                          settings.currency, now)
        if pays == 0:
            continue
        hold = holds.place_hold(
            conn, store_id=store_id, customer_id=customer_id, program=program.name,
            amount=points if points is not None else pays, now=now, expires_at=expires_at,
            reference=order_id, metadata={"checkout_id": checkout_id})
        parts.append(CheckoutPart(program.name, program.unit, pays, points, hold.id))
        due -= pays
    conn.execute(insert(checkouts).values(
        store_id=store_id, checkout_id=checkout_id, customer_id=customer_id,
        order_id=order_id, currency=currency, amount=amount, wallet_amount=amount - due,
        remaining_amount=due, status=CHECKOUT_OPEN, parts=[_part_json(p) for p in parts],
        expires_at=expires_at, created_at=now, settled_at=None))
    return get_checkout(conn, store_id, checkout_id, now)


def complete_checkout(conn: Connection, *, store_id: str, checkout_id: str,
                      now: datetime) -> Checkout:
    """Capture every hold of an open checkout (409 if it is not open any more)."""
    checkout = _lock_open(conn, store_id, checkout_id, now)
    captured = []
    for part in checkout.parts:
        hold = holds.capture_hold(conn, store_id=store_id, hold_id=part.hold_id, now=now,
                                  description=f"Order {checkout.order_id}")
        captured.append(replace(part, capture_transaction_id=hold.settled_transaction_id))
    _settle(conn, store_id, checkout_id, CHECKOUT_COMPLETED, captured, now)
    return get_checkout(conn, store_id, checkout_id, now)


def cancel_checkout(conn: Connection, *, store_id: str, checkout_id: str,
                    now: datetime) -> Checkout:
    """Release every hold of an open (or timed-out, unswept) checkout."""
    checkout = _lock_open(conn, store_id, checkout_id, now, allow_expired=True)
    for part in checkout.parts:
        if holds.get_hold(conn, store_id, part.hold_id).status == HOLD_HELD:
            holds.release_hold(conn, store_id=store_id, hold_id=part.hold_id, now=now)
    _settle(conn, store_id, checkout_id, CHECKOUT_CANCELLED, list(checkout.parts), now)
    return get_checkout(conn, store_id, checkout_id, now)


def get_checkout(conn: Connection, store_id: str, checkout_id: str,
                 now: datetime, *, for_update: bool = False) -> Checkout:
    check_id(checkout_id, "checkout_id")
    query = select(checkouts).where(checkouts.c.store_id == store_id,
                                    checkouts.c.checkout_id == checkout_id)
    row = conn.execute(query.with_for_update() if for_update else query).one_or_none()
    if row is None:
        raise refusal(Code.CHECKOUT_NOT_FOUND, f"No checkout {checkout_id!r} in this store.",
                      param="checkout_id")
    status = row.status
    if status == CHECKOUT_OPEN and row.expires_at <= now:
        status = CHECKOUT_EXPIRED
    return Checkout(
        id=row.checkout_id, store_id=row.store_id, customer_id=row.customer_id,
        order_id=row.order_id, currency=row.currency, amount=row.amount,
        wallet_amount=row.wallet_amount, remaining_amount=row.remaining_amount,
        status=status, parts=tuple(CheckoutPart(**p) for p in row.parts),
        expires_at=row.expires_at, created_at=row.created_at, settled_at=row.settled_at)


def _chosen_programs(settings: StoreSettings,
                     names: list[str] | None) -> list[ProgramSettings]:
    """The programs to draw from, in draw order. Omitted: all, if the store auto-applies."""
    if names is None:
        candidates = list(settings.programs) if settings.auto_apply else []
    else:
        require(isinstance(names, list) and len(names) <= MAX_PROGRAMS_PER_CHECKOUT
                and len(set(names)) == len(names),
                f"programs is a list of at most {MAX_PROGRAMS_PER_CHECKOUT} distinct names.",
                param="programs")
        candidates = []
        for name in names:
            program = settings.program(name) if isinstance(name, str) else None
            if program is None:
                raise refusal(Code.PROGRAM_NOT_FOUND_400, param="programs", name=name)
            require(program.kind in DRAW_ORDER,
                    f"Program {name!r} has no points_per_unit, so it cannot pay.",
                    param="programs")
            candidates.append(program)
    usable = [p for p in candidates if p.kind in DRAW_ORDER]
    return sorted(usable, key=lambda p: (DRAW_ORDER.index(p.kind), p.name))


def _what_program_pays(conn: Connection, store_id: str, customer_id: str,
                       program: ProgramSettings, order_amount: int, due: int, currency: str,
                       now: datetime) -> tuple[int, int | None]:
    """(currency amount, points or None) that `program` pays of `due`."""
    available = queries.balance(conn, store_id, customer_id, program.name, now).available
    limit = due
    if program.max_per_order_amount is not None:
        limit = min(limit, program.max_per_order_amount)
    if program.max_per_order_basis_points is not None:
        limit = min(limit, apply_basis_points(order_amount, program.max_per_order_basis_points))
    if program.kind != "points":
        return min(limit, available), None
    assert program.points_per_unit is not None
    minor_per_unit = 10 ** precision(currency)
    worth = available * minor_per_unit // program.points_per_unit
    pays = min(limit, worth)
    points = -(-pays * program.points_per_unit // minor_per_unit)  # rounded up
    assert points <= available
    return pays, points if pays else None


def _lock_open(conn: Connection, store_id: str, checkout_id: str, now: datetime, *,
               allow_expired: bool = False) -> Checkout:
    checkout = get_checkout(conn, store_id, checkout_id, now, for_update=True)
    if checkout.status == CHECKOUT_EXPIRED and not allow_expired:
        raise refusal(Code.CHECKOUT_EXPIRED, "The checkout timed out; its holds were let go.")
    if checkout.status not in (CHECKOUT_OPEN, CHECKOUT_EXPIRED):
        raise refusal(Code.CHECKOUT_NOT_OPEN, f"The checkout is already {checkout.status}.")
    return checkout


def _settle(conn: Connection, store_id: str, checkout_id: str, status: str,
            parts: list[CheckoutPart], now: datetime) -> None:
    conn.execute(update(checkouts).where(checkouts.c.store_id == store_id,
                                         checkouts.c.checkout_id == checkout_id)
                 .values(status=status, parts=[_part_json(p) for p in parts], settled_at=now))


def _part_json(part: CheckoutPart) -> dict[str, object]:
    return {"program": part.program, "unit": part.unit, "amount": part.amount,
            "points": part.points, "hold_id": part.hold_id,
            "capture_transaction_id": part.capture_transaction_id}
