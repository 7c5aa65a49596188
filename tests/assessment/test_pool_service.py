"""The expert pool and conflicts of interest, through the service: detection of each kind, declarations,
operators' additions and lifts, validation that names the field and changes nothing, and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.assessment.enums import AffiliationKind, ConflictKind, ConflictSource, RelationKind
from midas.assessment.models import ConflictOfInterest, Expert, ExpertAffiliation, OrganizationRelation
from midas.assessment.pool_service import (
    ConflictQuery,
    ExpertQuery,
    add_affiliation,
    add_conflict,
    add_relation,
    create_expert,
    declare_conflict,
    detect_conflicts,
    end_affiliation,
    is_conflicted,
    lift_conflict,
    list_conflicts,
    list_experts,
    parse_conflict_query,
    parse_expert_query,
    update_expert,
)
from midas.audit import AuditEvent
from midas.auth import Actor, Role, actor_for
from midas.errors import Conflict, InvalidInput, PermissionDenied
from midas.registry import Organization, format_brn
from tests.assessment.factories import make_affiliation, make_expert, make_relation
from tests.factories import make_organization, make_user

TODAY = date(2026, 11, 26)


def operator(session: Session) -> Actor:
    return actor_for(make_user(session, Role.OPERATOR))


def count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def kinds_between(session: Session, expert: Expert, organization: Organization) -> set[ConflictKind]:
    return set(session.scalars(select(ConflictOfInterest.kind).where(
        ConflictOfInterest.expert_id == expert.id, ConflictOfInterest.organization_id == organization.id)))


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def fields_of(error: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return {problem.field for problem in error.value.problems}


# Detection --------------------------------------------------------------------------------------------------


def test_detection_finds_the_employer_and_audits_each_addition(session: Session) -> None:
    actor = operator(session)
    expert = make_expert(session)
    assert expert.employer is not None
    result = detect_conflicts(session, actor=actor, today=TODAY, expert_ids=[expert.id])
    assert result.added == 1
    assert kinds_between(session, expert, expert.employer) == {ConflictKind.SAME_ORGANIZATION}
    detected = events(session, "assessment.conflict.detected")
    assert [e.details["organization_id"] for e in detected] == [expert.employer_id]
    assert detected[0].actor_label == actor.label


def test_an_affiliation_ended_two_years_ago_counts_four_years_ago_does_not(session: Session) -> None:
    actor = operator(session)
    expert = make_expert(session)
    recent, old = make_organization(session), make_organization(session)
    make_affiliation(session, expert, recent, started_on=date(2015, 1, 1), ended_on=TODAY - timedelta(days=730))
    make_affiliation(session, expert, old, started_on=date(2010, 1, 1), ended_on=TODAY - timedelta(days=4 * 365))
    detect_conflicts(session, actor=actor, today=TODAY)
    assert kinds_between(session, expert, recent) == {ConflictKind.SAME_ORGANIZATION}
    assert kinds_between(session, expert, old) == set()
    assert not is_conflicted(session, expert_id=expert.id, organization_id=old.id)


def test_consulting_is_prior_consulting(session: Session) -> None:
    expert = make_expert(session)
    client = make_organization(session)
    make_affiliation(session, expert, client, kind=AffiliationKind.CONSULTANT, ended_on=TODAY - timedelta(days=100))
    detect_conflicts(session, actor=operator(session), today=TODAY)
    assert kinds_between(session, expert, client) == {ConflictKind.PRIOR_CONSULTING}


@pytest.mark.parametrize("employer_side", ["supplier", "customer"])
def test_an_employer_that_quoted_is_a_supplier_conflict_in_either_direction(session: Session,
                                                                         employer_side: str) -> None:
    expert = make_expert(session)
    employer = session.get(Organization, expert.employer_id)
    company = make_organization(session)
    assert employer is not None
    if employer_side == "supplier":
        make_relation(session, employer, company, kind=RelationKind.SUPPLIER, source="quote")
    else:
        make_relation(session, company, employer, kind=RelationKind.SUPPLIER, source="quote")
    detect_conflicts(session, actor=operator(session), today=TODAY)
    assert kinds_between(session, expert, company) == {ConflictKind.SUPPLIER}
    conflict = session.scalar(select(ConflictOfInterest).where(ConflictOfInterest.organization_id == company.id))
    assert conflict is not None
    assert "quote" in conflict.reason
    assert conflict.source is ConflictSource.DETECTED


@pytest.mark.parametrize(("relation", "conflict"), [
    (RelationKind.COMPETITOR, ConflictKind.COMPETITOR),
    (RelationKind.SHARED_OWNERSHIP, ConflictKind.SHARED_OWNERSHIP),
    (RelationKind.SHARED_MANAGEMENT, ConflictKind.SHARED_MANAGEMENT),
])
def test_business_ties_of_the_employer(session: Session, relation: RelationKind, conflict: ConflictKind) -> None:
    expert = make_expert(session)
    employer = session.get(Organization, expert.employer_id)
    assert employer is not None
    company, unrelated = make_organization(session), make_organization(session)
    make_relation(session, employer, company, kind=relation, source="registry")
    detect_conflicts(session, actor=operator(session), today=TODAY)
    assert kinds_between(session, expert, company) == {conflict}
    assert kinds_between(session, expert, unrelated) == set()


def test_a_tie_ended_long_ago_makes_no_conflict(session: Session) -> None:
    expert = make_expert(session)
    employer = session.get(Organization, expert.employer_id)
    assert employer is not None
    company = make_organization(session)
    make_relation(session, employer, company, kind=RelationKind.COMPETITOR, ended_on=TODAY - timedelta(days=5 * 365))
    detect_conflicts(session, actor=operator(session), today=TODAY)
    assert kinds_between(session, expert, company) == set()


def test_detection_does_not_bring_back_a_lifted_conflict(session: Session) -> None:
    actor = operator(session)
    expert = make_expert(session)
    detect_conflicts(session, actor=actor, today=TODAY)
    conflict = session.scalar(select(ConflictOfInterest).where(ConflictOfInterest.expert_id == expert.id))
    assert conflict is not None
    lift_conflict(session, actor=actor, conflict_id=conflict.id, reason="퇴사 확인서 제출")
    again = detect_conflicts(session, actor=actor, today=TODAY, expert_ids=[expert.id])
    assert (again.added, again.lifted_kept) == (0, 1)
    session.refresh(conflict)
    assert conflict.is_active is False
    assert not is_conflicted(session, expert_id=expert.id, organization_id=conflict.organization_id)


# The pool ---------------------------------------------------------------------------------------------------


def expert_raw(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"name": "김서연", "email": "seoyeon@example.kr", "region_code": "41",
                           "ksic_divisions": "29, C30", "technologies": ["mes", "quality"], "years_of_experience": "15",
                           "max_load": 8, "qualifications": "공장자동화 기술사"}
    raw.update(overrides)
    return raw


def test_create_an_expert_with_an_employer_by_brn_detects_and_audits(session: Session) -> None:
    actor = operator(session)
    employer = make_organization(session, name="(주)대한오토메이션")
    expert = create_expert(session, actor=actor, raw=expert_raw(employer=format_brn(employer.brn)), today=TODAY)
    assert (expert.employer_id, expert.employer_name) == (employer.id, "(주)대한오토메이션")
    assert (expert.ksic_divisions, expert.technologies, expert.max_load) == ("29,30", "mes,quality", 8)
    assert kinds_between(session, expert, employer) == {ConflictKind.SAME_ORGANIZATION}
    assert [e.object_id for e in events(session, "assessment.expert.created")] == [str(expert.id)]


def test_bad_expert_input_names_every_field_and_changes_nothing(session: Session) -> None:
    actor = operator(session)
    before = count(session, Expert)
    with pytest.raises(InvalidInput) as error:
        create_expert(session, actor=actor, raw=expert_raw(
            name="", email="not-an-email", region_code="99", ksic_divisions="29,09,C35", technologies="mes,blockchain",
            max_load=51, years_of_experience=-1, employer="123-45-67891", colour="blue"))
    assert fields_of(error) == {"name", "email", "region_code", "ksic_divisions", "technologies", "max_load",
                                "years_of_experience", "employer", "colour"}
    ksic = [p.params["value"] for p in error.value.problems if p.field == "ksic_divisions"]
    assert ksic == ["09", "C35"]
    assert count(session, Expert) == before
    assert events(session, "assessment.expert.created") == []


def test_linking_a_user_needs_an_expert_account(session: Session) -> None:
    actor = operator(session)
    member = make_user(session, Role.COMPANY_MEMBER)
    with pytest.raises(InvalidInput) as error:
        create_expert(session, actor=actor, raw=expert_raw(user_email=member.email))
    assert fields_of(error) == {"user_email"}
    account = make_user(session, Role.EXPERT)
    expert = create_expert(session, actor=actor, raw=expert_raw(user_email=account.email.upper()))
    assert expert.user_id == account.id
    with pytest.raises(InvalidInput) as twice:
        create_expert(session, actor=actor, raw=expert_raw(user_email=account.email))
    assert "another expert" in twice.value.problems[0].message


def test_update_an_expert_audits_what_changed(session: Session) -> None:
    actor = operator(session)
    expert = make_expert(session)
    update_expert(session, actor=actor, expert_id=expert.id, changes={"max_load": "3", "is_available": "false"})
    assert (expert.max_load, expert.is_available) == (3, False)
    changed = events(session, "assessment.expert.updated")[-1].details["changed"]
    assert changed == {"max_load": [10, 3], "is_available": [True, False]}
    with pytest.raises(InvalidInput) as error:
        update_expert(session, actor=actor, expert_id=expert.id, changes={"max_load": "lots"})
    assert fields_of(error) == {"max_load"}
    assert expert.max_load == 3


def test_only_operators_manage_the_pool(session: Session) -> None:
    member = actor_for(make_user(session, Role.COMPANY_MEMBER))
    with pytest.raises(PermissionDenied):
        create_expert(session, actor=member, raw=expert_raw())
    with pytest.raises(PermissionDenied):
        list_experts(session, actor=member, query=ExpertQuery())


def test_list_experts_filters(session: Session) -> None:
    actor = operator(session)
    match = make_expert(session, name="박로봇", ksic_divisions="28,29", technologies="robotics,iot", region_code="48")
    make_expert(session, name="박품질", ksic_divisions="20", technologies="quality", region_code="48")
    make_expert(session, name="이가용", ksic_divisions="29", technologies="robotics", region_code="48",
                is_available=False)

    def names(**raw: Any) -> list[str]:
        return [e.name for e in list_experts(session, actor=actor, query=parse_expert_query(raw)).items]

    assert names(ksic_division="29", technology="robotics", region_code="경상남도", available="true") == [match.name]
    assert names(q="박") == ["박로봇", "박품질"]
    assert names(ksic_division="20") == ["박품질"]  # a division code matches whole: 20 is not in "28,29"
    with pytest.raises(InvalidInput) as error:
        parse_expert_query({"ksic_division": "99", "technology": "magic", "region_code": "Atlantis"})
    assert fields_of(error) == {"ksic_division", "technology", "region_code"}


# Affiliations and ties -----------------------------------------------------------------------------------------


def test_affiliations_check_date_order_and_detect(session: Session) -> None:
    actor = operator(session)
    expert = make_expert(session)
    company = make_organization(session)
    with pytest.raises(InvalidInput) as error:
        add_affiliation(session, actor=actor, expert_id=expert.id, today=TODAY, raw={
            "organization": company.id, "kind": "employee", "started_on": "2024-05-01", "ended_on": "2023-01-01"})
    assert fields_of(error) == {"ended_on"}
    with pytest.raises(InvalidInput) as error:
        add_affiliation(session, actor=actor, expert_id=expert.id, today=TODAY,
                        raw={"kind": "boss", "started_on": "어제"})
    assert fields_of(error) == {"organization_name", "kind", "started_on"}
    assert count(session, ExpertAffiliation) == 0

    affiliation = add_affiliation(session, actor=actor, expert_id=expert.id, today=TODAY, raw={
        "organization": format_brn(company.brn), "kind": "executive", "started_on": "2020-03-01"})
    assert affiliation.organization_name == company.name
    assert kinds_between(session, expert, company) == {ConflictKind.SAME_ORGANIZATION}
    with pytest.raises(InvalidInput):
        end_affiliation(session, actor=actor, affiliation_id=affiliation.id, raw={"ended_on": "2019-12-31"})
    end_affiliation(session, actor=actor, affiliation_id=affiliation.id, raw={"ended_on": "2025-06-30"})
    assert affiliation.ended_on == date(2025, 6, 30)
    with pytest.raises(Conflict):
        end_affiliation(session, actor=actor, affiliation_id=affiliation.id, raw={"ended_on": "2025-07-30"})
    assert len(events(session, "assessment.expert.affiliation_added")) == 1
    assert len(events(session, "assessment.expert.affiliation_ended")) == 1


def test_relations_need_two_different_existing_organizations(session: Session) -> None:
    actor = operator(session)
    one = make_organization(session)
    with pytest.raises(InvalidInput) as error:
        add_relation(session, actor=actor, raw={"organization": one.id, "related_organization": one.brn,
                                                "kind": "supplier"})
    assert fields_of(error) == {"related_organization"}
    with pytest.raises(InvalidInput) as error:
        add_relation(session, actor=actor, raw={"organization": "999999", "related_organization": "abc",
                                                "kind": "friend", "source": "rumour"})
    assert fields_of(error) == {"organization", "related_organization", "kind", "source"}
    assert count(session, OrganizationRelation) == 0

    expert = make_expert(session)
    employer = session.get(Organization, expert.employer_id)
    assert employer is not None
    relation = add_relation(session, actor=actor, today=TODAY, raw={
        "organization": employer.id, "related_organization": one.id, "kind": "competitor"})
    assert relation.source == "operator"
    assert kinds_between(session, expert, one) == {ConflictKind.COMPETITOR}
    with pytest.raises(Conflict):
        add_relation(session, actor=actor, raw={"organization": employer.id, "related_organization": one.id,
                                                "kind": "competitor"})


# Declarations, additions and lifts ------------------------------------------------------------------------------


def test_an_expert_declares_their_own_conflict(session: Session) -> None:
    user = make_user(session, Role.EXPERT)
    expert = make_expert(session, user=user)
    company = make_organization(session)
    conflict = declare_conflict(session, actor=actor_for(user),
                                raw={"organization": format_brn(company.brn), "reason": "배우자가 이 회사 재직 중"})
    assert (conflict.expert_id, conflict.kind, conflict.source) == (expert.id, ConflictKind.DECLARED,
                                                                    ConflictSource.DECLARED)
    assert is_conflicted(session, expert_id=expert.id, organization_id=company.id)
    event = events(session, "assessment.conflict.declared")[0]
    assert (event.reason, event.actor_user_id) == ("배우자가 이 회사 재직 중", user.id)
    with pytest.raises(Conflict):
        declare_conflict(session, actor=actor_for(user), raw={"organization": company.id, "reason": "다시 신고합니다"})


def test_declaring_needs_an_expert_with_a_profile_and_a_reason(session: Session) -> None:
    company = make_organization(session)
    member = actor_for(make_user(session, Role.COMPANY_MEMBER))
    with pytest.raises(PermissionDenied):
        declare_conflict(session, actor=member, raw={"organization": company.id, "reason": "이해관계 있음"})
    no_profile = actor_for(make_user(session, Role.EXPERT))
    with pytest.raises(PermissionDenied) as refused:
        declare_conflict(session, actor=no_profile, raw={"organization": company.id, "reason": "이해관계 있음"})
    assert "expert profile" in refused.value.message
    user = make_user(session, Role.EXPERT)
    make_expert(session, user=user)
    with pytest.raises(InvalidInput) as error:
        declare_conflict(session, actor=actor_for(user), raw={"organization": "", "reason": "왜"})
    assert fields_of(error) == {"organization", "reason"}
    assert count(session, ConflictOfInterest) == 0


def test_operators_add_and_lift_with_a_reason(session: Session) -> None:
    actor = operator(session)
    expert = make_expert(session, employer_id=None)
    company = make_organization(session)
    with pytest.raises(InvalidInput) as error:
        add_conflict(session, actor=actor, raw={"expert_id": 999_999, "organization": company.id, "reason": "짧"})
    assert fields_of(error) == {"expert_id", "reason"}
    conflict = add_conflict(session, actor=actor, raw={"expert_id": str(expert.id), "organization": company.brn,
                                                       "reason": "제보: 최근 자문 계약"})
    assert (conflict.kind, conflict.source, conflict.is_active) == (ConflictKind.OPERATOR, ConflictSource.OPERATOR,
                                                                    True)
    for bad in ("", "   ", "ok"):
        with pytest.raises(InvalidInput) as missing:
            lift_conflict(session, actor=actor, conflict_id=conflict.id, reason=bad)
        assert fields_of(missing) == {"reason"}
    assert conflict.is_active is True
    lift_conflict(session, actor=actor, conflict_id=conflict.id, reason="자문 계약 해지 확인")
    assert (conflict.is_active, conflict.lift_reason, conflict.lifted_by_label) == (False, "자문 계약 해지 확인",
                                                                                    actor.label)
    with pytest.raises(Conflict):
        lift_conflict(session, actor=actor, conflict_id=conflict.id, reason="다시 해제합니다")
    assert [e.reason for e in events(session, "assessment.conflict.added")] == ["제보: 최근 자문 계약"]
    assert [e.reason for e in events(session, "assessment.conflict.lifted")] == ["자문 계약 해지 확인"]
    # Adding it again makes the lifted conflict active again, audited as a new decision.
    again = add_conflict(session, actor=actor, raw={"expert_id": expert.id, "organization": company.id,
                                                    "reason": "자문 계약 재개"})
    assert (again.id, again.is_active, again.lift_reason) == (conflict.id, True, None)


def test_experts_may_not_add_or_lift(session: Session) -> None:
    user = make_user(session, Role.EXPERT)
    expert = make_expert(session, user=user)
    company = make_organization(session)
    with pytest.raises(PermissionDenied):
        add_conflict(session, actor=actor_for(user), raw={"expert_id": expert.id, "organization": company.id,
                                                          "reason": "스스로 추가"})
    conflict = declare_conflict(session, actor=actor_for(user), raw={"organization": company.id,
                                                                     "reason": "전 직장입니다"})
    with pytest.raises(PermissionDenied):
        lift_conflict(session, actor=actor_for(user), conflict_id=conflict.id, reason="이제 괜찮습니다")


def test_list_conflicts_filters(session: Session) -> None:
    actor = operator(session)
    first, second = make_expert(session), make_expert(session)
    detect_conflicts(session, actor=actor, today=TODAY)
    company = make_organization(session)
    added = add_conflict(session, actor=actor, raw={"expert_id": first.id, "organization": company.id,
                                                    "reason": "운영자 판단"})
    lift_conflict(session, actor=actor, conflict_id=added.id, reason="오류로 추가됨")

    def ids(**raw: Any) -> list[int]:
        query = parse_conflict_query(session, raw)
        return [c.expert_id for c in list_conflicts(session, actor=actor, query=query).items]

    assert sorted(ids()) == sorted([first.id, second.id, first.id])
    assert ids(expert_id=str(second.id)) == [second.id]
    assert ids(status="lifted") == [first.id]
    assert ids(source="operator", status="active") == []
    assert ids(organization=format_brn(company.brn)) == [first.id]
    assert ids(kind="same_organization", expert_id=str(first.id)) == [first.id]
    assert list_conflicts(session, actor=actor, query=ConflictQuery(page_size=1)).total == 3
    with pytest.raises(InvalidInput) as error:
        parse_conflict_query(session, {"kind": "grudge", "source": "gossip", "status": "maybe", "expert_id": "x"})
    assert fields_of(error) == {"kind", "source", "status", "expert_id"}
