"""Running the store, as dashboard pages: top-ups, withdrawals (approve / reject),
webhook endpoints with their deliveries and a replay button, API keys (a new key is
shown once; only the owner makes or revokes one) and the settings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from billfold.errors import BillfoldError
from billfold.funding.topups import STATUSES as TOPUP_STATUSES
from billfold.funding.topups import list_topups
from billfold.funding.withdrawals import list_withdrawals
from billfold.ledger import stores
from billfold.web import i18n
from billfold.web.shell import Page, form_of, redirect, run_page

LISTED = 100
CLAWBACK_CHOICES = ("record", "deduct_from_refund")
SWITCHES = ("auto_apply", "allow_topup", "withdrawals_enabled", "allow_transfers")
DURATIONS = ("cashback_expires_in", "topup_expires_in", "expiry_notice_before",
             "portal_session_expires_in")

router = APIRouter(include_in_schema=False)


# -- top-ups -------------------------------------------------------------------------------

@router.get("/dashboard/topups", response_class=HTMLResponse)
async def topups_page(request: Request, status: str | None = None,
                      after: str | None = None) -> Response:
    def work(page: Page) -> Response:
        wanted = status if status in TOPUP_STATUSES else None
        found, more = page.bf.run(lambda c: list_topups(
            c, page.shop.store_id, customer_id=None, program=None, status=wanted,
            limit=LISTED, starting_after=after), read_only=True)
        rows = [{"id": t.id, "customer_id": t.customer_id, "program": t.program,
                 "amount": page.money(t.amount, page.unit_of(t.program)),
                 "status": page.word(t.status), "trigger": page.word(t.trigger),
                 "reference": t.payment_reference or "", "when": page.moment(t.created_at)}
                for t in found]
        return page.render("dashboard/topups.html", topups=rows, current=wanted,
                           statuses=TOPUP_STATUSES,
                           next_after=found[-1].id if more else None)

    return await run_in_threadpool(run_page, request, work)


# -- withdrawals ----------------------------------------------------------------------------

@router.get("/dashboard/withdrawals", response_class=HTMLResponse)
async def withdrawals_page(request: Request, after: str | None = None) -> Response:
    return await run_in_threadpool(run_page, request, lambda page: _withdrawals(
        page, after=after))


def _withdrawals(page: Page, error: str | None = None, status: int = 200,
                 after: str | None = None) -> Response:
    found, more = page.bf.run(lambda c: list_withdrawals(
        c, page.shop.store_id, limit=LISTED, starting_after=after), read_only=True)
    rows = [{"id": w.id, "customer_id": w.customer_id, "status": w.status,
             "status_label": page.word(w.status),
             "amount": page.money(w.amount, w.unit)} for w in found]
    return page.render("dashboard/withdrawals.html", status=status, withdrawals=rows,
                       error=error, next_after=found[-1].id if more else None)


@router.post("/dashboard/withdrawals/{withdrawal_id}/{decision}")
async def decide_withdrawal(request: Request, withdrawal_id: str, decision: str
                            ) -> Response:
    form = await form_of(request)

    def work(page: Page) -> Response:
        if decision not in ("approve", "reject"):
            return HTMLResponse(page.gettext("No such action."), status_code=404)
        withdrawals = page.shop.withdrawals
        try:
            done = (withdrawals.approve if decision == "approve"
                    else withdrawals.reject)(withdrawal_id)
        except BillfoldError as error:
            return _withdrawals(page, error=page.gettext(error.message), status=error.status)
        page.audit(f"withdrawal_{decision}", target=done.customer_id, amount=done.amount,
                   unit=done.unit, object_id=done.id)
        return redirect("/dashboard/withdrawals")

    return await run_in_threadpool(run_page, request, work, acting=True, form=form)


# -- webhooks -------------------------------------------------------------------------------

@router.get("/dashboard/webhooks", response_class=HTMLResponse)
async def webhooks_page(request: Request, endpoint: str | None = None) -> Response:
    return await run_in_threadpool(run_page, request, lambda page: _webhooks(
        page, endpoint))


def _webhooks(page: Page, endpoint_id: str | None, *, error: str | None = None,
              status: int = 200, secret: str | None = None) -> Response:
    hooks = page.shop.webhooks
    endpoints = hooks.list().data
    chosen = next((e for e in endpoints if e.id == endpoint_id), None)
    deliveries = [] if chosen is None else [
        {"id": d.id, "event_id": d.event_id, "attempt": d.attempt,
         "status": page.word(d.status), "response_status": d.response_status or "",
         "duration_ms": "" if d.duration_ms is None else d.duration_ms,
         "excerpt": d.response_excerpt or "", "when": page.moment(d.attempted_at
                                                                  or d.created_at)}
        for d in hooks.list_deliveries(chosen.id, limit=LISTED).data]
    rows = [{"id": e.id, "url": e.url, "events": ", ".join(e.events or ()) or page.gettext(
        "every event"), "status": page.word(e.status),
        "reason": e.disabled_reason or ""} for e in endpoints]
    return page.render("dashboard/webhooks.html", status=status, endpoints=rows,
                       chosen=chosen, deliveries=deliveries, secret=secret, error=error)


@router.post("/dashboard/webhooks")
async def create_webhook(request: Request) -> Response:
    form = await form_of(request)

    def work(page: Page) -> Response:
        events = [e.strip() for e in form.get("events", "").split(",") if e.strip()]
        try:
            made = page.shop.webhooks.create(form.get("url", "").strip(),
                                             events=events or None)
        except BillfoldError as error:
            return _webhooks(page, None, error=page.gettext(error.message),
                             status=error.status)
        page.audit("webhook_created", reason=made.url, object_id=made.id)
        return _webhooks(page, made.id, secret=made.secret)

    return await run_in_threadpool(run_page, request, work, acting=True, form=form)


@router.post("/dashboard/webhooks/{endpoint_id}/{action}")
async def webhook_action(request: Request, endpoint_id: str, action: str) -> Response:
    """rotate (a new secret, shown once), enable, disable, or replay a delivery."""
    form = await form_of(request)

    def work(page: Page) -> Response:
        hooks = page.shop.webhooks
        secret = None
        try:
            if action == "rotate":
                secret = hooks.rotate_secret(endpoint_id).secret
            elif action in ("enable", "disable"):
                hooks.update(endpoint_id, status=f"{action}d")
            elif action == "replay":
                hooks.replay(endpoint_id, form.get("delivery_id", ""))
            else:
                return HTMLResponse(page.gettext("No such action."), status_code=404)
        except BillfoldError as error:
            return _webhooks(page, endpoint_id, error=page.gettext(error.message),
                             status=error.status)
        page.audit(f"webhook_{action}", object_id=form.get("delivery_id") or endpoint_id)
        if secret is not None:
            return _webhooks(page, endpoint_id, secret=secret)
        return redirect(f"/dashboard/webhooks?endpoint={endpoint_id}")

    return await run_in_threadpool(run_page, request, work, acting=True, form=form)


# -- API keys -------------------------------------------------------------------------------

@router.get("/dashboard/keys", response_class=HTMLResponse)
async def keys_page(request: Request) -> Response:
    return await run_in_threadpool(run_page, request, _keys)


def _keys(page: Page, secret: str | None = None) -> Response:
    found = page.bf.run(lambda c: stores.list_api_keys(c, page.shop.store_id),
                        read_only=True)
    rows = [{"id": k.id, "hint": k.hint, "created": page.moment(k.created_at),
             "revoked": page.moment(k.revoked_at), "live": k.revoked_at is None}
            for k in found]
    return page.render("dashboard/keys.html", keys=rows, secret=secret,
                       is_owner=page.user.role == "owner")


@router.post("/dashboard/keys")
async def create_key(request: Request) -> Response:
    form = await form_of(request)

    def work(page: Page) -> Response:
        made = page.bf.create_api_key(page.shop.store_id)
        page.audit("key_created", object_id=made.id)
        return _keys(page, secret=made.secret)

    return await run_in_threadpool(run_page, request, work, owner_only=True, form=form)


@router.post("/dashboard/keys/{key_id}/revoke")
async def revoke_key(request: Request, key_id: str) -> Response:
    form = await form_of(request)

    def work(page: Page) -> Response:
        page.bf.revoke_api_key(page.shop.store_id, key_id)
        page.audit("key_revoked", object_id=key_id)
        return redirect("/dashboard/keys")

    return await run_in_threadpool(run_page, request, work, owner_only=True, form=form)


# -- settings -------------------------------------------------------------------------------

@router.get("/dashboard/settings", response_class=HTMLResponse)
async def settings_page(request: Request) -> Response:
    return await run_in_threadpool(run_page, request, _settings)


def _settings(page: Page, error: str | None = None, status: int = 200,
              notice: str | None = None) -> Response:
    settings = page.shop.settings.get()
    unit = settings.currency

    def major(amount: int | None, in_unit: str = unit) -> str:
        return "" if amount is None else i18n.plain_amount(amount, in_unit)

    programs = [{"name": name, "unit": p.unit, "kind": p.kind,
                 "max_amount": major(p.max_per_order_amount, p.unit),
                 "max_percent": p.max_per_order_percent or "",
                 "points_per_unit": "" if p.points_per_unit is None else p.points_per_unit,
                 "expires_in": "" if p.expires_in is None else p.expires_in}
                for name, p in sorted(settings.programs.items())]
    return page.render(
        "dashboard/settings.html", status=status, error=error, notice=notice,
        settings=settings, unit=unit, programs=programs, switches=SWITCHES,
        clawback_choices=CLAWBACK_CHOICES,
        topup_amounts=", ".join(major(a) for a in settings.topup_amounts),
        topup_min=major(settings.topup_min_amount), topup_max=major(settings.topup_max_amount),
        low_balance=major(settings.low_balance_threshold))


@router.post("/dashboard/settings")
async def save_settings(request: Request) -> Response:
    form = await form_of(request)

    def work(page: Page) -> Response:
        unit = page.shop.settings.get().currency
        try:
            changes = _changes(form, unit)
            page.shop.settings.update(changes)
        except BillfoldError as error:
            return _settings(page, error=page.gettext(error.message), status=error.status)
        page.audit("settings_changed", reason=", ".join(sorted(changes)))
        return _settings(page, notice=page.gettext("Saved."))

    return await run_in_threadpool(run_page, request, work, acting=True, form=form)


def _changes(form: dict[str, str], unit: str) -> dict[str, Any]:
    """The PATCH the form says: every switch and field as shown (a blank amount clears
    it); a program row's caps; a new program where its name is filled in."""
    def amount(name: str, in_unit: str = unit) -> Any:
        return i18n.typed_amount(form.get(name), in_unit)

    changes: dict[str, Any] = {name: form.get(name) == "on" for name in SWITCHES}
    changes.update({name: form[name].strip() for name in DURATIONS
                    if form.get(name, "").strip()})
    if form.get("clawback_shortfall") in CLAWBACK_CHOICES:
        changes["clawback_shortfall"] = form["clawback_shortfall"]
    presets = [p.strip() for p in form.get("topup_amounts", "").split(",") if p.strip()]
    changes["topup_amounts"] = [i18n.typed_amount(p, unit) for p in presets]
    changes["topup_min_amount"] = amount("topup_min_amount")
    changes["topup_max_amount"] = amount("topup_max_amount")
    changes["low_balance_threshold"] = amount("low_balance_threshold")
    programs: dict[str, dict[str, Any]] = {}
    for key in form:
        if key.startswith("program.") and key.endswith(".unit"):
            name = key.removeprefix("program.").removesuffix(".unit")
            programs[name] = _program(form, f"program.{name}", form[key], amount)
    new_name = form.get("new_program.name", "").strip()
    if new_name:
        programs[new_name] = _program(form, "new_program", form.get(
            "new_program.unit", "").strip() or unit, amount)
        programs[new_name]["unit"] = form.get("new_program.unit", "").strip() or unit
    if programs:
        changes["programs"] = programs
    return changes


def _program(form: dict[str, str], prefix: str, unit: str, amount: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "max_per_order_amount": amount(f"{prefix}.max_amount", unit),
        "max_per_order_percent": form.get(f"{prefix}.max_percent", "").strip() or None}
    expires = form.get(f"{prefix}.expires_in", "").strip()
    values["expires_in"] = expires or None
    points = form.get(f"{prefix}.points_per_unit", "").strip()
    if points:
        values["points_per_unit"] = int(points) if points.isdigit() else points
    return values
