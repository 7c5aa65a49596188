"""Scoped API tokens in the service: a token acts with its user's role intersected with its scopes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.auth import (
    ROLE_PERMISSIONS,
    SYSTEM,
    TOKEN_SCOPE_PERMISSIONS,
    Actor,
    ApiToken,
    Permission,
    Role,
    TokenScope,
    actor_for,
    actor_for_token,
    grantable_scopes,
    issue_api_token,
    revoke_api_token,
    update_user,
)
from midas.errors import InvalidInput, PermissionDenied
from tests.factories import make_organization, make_user


def _count(session: Session, model: type[ApiToken] | type[AuditEvent]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _events(session: Session, action: str, token_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                         AuditEvent.object_id == str(token_id))))


def test_every_permission_a_token_may_hold_belongs_to_exactly_one_scope() -> None:
    owners: dict[Permission, list[TokenScope]] = {}
    for scope, permissions in TOKEN_SCOPE_PERMISSIONS.items():
        for permission in permissions:
            owners.setdefault(permission, []).append(scope)
    assert all(len(scopes) == 1 for scopes in owners.values()), owners
    assert set(owners) == set(Permission) - {Permission.TOKENS_MANAGE_OWN}


@pytest.mark.parametrize("role", [Role.COMPANY_MEMBER, Role.ADMIN])
def test_a_token_issued_without_scopes_keeps_every_permission_of_its_role(session: Session, role: Role) -> None:
    user = make_user(session, role)
    token, secret = issue_api_token(session, actor=actor_for(user), name="MES")
    assert set(token.scopes) == set(grantable_scopes(actor_for(user)))
    actor = actor_for_token(session, secret=secret)
    assert actor.permissions == ROLE_PERMISSIONS[role] - {Permission.TOKENS_MANAGE_OWN}


def test_an_ingest_token_sends_data_and_reads_nothing(session: Session) -> None:
    member = make_user(session, Role.COMPANY_MEMBER)
    _, secret = issue_api_token(session, actor=actor_for(member), name="gateway", scopes=["ingest:write"])
    actor = actor_for_token(session, secret=secret)
    assert actor.permissions == {Permission.INGEST_WRITE}
    assert actor_for(member).can(Permission.REGISTRY_VIEW)
    with pytest.raises(PermissionDenied) as refused:
        actor.require(Permission.REGISTRY_VIEW)
    assert refused.value.params == {"scope": "read", "permission": "registry.view"}
    assert "lacks the scope read" in refused.value.english()


def test_a_read_token_cannot_send_data_or_edit_its_organization(session: Session) -> None:
    organization = make_organization(session)
    member = make_user(session, Role.COMPANY_MEMBER, organization=organization)
    _, secret = issue_api_token(session, actor=actor_for(member), name="dashboard", scopes=["read"])
    actor = actor_for_token(session, secret=secret)
    # What the member's role may read, and nothing else: no auditor's or operator's reading comes with the scope.
    assert actor.permissions == ROLE_PERMISSIONS[Role.COMPANY_MEMBER] & TOKEN_SCOPE_PERMISSIONS[TokenScope.READ]
    assert Permission.REGISTRY_VIEW in actor.permissions
    assert not actor.permissions & {Permission.AUDIT_VIEW, Permission.INGEST_WRITE}
    with pytest.raises(PermissionDenied) as refused:
        actor.require(Permission.INGEST_WRITE)
    assert refused.value.params["scope"] == "ingest:write"
    with pytest.raises(PermissionDenied) as own:
        actor.require_edit_organization(organization.id)
    assert own.value.params["scope"] == "registry:write"
    with pytest.raises(PermissionDenied) as other:  # no scope would allow this: the refusal names none
        actor.require_edit_organization(organization.id + 1)
    assert "scope" not in other.value.params


def test_a_scope_the_role_lacks_cannot_be_granted_and_nothing_is_stored(session: Session) -> None:
    member = actor_for(make_user(session, Role.COMPANY_MEMBER))
    before = (_count(session, ApiToken), _count(session, AuditEvent))
    with pytest.raises(InvalidInput) as refused:
        issue_api_token(session, actor=member, name="too much", scopes=["ingest:write", "program:manage"])
    [problem] = refused.value.problems
    assert (problem.field, problem.params) == ("scopes", {"scope": "program:manage"})
    assert problem.english() == "Your role cannot grant the scope program:manage"
    assert (_count(session, ApiToken), _count(session, AuditEvent)) == before


def test_unknown_and_missing_scopes_are_named_together_with_a_missing_name(session: Session) -> None:
    member = actor_for(make_user(session, Role.COMPANY_MEMBER))
    with pytest.raises(InvalidInput) as unknown:
        issue_api_token(session, actor=member, name=" ", scopes=["read", "write:everything"])
    assert [(p.field, p.english()) for p in unknown.value.problems] == [
        ("name", "Give the token a name"), ("scopes", "There is no scope write:everything")]
    with pytest.raises(InvalidInput) as empty:
        issue_api_token(session, actor=member, name="nothing", scopes=[])
    assert [p.english() for p in empty.value.problems] == ["Choose at least one scope"]


def test_a_token_never_does_more_than_its_user_does_today(session: Session) -> None:
    organization = make_organization(session)
    member = make_user(session, Role.COMPANY_MEMBER, organization=organization)
    _, secret = issue_api_token(session, actor=actor_for(member), name="MES", scopes=["ingest:write", "read"])
    assert actor_for_token(session, secret=secret).can(Permission.INGEST_WRITE)
    update_user(session, actor=SYSTEM, user_id=member.id, role=Role.AUDITOR, organization_id=organization.id,
                active=True, reason="moved to the audit team")
    actor = actor_for_token(session, secret=secret)
    # Checked at every use: the scopes now cut the auditor's role, which reads everything and sends nothing.
    assert actor.permissions == ROLE_PERMISSIONS[Role.AUDITOR]
    with pytest.raises(PermissionDenied) as refused:
        actor.require(Permission.INGEST_WRITE)
    assert refused.value.english() == "You do not have the permission ingest.write"


def test_issue_and_revoke_are_audited_with_the_scopes(session: Session) -> None:
    member = actor_for(make_user(session, Role.COMPANY_MEMBER))
    token, _ = issue_api_token(session, actor=member, name="MES", scopes=["support:apply", "ingest:write"])
    revoke_api_token(session, actor=member, token_id=token.id)
    [issued] = _events(session, "api_token.issue", token.id)
    [revoked] = _events(session, "api_token.revoke", token.id)
    assert issued.details["scopes"] == ["ingest:write", "support:apply"]
    assert revoked.details["scopes"] == ["ingest:write", "support:apply"]
    assert token.scope_names == "ingest:write support:apply"


def test_the_scopes_a_role_may_grant() -> None:
    def names(role: Role) -> set[str]:
        return {s.value for s in grantable_scopes(Actor(user_id=1, label="someone", role=role))}

    assert names(Role.COMPANY_MEMBER) == {"read", "ingest:write", "registry:write", "assessment:write",
                                          "support:apply"}
    assert names(Role.AUDITOR) == {"read"}
    assert names(Role.ADMIN) == {scope.value for scope in TokenScope}


def test_a_token_cannot_manage_tokens_even_when_its_user_may(session: Session) -> None:
    member = make_user(session, Role.COMPANY_MEMBER)
    _, secret = issue_api_token(session, actor=actor_for(member), name="all")
    actor = actor_for_token(session, secret=secret)
    with pytest.raises(PermissionDenied) as refused:
        actor.require(Permission.TOKENS_MANAGE_OWN)
    assert refused.value.message == "An API token cannot be used for {permission}; sign in instead"
