"""`midas support select`, `decide` and `finalize`, run through Typer against a database file of their own (the
commands open their own engine and commit)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from midas import migrations
from midas.cli.main import app
from midas.config import get_settings
from midas.db import make_engine, make_session_factory, transaction
from midas.support import cli as support_cli
from midas.support.enums import RoundStatus
from midas.support.models import SelectionRun, SupportDecision, SupportRound
from tests.support.factories_selection import SEED, add_applicant, published_round

M = 1_000_000


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


def seed_round(url: str, *, seed: str | None = SEED) -> str:
    """A closed round with three eligible applications (two fit the 150M budget), committed; returns its code."""
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            setup = published_round(session, seed=seed, track_overrides={"budget_krw": 150 * M})
            for score, grant in (("90.0", 80 * M), ("80.0", 70 * M), ("70.0", 60 * M)):
                add_applicant(session, setup, score=score, grant=grant)
            return setup.round.code
    finally:
        engine.dispose()


def read(url: str) -> tuple[list[SupportRound], list[SelectionRun], list[SupportDecision]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return (list(session.scalars(select(SupportRound))), list(session.scalars(select(SelectionRun))),
                    list(session.scalars(select(SupportDecision))))
    finally:
        engine.dispose()


def test_select_prints_the_summary_and_decide_issues(database_file: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(support_cli.console, "width", 80)  # a standard terminal shows the whole inputs hash
    code = seed_round(database_file)
    result = midas(database_file, "support", "select", code, "--seed", SEED)
    assert result.exit_code == 0, result.output
    rounds, runs, _ = read(database_file)
    assert rounds[0].status is RoundStatus.SELECTED
    assert len(runs) == 1
    output = result.output
    assert f"공모 {code} 선정 결과" in output
    assert "optimal" in output
    assert f"{runs[0].objective:,}" in output
    assert "150,000,000" in output  # used and budget of the basic track
    assert "100.0 %" in output
    assert runs[0].inputs_hash in output

    decided = midas(database_file, "support", "decide", code)
    assert decided.exit_code == 0, decided.output
    assert "선정 2건, 예비 선정 1건, 미선정 0건" in decided.output
    again = midas(database_file, "support", "decide", code)
    assert again.exit_code == 1
    assert "이미 통보되었습니다" in again.output
    assert len(read(database_file)[2]) == 3
    finalized = midas(database_file, "support", "finalize")
    assert finalized.exit_code == 0
    assert "결정 0건이 확정되었습니다." in finalized.output


def test_select_without_the_published_seed_exits_1_and_changes_nothing(database_file: str) -> None:
    code = seed_round(database_file, seed=None)
    result = midas(database_file, "support", "select", code, "--seed", "anything")
    assert result.exit_code == 1
    assert "추첨 시드는 추첨 전에 공개되어야 하며" in result.output
    rounds, runs, _ = read(database_file)
    assert (rounds[0].status, runs) == (RoundStatus.CLOSED, [])
    unknown = midas(database_file, "support", "select", "NOPE", "--seed", SEED)
    assert unknown.exit_code == 1
    assert "코드 NOPE인 지원사업 공모가 없습니다" in unknown.output
