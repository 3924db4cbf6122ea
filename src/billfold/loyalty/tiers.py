"""Tiers: a customer's standing from the points granted to them in a rolling window.

Settings: `{"tiers": [{name, min_points, window, multiplier}]}` (`window` a
duration such as "365d", `multiplier` at most two decimals, 1 when left out),
kept in the store's settings under `tiers`. A customer's tier is the one with
the highest `min_points` not above their *tier points*: the points granted to
them by earning rules (every points program; pending promises do not count)
less what was clawed back of those grants, within that tier's window ending
now. `tier_points` is the count for the tier found (or, with none, for the
longest window).

It is recomputed on every grant or clawback (`recompute_tier`) and, as points
age out of a window, by the worker (`recompute_due_tiers`): each customer row
carries `next_check_at`, the first moment a counted grant leaves a window. A
change writes a `tier.changed` event. A tier's multiplier multiplies every
award to the customer, after the seasonal multiplier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, update

from billfold.durations import parse_duration_seconds
from billfold.errors import require
from billfold.ledger import outbox, stores
from billfold.loyalty.arithmetic import HUNDREDTHS_PER_WHOLE, format_hundredths, parse_multiplier
from billfold.loyalty.programs import raw_settings
from billfold.store.sql import insert_if_absent
from billfold.store.tables import loyalty_awards, loyalty_customers
from billfold.store.tables import stores as stores_table

MAX_TIERS = 20
MAX_TIER_POINTS = 10**15
MAX_TIER_NAME_LENGTH = 64
RECOMPUTE_BATCH_LIMIT = 500
TIERS_KEY = "tiers"


@dataclass(frozen=True, slots=True)
class Tier:
    name: str
    min_points: int
    window_seconds: int
    window: str  # as the store wrote it ("365d"); whole seconds as "31536000s"
    multiplier_hundredths: int

    @property
    def multiplier(self) -> str:
        return format_hundredths(self.multiplier_hundredths)


@dataclass(frozen=True, slots=True)
class CustomerTier:
    customer_id: str
    tier: str | None
    tier_points: int
    multiplier_hundredths: int


def parse_tiers(value: object) -> tuple[Tier, ...]:
    """The `tiers` setting checked (400 on `tiers` for anything wrong), by min_points."""
    require(isinstance(value, list) and len(value) <= MAX_TIERS,
            f"tiers is a list of at most {MAX_TIERS} tiers.", param="tiers")
    found: list[Tier] = []
    for item in value:  # type: ignore[union-attr]
        require(isinstance(item, dict) and set(item) <= {"name", "min_points", "window",
                                                         "multiplier"},
                "Each tier is {name, min_points, window, multiplier?}.", param="tiers")
        name, minimum = item.get("name"), item.get("min_points")
        require(isinstance(name, str) and 0 < len(name.strip()) <= MAX_TIER_NAME_LENGTH,
                f"A tier's name is 1 to {MAX_TIER_NAME_LENGTH} characters.", param="tiers")
        require(isinstance(minimum, int) and not isinstance(minimum, bool)
                and 0 <= minimum <= MAX_TIER_POINTS,
                "A tier's min_points is a whole number of points.", param="tiers")
        require("window" in item, "A tier needs a window, such as '365d'.", param="tiers")
        seconds = parse_duration_seconds(item["window"], param="tiers")
        multiplier = item.get("multiplier")
        hundredths = (HUNDREDTHS_PER_WHOLE if multiplier is None
                      else parse_multiplier(multiplier, param="tiers"))
        window = item["window"] if isinstance(item["window"], str) else f"{seconds}s"
        found.append(Tier(name.strip(), minimum, seconds, window.strip(), hundredths))
    require(len({t.name for t in found}) == len(found), "Tier names must differ.",
            param="tiers")
    require(len({t.min_points for t in found}) == len(found),
            "Tiers' min_points must differ.", param="tiers")
    return tuple(sorted(found, key=lambda t: t.min_points))


def get_tiers(conn: Connection, store_id: str) -> tuple[Tier, ...]:
    return parse_tiers(raw_settings(conn, store_id).get(TIERS_KEY) or [])


def set_tiers(conn: Connection, *, store_id: str, value: object) -> tuple[Tier, ...]:
    """Replace the store's tiers (a list replaces the whole list)."""
    tiers = parse_tiers(value)
    stores.lock_store(conn, store_id)
    raw = raw_settings(conn, store_id)
    raw[TIERS_KEY] = [{"name": t.name, "min_points": t.min_points, "window": t.window,
                       "multiplier": t.multiplier} for t in tiers]
    conn.execute(update(stores_table).where(stores_table.c.store_id == store_id)
                 .values(settings=raw))
    return tiers


def customer_tier(conn: Connection, store_id: str, customer_id: str) -> CustomerTier:
    """The tier as last computed (no row yet: no tier, 0 points)."""
    row = conn.execute(select(loyalty_customers.c.tier, loyalty_customers.c.tier_points).where(
        loyalty_customers.c.store_id == store_id,
        loyalty_customers.c.customer_id == customer_id)).one_or_none()
    tier_name, points = (None, 0) if row is None else (row.tier, row.tier_points)
    tier = next((t for t in get_tiers(conn, store_id) if t.name == tier_name), None)
    return CustomerTier(customer_id, tier_name if tier else None, points,
                        tier.multiplier_hundredths if tier else HUNDREDTHS_PER_WHOLE)


def recompute_tier(conn: Connection, *, store_id: str, customer_id: str, now: datetime,
                   tiers: tuple[Tier, ...] | None = None) -> CustomerTier:
    """Count the customer's tier points now, store the tier, emit `tier.changed`."""
    tiers = get_tiers(conn, store_id) if tiers is None else tiers
    chosen, points, next_check = _standing(conn, store_id, customer_id, tiers, now)
    values = {"tier": chosen.name if chosen else None, "tier_points": points,
              "next_check_at": next_check, "updated_at": now}
    previous = conn.execute(select(loyalty_customers.c.tier).where(
        loyalty_customers.c.store_id == store_id,
        loyalty_customers.c.customer_id == customer_id).with_for_update()).one_or_none()
    if previous is None:
        insert_if_absent(conn, loyalty_customers, {"store_id": store_id,
                                                   "customer_id": customer_id, **values})
    else:
        conn.execute(update(loyalty_customers).where(
            loyalty_customers.c.store_id == store_id,
            loyalty_customers.c.customer_id == customer_id).values(**values))
    before = None if previous is None else previous.tier
    if before != values["tier"]:
        outbox.emit(conn, store_id, "tier.changed", {
            "customer_id": customer_id, "from": before, "to": values["tier"],
            "tier_points": points}, now)
    return CustomerTier(customer_id, values["tier"], points,  # type: ignore[arg-type]
                        chosen.multiplier_hundredths if chosen else HUNDREDTHS_PER_WHOLE)


def recompute_due_tiers(conn: Connection, *, store_id: str, now: datetime,
                        limit: int = RECOMPUTE_BATCH_LIMIT) -> int:
    """Recompute the customers whose counted points may have aged out by `now`, at most
    `limit` of them (the worker calls again while it returns `limit`)."""
    due = conn.execute(select(loyalty_customers.c.customer_id).where(
        loyalty_customers.c.store_id == store_id,
        loyalty_customers.c.next_check_at <= now)
        .order_by(loyalty_customers.c.next_check_at).limit(limit)).scalars().all()
    tiers = get_tiers(conn, store_id)
    for customer_id in due:
        recompute_tier(conn, store_id=store_id, customer_id=customer_id, now=now, tiers=tiers)
    return len(due)


def _standing(conn: Connection, store_id: str, customer_id: str, tiers: tuple[Tier, ...],
              now: datetime) -> tuple[Tier | None, int, datetime | None]:
    """(tier, its points, next moment a counted grant leaves some tier's window)."""
    if not tiers:
        return None, 0, None
    counted: dict[int, tuple[int, datetime | None]] = {}
    for seconds in {t.window_seconds for t in tiers}:
        counted[seconds] = _points_since(conn, store_id, customer_id,
                                         now - timedelta(seconds=seconds))
    chosen = None
    for tier in reversed(tiers):  # highest min_points first
        if counted[tier.window_seconds][0] >= tier.min_points:
            chosen = tier
            break
    window = chosen.window_seconds if chosen else max(counted)
    ages_out = [oldest + timedelta(seconds=seconds)
                for seconds, (_points, oldest) in counted.items() if oldest is not None]
    return chosen, counted[window][0], min(ages_out) if ages_out else None


def _points_since(conn: Connection, store_id: str, customer_id: str,
                  start: datetime) -> tuple[int, datetime | None]:
    net = loyalty_awards.c.granted_amount - loyalty_awards.c.clawed_back
    row = conn.execute(select(func.coalesce(func.sum(net), 0),
                              func.min(loyalty_awards.c.granted_at)).where(
        loyalty_awards.c.store_id == store_id, loyalty_awards.c.customer_id == customer_id,
        loyalty_awards.c.granted_at > start, net > 0)).one()
    return int(row[0]), row[1]


def tier_json(tier: Tier) -> dict[str, Any]:
    return {"name": tier.name, "min_points": tier.min_points, "window": tier.window,
            "multiplier": tier.multiplier}
