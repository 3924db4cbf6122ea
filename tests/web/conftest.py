"""The web pages run on the same real server as the API tests, on one backend (the
pages call the library; the library is tested on both), in Debian's Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from billfold.access import users
from billfold.app import Billfold, Shop
from tests.api.conftest import ServerThread, server, start_server  # noqa: F401 (fixtures)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSWORD = "correct horse battery"
DOCS = Path(__file__).resolve().parents[2] / "docs"

if CHROMIUM is None and os.environ.get("BILLFOLD_REQUIRE_BROWSER") == "1":
    raise RuntimeError("BILLFOLD_REQUIRE_BROWSER=1 but no chromium is installed")


@pytest.fixture
def database_url(tmp_path: Path) -> str:  # the pages call the library: one backend here
    return f"sqlite:///{tmp_path / 'billfold.db'}"


@pytest.fixture
def shop(bf: Billfold) -> Shop:
    store = bf.create_store("Acme Coffee", currency="SAR")
    shop = bf.store(store.id)
    shop.settings.update({"withdrawals_enabled": True})
    for role in ("owner", "viewer"):
        bf.run(lambda c, role=role: users.create_user(
            c, store_id=store.id, email=f"{role}@acme.test", password=PASSWORD, role=role,
            now=bf.clock.now()))
    shop.wallets.credit("amira", "main", 15000, funding_type="cash", expires_in="10d")
    shop.wallets.credit("amira", "main", 2500, funding_type="cashback", expires_in="3d")
    shop.wallets.debit("amira", "main", 1200, description="Order 1001")
    return shop


class Browser:
    """One Chromium page that records console errors and every host it asked."""

    def __init__(self, page: Any, base_url: str, shots: Path):
        self.page, self.base_url, self.shots = page, base_url, shots
        self.errors: list[str] = []
        self.hosts: set[str] = set()
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.hosts.add(urlsplit(r.url).netloc))

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        assert response is not None
        return response

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def log_in(self, email: str) -> None:
        self.go("/dashboard/login")
        self.page.fill("#email", email)
        self.page.fill("#password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.base_url + "/dashboard")


@pytest.fixture
def browser(server: ServerThread, tmp_path: Path) -> Iterator[Browser]:  # noqa: F811
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; "
                    ".ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM,
                                              args=["--no-sandbox"])
        context = chromium.new_context(viewport={"width": 1100, "height": 900})
        made = Browser(context.new_page(), server.base_url, tmp_path)
        yield made
        context.close()
        chromium.close()
    assert made.errors == []
    assert made.hosts <= {urlsplit(server.base_url).netloc}, made.hosts


def keep(shot: Path, name: str) -> None:
    """BILLFOLD_UPDATE_DOCS=1 refreshes the README's screenshots under docs/."""
    if os.environ.get("BILLFOLD_UPDATE_DOCS") == "1":
        DOCS.mkdir(exist_ok=True)
        shutil.copy(shot, DOCS / name)
