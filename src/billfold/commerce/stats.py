"""Statistics (`GET /v1/stats`), computed from the ledger's own rows.

- `outstanding` — the store's liability now, per program: every wallet's
  available + held (a lot past its expiry counts only for its held part); also
  per program and funding type; `customers_with_balance` — customers with any
  of it.
- Flows over [from, to) (by default the 30 UTC days through today), per
  program in its unit, and in total over the programs in the store currency:
  `issued` = credits, refunds to the wallet and granted cashback, less
  reversals of them (clawbacks included); `spent` = debits, captures and
  withdrawals, less reversals of them (wallet parts of refunds); `expired` =
  expiry sweeps; `voided` = lots voided by an admin.
  `usage_rate` = spent / issued in basis points (half-even; 0 if nothing was
  issued), and as a percent string.
- `cashback` over the window: `promised`, `granted`, `voided` (promises voided
  or shrunk), `clawed_back`; `pending` is what is promised now; `shortfall`
  and `deducted` (clawback that could not be taken back: recorded, or taken
  off refunds) are totals to date.
- `series`: one entry per UTC day of the window with the same flows.

The flows of whole closed days are read from `flow_days`, the daily sums that the
worker rolls up an hour after each UTC day ends (`roll_up_flows`, every sweep); what is
not rolled up — today, a part of a day at a window's edge, days the worker has not
reached — is summed from the transactions, so a window costs the same whatever its
length and the figures never wait for the worker. `billfold verify` recomputes every
rolled-up day (`check_rollups`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, select, update
from sqlalchemy.orm import aliased

from billfold.commerce.rounding import divide_half_even, format_percent
from billfold.errors import require
from billfold.ledger.models import LOT_ACTIVE, PROMISE_PENDING
from billfold.ledger.queries import unswept_free
from billfold.ledger.verify import Problem
from billfold.money import BASIS_POINTS_PER_WHOLE
from billfold.store.sql import insert_if_absent, insert_rows, utc_day
from billfold.store.tables import (
    accounts,
    flow_days,
    flow_rollups,
    lots,
    order_cashbacks,
    programs,
    promises,
    stores,
    transactions,
)

DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 366
ISSUE_TYPES = ("credit", "refund", "cashback")
SPEND_TYPES = ("debit", "capture", "withdrawal")
FLOW_NAMES = ("issued", "spent", "expired", "voided", "cashback_granted")
ROLL_UP_AFTER = timedelta(hours=1)  # a UTC day is rolled up an hour after it ends
ROLL_UP_DAYS = 31  # the most days of one store a roll-up transaction sums
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Flows:
    issued: int = 0
    spent: int = 0
    expired: int = 0
    voided: int = 0
    cashback_granted: int = 0


@dataclass(frozen=True, slots=True)
class ProgramStats:
    program: str
    unit: str
    outstanding: int
    outstanding_by_funding_type: dict[str, int]
    flows: Flows


@dataclass(frozen=True, slots=True)
class DayStats:
    date: str
    flows: Flows


@dataclass(frozen=True, slots=True)
class CashbackStats:
    promised: int
    granted: int
    voided: int
    clawed_back: int
    pending: int
    shortfall: int
    deducted: int


@dataclass(frozen=True, slots=True)
class Stats:
    currency: str
    start: datetime
    end: datetime
    programs: tuple[ProgramStats, ...]
    customers_with_balance: int
    flows: Flows
    usage_rate_basis_points: int
    cashback: CashbackStats
    series: tuple[DayStats, ...]

    @property
    def usage_rate_percent(self) -> str:
        return format_percent(self.usage_rate_basis_points)


def compute_stats(conn: Connection, *, store_id: str, now: datetime,
                  start: datetime | None = None, end: datetime | None = None,
                  by_funding_type: bool = True) -> Stats:
    """The store's statistics; see the module docstring for every figure.

    Without `by_funding_type` (the dashboard's home, which does not show it), the
    liability comes from the wallets' running totals alone — one row a wallet, not one a
    lot — and `outstanding_by_funding_type` is left empty."""
    if end is None:  # through the end of today (UTC)
        today = now.astimezone(UTC).date()
        end = datetime(today.year, today.month, today.day, tzinfo=UTC) + timedelta(days=1)
    start = start or end - timedelta(days=DEFAULT_WINDOW_DAYS)
    require(start < end, "from must be before to.", param="from")
    require(end - start <= timedelta(days=MAX_WINDOW_DAYS),
            f"The window is at most {MAX_WINDOW_DAYS} days.", param="from")
    currency = conn.execute(select(stores.c.currency)
                            .where(stores.c.store_id == store_id)).scalar_one()
    units = dict(conn.execute(select(programs.c.name, programs.c.unit)
                              .where(programs.c.store_id == store_id)).all())
    window = _window(conn, store_id, start, end)
    by_day, by_program = _flows(window, units, currency)
    outstanding, by_type = (_outstanding(conn, store_id, now) if by_funding_type
                            else (_wallet_outstanding(conn, store_id, now), {}))
    program_stats = tuple(
        ProgramStats(name, unit, outstanding.get(name, 0), by_type.get(name, {}),
                     by_program.get(name, Flows()))
        for name, unit in sorted(units.items()))
    total = _sum_flows([p.flows for p in program_stats if p.unit == currency])
    rate = (divide_half_even(max(total.spent, 0) * BASIS_POINTS_PER_WHOLE, total.issued)
            if total.issued > 0 else 0)
    days = []
    day = start.astimezone(UTC).date()
    while datetime(day.year, day.month, day.day, tzinfo=UTC) < end:
        days.append(DayStats(day.isoformat(), by_day.get(day.isoformat(), Flows())))
        day += timedelta(days=1)
    return Stats(currency, start, end, program_stats,
                 _customers_with_balance(conn, store_id, now), total, rate,
                 _cashback(conn, store_id, window), tuple(days))


def _undone_type() -> Any:
    """The type of the transaction a reversal undoes, looked up by primary key for
    reversal rows only (NULL for every other row): no join over the store's history."""
    undone = aliased(transactions)
    return case((transactions.c.type == "reversal", select(undone.c.type).where(
        undone.c.store_id == transactions.c.store_id,
        undone.c.transaction_id == transactions.c.reverses_transaction_id)
        .scalar_subquery()), else_=None)


PROMISE_TYPES = ("promise", "promise_void", "promise_adjustment")
Window = list[tuple[str, str, str | None, str | None, str, int]]


def _window(conn: Connection, store_id: str, start: datetime, end: datetime) -> Window:
    """The window's movements that flows and cashback count, summed by (program, type,
    type undone, funding type, UTC day): the whole days the worker has rolled up from
    `flow_days`, the rest (today, days not rolled up yet, a part of a day at either
    edge) from one scan of the transactions."""
    through = conn.execute(select(flow_rollups.c.through)
                           .where(flow_rollups.c.store_id == store_id)).scalar()
    if through is not None:
        first = _day_start(start.astimezone(UTC).date())
        first += timedelta(days=1) if first < start else timedelta()
        last = min(_day_start(end.astimezone(UTC).date()),
                   _day_start(date.fromisoformat(through)))
        if first < last:
            return [*_scan(conn, store_id, start, first), *_rolled(conn, store_id, first, last),
                    *_scan(conn, store_id, last, end)]
    return _scan(conn, store_id, start, end)


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _scan(conn: Connection, store_id: str, start: datetime, end: datetime) -> Window:
    if start >= end:
        return []
    moved = (
        select(transactions.c.program, transactions.c.type,
               _undone_type().label("undone"), transactions.c.funding_type,
               utc_day(conn, transactions.c.created_at).label("day"), transactions.c.amount)
        .where(transactions.c.store_id == store_id, transactions.c.created_at >= start,
               transactions.c.created_at < end,
               transactions.c.type.in_((*ISSUE_TYPES, *SPEND_TYPES, *PROMISE_TYPES,
                                        "expiry", "void", "reversal"))).subquery())
    return [(str(program), str(type_), undone, funding_type, str(day), int(amount))
            for program, type_, undone, funding_type, day, amount in conn.execute(
                select(moved.c.program, moved.c.type, moved.c.undone, moved.c.funding_type,
                       moved.c.day, func.sum(moved.c.amount))
                .group_by(moved.c.program, moved.c.type, moved.c.undone,
                          moved.c.funding_type, moved.c.day))]


def _rolled(conn: Connection, store_id: str, first: datetime, last: datetime) -> Window:
    """The rolled-up sums of the whole days in [first, last)."""
    return [(program, type_, undone or None, funding_type or None, day, int(amount))
            for program, type_, undone, funding_type, day, amount in conn.execute(
                select(flow_days.c.program, flow_days.c.type, flow_days.c.undone,
                       flow_days.c.funding_type, flow_days.c.day, flow_days.c.amount)
                .where(flow_days.c.store_id == store_id,
                       flow_days.c.day >= first.date().isoformat(),
                       flow_days.c.day < last.date().isoformat()))]


def roll_up_flows(conn: Connection, store_id: str, now: datetime, *,
                  days: int = ROLL_UP_DAYS) -> int:
    """Sum up to `days` closed UTC days not rolled up yet into `flow_days` and move the
    store's mark past them; how many days (0: nothing to do). A day is closed
    `ROLL_UP_AFTER` after it ends: a movement is stamped when it starts, and it has
    committed or given up long before that. The mark's row lock keeps two workers from
    rolling one store at once; `billfold verify` recomputes every rolled day."""
    closed = (now - ROLL_UP_AFTER).astimezone(UTC).date()  # the days before it are closed
    marked = select(flow_rollups.c.through).where(flow_rollups.c.store_id == store_id)
    mark = conn.execute(marked).scalar()
    if mark is not None and date.fromisoformat(mark) >= closed:
        return 0  # up to date: no lock taken (every pass asks every store)
    mark = conn.execute(marked.with_for_update()).scalar()
    if mark is None:
        first = conn.execute(select(func.min(transactions.c.created_at))
                             .where(transactions.c.store_id == store_id)).scalar()
        through = min(closed, first.astimezone(UTC).date()) if first is not None else closed
        if not insert_if_absent(conn, flow_rollups, {"store_id": store_id,
                                                     "through": through.isoformat()}):
            return 0  # another worker made the mark and rolls this store
    else:
        through = date.fromisoformat(mark)
    stop = min(closed, through + timedelta(days=days))
    if stop <= through:
        return 0
    insert_rows(conn, flow_days, [
        {"store_id": store_id, "day": day, "program": program, "type": type_,
         "undone": undone or "", "funding_type": funding_type or "", "amount": amount}
        for program, type_, undone, funding_type, day, amount
        in _scan(conn, store_id, _day_start(through), _day_start(stop))])
    conn.execute(update(flow_rollups).where(flow_rollups.c.store_id == store_id)
                 .values(through=stop.isoformat()))
    return (stop - through).days


def check_rollups(conn: Connection) -> list[Problem]:
    """`billfold verify`'s check of the daily sums: every rolled-up day of every store
    equals a fresh sum of its transactions (none missing, none extra)."""
    problems = []
    for store_id, through in conn.execute(select(flow_rollups.c.store_id,
                                                 flow_rollups.c.through)).all():
        end = _day_start(date.fromisoformat(through))
        fresh = _keyed(_scan(conn, store_id, EPOCH, end))
        kept = _keyed(_rolled(conn, store_id, EPOCH, end))
        for key in sorted(fresh.keys() | kept.keys(), key=str):
            if fresh.get(key, 0) != kept.get(key, 0):
                problems.append(Problem(
                    6, "daily statistics equal their transactions", store_id,
                    " ".join(str(part or "-") for part in key),
                    f"rolled up {kept.get(key, 0)}, transactions sum to {fresh.get(key, 0)}"))
    return problems


def _keyed(window: Window) -> dict[tuple[str, str, str | None, str | None, str], int]:
    sums: dict[tuple[str, str, str | None, str | None, str], int] = defaultdict(int)
    for program, type_, undone, funding_type, day, amount in window:
        sums[(day, program, type_, undone, funding_type)] += amount
    return sums


def _flows(window: Window, units: dict[str, str],
           currency: str) -> tuple[dict[str, Flows], dict[str, Flows]]:
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_program: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for program, type_, undone_type, _funding_type, day, amount in window:
        if type_ in PROMISE_TYPES:
            continue
        for name, delta in _flow_deltas(type_, undone_type, amount):
            per_program[program][name] += delta
            if units.get(program) == currency:
                per_day[day][name] += delta
    return ({k: Flows(**v) for k, v in per_day.items()},
            {k: Flows(**v) for k, v in per_program.items()})


def _flow_deltas(type_: str, undone_type: str | None, amount: int) -> list[tuple[str, int]]:
    if type_ in ISSUE_TYPES:
        return [("issued", amount)] + ([("cashback_granted", amount)]
                                       if type_ == "cashback" else [])
    if type_ in SPEND_TYPES:
        return [("spent", amount)]
    if type_ == "expiry":
        return [("expired", amount)]
    if type_ == "void":
        return [("voided", amount)]
    assert type_ == "reversal"
    if undone_type in ISSUE_TYPES:
        return [("issued", -amount)]
    if undone_type in SPEND_TYPES:
        return [("spent", -amount)]
    return []


def _outstanding(conn: Connection, store_id: str,
                 now: datetime) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    expired = and_(lots.c.expires_at.is_not(None), lots.c.expires_at <= now)
    live = case((expired, lots.c.held), else_=lots.c.remaining)
    rows = conn.execute(
        select(accounts.c.program, lots.c.funding_type, func.sum(live))
        .join(accounts, and_(accounts.c.store_id == lots.c.store_id,
                             accounts.c.account_id == lots.c.wallet_id))
        .where(lots.c.store_id == store_id, lots.c.status == LOT_ACTIVE)
        .group_by(accounts.c.program, lots.c.funding_type)).all()
    total: dict[str, int] = defaultdict(int)
    by_type: dict[str, dict[str, int]] = defaultdict(dict)
    for program, funding_type, amount in rows:
        if amount:
            total[program] += int(amount)
            by_type[program][funding_type] = int(amount)
    return dict(total), dict(by_type)


def _wallets_with_liability(conn: Connection, store_id: str, now: datetime) -> Any:
    """Every wallet's liability now: its running total less its unswept expired part
    (available + held, as a balance read has them)."""
    unswept = unswept_free(store_id, now)
    liability = accounts.c.balance - func.coalesce(unswept.c.free, 0)
    return (select(accounts.c.customer_id, accounts.c.program, liability.label("liability"))
            .outerjoin(unswept, unswept.c.wallet_id == accounts.c.account_id)
            .where(accounts.c.store_id == store_id, accounts.c.kind == "wallet"))


def _wallet_outstanding(conn: Connection, store_id: str, now: datetime) -> dict[str, int]:
    wallets = _wallets_with_liability(conn, store_id, now).subquery()
    rows = conn.execute(select(wallets.c.program, func.sum(wallets.c.liability))
                        .group_by(wallets.c.program)).all()
    return {program: int(amount) for program, amount in rows if amount}


def _customers_with_balance(conn: Connection, store_id: str, now: datetime) -> int:
    wallets = _wallets_with_liability(conn, store_id, now).subquery()
    return int(conn.execute(select(func.count(func.distinct(wallets.c.customer_id)))
                            .where(wallets.c.liability > 0)).scalar_one())


def _cashback(conn: Connection, store_id: str, window: Window) -> CashbackStats:
    sums: dict[str, int] = defaultdict(int)
    for _program, type_, undone_type, funding_type, _day, amount in window:
        if type_ == "reversal":
            if undone_type == "cashback":
                sums["clawed_back"] += amount
        elif funding_type == "cashback" and type_ in (*PROMISE_TYPES, "cashback"):
            sums[type_] += amount
    pending = conn.execute(select(func.coalesce(func.sum(promises.c.amount), 0)).where(
        promises.c.store_id == store_id, promises.c.status == PROMISE_PENDING,
        promises.c.funding_type == "cashback")).scalar_one()
    short, deducted = conn.execute(select(
        func.coalesce(func.sum(order_cashbacks.c.shortfall), 0),
        func.coalesce(func.sum(order_cashbacks.c.deducted), 0))
        .where(order_cashbacks.c.store_id == store_id)).one()
    return CashbackStats(
        promised=sums["promise"], granted=sums["cashback"],
        voided=sums["promise_void"] + sums["promise_adjustment"],
        clawed_back=sums["clawed_back"], pending=int(pending), shortfall=int(short),
        deducted=int(deducted))


def _sum_flows(flows: list[Flows]) -> Flows:
    return Flows(**{name: sum(getattr(f, name) for f in flows) for name in FLOW_NAMES})
