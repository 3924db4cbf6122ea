"""What every page shares: the templates, the headers every answer carries, the
session a dashboard page runs for, its locale, and the form checks.

Dashboard sessions are a random token in an HttpOnly, SameSite=Strict cookie (Secure
over https), kept as a digest; every form carries the session's CSRF token, compared
in constant time. A `viewer` gets no form that moves anything, and every POST checks
the role again. The pages call the library's namespaces like any other client; a
money action is written to the audit log right after it succeeds, naming what it made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from billfold.access import audit, users
from billfold.app import Billfold, Shop
from billfold.errors import BillfoldError
from billfold.web import i18n

HERE = Path(__file__).parent
COOKIE = "billfold_session"
LOCALE_COOKIE = "billfold_locale"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}

_env = Environment(loader=FileSystemLoader(HERE / "templates"),
                   autoescape=select_autoescape(["html"]), extensions=["jinja2.ext.i18n"])


def render(name: str, locale: str = "en", status: int = 200, **values: Any) -> HTMLResponse:
    translations = i18n.translations(locale)
    _env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    html = _env.get_template(name).render(locale=locale, dir=i18n.direction(locale),
                                          locales=i18n.LOCALES, labels=i18n.LABELS,
                                          **values)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def billfold_of(request: Request) -> Billfold:
    return request.app.state.billfold  # type: ignore[no-any-return]


def locale_of(request: Request) -> str:
    """The dashboard's language: the user's choice (a cookie), else English."""
    chosen = request.cookies.get(LOCALE_COOKIE, "en")
    return chosen if chosen in i18n.LOCALES else "en"


@dataclass(frozen=True, slots=True)
class Page:
    """One dashboard request, for its signed-in user."""

    bf: Billfold
    shop: Shop
    session: users.Session
    locale: str

    @property
    def user(self) -> users.User:
        return self.session.user

    def gettext(self, message: str) -> str:
        return i18n.translations(self.locale).gettext(message)

    def word(self, key: str) -> str:
        return i18n.word(key, self.locale)

    def money(self, amount: int, unit: str) -> str:
        return i18n.money(amount, unit, self.locale)

    def moment(self, value: Any) -> str:
        return i18n.moment(value, self.locale)

    def render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        return render(name, self.locale, status, user=self.user,
                      csrf=self.session.csrf_token, **values)

    def audit(self, action: str, **details: Any) -> None:
        self.bf.run(lambda c: audit.record(c, self.user, action, self.bf.clock.now(),
                                           **details))

    def unit_of(self, program: str) -> str:
        settings = self.shop.settings.get()
        found = settings.programs.get(program)
        return found.unit if found else settings.currency


def redirect(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def act(page: Page, do: Callable[[], object], *, refused: Callable[..., Response], back: str,
        audit: str, **details: Any) -> Response:
    """One dashboard action: on a refusal, the `refused` page again with the message and
    its status (nothing moved); else its audit entry, and back to `back`."""
    try:
        do()
    except BillfoldError as error:
        return refused(page, error=page.gettext(error.message), status=error.status)
    page.audit(audit, **details)
    return redirect(back)


def run_page(request: Request, work: Callable[[Page], Response], *, acting: bool = False,
             owner_only: bool = False, form: dict[str, str] | None = None) -> Response:
    """Run a dashboard page for its session: a login redirect without one, the password
    page until a first-login password is set, 403 for a viewer's POST (or anyone but an
    owner's, where `owner_only`), 400 for a POST whose CSRF token is wrong."""
    bf = billfold_of(request)
    session = bf.run(lambda c: users.session_of(c, request.cookies.get(COOKIE),
                                                bf.clock.now()), read_only=True)
    if session is None:
        return redirect("/dashboard/login")
    if form is not None and not users.csrf_ok(session, form.get("csrf")):
        return HTMLResponse("Invalid form token; reload the page.", status_code=400)
    if session.user.must_change_password and request.url.path != "/dashboard/password":
        return redirect("/dashboard/password")
    if (acting and not session.user.can_act) or (owner_only
                                                  and session.user.role != "owner"):
        return HTMLResponse("Your role cannot change this.", status_code=403)
    return work(Page(bf, Shop(bf, session.user.store_id), session, locale_of(request)))


async def form_of(request: Request) -> dict[str, str]:
    """A POSTed form's text fields (a field sent twice keeps its last value)."""
    return {key: value for key, value in (await request.form()).items()
            if isinstance(value, str)}
