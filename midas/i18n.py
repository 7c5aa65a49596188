"""Korean first, English second: message catalogs and the translation of error messages.

Message ids are English (gettext's convention); ``midas/locale/ko/LC_MESSAGES/*.po`` hold Korean, one
file per domain so that domains do not edit each other's catalog. The files are read with Babel at first
use, so there is no compile step to forget.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

SUPPORTED_LOCALES = ("ko", "en")
DEFAULT_LOCALE = "ko"
LOCALE_DIR = Path(__file__).parent / "locale"


@lru_cache(maxsize=len(SUPPORTED_LOCALES))
def catalog(locale: str) -> Mapping[str, str]:
    """msgid -> translated text for ``locale``, merged from every catalog file; English is the identity."""
    if locale == "en":
        return {}
    merged: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            po = read_po(handle, locale=locale)
        merged.update({str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy})
    return merged


def normalize_locale(value: str | None) -> str:
    if value and value.split("-")[0].lower() in SUPPORTED_LOCALES:
        return value.split("-")[0].lower()
    return DEFAULT_LOCALE


def translate(locale: str, message: str, params: Mapping[str, object] | None = None) -> str:
    """``message`` in ``locale``, with ``{name}`` parameters filled in."""
    text = catalog(normalize_locale(locale)).get(message, message)
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return message.format(**params)
