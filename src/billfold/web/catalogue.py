"""What a store offers its customers, as dashboard pages: cashback offers, loyalty
earning rules and tiers, and wallet codes (a new batch's codes are shown once, on the
page that made them, or downloaded once as a CSV; billfold keeps only their hashes)."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from billfold.commerce.offers import list_offers
from billfold.commerce.rounding import format_percent
from billfold.errors import BillfoldError
from billfold.funding.codes import list_batches
from billfold.loyalty.rules import list_rules
from billfold.web import i18n
from billfold.web.shell import Page, act, form_of, redirect, run_page

RULE_KINDS = ("fixed", "proportional", "percent", "multiplier")
LISTED = 100

router = APIRouter(include_in_schema=False)


def _blank(form: dict[str, str], name: str) -> str | None:
    value = form.get(name, "").strip()
    return value or None


def _whole(form: dict[str, str], name: str) -> int | None:
    """A whole number the user typed; a non-number goes on to the library as it is, so
    its own refusal names the field."""
    value = _blank(form, name)
    return None if value is None else int(value) if value.isdigit() else value  # type: ignore[return-value]


# -- cashback offers ----------------------------------------------------------------------

@router.get("/dashboard/offers", response_class=HTMLResponse)
async def offers_page(request: Request) -> Response:
    return await run_in_threadpool(run_page, request, _offers)


def _offers(page: Page, error: str | None = None, status: int = 200) -> Response:
    found = page.bf.run(lambda c: list_offers(c, page.shop.store_id), read_only=True)
    unit = page.unit_of("main")
    rows = [{"id": o.id, "name": o.name, "status": page.word(o.status),
             "cashback": f"{format_percent(o.percent_basis_points)} %"
             if o.percent_basis_points is not None else page.money(o.fixed_amount or 0, unit),
             "active": o.status == "active"} for o in found]
    return page.render("dashboard/offers.html", status=status, offers=rows, error=error)


@router.post("/dashboard/offers")
async def create_offer(request: Request) -> Response:
    form = await form_of(request)

    def work(page: Page) -> Response:
        name = form.get("name", "").strip()
        try:
            made = page.shop.offers.create(
                name, percent=_blank(form, "percent"),
                max_amount=_money(page, form, "max_amount", "main"),
                min_order_amount=_money(page, form, "min_order_amount", "main"),
                first_order_only=form.get("first_order_only") == "on")
        except BillfoldError as error:
            return _offers(page, error=page.gettext(error.message), status=error.status)
        page.audit("offer_created", reason=name, object_id=made.id)
        return redirect("/dashboard/offers")

    return await run_in_threadpool(run_page, request, work, acting=True, form=form)


@router.post("/dashboard/offers/{offer_id}/close")
async def close_offer(request: Request, offer_id: str) -> Response:
    form = await form_of(request)

    def work(page: Page) -> Response:
        return act(page, lambda: page.shop.offers.close(offer_id), refused=_offers,
                   back="/dashboard/offers", audit="offer_closed", object_id=offer_id)

    return await run_in_threadpool(run_page, request, work, acting=True, form=form)


def _money(page: Page, form: dict[str, str], name: str, program: str) -> Any:
    return i18n.typed_amount(form.get(name), page.unit_of(program))


# -- loyalty: earning rules and tiers -------------------------------------------------------

@router.get("/dashboard/loyalty", response_class=HTMLResponse)
async def loyalty_page(request: Request) -> Response:
    return await run_in_threadpool(run_page, request, _loyalty)


def _loyalty(page: Page, error: str | None = None, status: int = 200) -> Response:
    found, _more = page.bf.run(lambda c: list_rules(c, page.shop.store_id, limit=LISTED),
                               read_only=True)
    settings = page.shop.settings.get()
    points_programs = sorted(name for name, p in settings.programs.items()
                             if p.points_per_unit is not None)
    rules = [{"id": r.id, "name": r.name, "program": r.program, "event": r.event,
              "kind": page.word(r.kind), "status": page.word(r.status),
              "active": r.status == "active", "what": _rule_summary(r)} for r in found]
    return page.render("dashboard/loyalty.html", status=status, rules=rules,
                       tiers=settings.tiers, programs=points_programs, kinds=RULE_KINDS,
                       error=error)


def _rule_summary(rule: Any) -> str:
    if rule.kind == "fixed":
        return f"{rule.points}"
    if rule.kind == "proportional":
        return f"{rule.points} / {rule.per_amount}"
    if rule.kind == "percent":
        return f"{rule.percent} %"
    if rule.kind == "multiplier":
        return f"x {rule.multiplier}"
    return ", ".join(f"{o.points} ({o.weight})" for o in rule.outcomes)


@router.post("/dashboard/loyalty/rules")
async def create_rule(request: Request) -> Response:
    form = await form_of(request)

    def work(page: Page) -> Response:
        kind = form.get("kind", "")
        try:
            made = page.shop.loyalty.create_rule(
                form.get("name", "").strip(), program=form.get("program", ""),
                event=form.get("event", "").strip(), kind=kind,
                points=_whole(form, "points"), per_amount=_whole(form, "per_amount"),
                percent=_blank(form, "percent"), multiplier=_blank(form, "multiplier"),
                max_per_customer=_whole(form, "max_per_customer"),
                period=_blank(form, "period"), expires_in=_blank(form, "expires_in"))
        except BillfoldError as error:
            return _loyalty(page, error=page.gettext(error.message), status=error.status)
        page.audit("rule_created", reason=made.name, object_id=made.id)
        return redirect("/dashboard/loyalty")

    return await run_in_threadpool(run_page, request, work, acting=True, form=form)


@router.post("/dashboard/loyalty/rules/{rule_id}/close")
async def close_rule(request: Request, rule_id: str) -> Response:
    form = await form_of(request)

    def work(page: Page) -> Response:
        return act(page, lambda: page.shop.loyalty.close_rule(rule_id), refused=_loyalty,
                   back="/dashboard/loyalty", audit="rule_closed", object_id=rule_id)

    return await run_in_threadpool(run_page, request, work, acting=True, form=form)


@router.post("/dashboard/loyalty/tiers")
async def save_tier(request: Request) -> Response:
    """Add a tier, or change the one of that name; `remove` takes it away."""
    form = await form_of(request)

    def work(page: Page) -> Response:
        name = form.get("name", "").strip()
        tiers = [t.model_dump() for t in page.shop.settings.get().tiers if t.name != name]
        if form.get("remove") != "on":
            tiers.append({"name": name, "min_points": _whole(form, "min_points"),
                          "window": _blank(form, "window") or "365d",
                          "multiplier": _blank(form, "multiplier") or "1"})
        try:
            page.shop.settings.update({"tiers": tiers})
        except BillfoldError as error:
            return _loyalty(page, error=page.gettext(error.message), status=error.status)
        page.audit("tiers_changed", reason=name)
        return redirect("/dashboard/loyalty")

    return await run_in_threadpool(run_page, request, work, acting=True, form=form)


# -- wallet codes -----------------------------------------------------------------------------

@router.get("/dashboard/codes", response_class=HTMLResponse)
async def codes_page(request: Request) -> Response:
    return await run_in_threadpool(run_page, request, _codes)


def _codes(page: Page, error: str | None = None, status: int = 200,
           new_codes: list[str] | None = None) -> Response:
    found = page.bf.run(lambda c: list_batches(c, page.shop.store_id, limit=LISTED),
                        read_only=True)
    batches = [{"id": b.id, "amount": page.money(b.amount, page.unit_of(b.program)),
                "program": b.program, "count": b.count, "redeemed": b.redeemed,
                "status": page.word(b.status), "active": b.status == "active",
                "expires": page.moment(b.expires_at)} for b in found]
    programs = sorted(page.shop.settings.get().programs) or ["main"]
    return page.render("dashboard/codes.html", status=status, batches=batches,
                       programs=programs, new_codes=new_codes, error=error)


@router.post("/dashboard/codes")
async def create_codes(request: Request) -> Response:
    form = await form_of(request)

    def work(page: Page) -> Response:
        program = form.get("program", "main")
        try:
            made = page.shop.codes.create(
                _money(page, form, "amount", program), program,
                count=_whole(form, "count") or 1,
                credit_expires_in=_blank(form, "credit_expires_in"),
                withdrawable=form.get("withdrawable") == "on")
        except BillfoldError as error:
            return _codes(page, error=page.gettext(error.message), status=error.status)
        page.audit("codes_created", amount=made.amount, unit=page.unit_of(program),
                   reason=f"{made.count}", object_id=made.id)
        if form.get("format") != "csv":
            return _codes(page, new_codes=made.codes)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["code", "amount", "program", "batch_id"])
        writer.writerows([code, made.amount, made.program, made.id] for code in made.codes)
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="codes-{made.id}.csv"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    return await run_in_threadpool(run_page, request, work, acting=True, form=form)


@router.post("/dashboard/codes/{batch_id}/disable")
async def disable_codes(request: Request, batch_id: str) -> Response:
    form = await form_of(request)

    def work(page: Page) -> Response:
        return act(page, lambda: page.shop.codes.disable(batch_id), refused=_codes,
                   back="/dashboard/codes", audit="codes_disabled", object_id=batch_id)

    return await run_in_threadpool(run_page, request, work, acting=True, form=form)
