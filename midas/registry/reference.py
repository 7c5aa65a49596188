"""Reference data shipped with the package: KSIC manufacturing divisions, regions, and the BRN rule."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


@dataclass(frozen=True, slots=True)
class CodeName:
    """A code with its Korean and English names."""

    code: str
    name_ko: str
    name_en: str

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_ko


def _read_codes(filename: str) -> dict[str, CodeName]:
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as handle:
        return {row["code"]: CodeName(row["code"], row["name_ko"], row["name_en"]) for row in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def ksic_divisions() -> dict[str, CodeName]:
    """KSIC (10th revision) section C: the manufacturing divisions 10 to 34."""
    return _read_codes("ksic_divisions.csv")


@lru_cache(maxsize=1)
def regions() -> dict[str, CodeName]:
    """The 17 first-level administrative units, keyed by their administrative code."""
    return _read_codes("regions.csv")


def normalize_brn(raw: str) -> str:
    """The ten digits of a business registration number written as 123-45-67890 or 1234567890."""
    return re.sub(r"[\s\-]", "", raw)


def brn_checksum_ok(digits: str) -> bool:
    """The National Tax Service check digit rule for a 10-digit business registration number."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    numbers = [int(c) for c in digits]
    total = sum(n * w for n, w in zip(numbers[:9], BRN_WEIGHTS, strict=True))
    total += (numbers[8] * 5) // 10
    return (10 - total % 10) % 10 == numbers[9]


def complete_brn(first_nine: str) -> str:
    """The valid 10-digit number that starts with these nine digits (used by the demo generator and tests)."""
    numbers = [int(c) for c in first_nine]
    total = sum(n * w for n, w in zip(numbers, BRN_WEIGHTS, strict=True)) + (numbers[8] * 5) // 10
    return first_nine + str((10 - total % 10) % 10)


def format_brn(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else digits


# Word boundaries on the Latin forms: "Incheon", "Princeton" and "Corpus" keep their letters.
_LEGAL_FORMS = re.compile(
    r"\(주\)|㈜|주식회사|\(유\)|유한회사|\(합\)|\bco\.,?\s*ltd\b\.?|\binc\b\.?|\bcorp\b\.?", re.IGNORECASE
)


def name_search_key(name: str) -> str:
    """The key that name-prefix search runs on: lower case, legal form and spaces removed.

    "(주)대한정밀" and "대한정밀 주식회사" both start with "대한정밀", which is what people type.
    """
    return re.sub(r"[\s\-.,()]", "", _LEGAL_FORMS.sub("", name)).lower()
