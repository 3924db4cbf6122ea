"""The shopper's "My Wallet" page, `/portal/{token}`: opened by an unguessable,
expiring, single-customer token from `POST /v1/customers/{id}/portal_sessions`, in
the session's locale. It shows every wallet's balance, what is pending, what expires
next and when, the tier, and the history filtered by earned / used / refunded /
expired."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from billfold.access import portal
from billfold.app import Billfold, Shop
from billfold.errors import BillfoldError
from billfold.ledger import stores
from billfold.web import i18n
from billfold.web.shell import billfold_of, render

HISTORY_FILTERS = {
    "earned": {"credit", "cashback", "transfer"},
    "used": {"debit", "capture", "withdrawal"},
    "refunded": {"refund", "reversal"},
    "expired": {"expiry"},
}
HISTORY_LIMIT = 50

router = APIRouter(include_in_schema=False)


@router.get("/portal/{token}", response_class=HTMLResponse)
async def portal_page(token: str, request: Request, show: str = "all") -> Response:
    return await run_in_threadpool(_portal, billfold_of(request), token, show)


def _portal(bf: Billfold, token: str, show: str) -> Response:
    try:
        session = bf.run(lambda c: portal.open_session(c, token, bf.clock.now()),
                         read_only=True)
    except BillfoldError:
        return render("base.html", status=404)
    shop = Shop(bf, session.store_id)
    locale = session.locale
    tr = i18n.translations(locale)
    customer = shop.customers.get(session.customer_id)
    wallets = []
    history = []
    wanted = HISTORY_FILTERS.get(show)
    for summary in customer.wallets:
        wallet = shop.wallets.get(session.customer_id, summary.program)
        expiry = wallet.next_expiry
        wallets.append({
            "program": wallet.program,
            "available": i18n.money(wallet.available, wallet.unit, locale),
            "pending": wallet.pending and i18n.money(wallet.pending, wallet.unit, locale),
            "next_expiry": expiry and i18n.money(expiry.amount, wallet.unit, locale),
            "next_expiry_at": expiry and i18n.moment(expiry.expires_at, locale)})
        for txn in shop.wallets.list_transactions(session.customer_id, wallet.program,
                                                  limit=HISTORY_LIMIT).data:
            if wanted is None or txn.type in wanted:
                history.append({"when": i18n.moment(txn.created_at, locale),
                                "what": i18n.word(txn.type, locale),
                                "amount": i18n.money(txn.amount, wallet.unit, locale),
                                "at": txn.created_at})
    history.sort(key=lambda row: row["at"], reverse=True)
    store = bf.run(lambda c: stores.get_store(c, session.store_id), read_only=True)
    filters = [("all", tr.gettext("All")), ("earned", tr.gettext("Earned")),
               ("used", tr.gettext("Used")), ("refunded", tr.gettext("Refunded")),
               ("expired", tr.gettext("Expired"))]
    return render("portal.html", locale, store_name=store.name, wallets=wallets,
                  history=history, tier=customer.tier, filters=filters, show=show,
                  return_url=session.return_url)
