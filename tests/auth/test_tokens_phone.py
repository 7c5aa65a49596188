"""On a phone (390 x 844) a company member issues a scoped token: the form and the list fit the screen's width,
every scope is a touch target, and the new token's row names its scopes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from midas import migrations
from midas.auth import SYSTEM, Role, create_user
from midas.config import Environment, Settings
from midas.db import make_engine, make_session_factory, transaction
from midas.registry import create_organization
from midas.web.app import create_app
from tests.e2e.conftest import serving
from tests.factories import PASSWORD, organization_fields
from tests.services import CHROMIUM_PATH, chromium_available, missing

pytestmark = pytest.mark.e2e
PROJECT = Path(__file__).resolve().parents[2]
EMAIL = "phone-member@example.kr"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """The real app over a new SQLite file holding one company member, served on a free local port."""
    if not chromium_available():
        missing("Chromium", f"no browser at {CHROMIUM_PATH}: apt-get install chromium, or set MIDAS_TEST_CHROMIUM")
    url = f"sqlite:///{tmp_path / 'midas.db'}"
    migrations.upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            organization = create_organization(session, actor=SYSTEM, raw=organization_fields())
            create_user(session, actor=SYSTEM, email=EMAIL, display_name="휴대폰 사용자", password=PASSWORD,
                        role=Role.COMPANY_MEMBER, organization_id=organization.id)
    finally:
        engine.dispose()
    with serving(create_app(Settings(environment=Environment.TEST, database_url=url))) as base_url:
        yield base_url


def test_a_member_issues_a_scoped_token_on_a_phone(site: str, tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "tests.auth.phone_check", site, EMAIL, PASSWORD, str(tmp_path)],
                         cwd=PROJECT, capture_output=True, text=True, timeout=180, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout)
    for name in ("form", "list"):
        assert seen[name]["fits"], f"the tokens page ({name}) scrolls sideways on a phone: {seen[name]}"
    assert seen["smallest_choice_px"] >= 44, "a scope checkbox is too small a touch target"
    assert seen["secret_shown"]
    assert seen["row_scopes"] == ["데이터 조회", "생산 데이터 보내기"]
    assert (tmp_path / "phone-token-issued.png").stat().st_size > 0
