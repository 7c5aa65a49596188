"""Factories for test data: sensible defaults, every field overridable, no shared mutable state."""

from __future__ import annotations

import itertools
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from midas.auth import SYSTEM, Role, User, create_user
from midas.registry import Factory, Organization, complete_brn, create_factory, create_organization

PASSWORD = "correct-horse-battery"
_sequence = itertools.count(1)


def next_brn() -> str:
    """A fresh, valid business registration number."""
    return complete_brn(f"{(100_000_000 + next(_sequence) * 7919) % 1_000_000_000:09d}")


def organization_fields(**overrides: Any) -> dict[str, Any]:
    n = next(_sequence)
    fields: dict[str, Any] = {
        "brn": next_brn(),
        "name": f"(주)한빛정밀{n}",
        "name_en": f"Hanbit Precision {n}",
        "kind": "sme",
        "ksic_code": "29",
        "region_code": "41",
        "employees": 42,
        "annual_revenue_krw": 8_500_000_000,
        "founded_year": 2004,
        "representative": "김민준",
        "address": "경기도 화성시 팔탄면 공단로 12",
    }
    fields.update(overrides)
    return fields


def make_organization(session: Session, **overrides: Any) -> Organization:
    organization = create_organization(session, actor=SYSTEM, raw=organization_fields(**overrides))
    session.flush()
    return organization


def factory_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": "제1공장",
        "address": "경기도 화성시 팔탄면 공단로 12",
        "region_code": "41",
        "industrial_complex": "화성 팔탄산업단지",
        "main_processes": "가공, 조립, 검사",
        "production_lines": 3,
    }
    fields.update(overrides)
    return fields


def make_factory(session: Session, organization: Organization, **overrides: Any) -> Factory:
    return create_factory(session, actor=SYSTEM, organization_id=organization.id, raw=factory_fields(**overrides))


def make_user(
    session: Session, role: Role = Role.OPERATOR, *, organization: Organization | None = None, **overrides: Any
) -> User:
    if role is Role.COMPANY_MEMBER and organization is None:
        organization = make_organization(session)
    n = next(_sequence)
    user = create_user(
        session,
        actor=SYSTEM,
        email=overrides.pop("email", f"{role.value}{n}@example.kr"),
        display_name=overrides.pop("display_name", f"{role.value} {n}"),
        password=overrides.pop("password", PASSWORD),
        role=role,
        organization_id=organization.id if organization else None,
        **overrides,
    )
    session.flush()
    return user


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, user: User, password: str = PASSWORD) -> str:
    """Sign in through the real login form; returns the session's CSRF token."""
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token,
                                           "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/account/tokens" if user.role is Role.COMPANY_MEMBER else "/").text)
