"""Every string the pages show is in the one catalogue, translated into Arabic; the
catalogue keeps nothing the pages no longer say; money reads right in both locales."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from billfold.web import i18n

WEB = Path(i18n.__file__).parent


def _said() -> set[str]:
    found = extract_from_dir(
        str(WEB), [("templates/**.html", "jinja2"), ("**.py", "python")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={"_": None, "gettext": None, "N_": None})
    return {message if isinstance(message, str) else message[0]
            for _file, _line, message, _comments, _context in found}


def test_every_string_has_its_arabic_and_nothing_is_left_over() -> None:
    with (WEB / "locale/ar/LC_MESSAGES/messages.po").open("rb") as file:
        catalogue = {m.id: m.string for m in read_po(file, locale="ar") if m.id}
    said = _said()
    assert len(said) > 200  # the templates and the pages were read
    assert sorted(m for m in said if not catalogue.get(m)) == []
    assert sorted(set(catalogue) - said) == []


def test_words_read_as_words_in_both_languages() -> None:
    assert i18n.word("withdrawal_approve", "en") == "Withdrawal approved"
    assert i18n.word("credit", "en") == "credit"
    assert i18n.word("credit", "ar") == "إضافة رصيد"
    assert i18n.word("manual_adjustment", "ar") == "تعديل يدوي"
    assert i18n.plain_amount(1250, "SAR") == "12.50"
    assert i18n.plain_amount(1250, "points") == "1250"
    assert i18n.plain_amount(7, "KWD") == "0.007"
