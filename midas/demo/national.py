"""The generator of the synthetic country: pure, typed and deterministic.

``generate_country(scale, seed)`` returns the same organizations, factories, contacts and demo users for the
same seed, and different ones for another seed. Nothing here touches a database: the loader writes the rows.
Each concern draws from its own random stream (named after it), so changing how factories are drawn does
not rename every company.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import random
import re
from bisect import bisect
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Generic, TypeVar

from midas.auth import Role
from midas.demo import distributions as shape
from midas.demo.names import (
    AREA_CODES,
    AREAS,
    BRAND_WORDS,
    DIVISION_SUFFIXES,
    FAMOUS_GROUP_STEMS,
    GENERIC_SUFFIXES,
    GIVEN_NAMES,
    INSTITUTE_FIELDS,
    INSTITUTE_FORMS,
    LARGE_ENTERPRISE_SUFFIXES,
    LETTERS,
    OFFICE_AREAS,
    PROCESSES,
    PROPRIETOR_WORKSHOP,
    REGION_SHORT,
    STEM_FIRST,
    STEM_SECOND,
    SUPPLIER_PREFIXES,
    SUPPLIER_SUFFIXES,
    SURNAMES,
    TAX_OFFICE_CODES,
    Area,
    Word,
)
from midas.registry import ContactRole, OrganizationKind, complete_brn, name_search_key, regions

K = TypeVar("K", bound=Hashable)

DEMO_EMAIL_DOMAIN = "demo.midas.example"
# Every generated e-mail address and website lives under the .example top-level domain (RFC 2606): it can
# never reach a real company.
COMPANY_DOMAIN_SUFFIX = "example"

# The demo accounts: one administrator, a few operators, experts and company members, one investigator and
# one auditor. Their e-mail addresses do not depend on the seed; their passwords do.
DEMO_ACCOUNTS: tuple[tuple[Role, str], ...] = (
    (Role.ADMIN, "admin"),
    (Role.OPERATOR, "operator1"),
    (Role.OPERATOR, "operator2"),
    (Role.OPERATOR, "operator3"),
    (Role.EXPERT, "expert1"),
    (Role.EXPERT, "expert2"),
    (Role.EXPERT, "expert3"),
    (Role.COMPANY_MEMBER, "member1"),
    (Role.COMPANY_MEMBER, "member2"),
    (Role.COMPANY_MEMBER, "member3"),
    (Role.INVESTIGATOR, "investigator"),
    (Role.AUDITOR, "auditor"),
)


@dataclass(frozen=True, slots=True)
class OrganizationRow:
    """One organization, with the fields the registry's validation accepts."""

    brn: str
    name: str
    name_en: str
    kind: OrganizationKind
    ksic_code: str
    region_code: str
    employees: int
    annual_revenue_krw: int | None
    founded_year: int
    representative: str
    address: str
    website: str | None

    def column_values(self) -> dict[str, object]:
        """The organization table's columns, with the search keys the registry derives from the names."""
        return {
            "brn": self.brn,
            "name": self.name,
            "name_en": self.name_en,
            "name_key": name_search_key(self.name),
            "name_en_key": name_search_key(self.name_en),
            "kind": self.kind,
            "ksic_code": self.ksic_code,
            "region_code": self.region_code,
            "employees": self.employees,
            "annual_revenue_krw": self.annual_revenue_krw,
            "founded_year": self.founded_year,
            "representative": self.representative,
            "address": self.address,
            "website": self.website,
        }


@dataclass(frozen=True, slots=True)
class FactoryRow:
    """One production site; ``organization_index`` points into ``DemoCountry.organizations``."""

    organization_index: int
    name: str
    address: str
    region_code: str
    industrial_complex: str | None
    main_processes: str
    production_lines: int

    def column_values(self, organization_id: int) -> dict[str, object]:
        return {
            "organization_id": organization_id,
            "name": self.name,
            "address": self.address,
            "region_code": self.region_code,
            "industrial_complex": self.industrial_complex,
            "main_processes": self.main_processes,
            "production_lines": self.production_lines,
        }


@dataclass(frozen=True, slots=True)
class ContactRow:
    organization_index: int
    name: str
    role: ContactRole
    email: str
    phone: str

    def column_values(self, organization_id: int) -> dict[str, object]:
        return {"organization_id": organization_id, "name": self.name, "role": self.role, "email": self.email,
                "phone": self.phone}


@dataclass(frozen=True, slots=True)
class DemoCredential:
    """A demo log-in as printed for people: role, e-mail address and password."""

    role: Role
    email: str
    password: str


@dataclass(frozen=True, slots=True)
class DemoUserRow:
    credential: DemoCredential
    display_name: str
    organization_index: int | None


@dataclass(frozen=True, slots=True)
class DemoCountry:
    """Everything one run generates, in the order it is loaded."""

    scale: shape.Scale
    seed: int
    organizations: Sequence[OrganizationRow]
    factories: Sequence[FactoryRow]
    contacts: Sequence[ContactRow]
    users: Sequence[DemoUserRow]


def demo_password(seed: int, email: str) -> str:
    """The demo password of an account: derived from the seed, so a later run can print it again.

    Anyone who knows the seed knows the passwords; that is why seeding refuses to run in production.
    """
    digest = hmac.new(b"midas-demo-password", f"{seed}:{email}".encode(), hashlib.sha256).digest()
    text = base64.b32encode(digest).decode().lower()[:16]
    return "-".join(text[i:i + 4] for i in range(0, 16, 4))


def demo_credentials(seed: int) -> list[DemoCredential]:
    """The log-ins of the demo accounts for ``seed``, without generating the country."""
    return [DemoCredential(role, f"{local}@{DEMO_EMAIL_DOMAIN}", demo_password(seed, f"{local}@{DEMO_EMAIL_DOMAIN}"))
            for role, local in DEMO_ACCOUNTS]


class _Weighted(Generic[K]):
    """A weighted choice prepared once and drawn many times."""

    def __init__(self, weights: Mapping[K, float]) -> None:
        self.items = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> K:
        # What random.choices does for one item, without its per-call set-up: it runs ~250,000 times.
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


def _stream(seed: int, concern: str) -> random.Random:
    return random.Random(f"midas-demo:{seed}:{concern}")


@dataclass(frozen=True, slots=True)
class _Person:
    name: str
    email_local: str


@dataclass(frozen=True, slots=True)
class _Site:
    """Where something is: a region, a district of it and a street address."""

    region_code: str
    area: Area
    address: str
    is_plant_district: bool


class _People:
    def __init__(self) -> None:
        self.surnames = _Weighted({(ko, en): weight for ko, en, weight in SURNAMES})

    def draw(self, rng: random.Random) -> _Person:
        surname, surname_en = self.surnames.pick(rng)
        given, given_en = rng.choice(GIVEN_NAMES)
        return _Person(surname + given, f"{given_en}.{surname_en}")


class _Places:
    """Districts and addresses, with the industrial districts of each region drawn most often."""

    def __init__(self) -> None:
        self.region_names = {code: region.name_ko for code, region in regions().items()}
        self.plant_areas = {code: _Weighted({i: 1 / (1 + 0.35 * i) for i in range(len(areas))})
                            for code, areas in AREAS.items()}

    def plant_site(self, rng: random.Random, region_code: str) -> _Site:
        area = AREAS[region_code][self.plant_areas[region_code].pick(rng)]
        return _Site(region_code, area, self.address(rng, region_code, area), is_plant_district=True)

    def head_office(self, rng: random.Random, region_code: str, *, prefers_office: bool) -> _Site:
        offices = OFFICE_AREAS.get(region_code)
        if prefers_office and offices and rng.random() < shape.OFFICE_HEAD_OFFICE_SHARE:
            area = rng.choice(offices)
            return _Site(region_code, area, self.address(rng, region_code, area), is_plant_district=False)
        return self.plant_site(rng, region_code)

    def address(self, rng: random.Random, region_code: str, area: Area) -> str:
        street = rng.choice(area.streets)
        if rng.random() < 0.3:
            street = f"{street}{rng.randint(1, 60)}번길"
        return f"{self.region_names[region_code]} {area.district} {street} {rng.randint(1, 300)}"


@dataclass(frozen=True, slots=True)
class _Name:
    korean: str
    english: str
    domain: str  # from the English name without its legal form: "daesungprecision.example"
    has_website: bool


class _CompanyNames:
    """Unique company names: no two organizations share a search key."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.stems = [(a + b, a_en + b_en) for a, a_en in STEM_FIRST for b, b_en in STEM_SECOND if a != b]
        self.large_stems = [stem for stem in self.stems + list(BRAND_WORDS) if stem[0] not in FAMOUS_GROUP_STEMS]
        self.legal_forms = _Weighted({"(주){}": 45.0, "{} 주식회사": 20.0, "{}(주)": 20.0, "㈜{}": 10.0,
                                      "주식회사 {}": 5.0})
        self.english_forms = _Weighted({"{} Co., Ltd.": 85.0, "{} Inc.": 10.0, "{} Corp.": 5.0})

    def draw(self, rng: random.Random, make: Callable[[random.Random], _Name]) -> _Name:
        for _ in range(200):
            name = make(rng)
            key = name_search_key(name.korean)
            if key not in self.taken:
                self.taken.add(key)
                return name
        raise RuntimeError("the name parts are too few for this many organizations")

    def _stem(self, rng: random.Random) -> Word:
        roll = rng.random()
        if roll < 0.70:
            return rng.choice(self.stems)
        if roll < 0.88:
            return rng.choice(BRAND_WORDS)
        first, second = rng.choice(LETTERS), rng.choice(LETTERS)
        return first[0] + second[0], first[1] + second[1]

    def _corporation(self, rng: random.Random, base_ko: str, base_en: str) -> _Name:
        korean = self.legal_forms.pick(rng).format(base_ko)
        return _Name(korean, self.english_forms.pick(rng).format(base_en), _domain(base_en), has_website=True)

    def manufacturer(self, rng: random.Random, ksic_code: str, *, corporation: bool) -> _Name:
        def make(rng: random.Random) -> _Name:
            stem_ko, stem_en = self._stem(rng)
            suffix_ko, suffix_en = rng.choice(DIVISION_SUFFIXES[ksic_code] + GENERIC_SUFFIXES)
            base_ko, base_en = stem_ko + suffix_ko, f"{stem_en} {suffix_en}"
            if corporation:
                return self._corporation(rng, base_ko, base_en)
            if rng.random() < 0.25:
                base_ko, base_en = base_ko + PROPRIETOR_WORKSHOP[0], f"{base_en} {PROPRIETOR_WORKSHOP[1]}"
            # Sole proprietors use e-mail but rarely keep a website of their own.
            return _Name(base_ko, base_en, _domain(base_en), has_website=False)

        return self.draw(rng, make)

    def large_enterprise(self, rng: random.Random, ksic_code: str) -> _Name:
        def make(rng: random.Random) -> _Name:
            stem_ko, stem_en = rng.choice(self.large_stems)
            suffixes = LARGE_ENTERPRISE_SUFFIXES.get(ksic_code, DIVISION_SUFFIXES[ksic_code])
            suffix_ko, suffix_en = rng.choice(suffixes)
            return self._corporation(rng, stem_ko + suffix_ko, f"{stem_en} {suffix_en}")

        return self.draw(rng, make)

    def supplier(self, rng: random.Random) -> _Name:
        def make(rng: random.Random) -> _Name:
            suffix_ko, suffix_en = rng.choice(SUPPLIER_SUFFIXES)
            roll = rng.random()
            if roll < 0.5:
                prefix_ko, prefix_en = rng.choice(SUPPLIER_PREFIXES)
                if prefix_ko == suffix_ko:
                    prefix_ko, prefix_en = SUPPLIER_PREFIXES[0]
                return self._corporation(rng, prefix_ko + suffix_ko, prefix_en + suffix_en)
            stem_ko, stem_en = self._stem(rng)
            return self._corporation(rng, stem_ko + suffix_ko, f"{stem_en} {suffix_en}")

        return self.draw(rng, make)

    def institute(self, rng: random.Random, region_code: str, field_ko: str, field_en: str) -> _Name:
        region_ko, region_en = REGION_SHORT[region_code]

        def make(rng: random.Random) -> _Name:
            form_ko, form_en = rng.choice(INSTITUTE_FORMS)
            base_en = f"{region_en} {field_en} {form_en}"
            return _Name(f"{region_ko}{field_ko}{form_ko}", base_en, _domain(base_en), has_website=True)

        return self.draw(rng, make)


def _domain(english: str) -> str:
    return re.sub(r"[^a-z0-9]", "", english.lower()) + "." + COMPANY_DOMAIN_SUFFIX


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return math.exp(rng.gauss(math.log(median), sigma))


class _Firms:
    """Sizes, founding years, classifications and registration numbers."""

    def __init__(self) -> None:
        self.taken_brns: set[str] = set()
        self.regions = {
            OrganizationKind.TECHNOLOGY_SUPPLIER: _Weighted(shape.SUPPLIER_REGION_WEIGHTS),
            OrganizationKind.LARGE_ENTERPRISE: _Weighted(shape.LARGE_ENTERPRISE_REGION_WEIGHTS),
            OrganizationKind.INSTITUTE: _Weighted(shape.INSTITUTE_REGION_WEIGHTS),
        }
        self.manufacturing_regions = _Weighted(shape.REGION_WEIGHTS)
        self.divisions_in_region = {
            region: _Weighted({code: weight * shape.REGION_KSIC_AFFINITY.get(region, {}).get(code, 1.0)
                               for code, weight in shape.KSIC_WEIGHTS.items()})
            for region in shape.REGION_WEIGHTS
        }
        # Plants of one division go where that division is strong: shipyards to Ulsan and Gyeongnam.
        self.regions_for_division = {
            code: _Weighted({region: weight * shape.REGION_KSIC_AFFINITY.get(region, {}).get(code, 1.0)
                             for region, weight in shape.REGION_WEIGHTS.items()})
            for code in shape.KSIC_WEIGHTS
        }
        self.supplier_divisions = _Weighted(shape.SUPPLIER_KSIC_WEIGHTS)
        self.large_divisions = _Weighted(shape.LARGE_ENTERPRISE_KSIC_WEIGHTS)
        self.corporate_codes = _Weighted({81: 70.0, 86: 20.0, 87: 10.0})
        self.factory_counts = {kind: _Weighted(dict(counts)) for kind, counts in shape.FACTORY_COUNTS.items()}

    def region(self, rng: random.Random, kind: OrganizationKind) -> str:
        return self.regions.get(kind, self.manufacturing_regions).pick(rng)

    def division(self, rng: random.Random, kind: OrganizationKind, region_code: str) -> str:
        if kind is OrganizationKind.TECHNOLOGY_SUPPLIER:
            return self.supplier_divisions.pick(rng)
        if kind is OrganizationKind.LARGE_ENTERPRISE:
            return self.large_divisions.pick(rng)
        return self.divisions_in_region[region_code].pick(rng)

    def employees(self, rng: random.Random, kind: OrganizationKind) -> int:
        # Drawing again outside the bounds (rather than clipping) keeps a pile-up off the bounds themselves.
        size = shape.SIZE_SHAPES[kind]
        count = round(_lognormal(rng, size.median_employees, size.employee_sigma))
        for _ in range(20):
            if size.min_employees <= count <= size.max_employees:
                return count
            count = round(_lognormal(rng, size.median_employees, size.employee_sigma))
        return min(max(count, size.min_employees), size.max_employees)

    def revenue(self, rng: random.Random, kind: OrganizationKind, employees: int) -> int | None:
        size = shape.SIZE_SHAPES[kind]
        if size.revenue_per_employee_krw is None:
            return None
        revenue = employees * _lognormal(rng, size.revenue_per_employee_krw, size.revenue_sigma)
        revenue = max(revenue, size.min_revenue_krw)
        if size.max_revenue_krw is not None:
            revenue = min(revenue, size.max_revenue_krw)
        return round(revenue / 1_000_000) * 1_000_000

    def founded(self, rng: random.Random, kind: OrganizationKind) -> int:
        founding = shape.FOUNDING_SHAPES[kind]
        return founding.first + round(founding.span * rng.betavariate(founding.alpha, founding.beta))

    def brn(self, rng: random.Random, region_code: str, kind_code: int) -> str:
        """A valid, unused registration number: tax office of the region, kind of business, serial."""
        while True:
            office = rng.choice(TAX_OFFICE_CODES[region_code])
            digits = complete_brn(f"{office:03d}{kind_code:02d}{rng.randrange(10_000):04d}")
            if digits not in self.taken_brns:
                self.taken_brns.add(digits)
                return digits

    def business_kind_code(self, rng: random.Random, kind: OrganizationKind, *, corporation: bool) -> int:
        """The BRN's middle digits: 81/86/87 a company, 82 a non-profit corporation, 01-79 a proprietor."""
        if kind is OrganizationKind.INSTITUTE:
            return 82
        return self.corporate_codes.pick(rng) if corporation else rng.randint(1, 79)


class _Generator:
    def __init__(self, scale: shape.Scale, seed: int) -> None:
        self.scale = scale
        self.seed = seed
        self.firms = _Firms()
        self.names = _CompanyNames()
        self.places = _Places()
        self.people = _People()
        self.organizations: list[OrganizationRow] = []
        self.factories: list[FactoryRow] = []
        self.contacts: list[ContactRow] = []
        self.dx_leads: dict[int, str] = {}

    def kinds_in_order(self) -> list[OrganizationKind]:
        kinds = [kind for kind in OrganizationKind for _ in range(self.scale.count(kind))]
        _stream(self.seed, "order").shuffle(kinds)
        return kinds

    def run(self, progress: Callable[[int], None] | None) -> DemoCountry:
        firm_rng, name_rng = _stream(self.seed, "firms"), _stream(self.seed, "names")
        site_rng, people_rng = _stream(self.seed, "sites"), _stream(self.seed, "people")
        for index, kind in enumerate(self.kinds_in_order()):
            self.add_organization(index, kind, firm_rng, name_rng, site_rng, people_rng)
            if progress is not None and (index + 1) % 500 == 0:
                progress(500)
        if progress is not None:
            progress(len(self.organizations) % 500)
        return DemoCountry(self.scale, self.seed, self.organizations, self.factories, self.contacts,
                           self.users(_stream(self.seed, "users")))

    def add_organization(self, index: int, kind: OrganizationKind, firm_rng: random.Random,
                         name_rng: random.Random, site_rng: random.Random, people_rng: random.Random) -> None:
        region = self.firms.region(firm_rng, kind)
        corporation = kind is not OrganizationKind.SME or firm_rng.random() < shape.SME_CORPORATION_SHARE
        if kind is OrganizationKind.INSTITUTE:
            field_ko, field_en, division = firm_rng.choice(INSTITUTE_FIELDS)
            name = self.names.institute(name_rng, region, field_ko, field_en)
        else:
            division = self.firms.division(firm_rng, kind, region)
            name = self.name_of(name_rng, kind, division, corporation=corporation)
        employees = self.firms.employees(firm_rng, kind)
        head_office = self.places.head_office(
            site_rng, region, prefers_office=kind in (OrganizationKind.LARGE_ENTERPRISE,
                                                      OrganizationKind.TECHNOLOGY_SUPPLIER))
        representative = self.people.draw(people_rng)
        kind_code = self.firms.business_kind_code(firm_rng, kind, corporation=corporation)
        has_website = name.has_website and site_rng.random() < shape.WEBSITE_SHARE
        self.organizations.append(OrganizationRow(
            brn=self.firms.brn(firm_rng, region, kind_code), name=name.korean, name_en=name.english, kind=kind,
            ksic_code=division, region_code=region, employees=employees,
            annual_revenue_krw=self.firms.revenue(firm_rng, kind, employees),
            founded_year=self.firms.founded(firm_rng, kind), representative=representative.name,
            address=head_office.address, website=f"https://www.{name.domain}" if has_website else None,
        ))
        self.add_factories(index, kind, division, head_office, site_rng)
        self.add_contacts(index, region, name, representative, people_rng)

    def name_of(self, rng: random.Random, kind: OrganizationKind, division: str, *, corporation: bool) -> _Name:
        if kind is OrganizationKind.LARGE_ENTERPRISE:
            return self.names.large_enterprise(rng, division)
        if kind is OrganizationKind.TECHNOLOGY_SUPPLIER:
            return self.names.supplier(rng)
        return self.names.manufacturer(rng, division, corporation=corporation)

    def add_factories(self, index: int, kind: OrganizationKind, division: str, head_office: _Site,
                      rng: random.Random) -> None:
        names_used: set[str] = set()
        lowest, highest = shape.PRODUCTION_LINES[kind]
        for number in range(self.firms.factory_counts[kind].pick(rng)):
            # A large enterprise's head office is not one of its plants; an SME's usually is.
            at_head_office = (number == 0 and head_office.is_plant_district
                              and kind is not OrganizationKind.LARGE_ENTERPRISE)
            site = head_office if at_head_office else self.factory_site(rng, kind, division, head_office.region_code)
            name = "본사공장" if at_head_office else self.factory_name(site.area, names_used)
            names_used.add(name)
            in_complex = site.area.complex_name is not None and rng.random() < shape.IN_COMPLEX_WHERE_AVAILABLE
            self.factories.append(FactoryRow(
                organization_index=index, name=name, address=site.address, region_code=site.region_code,
                industrial_complex=site.area.complex_name if in_complex else None,
                main_processes=_processes(rng, division),
                production_lines=min(highest, lowest + int((highest - lowest + 1) * rng.random() ** 2)),
            ))

    def factory_site(self, rng: random.Random, kind: OrganizationKind, division: str, home_region: str) -> _Site:
        stays_home = kind is not OrganizationKind.LARGE_ENTERPRISE and rng.random() < shape.FACTORY_HOME_REGION_SHARE
        region = home_region if stays_home else self.firms.regions_for_division[division].pick(rng)
        return self.places.plant_site(rng, region)

    @staticmethod
    def factory_name(area: Area, names_used: set[str]) -> str:
        name = f"{area.label}공장"
        number = 2
        while name in names_used:
            name = f"{area.label}제{number}공장"
            number += 1
        return name

    def add_contacts(self, index: int, region: str, name: _Name, representative: _Person,
                     rng: random.Random) -> None:
        self.contacts.append(ContactRow(index, representative.name, ContactRole.REPRESENTATIVE,
                                        f"{representative.email_local}@{name.domain}", _landline(rng, region)))
        if rng.random() < shape.DX_LEAD_SHARE:
            lead = self.people.draw(rng)
            self.contacts.append(ContactRow(index, lead.name, ContactRole.DX_MANAGER,
                                            f"{lead.email_local}@{name.domain}", _mobile(rng)))
            self.dx_leads[index] = lead.name

    def users(self, rng: random.Random) -> list[DemoUserRow]:
        members = iter(self.member_organizations())
        rows = []
        for credential in demo_credentials(self.seed):
            organization = next(members) if credential.role is Role.COMPANY_MEMBER else None
            display_name = self.dx_leads[organization] if organization is not None else self.people.draw(rng).name
            rows.append(DemoUserRow(credential, display_name, organization))
        return rows

    def member_organizations(self) -> list[int]:
        """SMEs with a factory and a digital-transformation lead: the people who sign in for their company."""
        with_factory = {factory.organization_index for factory in self.factories}
        return [index for index, row in enumerate(self.organizations)
                if row.kind is OrganizationKind.SME and index in self.dx_leads and index in with_factory]


def _processes(rng: random.Random, division: str) -> str:
    steps = PROCESSES[division]
    chosen = sorted(rng.sample(range(len(steps)), rng.randint(2, min(4, len(steps)))))
    return ", ".join(steps[i] for i in chosen)


# Korean local numbers never begin with 0 after the area code, so "031-0xxx-xxxx" and "010-0xxx-xxxx" look
# right yet can belong to nobody.
def _landline(rng: random.Random, region: str) -> str:
    return f"{AREA_CODES[region]}-0{rng.randrange(1000):03d}-{rng.randrange(10_000):04d}"


def _mobile(rng: random.Random) -> str:
    return f"010-0{rng.randrange(1000):03d}-{rng.randrange(10_000):04d}"


def generate_country(scale: shape.Scale, seed: int, *, progress: Callable[[int], None] | None = None) -> DemoCountry:
    """The synthetic country of ``scale`` for ``seed``; ``progress`` hears how many organizations were made."""
    return _Generator(scale, seed).run(progress)
