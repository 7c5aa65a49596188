"""`midas assessment frameworks`, `import-framework` and `assign`, run through Typer against a database file of
their own (the commands open their own engine and commit)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from midas import migrations
from midas.assessment.enums import AssessmentStatus, FrameworkStatus, RoundStatus
from midas.assessment.models import Assessment, AssessmentRound, ExpertAssignment, FrameworkVersion
from midas.cli.main import app
from midas.config import get_settings
from midas.db import make_engine, make_session_factory, transaction
from tests.assessment.factories import make_assessment, make_expert, make_round
from tests.assessment.test_frameworks import as_yaml, small_framework
from tests.factories import make_organization


@pytest.fixture
def database_file(tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated SQLite database; the settings cache is cleared so the command reads its URL."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrations.upgrade(url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def midas(url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"MIDAS_DATABASE_URL": url, "COLUMNS": "200"})


def seed_round(url: str, *, experts: int, name: str = "(주)명령줄") -> str:
    """A draft round with one waiting assessment and ``experts`` experts, committed; returns the round's code."""
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            assessment_round = make_round(session)
            make_assessment(session, assessment_round, make_organization(session, name=name))
            for _ in range(experts):
                make_expert(session)
            return assessment_round.code
    finally:
        engine.dispose()


def read(url: str) -> tuple[list[FrameworkVersion], list[AssessmentRound], list[Assessment], list[ExpertAssignment]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return (list(session.scalars(select(FrameworkVersion).order_by(FrameworkVersion.id))),
                    list(session.scalars(select(AssessmentRound))), list(session.scalars(select(Assessment))),
                    list(session.scalars(select(ExpertAssignment))))
    finally:
        engine.dispose()


def test_a_framework_file_is_imported_published_and_listed(database_file: str, tmp_path: Path) -> None:
    path = tmp_path / "small.json"
    path.write_text(json.dumps(small_framework(), ensure_ascii=False), encoding="utf-8")
    result = midas(database_file, "assessment", "import-framework", str(path), "--publish")
    assert result.exit_code == 0, result.output
    assert "small" in result.output
    versions, _, _, _ = read(database_file)
    assert [(v.code, v.source_format, v.status) for v in versions] == [("small", "json", FrameworkStatus.PUBLISHED)]
    listed = midas(database_file, "assessment", "frameworks")
    assert listed.exit_code == 0
    assert "small" in listed.output


def test_a_broken_framework_exits_1_naming_the_place(database_file: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(as_yaml(small_framework()).replace("- id: field\n", "- id: field\n  parent: second\n"),
                    encoding="utf-8")
    result = midas(database_file, "assessment", "import-framework", str(path))
    assert result.exit_code == 1
    assert "areas[0].parent" in result.output
    assert read(database_file)[0] == []


def test_assign_stores_the_run_and_prints_the_summary(database_file: str) -> None:
    code = seed_round(database_file, experts=3)
    result = midas(database_file, "assessment", "assign", code, "--today", "2027-03-02")
    assert result.exit_code == 0, result.output
    assert "relaxation-bound" in result.output
    _, rounds, assessments, assignments = read(database_file)
    assert rounds[0].status is RoundStatus.ASSIGNED
    assert rounds[0].assignment_summary is not None
    assert [a.status for a in assessments] == [AssessmentStatus.SCORING]
    assert len(assignments) == 2


def test_an_infeasible_round_exits_1_naming_the_company(database_file: str) -> None:
    code = seed_round(database_file, experts=1, name="(주)외톨이")
    result = midas(database_file, "assessment", "assign", code)
    assert result.exit_code == 1
    assert "(주)외톨이" in result.output
    _, rounds, _, assignments = read(database_file)
    assert rounds[0].status is RoundStatus.DRAFT
    assert assignments == []


def test_an_unknown_round_exits_1(database_file: str) -> None:
    result = midas(database_file, "assessment", "assign", "NOPE")
    assert result.exit_code == 1
    assert "NOPE" in result.output
