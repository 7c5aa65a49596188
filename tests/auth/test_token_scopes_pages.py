"""The /account/tokens page: scopes chosen with checkboxes, shown in the list, refused clearly when wrong."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.auth import ApiToken, Role, actor_for_token
from tests.factories import make_user, sign_in

PAGE = "/account/tokens"


def _checkboxes(html: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="scopes" value="([^"]+)"', html)


def _tokens_of(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user_id)) or 0


def test_a_member_ticks_scopes_and_the_token_shows_and_holds_only_them(client: TestClient, session: Session) -> None:
    member = make_user(session, Role.COMPANY_MEMBER)
    csrf = sign_in(client, member)
    form = client.get(PAGE).text
    assert _checkboxes(form) == ["read", "ingest:write", "registry:write", "assessment:write", "support:apply"]
    assert "사업 운영" not in form  # program:manage is not the member's to grant

    issued = client.post(PAGE, data={"name": "MES 연동", "scopes": ["ingest:write", "read"], "csrf_token": csrf})
    assert issued.status_code == 200
    secret = re.search(r'<code class="secret">(midas_[^<]+)</code>', issued.text)
    assert secret, "the new token is not shown"
    row = issued.text[issued.text.index("MES 연동"):]
    assert "데이터 조회" in row
    assert "생산 데이터 보내기" in row
    assert "역량진단 참여" not in row
    actor = actor_for_token(session, secret=secret.group(1))
    assert {scope.value for scope in actor.scopes or ()} == {"ingest:write", "read"}


def test_ticking_no_scope_keeps_the_name_and_issues_nothing(client: TestClient, session: Session) -> None:
    member = make_user(session, Role.COMPANY_MEMBER)
    csrf = sign_in(client, member)
    refused = client.post(PAGE, data={"name": "게이트웨이", "csrf_token": csrf})
    assert refused.status_code == 422
    assert "사용 범위를 하나 이상 고르십시오" in refused.text
    assert 'value="게이트웨이"' in refused.text
    assert _tokens_of(session, member.id) == 0


def test_a_forged_scope_beyond_the_role_is_refused_and_the_choices_are_kept(
    client: TestClient, session: Session
) -> None:
    member = make_user(session, Role.COMPANY_MEMBER)
    csrf = sign_in(client, member)
    refused = client.post(PAGE, data={"name": "script", "scopes": ["support:apply", "users:manage"],
                                      "csrf_token": csrf})
    assert refused.status_code == 422
    assert "회원님의 역할로는 사용 범위 users:manage을(를) 부여할 수 없습니다" in refused.text
    assert re.search(r'value="support:apply" checked', refused.text)
    assert _tokens_of(session, member.id) == 0


def test_the_page_speaks_english_to_an_english_speaker(client: TestClient, session: Session) -> None:
    member = make_user(session, Role.COMPANY_MEMBER, locale="en")
    csrf = sign_in(client, member)
    issued = client.post(PAGE, data={"name": "MES", "scopes": ["support:apply"], "csrf_token": csrf})
    assert "Apply for support" in issued.text
    assert "Scopes" in issued.text
