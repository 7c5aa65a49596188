"""One validation path for organizations, factories and contacts, shared by the API, pages and imports.

Each parser takes raw values (strings from a form or a file cell, or JSON values) and returns a typed
input, or raises InvalidInput listing every problem with its field, never only the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from midas.errors import InvalidInput, Problem
from midas.registry.enums import ContactRole, OrganizationKind
from midas.registry.reference import brn_checksum_ok, ksic_divisions, normalize_brn, regions

T = TypeVar("T")
Raw = Mapping[str, object]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class OrganizationInput:
    brn: str
    name: str
    name_en: str | None
    kind: OrganizationKind
    ksic_code: str
    region_code: str
    employees: int
    annual_revenue_krw: int | None
    founded_year: int | None
    representative: str | None
    address: str | None
    website: str | None


@dataclass(frozen=True, slots=True)
class FactoryInput:
    name: str
    address: str
    region_code: str
    industrial_complex: str | None
    main_processes: str
    production_lines: int


@dataclass(frozen=True, slots=True)
class ContactInput:
    name: str
    role: ContactRole
    email: str | None
    phone: str | None


class _Collector:
    """Gathers every problem of one record before deciding."""

    def __init__(self, raw: Raw) -> None:
        self.raw = raw
        self.problems: list[Problem] = []

    def text(self, field: str, *, required: bool, max_length: int) -> str | None:
        value = self.raw.get(field)
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.problems.append(Problem(field, "This field is required"))
            return None
        if len(text) > max_length:
            self.problems.append(Problem(field, "At most {n} characters", {"n": max_length}))
            return None
        return text

    def integer(self, field: str, *, required: bool, minimum: int, maximum: int | None = None) -> int | None:
        value = self.raw.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problems.append(Problem(field, "This field is required"))
            return None
        number = _as_int(value)
        if number is None:
            self.problems.append(Problem(field, "Enter a whole number, not {value}", {"value": str(value)[:40]}))
            return None
        if number < minimum:
            self.problems.append(Problem(field, "Must be at least {n}", {"n": minimum}))
            return None
        if maximum is not None and number > maximum:
            self.problems.append(Problem(field, "Must be at most {n}", {"n": maximum}))
            return None
        return number

    def choice(self, field: str, parse: Callable[[str], T | None], message: str) -> T | None:
        text = self.text(field, required=True, max_length=200)
        if text is None:
            return None
        parsed = parse(text)
        if parsed is None:
            self.problems.append(Problem(field, message, {"value": text[:40]}))
        return parsed

    def done(self, build: Callable[[], T]) -> T:
        if self.problems:
            raise InvalidInput(self.problems)
        return build()


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip().replace(",", "")
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text)) if "." in text else int(text)
    return None


def _parse_kind(text: str) -> OrganizationKind | None:
    lowered = text.strip().lower()
    for kind in OrganizationKind:
        if lowered in (kind.value, kind.name.lower()):
            return kind
    return KIND_ALIASES.get(text.strip())


# Korean spreadsheets say 중소기업, not "sme".
KIND_ALIASES: dict[str, OrganizationKind] = {
    "중소기업": OrganizationKind.SME,
    "중견기업": OrganizationKind.MIDSIZE,
    "대기업": OrganizationKind.LARGE_ENTERPRISE,
    "공급기업": OrganizationKind.TECHNOLOGY_SUPPLIER,
    "기술공급기업": OrganizationKind.TECHNOLOGY_SUPPLIER,
    "연구기관": OrganizationKind.INSTITUTE,
    "기관": OrganizationKind.INSTITUTE,
}


def parse_ksic(text: str) -> str | None:
    """A KSIC manufacturing division: "29", "C29" or a longer code whose division is 10-34."""
    code = text.strip().upper().removeprefix("C")
    code = code.split(".")[0] if re.fullmatch(r"\d+\.0", code) else code
    return code[:2] if code[:2] in ksic_divisions() and code.isdigit() and len(code) <= 5 else None


def parse_region(text: str) -> str | None:
    """A region by its administrative code or its Korean or English name."""
    value = text.strip()
    value = value.split(".")[0] if re.fullmatch(r"\d+\.0", value) else value
    if value in regions():
        return value
    for region in regions().values():
        if value in (region.name_ko, region.name_en) or value.lower() == region.name_en.lower():
            return region.code
    return None


def parse_organization(raw: Raw) -> OrganizationInput:
    c = _Collector(raw)
    brn = _parse_brn(c)
    name = c.text("name", required=True, max_length=200)
    name_en = c.text("name_en", required=False, max_length=200)
    kind = c.choice("kind", _parse_kind, "Unknown organization kind {value}")
    ksic = c.choice("ksic_code", parse_ksic, "Unknown KSIC manufacturing division {value} (10-34)")
    region = c.choice("region_code", parse_region, "Unknown region {value}")
    employees = c.integer("employees", required=True, minimum=0, maximum=10_000_000)
    revenue = c.integer("annual_revenue_krw", required=False, minimum=0)
    founded = c.integer("founded_year", required=False, minimum=1800, maximum=datetime.now(UTC).year)
    representative = c.text("representative", required=False, max_length=100)
    address = c.text("address", required=False, max_length=300)
    website = c.text("website", required=False, max_length=300)
    return c.done(lambda: OrganizationInput(
        brn=brn or "", name=name or "", name_en=name_en, kind=kind or OrganizationKind.SME,
        ksic_code=ksic or "", region_code=region or "", employees=employees or 0,
        annual_revenue_krw=revenue, founded_year=founded, representative=representative,
        address=address, website=website,
    ))


def _parse_brn(c: _Collector) -> str | None:
    text = c.text("brn", required=True, max_length=20)
    if text is None:
        return None
    digits = normalize_brn(text.split(".")[0] if re.fullmatch(r"\d+\.0", text) else text)
    if len(digits) != 10 or not digits.isdigit():
        c.problems.append(Problem("brn", "A business registration number has 10 digits, not {value}",
                                  {"value": text[:20]}))
        return None
    if not brn_checksum_ok(digits):
        c.problems.append(Problem("brn", "The check digit of business registration number {value} is wrong",
                                  {"value": text[:20]}))
        return None
    return digits


def parse_factory(raw: Raw) -> FactoryInput:
    c = _Collector(raw)
    name = c.text("name", required=True, max_length=200)
    address = c.text("address", required=True, max_length=300)
    region = c.choice("region_code", parse_region, "Unknown region {value}")
    complex_name = c.text("industrial_complex", required=False, max_length=200)
    processes = c.text("main_processes", required=False, max_length=500)
    lines = c.integer("production_lines", required=True, minimum=0, maximum=10_000)
    return c.done(lambda: FactoryInput(
        name=name or "", address=address or "", region_code=region or "", industrial_complex=complex_name,
        main_processes=", ".join(p.strip() for p in (processes or "").split(",") if p.strip()),
        production_lines=lines or 0,
    ))


def _parse_contact_role(text: str) -> ContactRole | None:
    try:
        return ContactRole(text.strip().lower())
    except ValueError:
        return None


def parse_contact(raw: Raw) -> ContactInput:
    c = _Collector(raw)
    name = c.text("name", required=True, max_length=100)
    role = c.choice("role", _parse_contact_role, "Unknown contact role {value}")
    email = c.text("email", required=False, max_length=254)
    if email is not None and not _EMAIL.match(email):
        c.problems.append(Problem("email", "Enter a valid e-mail address"))
    phone = c.text("phone", required=False, max_length=40)
    if phone is not None and not re.fullmatch(r"[+\d][\d\s\-()]{6,}", phone):
        c.problems.append(Problem("phone", "Enter a valid phone number"))
    return c.done(lambda: ContactInput(name=name or "", role=role or ContactRole.OTHER, email=email, phone=phone))
