"""Translations and formatting by locale. The catalogues are the `.po` files under
`locale/`, read with Babel when first needed (nothing to compile); English is the
source language. Money is minor units with a unit: a currency is formatted by Babel
with its own number of decimals, a points unit as a whole number of points."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

from billfold.money import is_points_unit, precision

LOCALES = ("en", "ar")


def N_(message: str) -> str:  # gettext's name for "translate later"
    """Marks a word the pages translate at runtime, so the catalogue has it."""
    return message


# Values the pages show through `gettext` that no template spells out: words that read
# as they are, and keys (`LABELS`) that read better as words.
WORDS = (
    N_("credit"), N_("debit"), N_("hold"), N_("capture"), N_("release"), N_("expiry"),
    N_("refund"), N_("cashback"), N_("reversal"), N_("withdrawal"), N_("void"),
    N_("transfer"), N_("promise"), N_("cash"), N_("promotional"),
    N_("active"), N_("closed"), N_("disabled"), N_("enabled"), N_("pending"),
    N_("approved"), N_("rejected"), N_("succeeded"), N_("failed"), N_("cancelled"),
    N_("expired"), N_("manual"), N_("auto"), N_("owner"), N_("admin"), N_("viewer"),
    N_("fixed"), N_("percent"), N_("proportional"), N_("random"), N_("multiplier"),
    N_("day"), N_("week"), N_("month"), N_("year"), N_("lifetime"),
    N_("Promised"), N_("Granted"), N_("Voided"), N_("Issued"), N_("Spent"), N_("Expired"),
    N_("Outstanding"),
    N_("Wrong email or password, or too many tries; wait 15 minutes after five wrong "
       "passwords."),
)
LABELS = {
    "lot_expiry_change": N_("expiry changed"), "promise_adjustment": N_("promise changed"),
    "promise_void": N_("promise voided"), "manual_adjustment": N_("manual adjustment"),
    "code_redemption": N_("wallet code"),
    "auto_apply": N_("Apply the wallet at checkout by itself"),
    "allow_topup": N_("Customers may top up their wallet"),
    "withdrawals_enabled": N_("Customers may withdraw withdrawable credit"),
    "allow_transfers": N_("Customers may send credit to each other"),
    "record": N_("Record the shortfall"),
    "deduct_from_refund": N_("Take it off the refund"),
    "wallet_on": N_("Wallet turned on"), "wallet_off": N_("Wallet turned off"),
    "reverse": N_("Reversed"), "offer_created": N_("Offer created"),
    "offer_closed": N_("Offer closed"), "rule_created": N_("Rule created"),
    "rule_closed": N_("Rule closed"), "tiers_changed": N_("Tiers changed"),
    "codes_created": N_("Codes created"), "codes_disabled": N_("Codes disabled"),
    "withdrawal_approve": N_("Withdrawal approved"),
    "withdrawal_reject": N_("Withdrawal rejected"),
    "webhook_created": N_("Webhook endpoint created"),
    "webhook_rotate": N_("Webhook secret rotated"),
    "webhook_enable": N_("Webhook endpoint enabled"),
    "webhook_disable": N_("Webhook endpoint disabled"),
    "webhook_replay": N_("Webhook delivery replayed"), "key_created": N_("API key created"),
    "key_revoked": N_("API key revoked"), "settings_changed": N_("Settings changed"),
}


def word(key: str, locale: str) -> str:
    """A value the pages show (a type, a status, an action), in words, translated."""
    return translations(locale).gettext(LABELS.get(key, key))
RTL = frozenset({"ar"})
_DIR = Path(__file__).parent / "locale"


@cache
def translations(locale: str) -> NullTranslations:
    path = _DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == "en" or not path.exists():
        return NullTranslations()
    with path.open("rb") as file:
        catalog = read_po(file, locale=locale)
    found = Translations()
    found._catalog = {m.id: m.string for m in catalog if m.id and m.string}  # type: ignore[attr-defined]
    return found


def direction(locale: str) -> str:
    return "rtl" if locale in RTL else "ltr"


def money(amount: int, unit: str, locale: str) -> str:
    if is_points_unit(unit):
        points = translations(locale).gettext("points")
        return f"{format_decimal(amount, locale=locale)} {points}"
    return format_currency(Decimal(amount).scaleb(-precision(unit)), unit, locale=locale)


def moment(value: datetime | None, locale: str) -> str:
    return "" if value is None else format_datetime(value, "medium", tzinfo=None,
                                                    locale=locale)


def parse_money(text: str, unit: str) -> int | None:
    """What a merchant typed ("12.50") in minor units, or None if it is not an amount."""
    try:
        value = Decimal(text.strip())
    except (ArithmeticError, ValueError, AttributeError):
        return None
    minor = value.scaleb(precision(unit))
    if not value.is_finite() or minor != minor.to_integral_value() or minor <= 0:
        return None
    return int(minor)


def plain_amount(amount: int, unit: str) -> str:
    """Minor units as a form field shows them: "12.50" (no symbol, no grouping)."""
    return str(Decimal(amount).scaleb(-precision(unit)))


def typed_amount(text: str | None, unit: str) -> int | str | None:
    """An optional amount a form field holds: None if blank, minor units if it is an
    amount, else the text as typed, for the library to refuse by its field's name."""
    value = (text or "").strip()
    if not value:
        return None
    minor = parse_money(value, unit)
    return value if minor is None else minor
