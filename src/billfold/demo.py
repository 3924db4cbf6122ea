"""`billfold demo`: one store filled with 90 days of believable activity, so the
dashboard and "My Wallet" have something to show and `billfold verify` has real books.

Everything goes through the library's front door (`shop.wallets`, `shop.orders`,
`shop.checkouts`, …), never SQL: the books are exactly what a shop would have made.
Time is a FrozenClock moved day by day from 90 days ago to now, the worker's pass
(`Billfold.sweep`) running at each day's end, so credit expires, holds time out and
tiers age as they would. One `random.Random(seed)` decides everything: the same seed
fills the same store (ids minted by the ledger aside).

What happens, in story order:
- set-up: a capped `rewards` program (cashback lands there), a `points` program with
  a purchase rule, a first-purchase bonus, a review rule and a referral rule, two tiers,
  cashback offers, top-ups and withdrawals on;
- customers join over the period (a third are there from the start), most with a
  welcome credit that expires in two weeks, some referred by an earlier customer;
- each customer orders now and then; about half pay partly from the wallet through a
  checkout (a few abandon it: released, or timed out and swept); orders are shipped
  (which marks the card part paid) and completed a few days apart — or cancelled,
  before or after payment — and some are refunded, in part or in full, days after;
  some completed orders get a review;
- on set days: a seasonal offer opens and is closed early, a batch of wallet codes is
  handed out, everyone gets a holiday gift (one bulk grant), a double-points week;
- now and then: goodwill credits with an expiry, top-ups (a few never confirmed);
- the last two weeks: withdrawal requests, decided a few days later — the latest
  still pending.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from billfold.app import Billfold, Shop
from billfold.clock import FrozenClock, SystemClock
from billfold.errors import InvalidRequest, NotFound
from billfold.ledger.bulk import MAX_GRANTS_PER_BATCH
from billfold.money import precision

DAYS = 90
DEFAULT_CUSTOMERS = 300
MAX_CUSTOMERS = 10_000
ACTIVE_SECONDS_PER_DAY = 14 * 3600  # each day's actions are spread over 14 hours
FOUNDING_SHARE = 0.3  # customers already there on the first day
LAST_JOIN_DAY = DAYS - 6
WELCOME_SHARE = 0.6
REFERRED_SHARE = 0.15
ORDER_RATES_PER_DAY = (0.005, 0.01, 0.015, 0.03)  # each customer gets one
WALLET_CHECKOUT_SHARE = 0.5
ABANDONED_CHECKOUT_SHARE = 0.06
CANCELLED_SHARE = 0.08
REFUNDED_SHARE = 0.15
REVIEWED_SHARE = 0.35
GOODWILL_PER_CUSTOMER_DAY = 0.004
TOPUP_PER_CUSTOMER_DAY = 0.004
UNCONFIRMED_TOPUP_SHARE = 0.15
WITHDRAWAL_DAYS = 14  # the last days of the period
WITHDRAWAL_MIN_AMOUNT = 1_000
CODES_PER_CUSTOMER = 0.2  # a batch of wallet codes for a fifth of the customers
MAX_CODES = 25
CUSTOMER_PREFIX = "demo-"
# (product id, category, price in minor units)
CATALOGUE = (
    ("espresso-beans", "coffee", 4_500), ("drip-kettle", "coffee", 12_900),
    ("grinder", "coffee", 34_900), ("mug-set", "home", 7_900),
    ("linen-throw", "home", 18_500), ("desk-lamp", "home", 22_000),
    ("earbuds", "electronics", 29_900), ("power-bank", "electronics", 11_900),
    ("smart-watch", "electronics", 89_900), ("notebook", "stationery", 2_900),
    ("fountain-pen", "stationery", 15_500), ("backpack", "bags", 26_500),
)
FIRST_NAMES = ("Amira", "Omar", "Layla", "Yusuf", "Noura", "Khalid", "Sara", "Faisal",
               "Huda", "Tariq", "Mona", "Ziad", "Rana", "Sami", "Dana", "Hadi")
LAST_NAMES = ("Haddad", "Al-Harbi", "Nasser", "Qureshi", "Al-Otaibi", "Saleh", "Mansour",
              "Farouk", "Al-Zahrani", "Karim", "Aziz", "Hamdan")
GOODWILL_REASONS = ("Late delivery", "Damaged box", "Missing item", "Birthday",
                    "Price match")


@dataclass(frozen=True, slots=True)
class Summary:
    store_id: str
    customer_ids: tuple[str, ...]
    orders: int
    cancelled: int
    refunds: int
    withdrawals_pending: int
    outstanding: dict[str, tuple[int, str]]  # program -> (amount in minor units, unit)

    def lines(self) -> list[str]:
        """What the command prints."""
        found = [f"Customers: {len(self.customer_ids)}",
                 f"Orders: {self.orders} ({self.cancelled} cancelled, {self.refunds} refunds)",
                 f"Withdrawals pending: {self.withdrawals_pending}", "Outstanding:"]
        found += [f"  {program}: {format_amount(amount, unit)} {unit}"
                  for program, (amount, unit) in sorted(self.outstanding.items())]
        return found


def format_amount(amount_minor: int, unit: str) -> str:
    """12345 SAR -> '123.45' (integers only)."""
    places = precision(unit)
    if places == 0:
        return f"{amount_minor:,}"
    whole, fraction = divmod(abs(amount_minor), 10**places)
    return f"{'-' if amount_minor < 0 else ''}{whole:,}.{fraction:0{places}d}"


def fill(bf: Billfold, store_id: str, *, customers: int = DEFAULT_CUSTOMERS, seed: int = 1,
         now: datetime | None = None) -> Summary:
    """Fill the store with `customers` customers and their last 90 days up to `now`
    (default: the wall clock). `bf` must run on a FrozenClock, which this moves; it is
    left at `now`. InvalidRequest if the store already holds demo customers."""
    if not isinstance(bf.clock, FrozenClock):
        raise TypeError("fill() moves time: build the Billfold with a FrozenClock.")
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise InvalidRequest(f"customers is 1 to {MAX_CUSTOMERS}.", param="customers")
    end = now or SystemClock().now()
    start = end - timedelta(days=DAYS)
    bf.clock.set(start)
    story = Story(bf.store(store_id), bf.clock, random.Random(seed), start, customers)
    story.set_up()
    for day in range(DAYS):
        story.live(day)
        bf.sweep()
    bf.clock.set(end)
    bf.sweep()
    return story.summary()


def _earning_rules(shop: Shop, at: Callable[[int], datetime]) -> None:
    rule = shop.loyalty.create_rule
    rule("1 point per 1.00 spent", program="points", event="purchase",
         kind="proportional", points=100, per_amount=10_000)
    rule("Welcome bonus", program="points", event="first_purchase", kind="fixed",
         points=200)
    rule("Reviews", program="points", event="review", kind="fixed", points=25,
         max_per_customer=75, period="month")
    rule("Referrals", program="points", event="referral", kind="fixed", points=300)
    rule("Double points week", program="points", event="purchase", kind="multiplier",
         multiplier=2, starts_at=at(60), ends_at=at(67))


def _offers(shop: Shop, at: Callable[[int], datetime], currency: str) -> None:
    offer = shop.offers.create
    offer("Welcome 10%", program="rewards", percent=10, first_order_only=True,
          max_amount=3_000, credit_expires_in="45d")
    offer("Everyday 3%", program="rewards", percent=3,
          category_ids=["coffee", "home", "stationery", "bags"])
    offer("Electronics 5%", program="rewards", percent="5",
          category_ids=["electronics"], max_amount=4_000)
    offer(f"{format_amount(1_500, currency)} back on big baskets",
          program="rewards", amount=1_500, min_order_amount=40_000, starts_at=at(50))


@dataclass
class Story:
    """The simulation's state: who exists, what is scheduled for which day."""

    shop: Shop
    clock: FrozenClock
    rng: random.Random
    start: datetime
    customer_count: int
    currency: str = ""
    people: list[str] = field(default_factory=list)  # joined so far
    joins: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    order_rate: dict[str, float] = field(default_factory=dict)
    due: dict[int, list[Callable[[], None]]] = field(
        default_factory=lambda: defaultdict(list))
    order_amounts: dict[str, int] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    redeemed: set[str] = field(default_factory=set)
    # customers given withdrawable credit (cash, refunds, goodwill), in order: a dict,
    # not a set, so that choosing among them does not depend on string hashing
    paid_in: dict[str, None] = field(default_factory=dict)
    day: int = 0
    cancelled: int = 0
    refunds: int = 0
    withdrawals_pending: int = 0

    # -- set-up ---------------------------------------------------------------------

    def set_up(self) -> None:
        self._refuse_a_filled_store()
        self.currency = self.shop.settings.get().currency
        self.shop.settings.update({
            "programs": {"rewards": {"unit": self.currency, "max_per_order_percent": "20"},
                         "points": {"unit": "points", "points_per_unit": 100}},
            "tiers": [{"name": "Silver", "min_points": 500, "window": "90d"},
                      {"name": "Gold", "min_points": 2_000, "window": "90d",
                       "multiplier": "1.25"}],
            "cashback_expires_in": "60d", "allow_topup": True,
            "topup_amounts": [5_000, 10_000, 20_000], "withdrawals_enabled": True,
            "low_balance_threshold": 1_000})
        _earning_rules(self.shop, self._at)
        _offers(self.shop, self._at, self.currency)
        self._cast()
        self.due[12].append(self._hand_out_codes)
        self.due[25].append(self._open_season_offer)
        self.due[40].append(self._holiday_gift)

    def _refuse_a_filled_store(self) -> None:
        try:
            self.shop.customers.get(f"{CUSTOMER_PREFIX}00001")
        except NotFound:
            return
        raise InvalidRequest("This store already holds demo customers; fill a new one.",
                             param="store_id")

    def _cast(self) -> None:
        """Who joins when, and how often each orders."""
        for n in range(1, self.customer_count + 1):
            customer_id = f"{CUSTOMER_PREFIX}{n:05d}"
            joins = (0 if self.rng.random() < FOUNDING_SHARE
                     else self.rng.randint(1, LAST_JOIN_DAY))
            self.joins[joins].append(customer_id)
            self.order_rate[customer_id] = self.rng.choice(ORDER_RATES_PER_DAY)

    # -- one day --------------------------------------------------------------------

    def live(self, day: int) -> None:
        """Today's actions, spread over the day in a shuffled order (a follow-up is
        always scheduled for a later day, so order within a day never matters)."""
        self.day = day
        actions = self.due.pop(day, []) + self._todays_actions(day)
        self.rng.shuffle(actions)
        step = timedelta(seconds=ACTIVE_SECONDS_PER_DAY / (len(actions) + 1))
        for n, action in enumerate(actions, start=1):
            self.clock.set(self._at(day) + n * step)
            action()

    def _todays_actions(self, day: int) -> list[Callable[[], None]]:
        rng, actions = self.rng, []
        actions += [lambda c=c: self._join(c) for c in self.joins.pop(day, [])]
        for customer_id in self.people:
            if rng.random() < self.order_rate[customer_id]:
                actions.append(lambda c=customer_id: self._order(c))
            if rng.random() < TOPUP_PER_CUSTOMER_DAY:
                actions.append(lambda c=customer_id: self._top_up(c))
        goodwill = sum(rng.random() < GOODWILL_PER_CUSTOMER_DAY for _ in self.people)
        actions += [self._goodwill_credit] * goodwill
        if self.codes:
            actions.append(self._redeem_code)
        if day >= DAYS - WITHDRAWAL_DAYS:
            actions += [self._withdraw] * max(1, round(self.customer_count / 150))
        return actions

    def _later(self, days: int, action: Callable[[], None]) -> None:
        assert days >= 1
        self.due[self.day + days].append(action)

    def _at(self, day: int) -> datetime:
        return self.start + timedelta(days=day)

    # -- customers ------------------------------------------------------------------

    def _join(self, customer_id: str) -> None:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        email = f"{first}.{last}.{customer_id[len(CUSTOMER_PREFIX):]}@example.com"
        self.shop.customers.create(customer_id, name=f"{first} {last}",
                                   email=email.lower().replace("al-", ""))
        if self.people and self.rng.random() < REFERRED_SHARE:
            self.shop.loyalty.create_referral(self.rng.choice(self.people), customer_id)
        if self.rng.random() < WELCOME_SHARE:
            self.shop.wallets.credit(customer_id, "main", 1_500, funding_type="promotional",
                                     expires_in="14d", description="Welcome credit")
        self.people.append(customer_id)

    def _goodwill_credit(self) -> None:
        customer_id = self.rng.choice(self.people)
        self.paid_in[customer_id] = None
        self.shop.wallets.credit(
            customer_id, "main", self.rng.choice((500, 1_000, 2_500)),
            funding_type="manual_adjustment", expires_in=self.rng.choice(("7d", "30d")),
            description=f"Goodwill: {self.rng.choice(GOODWILL_REASONS).lower()}")

    def _top_up(self, customer_id: str) -> None:
        topup = self.shop.topups.create(customer_id, "main",
                                        self.rng.choice((5_000, 10_000, 20_000)))
        if self.rng.random() >= UNCONFIRMED_TOPUP_SHARE:  # the rest expire unpaid
            self.shop.topups.confirm(topup.id, f"pi_demo_{topup.id}")
            self.paid_in[customer_id] = None

    # -- orders ---------------------------------------------------------------------

    def _order(self, customer_id: str) -> None:
        order_id = f"{CUSTOMER_PREFIX}ord-{len(self.order_amounts) + 1:05d}"
        lines = [{"product_id": product, "category_ids": [category],
                  "quantity": self.rng.choice((1, 1, 1, 2)), "unit_amount": price}
                 for product, category, price in self.rng.sample(
                     CATALOGUE, self.rng.choice((1, 1, 2, 3)))]
        amount = sum(line["quantity"] * line["unit_amount"] for line in lines)
        checkout_id = None
        if self.rng.random() < WALLET_CHECKOUT_SHARE:
            checkout = self.shop.checkouts.create(customer_id, order_id, amount,
                                                  currency=self.currency, expires_in="30m")
            if self.rng.random() < ABANDONED_CHECKOUT_SHARE:
                if self.rng.random() < 0.5:  # else it times out and the sweep releases it
                    self.shop.checkouts.cancel(checkout.id)
                return
            checkout_id = checkout.id
        self.shop.orders.create(order_id, customer_id, amount, currency=self.currency,
                                lines=lines, checkout_id=checkout_id)
        self.order_amounts[order_id] = amount
        if self.rng.random() < CANCELLED_SHARE:  # half of them after the card paid
            if self.rng.random() < 0.5:
                self.shop.orders.set_status(order_id, "paid")
            self._later(1, lambda: self._cancel(order_id, customer_id))
            return
        shipping = self.rng.randint(1, 3)  # shipping marks the card part paid too
        self._later(shipping, lambda: self.shop.orders.set_status(order_id, "shipped"))
        self._later(shipping + self.rng.randint(2, 6),
                    lambda: self._complete(order_id, customer_id))

    def _cancel(self, order_id: str, customer_id: str) -> None:
        """What was paid comes back to the wallet at once (the card part as `refund`)."""
        self.shop.orders.set_status(order_id, "cancelled")
        self.paid_in[customer_id] = None
        self.cancelled += 1

    def _complete(self, order_id: str, customer_id: str) -> None:
        self.shop.orders.set_status(order_id, "completed")
        if self.rng.random() < REFUNDED_SHARE:
            self._later(self.rng.randint(1, 10), lambda: self._refund(order_id, customer_id))
        if self.rng.random() < REVIEWED_SHARE:
            self._later(self.rng.randint(1, 5), lambda: self._review(order_id, customer_id))

    def _refund(self, order_id: str, customer_id: str) -> None:
        """Half are whole refunds, half give back 20 to 60 % of the order."""
        amount = self.order_amounts[order_id]
        if self.rng.random() < 0.5:
            amount = amount * self.rng.randint(20, 60) // 100
        self.shop.orders.refund(order_id, amount)
        self.paid_in[customer_id] = None
        self.refunds += 1

    def _review(self, order_id: str, customer_id: str) -> None:
        self.shop.loyalty.create_event("review", customer_id, id=f"review-{order_id}",
                                       properties={"order_id": order_id,
                                                   "stars": self.rng.randint(3, 5)})

    # -- set days -------------------------------------------------------------------

    def _hand_out_codes(self) -> None:
        count = max(1, min(MAX_CODES, round(self.customer_count * CODES_PER_CUSTOMER)))
        batch = self.shop.codes.create(2_500, "main", count=count, credit_expires_in="30d")
        self.codes = list(batch.codes)

    def _redeem_code(self) -> None:
        waiting = [c for c in self.people if c not in self.redeemed]
        if not waiting or self.rng.random() < 0.5:
            return
        customer_id = self.rng.choice(waiting)
        self.shop.codes.redeem(self.codes.pop(), customer_id)
        self.redeemed.add(customer_id)

    def _open_season_offer(self) -> None:
        """A generous offer, closed early: orders not yet shipped lose its cashback."""
        offer = self.shop.offers.create("Season sale 8%", program="rewards", percent=8,
                                        ends_at=self._at(55))
        self._later(20, lambda: self.shop.offers.close(offer.id))

    def _holiday_gift(self) -> None:
        """Everyone there gets 20.00 of promotional credit for ten days (bulk grants)."""
        for first in range(0, len(self.people), MAX_GRANTS_PER_BATCH):
            batch = self.people[first:first + MAX_GRANTS_PER_BATCH]
            self.shop.wallets.grant("main", [(c, 2_000) for c in batch],
                                    funding_type="promotional", expires_in="10d",
                                    description="Holiday gift")

    # -- withdrawals ----------------------------------------------------------------

    def _withdraw(self) -> None:
        """Half the withdrawable part of the wallet of a customer who paid in, if it is
        worth it; decided a few days later (requests of the last days stay pending)."""
        if not self.paid_in:
            return
        customer_id = self.rng.choice(list(self.paid_in))
        wallet = self.shop.wallets.get(customer_id, "main")
        withdrawable = sum(wallet.by_funding_type.get(kind, 0)
                           for kind in ("cash", "refund", "manual_adjustment"))
        if withdrawable < 2 * WITHDRAWAL_MIN_AMOUNT:
            return
        made = self.shop.withdrawals.create(customer_id, "main", withdrawable // 200 * 100)
        self.withdrawals_pending += 1
        approve = self.rng.random() < 0.75
        self._later(self.rng.randint(2, 5), lambda: self._decide(made.id, approve))

    def _decide(self, withdrawal_id: str, approve: bool) -> None:
        if approve:
            self.shop.withdrawals.approve(withdrawal_id)
        else:
            self.shop.withdrawals.reject(withdrawal_id)
        self.withdrawals_pending -= 1

    # -- the end --------------------------------------------------------------------

    def summary(self) -> Summary:
        stats = self.shop.stats.get()
        programs = self.shop.settings.get().programs
        return Summary(
            store_id=self.shop.store_id, customer_ids=tuple(self.people),
            orders=len(self.order_amounts), cancelled=self.cancelled, refunds=self.refunds,
            withdrawals_pending=self.withdrawals_pending,
            outstanding={name: (stats.outstanding.get(name, 0), program.unit)
                         for name, program in programs.items()})
