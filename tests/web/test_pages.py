"""The dashboard and the "My Wallet" page in a real Chromium (Debian's `chromium`,
driven by Playwright): log in, switch the wallet off and on, create an offer, credit a
customer with a reason and find it in the audit log, approve a withdrawal, read the
balance on the portal in Arabic, and a viewer without money controls. Every page's
screenshot goes to the test's temporary directory; no page logs a console error or
asks anything of another host."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import httpx

from billfold.access import users
from billfold.app import Billfold, Shop
from billfold.clock import FrozenClock
from billfold.web import i18n
from tests.api.conftest import ServerThread
from tests.web.conftest import PASSWORD, Browser, keep


def test_an_owner_runs_the_wallet_from_the_dashboard(shop: Shop, browser: Browser) -> None:
    page = browser.page
    held = shop.withdrawals.create("amira", "main", 3000)
    browser.log_in("owner@acme.test")
    assert page.inner_text("h1") == "Acme Coffee"
    keep(browser.shot("home"), "dashboard-home.png")
    page.click("text=Turn the wallet off")
    assert "off" in page.inner_text("[data-testid=wallet-state]")
    assert shop.settings.get().wallet_enabled is False
    page.click("text=Turn the wallet on")
    assert shop.settings.get().wallet_enabled is True

    browser.go("/dashboard/offers")
    page.fill("#name", "Ramadan 5%")
    page.fill("#percent", "5")
    page.click("[data-testid=new-offer] button")
    assert "Ramadan 5%" in page.inner_text("table")
    browser.shot("offers")

    browser.go("/dashboard/customers?q=ami")
    page.click("text=amira")
    before = shop.wallets.get("amira").available
    page.fill("#amount", "12.50")
    page.fill("#reason", "Goodwill for a late delivery")
    page.click("[data-testid=adjust] button")
    assert shop.wallets.get("amira").available == before + 1250
    browser.shot("customer")
    browser.go("/dashboard/audit")
    row = page.inner_text("table")
    assert "Goodwill for a late delivery" in row and "owner@acme.test" in row
    browser.shot("audit")

    browser.go("/dashboard/withdrawals")
    page.click(f"[data-testid=withdrawal-{held.id}] >> text=Approve")
    assert shop.withdrawals.get(held.id).status == "approved"
    browser.shot("withdrawals")
    assert "Withdrawal approved" in (browser.go("/dashboard/audit") and page.inner_text("table"))


def test_a_viewer_sees_everything_and_moves_nothing(shop: Shop, browser: Browser) -> None:
    page = browser.page
    held = shop.withdrawals.create("amira", "main", 1000)
    browser.log_in("viewer@acme.test")
    assert page.locator("form[action='/dashboard/wallet']").count() == 0
    browser.go("/dashboard/customers/amira")
    assert page.locator("[data-testid=adjust]").count() == 0
    assert page.locator("[data-testid=available-main]").inner_text()
    browser.go("/dashboard/withdrawals")
    assert page.locator("text=Approve").count() == 0
    browser.go("/dashboard/offers")
    assert page.locator("[data-testid=new-offer]").count() == 0
    browser.shot("viewer")
    csrf = page.evaluate("document.querySelector('input[name=csrf]').value")
    refused = page.request.post(browser.base_url + f"/dashboard/withdrawals/{held.id}/approve",
                                form={"csrf": csrf})
    assert refused.status == 403
    assert shop.withdrawals.get(held.id).status == "pending"


def test_the_portal_in_arabic_shows_the_balance_right_to_left(
        shop: Shop, browser: Browser, server: ServerThread, bf: Billfold,
        clock: FrozenClock) -> None:
    key = bf.create_api_key(shop.store_id).secret
    made = httpx.post(server.base_url + "/v1/customers/amira/portal_sessions",
                      json={"locale": "ar"}, headers={"Authorization": f"Bearer {key}"})
    assert made.status_code == 201, made.text
    link = made.json()
    assert link["url"].startswith(server.base_url + "/portal/")
    page = browser.page
    browser.go(urlsplit(link["url"]).path)
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    wallet = shop.wallets.get("amira")
    shown = page.inner_text("[data-testid=available-main]")
    assert shown == i18n.money(wallet.available, "SAR", "ar")
    assert "محفظتي" in page.inner_text("h1") and "Acme Coffee" in page.inner_text("header")
    assert page.locator("table tr").count() == 1 + 3  # the credits and the debit
    keep(browser.shot("portal-ar"), "portal-ar.png")
    browser.go(urlsplit(link["url"]).path + "?show=used")
    assert page.locator("table tbody tr").count() == 1
    clock.advance(timedelta(hours=1).total_seconds())
    assert browser.go(urlsplit(link["url"]).path).status == 404  # an hour later
    assert browser.go("/portal/not-a-token").status == 404
    assert len(browser.errors) == 2 and all("404" in e for e in browser.errors)
    browser.errors.clear()  # the two 404s asked for above


def test_a_one_time_password_must_be_changed_first(shop: Shop, browser: Browser,
                                                   bf: Billfold) -> None:
    bf.run(lambda c: users.create_user(c, store_id=shop.store_id, email="new@acme.test",
                                      password="one-time-pass", role="owner",
                                      now=bf.clock.now(), must_change_password=True))
    page = browser.page
    browser.go("/dashboard/login")
    page.fill("#email", "new@acme.test")
    page.fill("#password", "one-time-pass")
    page.click("button[type=submit]")
    page.wait_for_url(browser.base_url + "/dashboard/password")
    page.fill("#password", "a much better password")
    page.click("main button[type=submit]")
    page.wait_for_url(browser.base_url + "/dashboard")
    assert page.inner_text("h1") == "Acme Coffee"


def test_logins_are_throttled_and_forms_need_their_token(shop: Shop, server: ServerThread
                                                         ) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        for _ in range(users.MAX_FAILED_LOGINS):
            wrong = http.post("/dashboard/login", data={"email": "owner@acme.test",
                                                        "password": "nope nope nope"})
            assert wrong.status_code == 401
        locked = http.post("/dashboard/login", data={"email": "owner@acme.test",
                                                     "password": PASSWORD})
        assert locked.status_code == 401  # the right password, but locked for 15 minutes
        assert http.get("/dashboard").status_code == 303
    with httpx.Client(base_url=server.base_url) as http:
        bf_login = http.post("/dashboard/login", data={"email": "viewer@acme.test",
                                                       "password": PASSWORD})
        assert bf_login.status_code == 303 and "httponly" in bf_login.headers[
            "set-cookie"].lower()
        forged = http.post("/dashboard/wallet", data={"enabled": "off", "csrf": "forged"})
        assert forged.status_code == 400
    assert shop.settings.get().wallet_enabled is True
