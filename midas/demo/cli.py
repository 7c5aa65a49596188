"""`midas seed` and `midas demo`: a synthetic country in the database, and a demo server on top of it."""

from __future__ import annotations

import time
from collections.abc import Sequence

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine

from midas import migrations
from midas.config import Settings, get_settings
from midas.db import make_engine, make_session_factory
from midas.demo.loader import (
    DemoSummary,
    LoadStep,
    count_organizations,
    recorded_seed,
    refuse_in_production,
    scale_named,
    seed_demo,
)
from midas.demo.national import DemoCredential
from midas.errors import InvalidInput, MidasError
from midas.i18n import translate

app = typer.Typer()
console = Console()

DEFAULT_SEED = 2027
STEP_LABELS: dict[LoadStep, str] = {
    LoadStep.GENERATE: "가상 국가 생성 / generating",
    LoadStep.ORGANIZATIONS: "기업 / organizations",
    LoadStep.FACTORIES: "공장 / factories",
    LoadStep.CONTACTS: "담당자 / contacts",
    LoadStep.USERS: "사용자 / users",
    LoadStep.EXPERTS: "전문가 / experts",
    LoadStep.ASSESSMENTS: "평가 / assessments",
    LoadStep.SUPPORT: "지원사업 / support programs",
    LoadStep.PRODUCTION: "생산 데이터 / production data",
}


class RichLoadProgress:
    """One progress bar per loading step."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[LoadStep, TaskID] = {}

    def begin(self, step: LoadStep, total: int) -> None:
        self.tasks[step] = self.progress.add_task(STEP_LABELS[step], total=total)

    def advance(self, step: LoadStep, amount: int) -> None:
        self.progress.advance(self.tasks[step], amount)


def _fail(error: MidasError) -> typer.Exit:
    """Say what is wrong, in Korean and in English, and end the command with status 1."""
    problems = error.problems if isinstance(error, InvalidInput) else []
    for message, params in [(error.message, error.params), *((p.message, p.params) for p in problems)]:
        console.print(f"[red]{translate('ko', message, params)}[/red]")
        console.print(f"[red]{message.format(**params)}[/red]")
    return typer.Exit(code=1)


def _seed_with_progress(engine: Engine, *, scale: str, seed: int, reset: bool, settings: Settings) -> DemoSummary:
    columns = (TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        return seed_demo(engine, scale=scale, seed=seed, reset=reset, progress=RichLoadProgress(progress),
                         settings=settings)


def print_credentials(credentials: Sequence[DemoCredential]) -> None:
    """The demo log-ins as a table: role, e-mail address, password."""
    table = Table(title="데모 로그인 / Demo log-ins")
    table.add_column("역할 / Role")
    table.add_column("이메일 / E-mail")
    table.add_column("비밀번호 / Password", style="bold")
    for credential in credentials:
        table.add_row(credential.role.value, credential.email, credential.password)
    console.print(table)


def _print_summary(summary: DemoSummary, seconds: float) -> None:
    console.print(
        f"[green]생성 완료 / Seeded[/green] ({summary.scale}, seed {summary.seed}, {seconds:.1f} s): "
        f"기업 {summary.organizations:,} organizations, 공장 {summary.factories:,} factories, "
        f"담당자 {summary.contacts:,} contacts, 사용자 {summary.users} users, "
        f"전문가 {summary.experts:,} experts, 평가 {summary.assessments:,} assessments, "
        f"평가표 {summary.sheets:,} score sheets, 지원 신청 {summary.applications:,} applications, "
        f"지원 과제 {summary.projects:,} projects, 생산 데이터 공장 {summary.production_factories:,} factories "
        f"with production data, 생산 기록 {summary.production_records:,} production records, "
        f"성과 측정 과제 {summary.measured_projects:,} measured projects"
    )


def _prepare(settings: Settings, *, scale: str, upgrade: bool) -> Engine:
    """Check the request before touching the database, then migrate it."""
    try:
        refuse_in_production(settings)
        scale_named(scale)
    except MidasError as error:
        raise _fail(error) from None
    if upgrade:
        migrations.upgrade(settings.database_url)
    return make_engine(settings.database_url)


@app.command()
def seed(
    scale: str = typer.Option("national", help="national (~25,000 organizations) or small (~300, for tests)."),
    seed: int = typer.Option(DEFAULT_SEED, help="The same seed always generates the same country."),
    reset: bool = typer.Option(False, "--reset", help="Empty every table first (refused without it if seeded)."),
    upgrade: bool = typer.Option(True, help="Apply pending migrations first."),
) -> None:
    """Fill the database with a synthetic country: companies, factories, contacts and demo accounts."""
    settings = get_settings()
    engine = _prepare(settings, scale=scale, upgrade=upgrade)
    started = time.perf_counter()
    try:
        summary = _seed_with_progress(engine, scale=scale, seed=seed, reset=reset, settings=settings)
    except MidasError as error:
        raise _fail(error) from None
    finally:
        engine.dispose()
    _print_summary(summary, time.perf_counter() - started)
    print_credentials(summary.credentials)
    console.print("이 비밀번호는 데모 전용입니다. `midas demo`가 같은 시드로 다시 보여 줍니다.\n"
                  "These passwords are for the demo only; `midas demo` shows them again for this seed.")


@app.command()
def demo(
    host: str | None = typer.Option(None, help="Address to listen on (MIDAS_HOST, else 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port to listen on (MIDAS_PORT, else 8000)."),
    seed: int = typer.Option(DEFAULT_SEED, help="Seed of the country generated when the database is empty."),
    scale: str = typer.Option("national", help="Scale generated when the database is empty."),
) -> None:
    """Migrate the database, seed the national demo if it is empty, print the log-ins and serve."""
    import uvicorn

    from midas.web.app import create_app

    settings = get_settings()
    engine = _prepare(settings, scale=scale, upgrade=True)
    try:
        credentials = _seeded_credentials(engine, scale=scale, seed=seed, settings=settings)
    except MidasError as error:
        raise _fail(error) from None
    finally:
        engine.dispose()
    if credentials:
        print_credentials(credentials)
    host, port = host or settings.host, port or settings.port  # the options, else MIDAS_HOST and MIDAS_PORT
    url = f"http://{host}:{port}"
    console.print(f"\n[bold]데모 주소 / Demo address: [link={url}]{url}[/link][/bold]\n"
                  "종료하려면 Ctrl+C / Press Ctrl+C to stop.\n")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _seeded_credentials(engine: Engine, *, scale: str, seed: int, settings: Settings) -> list[DemoCredential]:
    """Seed an empty database; for one seeded before, the log-ins of the seed it was seeded with."""
    with make_session_factory(engine)() as session:
        existing = count_organizations(session)
        recorded = recorded_seed(session)
    if not existing:
        started = time.perf_counter()
        summary = _seed_with_progress(engine, scale=scale, seed=seed, reset=False, settings=settings)
        _print_summary(summary, time.perf_counter() - started)
        return list(summary.credentials)
    console.print(f"데이터베이스에 이미 기업 {existing:,}곳이 있어 생성을 건너뜁니다.\n"
                  f"The database holds {existing:,} organizations already: seeding skipped.")
    if recorded is None:
        console.print("[yellow]데모 생성 기록이 없어 로그인 정보를 알 수 없습니다 / "
                      "No demo seeding is recorded, so the demo log-ins are unknown.[/yellow]")
        return []
    if recorded.seed != seed:
        console.print(f"(시드 {recorded.seed}로 생성됨 / seeded with seed {recorded.seed})")
    return recorded.credentials
