"""The dashboard's own pages: login, logout, the first password, the language, home
(the wallet switch, headline figures, charts), customers (search, a profile with its
wallets, lots and history, credit/debit with a reason, reverse), the CSV exports and
the audit log."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from billfold.access import audit, users
from billfold.app import render as contract_of
from billfold.commerce.stats import compute_stats
from billfold.errors import BillfoldError
from billfold.ledger import stores
from billfold.ledger.customers import search_customers
from billfold.ledger.models import CREDIT_TYPES, DEBIT_TYPES
from billfold.ledger.queries import wallet_balances
from billfold.web import charts, i18n
from billfold.web.portal import HISTORY_FILTERS
from billfold.web.shell import (
    COOKIE,
    LOCALE_COOKIE,
    Page,
    billfold_of,
    locale_of,
    redirect,
    render,
    run_page,
)

PAGE_SIZE = 50
REVERSIBLE = CREDIT_TYPES | DEBIT_TYPES
EXPORT_BATCH = 1000

router = APIRouter(include_in_schema=False)


# -- signing in and out ------------------------------------------------------------------

@router.get("/dashboard/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    return render("dashboard/login.html", locale_of(request))


@router.post("/dashboard/login")
async def login(request: Request, email: Annotated[str, Form()],
                password: Annotated[str, Form()]) -> Response:
    bf = billfold_of(request)
    token = await run_in_threadpool(bf.run, lambda c: users.log_in(
        c, email=email, password=password, now=bf.clock.now()))
    locale = locale_of(request)
    if token is None:
        return render("dashboard/login.html", locale, status=401, error=i18n.translations(
            locale).gettext(users.refuse_login().message))
    response = redirect("/dashboard")
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https",
                        max_age=int(users.SESSION_LIFETIME.total_seconds()))
    return response


@router.get("/dashboard/language/{locale}")
async def choose_language(request: Request, locale: str, back: str = "/dashboard"
                          ) -> Response:
    """Remember the user's language (a preference only: nothing moves)."""
    response = redirect(back if back.startswith("/dashboard") else "/dashboard")
    if locale in i18n.LOCALES:
        response.set_cookie(LOCALE_COOKIE, locale, httponly=True, samesite="strict",
                            path="/", secure=request.url.scheme == "https",
                            max_age=365 * 86400)
    return response


@router.get("/dashboard/password", response_class=HTMLResponse)
async def password_form(request: Request) -> Response:
    return await run_in_threadpool(run_page, request,
                                   lambda page: page.render("dashboard/password.html"))


@router.post("/dashboard/password")
async def set_password(request: Request, password: Annotated[str, Form()],
                       csrf: Annotated[str, Form()]) -> Response:
    def work(page: Page) -> Response:
        try:
            page.bf.run(lambda c: users.set_password(c, user_id=page.user.id,
                                                     password=password))
        except BillfoldError as error:
            return page.render("dashboard/password.html", status=400,
                               error=page.gettext(error.message))
        return redirect("/dashboard")

    return await run_in_threadpool(run_page, request, work, form={"csrf": csrf})


@router.post("/dashboard/logout")
async def logout(request: Request, csrf: Annotated[str, Form()]) -> Response:
    def work(page: Page) -> Response:
        page.bf.run(lambda c: users.log_out(c, request.cookies.get(COOKIE, "")))
        response = redirect("/dashboard/login")
        response.delete_cookie(COOKIE, path="/")
        return response

    return await run_in_threadpool(run_page, request, work, form={"csrf": csrf})


# -- home ---------------------------------------------------------------------------------

@router.get("/dashboard", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    return await run_in_threadpool(run_page, request, _home)


def _home(page: Page) -> Response:
    shop = page.shop
    settings = shop.settings.get()
    stats = contract_of.stats(page.bf.run(lambda c: compute_stats(  # no per-lot breakdown
        c, store_id=shop.store_id, now=page.bf.clock.now(), by_funding_type=False),
        read_only=True))
    store = page.bf.run(lambda c: stores.get_store(c, shop.store_id), read_only=True)
    unit = stats.currency
    units = {name: program.unit for name, program in settings.programs.items()}
    outstanding = [(name, page.money(value, units.get(name, unit)))
                   for name, value in sorted(stats.outstanding.items())]
    cb = stats.cashback
    breakage = stats.expired + stats.voided
    return page.render(
        "dashboard/home.html", store_name=store.name, wallet_enabled=settings.wallet_enabled,
        outstanding=outstanding, customers_with_balance=stats.customers_with_balance,
        usage_rate=stats.usage_rate_percent, breakage=page.money(breakage, unit),
        cashback=[(page.gettext(label), page.money(value, unit)) for label, value in (
            ("Promised", cb.promised), ("Granted", cb.granted), ("Voided", cb.voided))],
        flows=[(page.gettext(label), page.money(value, unit)) for label, value in (
            ("Issued", stats.issued), ("Spent", stats.spent), ("Expired", stats.expired))],
        chart=charts.home_chart(stats, units, page.gettext),
        series=[{"date": d.date, "issued": page.money(d.issued, unit),
                 "spent": page.money(d.spent, unit), "expired": page.money(d.expired, unit)}
                for d in stats.series if d.issued or d.spent or d.expired])


@router.post("/dashboard/wallet")
async def switch_wallet(request: Request, enabled: Annotated[str, Form()],
                        csrf: Annotated[str, Form()]) -> Response:
    def work(page: Page) -> Response:
        on = enabled == "on"
        page.shop.settings.update({"wallet_enabled": on})
        page.audit("wallet_on" if on else "wallet_off")
        return redirect("/dashboard")

    return await run_in_threadpool(run_page, request, work, acting=True, form={"csrf": csrf})


# -- customers ------------------------------------------------------------------------------

@router.get("/dashboard/customers", response_class=HTMLResponse)
async def customers_page(request: Request, q: str = "", after: str | None = None
                         ) -> Response:
    def work(page: Page) -> Response:
        found = page.bf.run(lambda c: search_customers(c, page.shop.store_id, q[:200],
                                                       after=after, limit=PAGE_SIZE),
                            read_only=True)
        return page.render("dashboard/customers.html", customers=found, q=q,
                           next_after=found[-1].id if len(found) == PAGE_SIZE else None)

    return await run_in_threadpool(run_page, request, work)


@router.get("/dashboard/customers/{customer_id}", response_class=HTMLResponse)
async def customer_page(request: Request, customer_id: str, program: str = "main",
                        show: str = "all", after: str | None = None) -> Response:
    return await run_in_threadpool(run_page, request, lambda page: _customer(
        page, customer_id, program, show=show, after=after))


def _customer(page: Page, customer_id: str, program: str, *, show: str = "all",
              after: str | None = None, error: str | None = None,
              status: int = 200) -> Response:
    shop = page.shop
    try:
        customer = shop.customers.get(customer_id)
    except BillfoldError as refused:
        return HTMLResponse(page.gettext(refused.message), status_code=404)
    settings = shop.settings.get()
    programs = sorted(settings.programs) or ["main"]
    program = program if program in programs else programs[0]
    unit = page.unit_of(program)
    wallets = []
    for summary in customer.wallets:
        w = shop.wallets.get(customer_id, summary.program)
        wallets.append({"program": w.program, "available": page.money(w.available, w.unit),
                        "held": page.money(w.held, w.unit),
                        "pending": page.money(w.pending, w.unit)})
    try:
        found = shop.wallets.list_transactions(customer_id, program, limit=PAGE_SIZE,
                                               starting_after=after)
        lots = shop.wallets.list_lots(customer_id, program, status="active",
                                      limit=PAGE_SIZE).data
    except BillfoldError:
        found, lots = None, []
    wanted = HISTORY_FILTERS.get(show)
    history = [{"id": t.id, "when": page.moment(t.created_at), "type": page.word(t.type),
                "amount": page.money(t.amount, unit), "description": t.description or "",
                "reversible": t.type in REVERSIBLE}
               for t in (found.data if found else []) if wanted is None or t.type in wanted]
    filters = [(key, page.gettext(label)) for key, label in (
        ("all", "All"), ("earned", "Earned"), ("used", "Used"), ("refunded", "Refunded"),
        ("expired", "Expired"))]
    return page.render(
        "dashboard/customer.html", status=status, customer=customer, wallets=wallets,
        programs=programs, program=program, history=history, show=show, filters=filters,
        next_after=found.next_cursor if found and found.has_more else None,
        lots=[{"id": lot.id, "funding_type": page.word(lot.funding_type),
               "remaining": page.money(lot.remaining, unit),
               "expires": page.moment(lot.expires_at)} for lot in lots],
        error=error)


@router.post("/dashboard/customers/{customer_id}/adjust")
async def adjust(request: Request, customer_id: str, program: Annotated[str, Form()],
                 direction: Annotated[str, Form()], amount: Annotated[str, Form()],
                 reason: Annotated[str, Form()], csrf: Annotated[str, Form()]) -> Response:
    def work(page: Page) -> Response:
        unit = page.unit_of(program)
        minor = i18n.parse_money(amount, unit)
        why = reason.strip()
        if minor is None or not why or direction not in ("credit", "debit"):
            return _customer(page, customer_id, program, status=400,
                             error=page.gettext("Give an amount above zero and a reason."))
        wallets = page.shop.wallets
        try:
            if direction == "credit":
                txn = wallets.credit(customer_id, program, minor,
                                     funding_type="manual_adjustment", description=why)
            else:
                txn = wallets.debit(customer_id, program, minor, description=why)
        except BillfoldError as error:
            return _customer(page, customer_id, program, status=error.status,
                             error=page.gettext(error.message))
        page.audit(direction, target=customer_id, amount=minor, unit=unit, reason=why,
                   object_id=txn.id)
        return redirect(f"/dashboard/customers/{customer_id}?program={program}")

    return await run_in_threadpool(run_page, request, work, acting=True, form={"csrf": csrf})


@router.post("/dashboard/customers/{customer_id}/reverse/{transaction_id}")
async def reverse(request: Request, customer_id: str, transaction_id: str,
                  program: Annotated[str, Form()], reason: Annotated[str, Form()],
                  csrf: Annotated[str, Form()]) -> Response:
    def work(page: Page) -> Response:
        why = reason.strip()
        if not why:
            return _customer(page, customer_id, program, status=400,
                             error=page.gettext("Give a reason."))
        try:
            if page.shop.transactions.get(transaction_id).customer_id != customer_id:
                return _customer(page, customer_id, program, status=404,
                                 error=page.gettext("No such transaction."))
            txn = page.shop.transactions.reverse(transaction_id, description=why)
        except BillfoldError as error:
            return _customer(page, customer_id, program, status=error.status,
                             error=page.gettext(error.message))
        page.audit("reverse", target=customer_id, amount=txn.amount,
                   unit=page.unit_of(program), reason=why, object_id=txn.id)
        return redirect(f"/dashboard/customers/{customer_id}?program={program}")

    return await run_in_threadpool(run_page, request, work, acting=True, form={"csrf": csrf})


# -- exports --------------------------------------------------------------------------------

def _csv(batches: Iterator[Sequence[Sequence[Any]]], filename: str) -> StreamingResponse:
    """Streamed a batch of rows at a time (the header is the first batch): each batch
    is one `writerows`, one hop to a thread and one write to the socket."""
    def chunks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for batch in batches:
            if not batch:  # the keyset's last, empty batch
                continue
            writer.writerows(batch)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return StreamingResponse(chunks(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@router.get("/dashboard/exports/balances.csv")
async def export_balances(request: Request) -> Response:
    """Every wallet's balance, in batches by keyset (memory stays flat)."""
    def work(page: Page) -> Response:
        def rows() -> Iterator[Sequence[Sequence[Any]]]:
            yield [["customer_id", "program", "unit", "available", "held", "pending"]]
            after: tuple[str, str] | None = None
            while True:
                batch = page.bf.run(lambda c, after=after: wallet_balances(
                    c, page.shop.store_id, page.bf.clock.now(), after=after,
                    limit=EXPORT_BATCH), read_only=True)
                yield batch  # WalletLine is a tuple in the header's order
                if len(batch) < EXPORT_BATCH:
                    return
                after = (batch[-1].customer_id, batch[-1].program)

        return _csv(rows(), "balances.csv")

    return await run_in_threadpool(run_page, request, work)


@router.get("/dashboard/exports/customers/{customer_id}/{program}.csv")
async def export_history(request: Request, customer_id: str, program: str) -> Response:
    """One wallet's whole history, newest first, page by page."""
    def work(page: Page) -> Response:
        wallets = page.shop.wallets
        try:
            first = wallets.list_transactions(customer_id, program, limit=100)
        except BillfoldError as error:
            return HTMLResponse(page.gettext(error.message), status_code=error.status)

        def rows() -> Iterator[Sequence[Sequence[Any]]]:
            yield [["transaction_id", "created_at", "type", "amount", "unit", "description",
                    "reference"]]
            found = first
            while True:
                yield [[t.id, t.created_at.isoformat(), t.type, t.amount, t.unit,
                        t.description or "", t.reference or ""] for t in found.data]
                if not found.has_more:
                    return
                found = wallets.list_transactions(customer_id, program, limit=100,
                                                  starting_after=found.next_cursor)

        return _csv(rows(), f"{customer_id}-{program}.csv")

    return await run_in_threadpool(run_page, request, work)


# -- the audit log ----------------------------------------------------------------------------

@router.get("/dashboard/audit", response_class=HTMLResponse)
async def audit_page(request: Request, before: str | None = None) -> Response:
    def work(page: Page) -> Response:
        found = page.bf.run(lambda c: audit.entries(c, page.shop.store_id, before=before,
                                                    limit=PAGE_SIZE), read_only=True)
        currency = page.shop.settings.get().currency
        rows = [{"when": page.moment(e.created_at), "email": e.email,
                 "action": page.word(e.action), "target": e.target or "",
                 "reason": e.reason or "", "object_id": e.object_id or "",
                 "amount": "" if e.amount is None else page.money(
                     e.amount, e.unit or currency)}
                for e in found]
        return page.render("dashboard/audit.html", entries=rows,
                           next_before=found[-1].id if len(found) == PAGE_SIZE else None)

    return await run_in_threadpool(run_page, request, work)
