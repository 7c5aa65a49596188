"""`midas registry ...`: bulk imports and their templates from the command line, acting as the system."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from midas.auth import SYSTEM
from midas.config import get_settings
from midas.db import make_engine, make_session_factory, transaction
from midas.errors import MidasError
from midas.i18n import translate
from midas.registry.importing import (
    ImportKind,
    ImportMode,
    ImportPhase,
    ImportReport,
    import_registry_file,
    template_file,
)
from midas.registry.spreadsheets import TemplateFormat

app = typer.Typer(help="The registry of organizations and factories.", no_args_is_help=True)
console = Console()

PHASE_LABELS = {ImportPhase.CHECK: "Checking rows", ImportPhase.WRITE: "Writing rows"}
# The terminal is no place for tens of thousands of lines; the first ones show what to fix.
PROBLEMS_PRINTED = 200


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="A .csv (UTF-8 or CP949) or .xlsx file with a header row.")],
    kind: Annotated[ImportKind, typer.Option("--kind", help="What the file holds.")],
    valid_rows: Annotated[bool, typer.Option("--valid-rows",
                                             help="Import the valid rows and skip the others.")] = False,
) -> None:
    """Import organizations or factories from FILE.

    If any row has a problem nothing is written, unless --valid-rows is given. Exits with status 1 when nothing
    was imported.
    """
    settings = get_settings()
    locale = settings.default_locale
    with file.open("rb") as handle:
        data = handle.read(settings.upload_max_bytes + 1)
    engine = make_engine(settings.database_url)
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            tasks: dict[ImportPhase, TaskID] = {}

            def show(phase: ImportPhase, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = progress.add_task(translate(locale, PHASE_LABELS[phase]), total=total)
                progress.update(tasks[phase], completed=done, total=total)

            with transaction(make_session_factory(engine)) as session:
                report = import_registry_file(
                    session, actor=SYSTEM, kind=kind, data=data, file_name=file.name,
                    max_bytes=settings.upload_max_bytes,
                    mode=ImportMode.VALID_ROWS if valid_rows else ImportMode.ALL_OR_NOTHING, on_progress=show)
    except MidasError as error:
        console.print(f"[red]{translate(locale, error.message, error.params)}[/red]")
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    _print_report(report, locale)
    if not report.committed:
        raise typer.Exit(code=1)


def _print_report(report: ImportReport, locale: str) -> None:
    if report.problems:
        table = Table(title=translate(locale, "Problems"))
        for heading in ("Row", "Column", "Problem"):
            table.add_column(translate(locale, heading), overflow="fold")
        for problem in report.problems[:PROBLEMS_PRINTED]:
            table.add_row(str(problem.row or "-"), problem.column or "-",
                          translate(locale, problem.message, problem.params))
        console.print(table)
        if len(report.problems) > PROBLEMS_PRINTED:
            console.print(translate(locale, "... and {count} more problems",
                                    {"count": len(report.problems) - PROBLEMS_PRINTED}))
    console.print(translate(locale, "Rows read: {total}, imported: {imported}, with problems: {rejected}",
                            {"total": report.total_rows, "imported": report.imported_rows,
                             "rejected": report.rejected_rows}))
    if report.committed:
        console.print(f"[green]{translate(locale, 'The import is saved.')}[/green]")
    else:
        console.print(f"[red]{translate(locale, 'Nothing was imported.')}[/red]")


@app.command("template")
def template_command(
    out: Annotated[Path, typer.Argument(dir_okay=False, help="Where to save the template.")],
    kind: Annotated[ImportKind, typer.Option("--kind", help="What the file will hold.")],
    fmt: Annotated[TemplateFormat, typer.Option("--format", help="xlsx (with a code sheet) or csv.")] = (
        TemplateFormat.XLSX),
) -> None:
    """Save an import template (Korean headers and an example row) to OUT."""
    out.write_bytes(template_file(kind, fmt))
    console.print(translate(get_settings().default_locale, "Template saved to {path}", {"path": str(out)}))
