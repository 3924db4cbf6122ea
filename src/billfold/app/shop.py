"""One store's handle: its resources as namespaces, the same names as the REST
resources and the SDK's (`shop.wallets.credit(...)`, `api.wallets.credit(...)`), and the
same answers: the contract's models (`billfold.contract`)."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from billfold.app.checkouts import Checkouts
from billfold.app.customers import Customers
from billfold.app.events import Events
from billfold.app.funding import Codes, Topups
from billfold.app.holds import Holds
from billfold.app.lots import Lots
from billfold.app.loyalty import Loyalty
from billfold.app.offers import Offers
from billfold.app.orders import Orders
from billfold.app.portal import PortalSessions
from billfold.app.programs import Programs
from billfold.app.promises import Promises
from billfold.app.settings import Settings
from billfold.app.stats import Stats
from billfold.app.transactions import Transactions
from billfold.app.transfers import Transfers
from billfold.app.wallets import Wallets
from billfold.app.webhooks import Webhooks
from billfold.app.withdrawals import Withdrawals

if TYPE_CHECKING:
    from billfold.app.billfold import Billfold


class Shop:
    """A store's wallets, holds, orders… Each namespace is made on first use."""

    def __init__(self, billfold: Billfold, store_id: str, *, public_url: str | None = None):
        self._bf = billfold
        self.store_id = store_id
        self.public_url = public_url or billfold.public_url

    @property
    def now(self) -> datetime:
        return self._bf.clock.now()

    @cached_property
    def customers(self) -> Customers:
        return Customers(self._bf, self.store_id)

    @cached_property
    def wallets(self) -> Wallets:
        return Wallets(self._bf, self.store_id)

    @cached_property
    def transactions(self) -> Transactions:
        return Transactions(self._bf, self.store_id)

    @cached_property
    def transfers(self) -> Transfers:
        return Transfers(self._bf, self.store_id)

    @cached_property
    def withdrawals(self) -> Withdrawals:
        return Withdrawals(self._bf, self.store_id)

    @cached_property
    def codes(self) -> Codes:
        return Codes(self._bf, self.store_id)

    @cached_property
    def topups(self) -> Topups:
        return Topups(self._bf, self.store_id)

    @cached_property
    def events(self) -> Events:
        return Events(self._bf, self.store_id)

    @cached_property
    def webhooks(self) -> Webhooks:
        return Webhooks(self._bf, self.store_id)

    @cached_property
    def portal_sessions(self) -> PortalSessions:
        return PortalSessions(self._bf, self.store_id, self.public_url)

    @cached_property
    def holds(self) -> Holds:
        return Holds(self._bf, self.store_id)

    @cached_property
    def lots(self) -> Lots:
        return Lots(self._bf, self.store_id)

    @cached_property
    def promises(self) -> Promises:
        return Promises(self._bf, self.store_id)

    @cached_property
    def programs(self) -> Programs:
        return Programs(self._bf, self.store_id)

    @cached_property
    def settings(self) -> Settings:
        return Settings(self._bf, self.store_id)

    @cached_property
    def checkouts(self) -> Checkouts:
        return Checkouts(self._bf, self.store_id)

    @cached_property
    def offers(self) -> Offers:
        return Offers(self._bf, self.store_id)

    @cached_property
    def orders(self) -> Orders:
        return Orders(self._bf, self.store_id)

    @cached_property
    def stats(self) -> Stats:
        return Stats(self._bf, self.store_id)

    # -- loyalty --
    @cached_property
    def loyalty(self) -> Loyalty:
        return Loyalty(self._bf, self.store_id)
