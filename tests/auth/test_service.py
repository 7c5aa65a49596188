from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.auth import (
    ROLE_PERMISSIONS,
    SYSTEM,
    ApiToken,
    Permission,
    Role,
    User,
    actor_for,
    actor_for_token,
    authenticate,
    change_password,
    create_user,
    issue_api_token,
    revoke_api_token,
    update_user,
    user_for_session,
)
from midas.errors import AuthenticationFailed, Conflict, InvalidInput, PermissionDenied
from tests.factories import PASSWORD, make_organization, make_user


def _count(session: Session, model: type[User] | type[ApiToken] | type[AuditEvent]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_passwords_are_stored_as_argon2_hashes(session: Session) -> None:
    user = make_user(session)
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash
    assert authenticate(session, email=user.email.upper(), password=PASSWORD).id == user.id


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_administrators_create_accounts(session: Session, role: Role) -> None:
    actor = actor_for(make_user(session, role))
    before = _count(session, User)
    with pytest.raises(PermissionDenied):
        create_user(session, actor=actor, email="new@example.kr", display_name="New", password=PASSWORD,
                    role=Role.EXPERT)
    assert _count(session, User) == before


def test_a_new_account_reports_every_problem_at_once(session: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_user(session, actor=SYSTEM, email="no-at-sign", display_name="", password="short",
                    role=Role.COMPANY_MEMBER)
    assert {p.field for p in caught.value.problems} == {"email", "password", "organization_id"}


def test_e_mail_addresses_are_unique_ignoring_case(session: Session) -> None:
    make_user(session, email="kim@example.kr")
    with pytest.raises(Conflict):
        make_user(session, email="KIM@example.kr")


def test_a_deactivated_account_cannot_sign_in_and_its_sessions_end(session: Session) -> None:
    admin = actor_for(make_user(session, Role.ADMIN))
    user = make_user(session, Role.EXPERT)
    version = user.session_version
    update_user(session, actor=admin, user_id=user.id, role=Role.EXPERT, organization_id=None, active=False,
                reason="계약 종료")
    with pytest.raises(AuthenticationFailed):
        authenticate(session, email=user.email, password=PASSWORD)
    assert user_for_session(session, user_id=user.id, session_version=version) is None
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert event.reason == "계약 종료"
    assert event.actor_user_id == admin.user_id


def test_administrators_cannot_lock_themselves_out(session: Session) -> None:
    admin_user = make_user(session, Role.ADMIN)
    with pytest.raises(InvalidInput):
        update_user(session, actor=actor_for(admin_user), user_id=admin_user.id, role=Role.ADMIN,
                    organization_id=None, active=False, reason="test")
    assert admin_user.is_active


def test_changing_the_password_ends_older_sessions(session: Session) -> None:
    user = make_user(session)
    version = user.session_version
    change_password(session, actor=actor_for(user), current=PASSWORD, new="a-new-long-password")
    assert user_for_session(session, user_id=user.id, session_version=version) is None
    assert authenticate(session, email=user.email, password="a-new-long-password").id == user.id


def test_api_tokens_act_for_their_organization_and_stop_when_revoked(session: Session) -> None:
    organization = make_organization(session)
    member = make_user(session, Role.COMPANY_MEMBER, organization=organization)
    token, secret = issue_api_token(session, actor=actor_for(member), name="MES gateway")
    assert secret.startswith("midas_")
    assert secret not in token.token_digest
    actor = actor_for_token(session, secret=secret)
    assert actor.organization_id == organization.id
    assert actor.token_id == token.id
    assert actor.can_edit_organization(organization.id)
    assert not actor.can_edit_organization(organization.id + 1)
    revoke_api_token(session, actor=actor_for(member), token_id=token.id)
    with pytest.raises(AuthenticationFailed):
        actor_for_token(session, secret=secret)


def test_a_token_cannot_issue_further_tokens(session: Session) -> None:
    member = make_user(session, Role.COMPANY_MEMBER)
    _, secret = issue_api_token(session, actor=actor_for(member), name="first")
    before = _count(session, ApiToken)
    with pytest.raises(PermissionDenied):
        issue_api_token(session, actor=actor_for_token(session, secret=secret), name="second")
    assert _count(session, ApiToken) == before


def test_an_unknown_token_is_refused(session: Session) -> None:
    with pytest.raises(AuthenticationFailed):
        actor_for_token(session, secret="midas_not-a-real-token")


def test_the_auditor_reads_and_changes_nothing() -> None:
    auditor = ROLE_PERMISSIONS[Role.AUDITOR]
    assert Permission.REGISTRY_VIEW in auditor
    assert Permission.AUDIT_VIEW in auditor
    assert not auditor & {Permission.REGISTRY_EDIT_ANY, Permission.REGISTRY_EDIT_OWN, Permission.REGISTRY_IMPORT,
                          Permission.USERS_MANAGE, Permission.TOKENS_MANAGE_OWN}


def test_repeated_wrong_passwords_lock_the_account_for_a_while(session: Session) -> None:
    from midas.auth.service import MAX_FAILED_LOGINS, TooManyAttempts

    user = make_user(session)
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationFailed):
            authenticate(session, email=user.email, password="wrong-password")
    with pytest.raises(TooManyAttempts):
        authenticate(session, email=user.email, password=PASSWORD)  # even the right password waits
    assert user.locked_until is not None
