"""The synthetic country: deterministic, valid for the registry, shaped like Korean manufacturing, and loaded
into both databases with working demo accounts."""

from __future__ import annotations

from collections import Counter
from statistics import mean, median

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.auth import Role, User, authenticate
from midas.config import Environment, Settings
from midas.demo import NATIONAL, SMALL, DemoCountry, demo_credentials, generate_country, recorded_seed, seed_demo
from midas.demo.national import demo_password
from midas.errors import Conflict, InvalidInput, PermissionDenied
from midas.registry import (
    Contact,
    ContactRole,
    Factory,
    Organization,
    OrganizationKind,
    brn_checksum_ok,
    ksic_divisions,
    name_search_key,
    organization_values,
    regions,
)
from midas.registry.validation import parse_contact, parse_factory, parse_organization
from tests.factories import make_organization, make_user


@pytest.fixture(scope="module")
def national() -> DemoCountry:
    """The national country, generated once in memory (no database): the shape checks read it."""
    return generate_country(NATIONAL, 2027)


@pytest.fixture(scope="module")
def small() -> DemoCountry:
    return generate_country(SMALL, 11)


# The generator, in memory ------------------------------------------------------------------------------------


def test_the_same_seed_generates_the_same_country() -> None:
    first, again = generate_country(SMALL, 42), generate_country(SMALL, 42)
    assert first.organizations == again.organizations
    assert first.factories == again.factories
    assert first.contacts == again.contacts
    assert first.users == again.users


def test_another_seed_generates_another_country() -> None:
    first, other = generate_country(SMALL, 42), generate_country(SMALL, 43)
    assert [o.brn for o in first.organizations] != [o.brn for o in other.organizations]
    assert [o.name for o in first.organizations] != [o.name for o in other.organizations]
    assert [u.credential.password for u in first.users] != [u.credential.password for u in other.users]


def test_the_national_scale_has_the_sizes_of_the_issue(national: DemoCountry) -> None:
    kinds = Counter(o.kind for o in national.organizations)
    assert len(national.organizations) == 25_000
    assert kinds[OrganizationKind.LARGE_ENTERPRISE] == 100
    assert kinds[OrganizationKind.TECHNOLOGY_SUPPLIER] == 2_000
    assert kinds[OrganizationKind.MIDSIZE] == 1_500
    assert kinds[OrganizationKind.INSTITUTE] == 50
    assert kinds[OrganizationKind.SME] == 21_350
    assert 38_000 <= len(national.factories) <= 42_000
    assert 1.0 <= len(national.contacts) / len(national.organizations) <= 2.0


def test_regions_are_heavy_where_korean_manufacturing_is(national: DemoCountry) -> None:
    ranked = [code for code, _ in Counter(o.region_code for o in national.organizations).most_common()]
    assert ranked[:3] == ["41", "48", "47"]  # Gyeonggi, Gyeongnam, Gyeongbuk
    assert {"44", "28"} <= set(ranked[:6])  # Chungnam, Incheon
    assert ranked[-1] in ("50", "36")  # Jeju or Sejong last
    factory_regions = Counter(f.region_code for f in national.factories).most_common(1)
    assert factory_regions[0][0] == "41"


def test_divisions_are_led_by_metal_products_and_machinery(national: DemoCountry) -> None:
    ranked = [code for code, _ in Counter(o.ksic_code for o in national.organizations).most_common()]
    assert ranked[0] in ("25", "29")
    assert {"25", "29", "26", "30", "20", "22"} <= set(ranked[:8])
    assert ranked.index("12") > 20  # tobacco is nearly absent


def test_technology_suppliers_are_filed_under_electronics_machinery_electrical_and_instruments(
    national: DemoCountry,
) -> None:
    divisions = {o.ksic_code for o in national.organizations if o.kind is OrganizationKind.TECHNOLOGY_SUPPLIER}
    assert divisions == {"26", "27", "28", "29"}


def test_sizes_and_revenues_follow_the_kind(national: DemoCountry) -> None:
    by_kind: dict[OrganizationKind, list[int]] = {}
    for organization in national.organizations:
        by_kind.setdefault(organization.kind, []).append(organization.employees)
    assert all(5 <= n <= 299 for n in by_kind[OrganizationKind.SME])
    assert all(300 <= n <= 20_000 for n in by_kind[OrganizationKind.LARGE_ENTERPRISE])
    assert 10 <= median(by_kind[OrganizationKind.SME]) <= 30
    large = [o for o in national.organizations if o.kind is OrganizationKind.LARGE_ENTERPRISE]
    assert all(o.annual_revenue_krw is not None and 10**11 <= o.annual_revenue_krw <= 10**14 for o in large)
    smes = [o for o in national.organizations if o.kind is OrganizationKind.SME]
    small_firms = [o.annual_revenue_krw or 0 for o in smes if o.employees < 10]
    bigger_firms = [o.annual_revenue_krw or 0 for o in smes if o.employees >= 100]
    assert mean(bigger_firms) > 5 * mean(small_firms)  # revenue grows with the staff


def test_founding_years_lie_between_1960_and_2024_and_lean_recent(national: DemoCountry) -> None:
    years = [o.founded_year for o in national.organizations]
    assert min(years) >= 1960
    assert max(years) <= 2024
    assert median(o.founded_year for o in national.organizations if o.kind is OrganizationKind.SME) > 1995


def test_every_brn_is_valid_unique_and_says_the_kind_of_business(national: DemoCountry) -> None:
    brns = [o.brn for o in national.organizations]
    assert len(set(brns)) == len(brns)
    assert all(brn_checksum_ok(brn) for brn in brns)
    middles = [(o.kind, int(o.brn[3:5])) for o in national.organizations]
    assert all(code == 82 for kind, code in middles if kind is OrganizationKind.INSTITUTE)
    assert all(code in (81, 86, 87) for kind, code in middles
               if kind in (OrganizationKind.LARGE_ENTERPRISE, OrganizationKind.MIDSIZE))
    corporations = sum(code in (81, 86, 87) for _, code in middles)
    assert corporations > 0.75 * len(middles)
    assert all(1 <= code <= 79 or code in (81, 82, 86, 87) for _, code in middles)


def test_codes_are_the_registry_reference_codes_and_names_are_unique(national: DemoCountry) -> None:
    assert {o.region_code for o in national.organizations} == set(regions())
    assert {o.ksic_code for o in national.organizations} <= set(ksic_divisions())
    assert {f.region_code for f in national.factories} <= set(regions())
    keys = [name_search_key(o.name) for o in national.organizations]
    assert len(set(keys)) == len(keys)


def test_company_names_are_korean_with_a_romanized_english_name(national: DemoCountry) -> None:
    legal_forms = ("(주)", "주식회사", "㈜")
    for organization in national.organizations[:2_000]:
        assert organization.name_en.isascii()
        if int(organization.brn[3:5]) in (81, 86, 87):
            assert any(form in organization.name for form in legal_forms), organization.name
            assert organization.name_en.endswith(("Co., Ltd.", "Inc.", "Corp.")), organization.name_en
    assert any(o.name.startswith("(주)") for o in national.organizations)
    assert any(o.name.endswith(" 주식회사") for o in national.organizations)


def test_factories_sit_mostly_at_home_in_industrial_complexes_with_processes_of_their_division(
    national: DemoCountry,
) -> None:
    home = sum(f.region_code == national.organizations[f.organization_index].region_code for f in national.factories)
    assert home > 0.7 * len(national.factories)
    in_complex = [f.industrial_complex for f in national.factories if f.industrial_complex]
    assert 0.5 < len(in_complex) / len(national.factories) < 0.85
    assert {"반월국가산업단지", "시화국가산업단지", "창원국가산업단지", "구미국가산업단지", "남동국가산업단지",
            "울산미포국가산업단지"} <= set(in_complex)
    assert all(1 <= f.production_lines <= 40 for f in national.factories)
    per_organization = Counter(f.organization_index for f in national.factories)
    large = [i for i, o in enumerate(national.organizations) if o.kind is OrganizationKind.LARGE_ENTERPRISE]
    assert all(3 <= per_organization[i] <= 15 for i in large)
    metal = next(f for f in national.factories if national.organizations[f.organization_index].ksic_code == "25")
    assert set(metal.main_processes.split(", ")) <= {"절삭가공", "프레스", "용접", "도장", "열처리", "도금", "조립"}


def test_every_generated_row_passes_the_registry_validation(small: DemoCountry) -> None:
    for organization in small.organizations:
        raw = {key: value for key, value in organization.column_values().items()
               if key not in ("name_key", "name_en_key")}
        parsed = parse_organization({**raw, "kind": organization.kind.value})
        assert organization_values(parsed) == {**organization.column_values(), "kind": organization.kind}
    for factory in small.factories:
        parse_factory(factory.column_values(organization_id=1))
    for contact in small.contacts:
        parse_contact({**contact.column_values(organization_id=1), "role": contact.role.value})


def test_contacts_are_a_representative_and_sometimes_a_dx_lead_at_reserved_domains(small: DemoCountry) -> None:
    roles = Counter(c.role for c in small.contacts)
    assert roles[ContactRole.REPRESENTATIVE] == len(small.organizations)
    assert 0.4 * len(small.organizations) < roles[ContactRole.DX_MANAGER] < 0.8 * len(small.organizations)
    assert all(c.email.endswith(".example") for c in small.contacts)
    representatives = {c.organization_index: c.name for c in small.contacts if c.role is ContactRole.REPRESENTATIVE}
    assert all(representatives[i] == o.representative for i, o in enumerate(small.organizations))


def test_demo_accounts_cover_every_role_and_members_belong_to_smes(small: DemoCountry) -> None:
    assert {u.credential.role for u in small.users} == set(Role)
    members = [u for u in small.users if u.credential.role is Role.COMPANY_MEMBER]
    assert len(members) >= 2
    for member in members:
        assert member.organization_index is not None
        assert small.organizations[member.organization_index].kind is OrganizationKind.SME
    assert all(u.organization_index is None for u in small.users if u.credential.role is not Role.COMPANY_MEMBER)
    assert all(u.credential.email.endswith("@demo.midas.example") for u in small.users)


def test_demo_passwords_follow_from_the_seed_alone() -> None:
    assert demo_credentials(7) == demo_credentials(7)
    assert demo_credentials(7) != demo_credentials(8)
    assert [c.password for c in demo_credentials(7)] == [u.credential.password
                                                        for u in generate_country(SMALL, 7).users]
    assert len(demo_password(7, "admin@demo.midas.example")) >= 10
    assert demo_password(7, "admin@demo.midas.example") != demo_password(7, "auditor@demo.midas.example")


# Loading into both databases -----------------------------------------------------------------------------


def _count(session: Session, model: type[Organization | Factory | Contact | User]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_seeding_loads_the_small_country_with_accounts_that_sign_in(session: Session) -> None:
    summary = seed_demo(session, scale="small", seed=5)
    country = generate_country(SMALL, 5)
    assert (summary.organizations, summary.factories, summary.contacts, summary.users) == (
        len(country.organizations), len(country.factories), len(country.contacts), len(country.users))
    assert _count(session, Organization) == 300
    assert _count(session, Factory) == len(country.factories)
    assert _count(session, Contact) == len(country.contacts)
    stored = session.scalars(select(Organization).order_by(Organization.id)).all()
    assert [o.brn for o in stored] == [o.brn for o in country.organizations]
    assert stored[0].name_key == name_search_key(country.organizations[0].name)
    for credential in summary.credentials:
        if credential.role is Role.COMPANY_MEMBER and credential.email != "member1@demo.midas.example":
            continue  # argon2 is slow: one member stands for the three
        user = authenticate(session, email=credential.email, password=credential.password)
        assert user.role is credential.role
        if user.role is Role.COMPANY_MEMBER:
            assert user.organization_id is not None
            assert session.get(Organization, user.organization_id).kind is OrganizationKind.SME  # type: ignore[union-attr]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "demo.seed")).one()
    assert (event.actor_label, event.details["seed"], event.details["organizations"]) == ("system", 5, 300)
    recorded = recorded_seed(session)
    assert recorded is not None
    assert (recorded.scale, recorded.seed, recorded.credentials) == ("small", 5, list(summary.credentials))


def test_seeding_on_a_connection_stays_in_its_transaction(connection: Connection) -> None:
    summary = seed_demo(connection, scale="small", seed=8)
    assert connection.in_transaction()
    assert connection.scalar(select(func.count()).select_from(Organization)) == summary.organizations == 300
    assert connection.scalar(select(func.count()).select_from(User)) == summary.users


def test_seeding_refuses_a_database_with_organizations(session: Session) -> None:
    existing = make_organization(session)
    with pytest.raises(Conflict, match="--reset"):
        seed_demo(session, scale="small", seed=5)
    assert session.scalars(select(Organization.id)).all() == [existing.id]
    assert recorded_seed(session) is None


def test_reset_empties_the_database_before_seeding(session: Session) -> None:
    old = make_organization(session, name="(주)지워질회사")
    make_user(session, Role.COMPANY_MEMBER, organization=old)
    seed_demo(session, scale="small", seed=6, reset=True)
    assert session.scalar(select(Organization).where(Organization.name == "(주)지워질회사")) is None
    assert _count(session, Organization) == 300
    assert _count(session, User) == len(demo_credentials(6))
    assert [e.action for e in session.scalars(select(AuditEvent).where(~AuditEvent.action.startswith("user.")))] \
        == ["demo.seed"]


def test_seeding_is_refused_in_production(session: Session) -> None:
    production = Settings(environment=Environment.PRODUCTION, secret_key="x" * 40, secure_cookies=True)
    before = _count(session, Organization)
    with pytest.raises(PermissionDenied):
        seed_demo(session, scale="small", seed=5, settings=production)
    assert _count(session, Organization) == before


def test_an_unknown_scale_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInput):
        seed_demo(session, scale="galactic", seed=5)
