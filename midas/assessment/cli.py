"""`midas assessment ...`: frameworks, rounds and the assignment run from the command line, acting as the system."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from midas.assessment import framework_service, rounds_service
from midas.assessment.enums import FRAMEWORK_STATUS_LABELS
from midas.assessment.rounds_service import PHASE_LABELS, AssignmentPhase, AssignmentRun
from midas.auth import SYSTEM
from midas.config import get_settings
from midas.db import make_engine, make_session_factory, transaction
from midas.errors import InvalidInput, MidasError
from midas.i18n import translate

app = typer.Typer(help="Expert capability assessment: frameworks, rounds, assignment.", no_args_is_help=True)
console = Console()


def _fail(error: MidasError, locale: str) -> typer.Exit:
    """Say what is wrong (and every located problem), and end the command with status 1."""
    console.print(f"[red]{translate(locale, error.message, error.params)}[/red]")
    for problem in error.problems if isinstance(error, InvalidInput) else []:
        where = problem.field + (f" ({translate(locale, 'line {line}', {'line': problem.row})})"
                                 if problem.row else "")
        console.print(f"[red]- {where}: {translate(locale, problem.message, problem.params)}[/red]")
    return typer.Exit(code=1)


@app.command("frameworks")
def frameworks_command() -> None:
    """List the stored framework versions."""
    settings = get_settings()
    locale = settings.default_locale
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            versions = framework_service.list_framework_versions(session, actor=SYSTEM)
            table = Table(title=translate(locale, "Framework versions"))
            for heading in ("Id", "Framework", "Version", "Name", "Status", "Content hash"):
                table.add_column(translate(locale, heading), overflow="fold")
            for v in versions:
                table.add_row(str(v.id), v.code, v.version, v.name if locale == "ko" else v.name_en,
                              translate(locale, FRAMEWORK_STATUS_LABELS[v.status]), v.content_hash[:12])
    finally:
        engine.dispose()
    console.print(table)


@app.command("import-framework")
def import_framework_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="A framework file (.yaml, .yml or .json).")],
    file_format: Annotated[str, typer.Option("--format", help="yaml or json (default: from the suffix).")] = "",
    publish: Annotated[bool, typer.Option("--publish", help="Publish the version once it is stored.")] = False,
) -> None:
    """Import FILE as a draft framework version (refused with every problem's location), optionally publishing it."""
    settings = get_settings()
    locale = settings.default_locale
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            source = file.read_text(encoding="utf-8-sig")
            version = framework_service.import_framework(
                session, actor=SYSTEM, source=source,
                file_format=framework_service.file_format_of(file.name, file_format))
            if publish:
                framework_service.publish_framework(session, actor=SYSTEM, version_id=version.id)
            message = translate(locale, "Framework {id} version {version} is stored as {status} (id {row}).",
                                {"id": version.code, "version": version.version, "row": version.id,
                                 "status": translate(locale, FRAMEWORK_STATUS_LABELS[version.status])})
    except MidasError as error:
        raise _fail(error, locale) from None
    except UnicodeDecodeError:
        console.print(f"[red]{translate(locale, 'The file is not UTF-8 text')}[/red]")
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    console.print(f"[green]{message}[/green]")


@app.command("assign")
def assign_command(
    round_code: Annotated[str, typer.Argument(metavar="ROUND", help="The round's code.")],
    today: Annotated[str, typer.Option("--today", help="The day conflicts are judged on (YYYY-MM-DD).")] = "",
) -> None:
    """Assign experts to every waiting assessment of ROUND, optimally, and print the summary."""
    settings = get_settings()
    locale = settings.default_locale
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        console.print(f"[red]{translate(locale, 'Enter a date as YYYY-MM-DD')}[/red]")
        raise typer.Exit(code=1) from None
    engine = make_engine(settings.database_url)
    try:
        with Progress(TextColumn("{task.description:<36}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task: TaskID = progress.add_task(translate(locale, "Assigning experts"), total=len(AssignmentPhase))

            def show(phase: AssignmentPhase, done: int, total: int) -> None:
                progress.update(task, description=translate(locale, PHASE_LABELS[phase]), completed=done,
                                total=total)

            with transaction(make_session_factory(engine)) as session:
                run = rounds_service.run_assignment(session, actor=SYSTEM, round_code=round_code, today=day,
                                                    progress=show)
    except MidasError as error:
        raise _fail(error, locale) from None
    finally:
        engine.dispose()
    _print_summary(run, locale)


def _print_summary(run: AssignmentRun, locale: str) -> None:
    summary = run.summary
    table = Table(title=translate(locale, "Assignment of round {code}", {"code": run.round.code}))
    table.add_column(translate(locale, "Measure"))
    table.add_column(translate(locale, "Value"), justify="right")
    rows = [
        ("Assessments", f"{summary['assessments']:,}"),
        ("Experts available", f"{summary['experts']:,}"),
        ("Pairs assigned", f"{summary['pairs']:,}"),
        ("Total affinity (optimal)", f"{summary['objective']:,}"),
        ("Total affinity (greedy)", f"{summary['greedy_objective']:,}"),
        ("Gain over greedy", f"{summary['gap_percent']:.2f} %"),
        ("Optimality proof", summary["method"]),
        ("Seconds", f"{summary['seconds']:.2f}"),
    ]
    for label, value in rows:
        table.add_row(translate(locale, label), value)
    console.print(table)
    console.print(f"[green]{translate(locale, 'The assignment is saved; experts can now accept or decline.')}[/green]")
