"""The rest of the dashboard in a real Chromium: settings, earning rules and tiers, a
batch of wallet codes shown once and downloaded once, webhook endpoints with their
deliveries and a replay, API keys shown once, reversing a transaction, the charts, and
the whole dashboard in Arabic; then, over plain HTTP, the CSV exports and who may do
what."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from billfold.access import users
from billfold.app import Billfold, Shop
from billfold.clock import FrozenClock
from billfold.errors import AuthenticationFailed
from billfold.worker.deliver import Deliverer
from tests.api.conftest import ServerThread
from tests.helpers import assert_books_balance
from tests.web.conftest import PASSWORD, Browser, keep


def test_an_owner_sets_up_programs_codes_hooks_and_keys(shop: Shop, bf: Billfold,
                                                       browser: Browser,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    monkeypatch.setenv("BILLFOLD_WEBHOOK_ALLOW_PRIVATE", "1")
    page = browser.page
    browser.log_in("owner@acme.test")
    assert page.locator("#flows-chart canvas").count() == 1  # uPlot drew the charts
    assert page.locator("#outstanding-chart canvas").count() == 1

    # settings: a points program, a low-balance threshold, top-ups with presets
    browser.go("/dashboard/settings")
    page.fill("#new-program-name", "points")
    page.fill("#new-program-unit", "points")
    page.fill("#new-program-ppu", "100")
    page.fill("#low_balance_threshold", "20.00")
    page.check("input[name=allow_topup]")
    page.fill("#topup_amounts", "50, 100.00")
    page.click("[data-testid=settings] button[type=submit]")
    assert "Saved." in page.inner_text("[role=status]")
    settings = shop.settings.get()
    assert settings.programs["points"].points_per_unit == 100
    assert (settings.low_balance_threshold, settings.allow_topup) == (2000, True)
    assert settings.topup_amounts == [5000, 10000]
    browser.shot("settings")
    page.fill("#low_balance_threshold", "-3")
    page.click("[data-testid=settings] button[type=submit]")
    assert page.locator("[role=alert]").count() == 1  # refused, and nothing changed
    assert shop.settings.get().low_balance_threshold == 2000
    assert len(browser.errors) == 1 and "400" in browser.errors[0]  # the refusal's status
    browser.errors.clear()

    # loyalty: a proportional rule and a tier
    browser.go("/dashboard/loyalty")
    page.fill("#rule-name", "1 point per 1.00")
    page.select_option("#rule-kind", "proportional")
    page.fill("#rule-points", "100")
    page.fill("#rule-per-amount", "10000")
    page.click("[data-testid=new-rule] button")
    rules = shop.loyalty.list_rules().data
    assert [(r.name, r.kind, r.points, r.per_amount) for r in rules] == [
        ("1 point per 1.00", "proportional", 100, 10000)]
    page.fill("#tier-name", "VIP")
    page.fill("#tier-points", "1000")
    page.click("[data-testid=tier] button")
    assert [(t.name, t.min_points) for t in shop.settings.get().tiers] == [("VIP", 1000)]
    browser.shot("loyalty")
    page.click(f"[data-testid=rule-{rules[0].id}] >> text=Close")
    assert shop.loyalty.get_rule(rules[0].id).status == "closed"

    # wallet codes: shown once on the page that made them, or downloaded once
    browser.go("/dashboard/codes")
    page.fill("#code-amount", "25.00")
    page.fill("#code-count", "3")
    page.click("text=Create and show the codes")
    shown = page.inner_text("[data-testid=new-codes] pre").split()
    assert len(shown) == 3 and all(re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", c)
                                   for c in shown)
    browser.shot("codes")
    assert shop.codes.redeem(shown[0], "amira").amount == 2500
    browser.go("/dashboard/codes")
    assert page.locator("[data-testid=new-codes]").count() == 0  # never shown again
    page.fill("#code-amount", "10")
    page.fill("#code-count", "2")
    with page.expect_download() as download:
        page.click("text=Create and download the CSV")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [row["amount"] for row in rows] == ["1000", "1000"]
    batch_id = rows[0]["batch_id"]
    browser.go("/dashboard/codes")
    page.click(f"[data-testid=batch-{batch_id}] >> text=Disable")
    assert shop.codes.get(batch_id).status == "disabled"

    # webhooks: the secret once, the deliveries, a replay
    browser.go("/dashboard/webhooks")
    page.fill("#hook-url", "http://127.0.0.1:9/hooks")  # nobody listens there
    page.fill("#hook-events", "wallet.credited")
    page.click("[data-testid=new-endpoint] button")
    assert page.inner_text("[data-testid=new-secret] .secret").startswith("whsec_")
    endpoint = shop.webhooks.list().data[0]
    shop.wallets.credit("amira", "main", 100, funding_type="cash")
    deliverer = Deliverer(bf)
    try:
        deliverer.drain()
    finally:
        deliverer.close()
    browser.go(f"/dashboard/webhooks?endpoint={endpoint.id}")
    attempts = shop.webhooks.list_deliveries(endpoint.id).data
    failed = [d for d in attempts if d.status == "failed"]
    assert len(failed) == 1  # amira's first event; her later ones wait behind it
    page.click(f"[data-testid=delivery-{failed[0].id}] >> text=Replay")
    assert len(shop.webhooks.list_deliveries(endpoint.id).data) == len(attempts) + 1
    browser.shot("webhooks")

    # API keys: shown once, then only their last four characters
    browser.go("/dashboard/keys")
    page.click("[data-testid=new-key-form] button")
    secret = page.inner_text("[data-testid=new-key] .secret")
    assert bf.authenticate(secret) == shop.store_id
    browser.go("/dashboard/keys")
    assert secret not in page.content() and secret[-4:] in page.content()
    page.click("button:text-is('Revoke')")
    with pytest.raises(AuthenticationFailed):
        bf.authenticate(secret)

    # reverse a transaction with a reason, found in the audit log
    credit = shop.wallets.credit("amira", "main", 700, funding_type="manual_adjustment")
    before = shop.wallets.get("amira").available
    browser.go("/dashboard/customers/amira")
    row = page.locator(f"[data-testid=txn-{credit.id}]")
    row.locator("input[name=reason]").fill("Entered twice")
    row.locator("text=Reverse").click()
    assert shop.wallets.get("amira").available == before - 700
    browser.go("/dashboard/audit")
    assert "Entered twice" in page.inner_text("table")
    assert_books_balance(bf)

    # the dashboard in Arabic, right to left, charts and all
    browser.go("/dashboard/language/ar")
    assert page.get_attribute("html", "dir") == "rtl"
    assert "العملاء" in page.inner_text("nav")
    assert page.locator("#flows-chart canvas").count() == 1
    keep(browser.shot("home-ar"), "dashboard-home-ar.png")
    browser.go("/dashboard/settings")
    assert "الإعدادات" in page.inner_text("h1")


@pytest.fixture
def http(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url) as client:
        yield client


def _log_in(http: httpx.Client, email: str) -> str:
    """Signs in; the CSRF token of the session."""
    assert http.post("/dashboard/login", data={"email": email,
                                               "password": PASSWORD}).status_code == 303
    found = re.search(r'name="csrf" value="([^"]+)"', http.get("/dashboard").text)
    assert found is not None
    return found.group(1)


def test_exports_are_every_balance_and_a_whole_history(
        shop: Shop, http: httpx.Client, monkeypatch: pytest.MonkeyPatch,
        clock: FrozenClock) -> None:
    from billfold.web import dashboard

    monkeypatch.setattr(dashboard, "EXPORT_BATCH", 2)  # the keyset crosses batches
    clock.advance(days=4)  # amira's cashback lot is past its expiry: not available
    for n in range(3):
        shop.wallets.credit(f"c{n}", "main", 1000 + n, funding_type="cash")
    shop.holds.create("c1", "main", 1)
    _log_in(http, "viewer@acme.test")  # a viewer may read, and export
    balances = http.get("/dashboard/exports/balances.csv")
    assert balances.status_code == 200 and "attachment" in balances.headers[
        "content-disposition"]
    rows = list(csv.DictReader(io.StringIO(balances.text)))
    assert len(rows) == 4
    expected = {(w.customer_id, w.available, w.held) for w in (
        shop.wallets.get(c) for c in ("amira", "c0", "c1", "c2"))}
    assert {(r["customer_id"], int(r["available"]), int(r["held"])) for r in rows} == expected
    history = http.get("/dashboard/exports/customers/amira/main.csv")
    listed = shop.wallets.list_transactions("amira", "main", limit=100).data
    assert [r["transaction_id"] for r in csv.DictReader(io.StringIO(history.text))] == [
        t.id for t in listed]
    assert http.get("/dashboard/exports/customers/nobody/main.csv").status_code == 404


@pytest.mark.parametrize("path,form", [
    ("/dashboard/settings", {"low_balance_threshold": "1"}),
    ("/dashboard/codes", {"amount": "5", "program": "main", "count": "1"}),
    ("/dashboard/loyalty/tiers", {"name": "Gold", "min_points": "5"}),
    ("/dashboard/webhooks", {"url": "https://example.com/hooks"}),
    ("/dashboard/keys", {}),
    ("/dashboard/offers", {"name": "x", "percent": "5"}),
])
def test_a_viewer_changes_nothing_and_only_the_owner_makes_keys(
        shop: Shop, bf: Billfold, http: httpx.Client, path: str,
        form: dict[str, str]) -> None:
    before = shop.settings.get()
    csrf = _log_in(http, "viewer@acme.test")
    assert http.post(path, data={**form, "csrf": csrf}).status_code == 403
    assert http.post(path, data={**form, "csrf": "forged"}).status_code == 400
    assert shop.settings.get() == before
    assert shop.webhooks.list().data == []
    if path == "/dashboard/keys":
        bf.run(lambda c: users.create_user(c, store_id=shop.store_id, email="admin@acme.test",
                                          password=PASSWORD, role="admin",
                                          now=bf.clock.now()))
        http.cookies.clear()
        csrf = _log_in(http, "admin@acme.test")
        assert http.post(path, data={"csrf": csrf}).status_code == 403
        assert "bf_sk_" not in http.get("/dashboard/keys").text


PAGES = ("/dashboard", "/dashboard/customers", "/dashboard/customers/amira",
         "/dashboard/offers", "/dashboard/loyalty", "/dashboard/codes", "/dashboard/topups",
         "/dashboard/withdrawals", "/dashboard/webhooks", "/dashboard/keys",
         "/dashboard/settings", "/dashboard/audit")
# Per page: whatever scrolls sideways outside a table or a chart, form fields without a
# label, buttons or links without a name, and text below WCAG AA contrast.
PROBLEMS = r"""() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")].filter(e =>
    !e.closest("table, .chart, .wide, pre") && e.getBoundingClientRect().right > width + 1)
    .map(e => e.tagName + (e.id ? "#" + e.id : ""));
  const unlabelled = [...document.querySelectorAll("input, select, textarea")].filter(e =>
    e.type !== "hidden" && !(e.labels && e.labels.length) && !e.getAttribute("aria-label"))
    .map(e => e.name);
  const nameless = [...document.querySelectorAll("button, a")].filter(e =>
    !e.textContent.trim() && !e.getAttribute("aria-label")).map(e => e.outerHTML);
  const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255).map(v =>
    v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = e => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const faint = [...document.querySelectorAll("body *")].filter(e =>
    [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
    && e.getClientRects().length && !e.closest(".chart")).filter(e => {
      const style = getComputedStyle(e);
      const [a, b] = [lum(rgb(style.color).slice(0, 3)), lum(background(e))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const large = parseFloat(style.fontSize) >= 24
        || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
      return ratio < (large ? 3 : 4.5);
    }).map(e => e.tagName + ": " + e.textContent.trim().slice(0, 30));
  return {wide, unlabelled, nameless, faint};
}"""
FINE = {"wide": [], "unlabelled": [], "nameless": [], "faint": []}


def test_every_page_fits_a_phone_and_labels_every_field(shop: Shop, browser: Browser,
                                                         bf: Billfold) -> None:
    page = browser.page
    shop.withdrawals.create("amira", "main", 500)
    page.set_viewport_size({"width": 390, "height": 844})
    browser.go("/dashboard/login")  # by keyboard alone
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type("owner@acme.test")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(browser.base_url + "/dashboard")
    for locale in ("en", "ar"):
        browser.go(f"/dashboard/language/{locale}")
        for path in PAGES:
            assert browser.go(path).status == 200, path
            assert page.evaluate(PROBLEMS) == FINE, (locale, path)
    browser.shot("phone-audit-ar")
    link = shop.portal_sessions.create("amira", locale="ar")
    browser.go(urlsplit(link.url).path)
    assert page.evaluate(PROBLEMS) == FINE
    browser.shot("phone-portal-ar")


def test_a_user_of_another_store_reaches_nothing_of_this_one(shop: Shop, bf: Billfold,
                                                             http: httpx.Client) -> None:
    batch = shop.codes.create(500, "main", count=1)
    credit = shop.wallets.credit("amira", "main", 300, funding_type="cash")
    held = shop.withdrawals.create("amira", "main", 100)
    other = bf.create_store("Elsewhere", currency="SAR")
    bf.run(lambda c: users.create_user(c, store_id=other.id, email="owner@elsewhere.test",
                                      password=PASSWORD, role="owner", now=bf.clock.now()))
    before = shop.wallets.get("amira")
    csrf = _log_in(http, "owner@elsewhere.test")
    for path, form in (
            (f"/dashboard/codes/{batch.id}/disable", {}),
            (f"/dashboard/customers/amira/reverse/{credit.id}", {"program": "main",
                                                               "reason": "not mine"}),
            ("/dashboard/customers/amira/adjust", {"program": "main", "direction": "debit",
                                                   "amount": "1", "reason": "not mine"}),
            (f"/dashboard/withdrawals/{held.id}/approve", {})):
        answer = http.post(path, data={**form, "csrf": csrf})
        assert answer.status_code in (400, 403, 404), (path, answer.status_code)
    assert http.get("/dashboard/customers/amira").status_code == 404
    assert "amira" not in http.get("/dashboard/exports/balances.csv").text
    assert shop.codes.get(batch.id).status == "active"
    assert shop.withdrawals.get(held.id).status == "pending"
    assert shop.wallets.get("amira") == before


def test_long_lists_page_by_keyset(shop: Shop, http: httpx.Client) -> None:
    made = [shop.withdrawals.create("amira", "main", 1).id for _ in range(101)]
    _log_in(http, "viewer@acme.test")
    first = http.get("/dashboard/withdrawals").text
    assert first.count('data-testid="withdrawal-') == 100 and made[0] not in first
    older = re.search(r'href="\?after=([^"]+)"', first)
    assert older is not None
    second = http.get(f"/dashboard/withdrawals?after={older.group(1)}").text
    assert second.count('data-testid="withdrawal-') == 1 and made[0] in second
    assert "?after=" not in second
