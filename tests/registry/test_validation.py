"""The one validation path of the registry: raw values in, typed input or every problem with its field out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from midas.errors import InvalidInput
from midas.registry.enums import ContactRole, OrganizationKind, SizeBand
from midas.registry.reference import brn_checksum_ok, complete_brn, format_brn, name_search_key
from midas.registry.service import parse_organization_query
from midas.registry.validation import parse_contact, parse_factory, parse_ksic, parse_organization, parse_region
from tests.factories import factory_fields, next_brn, organization_fields


def problems_of(error: pytest.ExceptionInfo[InvalidInput]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {p.field: (p.message, dict(p.params)) for p in error.value.problems}


def wrong_check_digit(brn: str) -> str:
    return brn[:9] + str((int(brn[9]) + 1) % 10)


def test_a_valid_organization_is_parsed_into_typed_values() -> None:
    brn = next_brn()
    data = parse_organization(organization_fields(
        brn=format_brn(brn), kind="중소기업", ksic_code="C29", region_code="경기도", employees="1,200",
        annual_revenue_krw="8500000000", founded_year="2004.0", website="  ",
    ))
    assert data.brn == brn
    assert data.kind is OrganizationKind.SME
    assert (data.ksic_code, data.region_code) == ("29", "41")
    assert (data.employees, data.annual_revenue_krw, data.founded_year) == (1200, 8_500_000_000, 2004)
    assert data.website is None


def test_a_wrong_check_digit_is_refused_on_the_brn_field() -> None:
    with pytest.raises(InvalidInput) as error:
        parse_organization(organization_fields(brn=wrong_check_digit(next_brn())))
    assert problems_of(error)["brn"][0] == "The check digit of business registration number {value} is wrong"


@pytest.mark.parametrize("brn", ["123-45-6789", "123456789", "12345678901", "12a-45-67890"])
def test_a_brn_without_ten_digits_is_refused(brn: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_organization(organization_fields(brn=brn))
    assert problems_of(error)["brn"] == ("A business registration number has 10 digits, not {value}", {"value": brn})


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_the_completed_brn_passes_the_checksum_and_any_other_last_digit_fails(first_nine: str) -> None:
    brn = complete_brn(first_nine)
    assert brn_checksum_ok(brn)
    assert not brn_checksum_ok(wrong_check_digit(brn))


@pytest.mark.parametrize("code", ["09", "35", "99", "C", "2x", "291234"])
def test_a_code_outside_the_manufacturing_divisions_is_unknown(code: str) -> None:
    assert parse_ksic(code) is None
    with pytest.raises(InvalidInput) as error:
        parse_organization(organization_fields(ksic_code=code))
    assert problems_of(error)["ksic_code"][0] == "Unknown KSIC manufacturing division {value} (10-34)"


@pytest.mark.parametrize(("text", "code"), [("29", "29"), ("C29", "29"), ("29199", "29"), ("10.0", "10")])
def test_a_ksic_code_may_be_written_in_several_ways(text: str, code: str) -> None:
    assert parse_ksic(text) == code


@pytest.mark.parametrize(("text", "code"), [("41", "41"), ("경기도", "41"), ("Gyeonggi-do", "41"),
                                            ("gyeonggi-do", "41"), ("11.0", "11")])
def test_a_region_is_found_by_code_or_name(text: str, code: str) -> None:
    assert parse_region(text) == code


def test_an_unknown_region_is_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        parse_organization(organization_fields(region_code="아틀란티스"))
    assert problems_of(error)["region_code"] == ("Unknown region {value}", {"value": "아틀란티스"})


def test_negative_employees_are_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        parse_organization(organization_fields(employees=-1))
    assert problems_of(error)["employees"] == ("Must be at least {n}", {"n": 0})


def test_a_founding_year_in_the_future_is_refused() -> None:
    next_year = datetime.now(UTC).year + 1
    with pytest.raises(InvalidInput) as error:
        parse_organization(organization_fields(founded_year=next_year))
    assert problems_of(error)["founded_year"][0] == "Must be at most {n}"


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as error:
        parse_organization({"employees": "many", "name": "x" * 201})
    problems = problems_of(error)
    assert set(problems) == {"brn", "name", "kind", "ksic_code", "region_code", "employees"}
    assert problems["brn"][0] == "This field is required"
    assert problems["name"] == ("At most {n} characters", {"n": 200})
    assert problems["employees"] == ("Enter a whole number, not {value}", {"value": "many"})


def test_a_factory_joins_its_processes_with_commas() -> None:
    data = parse_factory(factory_fields(main_processes=" 가공,조립 , ,검사", production_lines="3"))
    assert data.main_processes == "가공, 조립, 검사"
    assert data.production_lines == 3


def test_a_factory_needs_an_address_and_a_known_region() -> None:
    with pytest.raises(InvalidInput) as error:
        parse_factory(factory_fields(address="", region_code="00", production_lines=-2))
    assert set(problems_of(error)) == {"address", "region_code", "production_lines"}


@pytest.mark.parametrize("email", ["kim", "kim@", "kim@example", "kim @example.kr"])
def test_a_contact_with_a_bad_email_is_refused(email: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_contact({"name": "김하늘", "role": "dx_manager", "email": email})
    assert problems_of(error) == {"email": ("Enter a valid e-mail address", {})}


def test_a_valid_contact_is_parsed() -> None:
    data = parse_contact({"name": "김하늘", "role": "DX_MANAGER", "email": "sky@hanbit.co.kr",
                          "phone": "031-123-4567"})
    assert (data.role, data.email, data.phone) == (ContactRole.DX_MANAGER, "sky@hanbit.co.kr", "031-123-4567")


def test_name_search_keys_ignore_legal_forms_spaces_and_case() -> None:
    assert name_search_key("(주)한빛 정밀") == name_search_key("한빛정밀 주식회사") == "한빛정밀"
    assert name_search_key("Hanbit Precision Co., Ltd.") == "hanbitprecision"


def test_an_empty_list_query_asks_for_everything_active() -> None:
    query = parse_organization_query({"q": " ", "kind": "", "region_code": None, "page": ""}, default_page_size=25)
    assert (query.text, query.kind, query.region_code, query.size) == ("", None, None, None)
    assert (query.include_inactive, query.page, query.page_size) == (False, 1, 25)


def test_a_list_query_accepts_names_of_regions_and_typed_values() -> None:
    query = parse_organization_query({"kind": OrganizationKind.MIDSIZE, "region_code": "부산광역시",
                                      "ksic_code": "C29", "size": "small", "include_inactive": True,
                                      "page": 3, "page_size": "10"}, default_page_size=25)
    assert (query.kind, query.region_code, query.ksic_code, query.size) == (
        OrganizationKind.MIDSIZE, "26", "29", SizeBand.SMALL)
    assert (query.include_inactive, query.page, query.page_size) == (True, 3, 10)


def test_a_list_query_names_each_bad_parameter() -> None:
    with pytest.raises(InvalidInput) as error:
        parse_organization_query({"kind": "pirate", "region_code": "99", "ksic_code": "50", "size": "huge",
                                  "page": "0", "page_size": "500"}, default_page_size=25)
    problems = problems_of(error)
    assert set(problems) == {"kind", "region_code", "ksic_code", "size", "page", "page_size"}
    assert problems["page_size"] == ("Enter a whole number from 1 to {n}", {"n": 200})
