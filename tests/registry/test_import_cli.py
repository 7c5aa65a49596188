"""`midas registry import` and `midas registry template`, run through Typer against a database file of their own
(the command opens its own engine and commits, so it cannot share the tests' rolled-back connection)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner, Result

from midas import migrations
from midas.audit import AuditEvent
from midas.cli.main import app
from midas.config import get_settings
from midas.db import make_engine, make_session_factory
from midas.registry import Factory, Organization
from midas.registry.importing import EXAMPLE_BRN
from tests.factories import next_brn
from tests.registry.test_importing import ORGANIZATION_HEADERS, csv_file, organization_row


@pytest.fixture
def database_file(tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated SQLite database; the settings cache is cleared so the command reads its URL."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrations.upgrade(url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def midas(url: str, *args: str) -> Result:
    # A wide terminal keeps Rich from wrapping the Korean messages the tests look for.
    return CliRunner().invoke(app, list(args), env={"MIDAS_DATABASE_URL": url, "COLUMNS": "200"})


def saved(url: str) -> tuple[list[Organization], list[Factory], list[AuditEvent]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return (list(session.scalars(select(Organization))), list(session.scalars(select(Factory))),
                    list(session.scalars(select(AuditEvent))))
    finally:
        engine.dispose()


def test_a_template_saved_by_the_cli_imports_back(database_file: str, tmp_path: Path) -> None:
    out = tmp_path / "기업양식.xlsx"
    made = midas(database_file, "registry", "template", "--kind", "organizations", "--format", "xlsx", str(out))
    assert made.exit_code == 0, made.output
    assert load_workbook(out).sheetnames == ["기업", "코드표"]
    result = midas(database_file, "registry", "import", str(out), "--kind", "organizations")
    assert result.exit_code == 0, result.output
    assert "읽은 행: 1, 등록한 행: 1, 문제가 있는 행: 0" in result.output
    organizations, _, events = saved(database_file)
    assert [o.brn for o in organizations] == [EXAMPLE_BRN]
    assert [(e.action, e.actor_label, e.details["rows_imported"]) for e in events] == [
        ("registry.import", "system", 1)]


def test_factories_follow_their_organizations(database_file: str, tmp_path: Path) -> None:
    for kind in ("organizations", "factories"):
        out = tmp_path / f"{kind}.csv"
        assert midas(database_file, "registry", "template", "--kind", kind, "--format", "csv", str(out)).exit_code == 0
        result = midas(database_file, "registry", "import", str(out), "--kind", kind)
        assert result.exit_code == 0, result.output
    organizations, factories, _ = saved(database_file)
    assert [(f.name, f.organization_id) for f in factories] == [("제1공장", organizations[0].id)]


def test_a_file_with_problems_exits_1_and_writes_nothing(database_file: str, tmp_path: Path) -> None:
    path = tmp_path / "기업.csv"
    path.write_bytes(csv_file([organization_row(brn=next_brn()), organization_row(region_code="부산시")],
                              encoding="cp949"))
    result = midas(database_file, "registry", "import", str(path), "--kind", "organizations")
    assert result.exit_code == 1
    assert "지역" in result.output
    assert "부산시" in result.output
    assert "아무것도 등록하지 않았습니다." in result.output
    assert saved(database_file) == ([], [], [])


def test_valid_rows_imports_the_rest(database_file: str, tmp_path: Path) -> None:
    path = tmp_path / "기업.csv"
    good = next_brn()
    path.write_bytes(csv_file([organization_row(brn=good), organization_row(employees="열둘")]))
    result = midas(database_file, "registry", "import", str(path), "--kind", "organizations", "--valid-rows")
    assert result.exit_code == 0, result.output
    assert "읽은 행: 2, 등록한 행: 1, 문제가 있는 행: 1" in result.output
    assert [o.brn for o in saved(database_file)[0]] == [good]


def test_wrong_headers_are_named(database_file: str, tmp_path: Path) -> None:
    path = tmp_path / "기업.csv"
    path.write_bytes(csv_file([organization_row()], headers=[*ORGANIZATION_HEADERS[:-1], "팩스"]))
    result = midas(database_file, "registry", "import", str(path), "--kind", "organizations")
    assert result.exit_code == 1
    assert "알 수 없는 열 '팩스'" in result.output
    assert saved(database_file) == ([], [], [])


def test_an_unknown_kind_is_refused_by_the_command_line(database_file: str, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"a\r\n")
    result = midas(database_file, "registry", "import", str(path), "--kind", "people")
    assert result.exit_code == 2
