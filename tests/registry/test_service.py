"""The registry's service: validation before any change, audit events, and who may do what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.auth import ANONYMOUS, SYSTEM, Actor, Role, actor_for
from midas.errors import InvalidInput, NotFound, PermissionDenied
from midas.registry import (
    Contact,
    Factory,
    Organization,
    OrganizationKind,
    OrganizationQuery,
    complete_brn,
    create_contact,
    create_factory,
    create_organization,
    deactivate_contact,
    get_organization,
    list_contacts,
    list_factories,
    list_organizations,
    set_factory_active,
    set_organization_active,
    update_factory,
    update_organization,
)
from midas.registry.service import get_organization_profile
from tests.factories import factory_fields, make_factory, make_organization, make_user, next_brn, organization_fields

# One more than the right check digit.
WRONG_CHECK_DIGIT = complete_brn("123456789")[:9] + str((int(complete_brn("123456789")[9]) + 1) % 10)


def count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def problem_fields(error: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {p.field: p.message for p in error.value.problems}


def operator(session: Session) -> Actor:
    return actor_for(make_user(session, Role.OPERATOR))


# Creating ------------------------------------------------------------------------------------------------


def test_an_operator_registers_an_organization_with_an_audit_event(session: Session) -> None:
    actor = operator(session)
    brn = next_brn()
    organization = create_organization(session, actor=actor, raw=organization_fields(
        brn=f"{brn[:3]}-{brn[3:5]}-{brn[5:]}", name="(주)가온테크", name_en="Gaon Tech Co., Ltd."))
    assert organization.brn == brn
    assert (organization.name_key, organization.name_en_key) == ("가온테크", "gaontech")
    [event] = events(session, "organization.create")
    assert (event.actor_user_id, event.actor_label) == (actor.user_id, actor.label)
    assert (event.object_type, event.object_id) == ("organization", str(organization.id))
    assert event.details == {"brn": brn, "name": "(주)가온테크"}


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"brn": WRONG_CHECK_DIGIT}, "brn", "The check digit of business registration number {value} is wrong"),
    ({"brn": "123-45-6789"}, "brn", "A business registration number has 10 digits, not {value}"),
    ({"ksic_code": "35"}, "ksic_code", "Unknown KSIC manufacturing division {value} (10-34)"),
    ({"region_code": "99"}, "region_code", "Unknown region {value}"),
    ({"employees": -3}, "employees", "Must be at least {n}"),
    ({"founded_year": datetime.now(UTC).year + 1}, "founded_year", "Must be at most {n}"),
])
def test_invalid_input_is_refused_and_nothing_is_saved(
    session: Session, overrides: dict[str, Any], field: str, message: str
) -> None:
    actor = operator(session)
    with pytest.raises(InvalidInput) as error:
        create_organization(session, actor=actor, raw=organization_fields(**overrides))
    assert problem_fields(error) == {field: message}
    session.flush()
    assert count(session, Organization) == 0
    assert events(session, "organization.create") == []


def test_a_registered_brn_is_refused(session: Session) -> None:
    existing = make_organization(session)
    with pytest.raises(InvalidInput) as error:
        create_organization(session, actor=operator(session), raw=organization_fields(brn=existing.brn))
    assert problem_fields(error) == {"brn": "Business registration number {value} is registered already"}
    session.flush()
    assert count(session, Organization) == 1


# Updating ------------------------------------------------------------------------------------------------


def test_an_update_changes_only_what_was_sent_and_records_the_reason(session: Session) -> None:
    organization = make_organization(session, employees=42, name="(주)한빛정밀")
    actor = operator(session)
    update_organization(session, actor=actor, organization_id=organization.id,
                        changes={"employees": "55", "name": "한빛스마트 주식회사"}, reason="2025년 고용보험 자료")
    session.flush()
    session.expire_all()
    changed = session.get(Organization, organization.id)
    assert changed is not None
    assert (changed.employees, changed.name, changed.name_key) == (55, "한빛스마트 주식회사", "한빛스마트")
    assert changed.ksic_code == "29"
    [event] = events(session, "organization.update")
    assert (event.actor_user_id, event.reason) == (actor.user_id, "2025년 고용보험 자료")
    assert event.details["changed"] == {"employees": [42, 55], "name": ["(주)한빛정밀", "한빛스마트 주식회사"]}


@pytest.mark.parametrize(("changes", "field"), [
    ({"employees": "-1"}, "employees"),
    ({"ksic_code": "99"}, "ksic_code"),
    ({"name": ""}, "name"),
    ({"brn": "123"}, "brn"),
    ({"nickname": "한빛"}, "nickname"),
])
def test_an_update_is_validated_again_and_a_refused_one_changes_nothing(
    session: Session, changes: dict[str, Any], field: str
) -> None:
    organization = make_organization(session)
    before = (organization.name, organization.brn, organization.employees, organization.ksic_code)
    with pytest.raises(InvalidInput) as error:
        update_organization(session, actor=operator(session), organization_id=organization.id, changes=changes)
    assert set(problem_fields(error)) == {field}
    session.flush()
    session.expire_all()
    after = session.get(Organization, organization.id)
    assert after is not None
    assert (after.name, after.brn, after.employees, after.ksic_code) == before
    assert events(session, "organization.update") == []


def test_an_update_may_not_take_another_organizations_brn(session: Session) -> None:
    first, second = make_organization(session), make_organization(session)
    with pytest.raises(InvalidInput) as error:
        update_organization(session, actor=operator(session), organization_id=second.id, changes={"brn": first.brn})
    assert problem_fields(error) == {"brn": "Business registration number {value} is registered already"}


def test_a_company_member_edits_their_organization_but_not_its_brn(session: Session) -> None:
    organization = make_organization(session)
    member = actor_for(make_user(session, Role.COMPANY_MEMBER, organization=organization))
    update_organization(session, actor=member, organization_id=organization.id, changes={"employees": 60})
    assert organization.employees == 60
    original_brn = organization.brn
    with pytest.raises(InvalidInput) as error:
        update_organization(session, actor=member, organization_id=organization.id, changes={"brn": next_brn()})
    assert problem_fields(error) == {"brn": "Only the program operator may change a business registration number"}
    assert organization.brn == original_brn


# Deactivating --------------------------------------------------------------------------------------------


def test_deactivation_needs_a_reason_and_is_audited(session: Session) -> None:
    organization = make_organization(session)
    actor = operator(session)
    with pytest.raises(InvalidInput) as error:
        set_organization_active(session, actor=actor, organization_id=organization.id, active=False, reason="  ")
    assert problem_fields(error) == {"reason": "Say why"}
    assert organization.is_active
    set_organization_active(session, actor=actor, organization_id=organization.id, active=False, reason="폐업 신고")
    set_organization_active(session, actor=actor, organization_id=organization.id, active=True, reason="폐업 취소")
    [deactivated] = events(session, "organization.deactivate")
    [activated] = events(session, "organization.activate")
    assert (deactivated.actor_user_id, deactivated.reason) == (actor.user_id, "폐업 신고")
    assert activated.reason == "폐업 취소"
    assert organization.is_active


def test_a_deactivated_organization_leaves_the_list_unless_asked_for(session: Session) -> None:
    kept, gone = make_organization(session), make_organization(session)
    set_organization_active(session, actor=SYSTEM, organization_id=gone.id, active=False, reason="폐업")
    session.flush()
    active = list_organizations(session, actor=SYSTEM, query=OrganizationQuery())
    everything = list_organizations(session, actor=SYSTEM, query=OrganizationQuery(include_inactive=True))
    assert [o.id for o in active.items] == [kept.id]
    assert {o.id for o in everything.items} == {kept.id, gone.id}


# Factories and contacts ----------------------------------------------------------------------------------


def test_factories_are_created_changed_and_deactivated_with_audit_events(session: Session) -> None:
    organization = make_organization(session)
    actor = operator(session)
    factory = create_factory(session, actor=actor, organization_id=organization.id,
                             raw=factory_fields(production_lines="4"))
    update_factory(session, actor=actor, factory_id=factory.id, changes={"name": "제2공장"})
    set_factory_active(session, actor=actor, factory_id=factory.id, active=False, reason="이전")
    session.flush()
    assert [f.name for f in list_factories(session, actor=actor, organization_id=organization.id)] == ["제2공장"]
    assert not factory.is_active
    assert [e.details["changed"] for e in events(session, "factory.update")] == [["name"]]
    [deactivated] = events(session, "factory.deactivate")
    assert (deactivated.actor_user_id, deactivated.reason) == (actor.user_id, "이전")


def test_a_factory_update_is_validated_again(session: Session) -> None:
    factory = make_factory(session, make_organization(session))
    with pytest.raises(InvalidInput) as error:
        update_factory(session, actor=operator(session), factory_id=factory.id, changes={"production_lines": "-1"})
    assert set(problem_fields(error)) == {"production_lines"}
    assert factory.production_lines == 3


def test_a_contact_with_a_bad_email_is_refused_and_not_saved(session: Session) -> None:
    organization = make_organization(session)
    with pytest.raises(InvalidInput) as error:
        create_contact(session, actor=operator(session), organization_id=organization.id,
                       raw={"name": "김하늘", "role": "dx_manager", "email": "sky-at-hanbit"})
    assert problem_fields(error) == {"email": "Enter a valid e-mail address"}
    session.flush()
    assert count(session, Contact) == 0


def test_a_deactivated_contact_leaves_the_list(session: Session) -> None:
    organization = make_organization(session)
    actor = operator(session)
    contact = create_contact(session, actor=actor, organization_id=organization.id,
                             raw={"name": "김하늘", "role": "dx_manager", "email": "sky@hanbit.co.kr"})
    deactivate_contact(session, actor=actor, contact_id=contact.id)
    session.flush()
    assert list_contacts(session, actor=actor, organization_id=organization.id) == []
    assert len(events(session, "contact.deactivate")) == 1


def test_lists_of_an_unknown_organization_are_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        list_factories(session, actor=SYSTEM, organization_id=987654)
    with pytest.raises(NotFound):
        list_contacts(session, actor=SYSTEM, organization_id=987654)


# Searching -----------------------------------------------------------------------------------------------


def test_search_by_name_prefix_ignores_legal_forms_and_finds_brn_prefixes(session: Session) -> None:
    gaon = make_organization(session, name="(주)가온테크", name_en="Gaon Tech Co., Ltd.")
    gaon_precision = make_organization(session, name="가온정밀 주식회사", name_en=None)
    make_organization(session, name="나래산업", name_en="Narae Industries")

    def found(text: str) -> set[int]:
        page = list_organizations(session, actor=SYSTEM, query=OrganizationQuery(text=text))
        return {o.id for o in page.items}

    assert found("가온") == found("(주)가온") == {gaon.id, gaon_precision.id}
    assert found("gaon te") == {gaon.id}
    assert found(f"{gaon.brn[:3]}-{gaon.brn[3:5]}") >= {gaon.id}
    assert found(gaon.brn) == {gaon.id}
    assert found("다온") == set()


def test_profile_shows_history_only_to_those_who_may_read_the_audit_log(session: Session) -> None:
    organization = make_organization(session)
    make_factory(session, organization)
    auditor = actor_for(make_user(session, Role.AUDITOR))
    expert = actor_for(make_user(session, Role.EXPERT))
    seen_by_auditor = get_organization_profile(session, actor=auditor, organization_id=organization.id)
    seen_by_expert = get_organization_profile(session, actor=expert, organization_id=organization.id)
    assert [e.action for e in seen_by_auditor.events] == ["organization.create"]
    assert seen_by_expert.events == []
    assert len(seen_by_expert.factories) == 1
    assert not seen_by_auditor.can_edit
    assert not seen_by_auditor.can_change_status


# Who may do what -----------------------------------------------------------------------------------------

WHO = ("admin", "operator", "expert", "own_member", "other_member", "investigator", "auditor", "anonymous")
# As ROLE_PERMISSIONS grants: view / create / edit / deactivate / add a factory.
ALLOWED: dict[str, set[str]] = {
    "admin": {"view", "create", "edit", "deactivate", "add_factory"},
    "operator": {"view", "create", "edit", "deactivate", "add_factory"},
    "expert": {"view"},
    "own_member": {"view", "edit", "add_factory"},
    "other_member": {"view"},
    "investigator": {"view"},
    "auditor": {"view"},
    "anonymous": set(),
}
ROLE_OF = {"admin": Role.ADMIN, "operator": Role.OPERATOR, "expert": Role.EXPERT, "investigator": Role.INVESTIGATOR,
           "auditor": Role.AUDITOR}


def actor_as(session: Session, who: str, organization: Organization) -> Actor:
    # Built directly (no account, no password hash): the services see only the Actor.
    if who == "anonymous":
        return ANONYMOUS
    if who == "own_member":
        return Actor(user_id=None, label=who, role=Role.COMPANY_MEMBER, organization_id=organization.id)
    if who == "other_member":
        return Actor(user_id=None, label=who, role=Role.COMPANY_MEMBER,
                     organization_id=make_organization(session).id)
    return Actor(user_id=None, label=who, role=ROLE_OF[who])


ACTIONS: dict[str, Callable[[Session, Actor, Organization], object]] = {
    "view": lambda s, a, o: get_organization(s, actor=a, organization_id=o.id),
    "create": lambda s, a, o: create_organization(s, actor=a, raw=organization_fields(name="(주)새기관")),
    "edit": lambda s, a, o: update_organization(s, actor=a, organization_id=o.id, changes={"employees": 77}),
    "deactivate": lambda s, a, o: set_organization_active(s, actor=a, organization_id=o.id, active=False,
                                                          reason="점검"),
    "add_factory": lambda s, a, o: create_factory(s, actor=a, organization_id=o.id, raw=factory_fields()),
}


def snapshot(session: Session, organization: Organization) -> tuple[object, ...]:
    session.flush()
    session.expire_all()
    current = session.get(Organization, organization.id)
    assert current is not None
    return (current.employees, current.is_active, current.name, count(session, Organization),
            count(session, Factory), count(session, AuditEvent))


def test_every_role_and_action_is_covered() -> None:
    assert set(ALLOWED) == set(WHO)
    assert all(allowed <= set(ACTIONS) for allowed in ALLOWED.values())


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("who", WHO)
def test_permissions_follow_the_roles_and_a_denied_action_changes_nothing(
    session: Session, who: str, action: str
) -> None:
    organization = make_organization(session, employees=42)
    actor = actor_as(session, who, organization)
    before = snapshot(session, organization)
    if action in ALLOWED[who]:
        ACTIONS[action](session, actor, organization)
        if action != "view":
            assert snapshot(session, organization) != before
        return
    with pytest.raises(PermissionDenied):
        ACTIONS[action](session, actor, organization)
    assert snapshot(session, organization) == before


def test_kinds_are_stored_as_their_values(session: Session) -> None:
    organization = make_organization(session, kind="대기업")
    session.flush()
    session.expire_all()
    assert session.get(Organization, organization.id).kind is OrganizationKind.LARGE_ENTERPRISE  # type: ignore[union-attr]
