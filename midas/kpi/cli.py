"""`midas kpi ...`: recompute the KPI aggregates from the raw production records."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from midas.auth import SYSTEM
from midas.config import get_settings
from midas.db import make_engine, make_session_factory, transaction
from midas.i18n import translate
from midas.ingest import RederiveProgress, rederive_facts
from midas.kpi.aggregate_service import (
    REBUILD_FACTORIES_PER_STEP,
    REBUILD_WORKERS,
    RebuildProgress,
    rebuild_concurrently,
)
from midas.kpi.outcomes_service import RefreshProgress, refresh_outcomes

app = typer.Typer(help="ISO 22400-2 KPIs: the aggregates behind every KPI page.", no_args_is_help=True)
console = Console()
SEOUL = ZoneInfo("Asia/Seoul")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


@app.command("rebuild")
def rebuild_command(
    from_raw: Annotated[bool, typer.Option(
        "--from-raw", help="First derive every record's typed columns again from its JSON (slower: reads every "
                           "record).")] = False,
    factories_per_step: Annotated[int, typer.Option(
        min=1, help="Factories grouped in one statement (the progress bar moves once per step).")
    ] = REBUILD_FACTORIES_PER_STEP,
    workers: Annotated[int, typer.Option(
        min=1, max=16, help="PostgreSQL: connections summing ranges of factories at the same time (about one per "
                            "core of the database server).")] = REBUILD_WORKERS,
) -> None:
    """Sum the unit-day, factory-day and factory-month aggregates again from every production record.

    Pages keep showing the old figures until the new ones are complete; deliveries stored meanwhile wait and are
    then added to the new figures."""
    settings = get_settings()
    locale = settings.default_locale
    engine = make_engine(settings.database_url)
    started = time.perf_counter()
    try:
        with _progress() as progress:
            if from_raw:
                reading = progress.add_task(translate(locale, "Reading the records again"), total=None)

                def show_reading(step: RederiveProgress) -> None:
                    progress.update(reading, completed=step.done, total=step.total)

                # Committed first: the columns are a pure function of each record, and the rebuild reads what
                # is committed.
                with transaction(make_session_factory(engine)) as session:
                    rederive_facts(session, on_progress=show_reading)
            task = progress.add_task(translate(locale, "Summing factories"), total=None)

            def show(step: RebuildProgress) -> None:
                progress.update(task, completed=step.factories_done, total=step.factories)

            done = rebuild_concurrently(engine, on_progress=show, factories_per_step=factories_per_step,
                                        workers=workers)
    finally:
        engine.dispose()
    console.print(translate(locale, "Rebuilt the KPI aggregates of {factories} factories: {rows} unit-days in "
                                    "{seconds} s", {"factories": done.factories, "rows": done.unit_days,
                                                    "seconds": f"{time.perf_counter() - started:.1f}"}))


@app.command("outcomes")
def outcomes_command() -> None:
    """Measure every completed project whose organization has production data (before against after) and store
    the outcomes the dashboard rolls up."""
    settings = get_settings()
    locale = settings.default_locale
    engine = make_engine(settings.database_url)
    try:
        with _progress() as progress, transaction(make_session_factory(engine)) as session:
            task = progress.add_task(translate(locale, "Measuring projects"), total=None)

            def show(step: RefreshProgress) -> None:
                progress.update(task, completed=step.done, total=step.total)

            done = refresh_outcomes(session, actor=SYSTEM, today=datetime.now(SEOUL).date(), on_progress=show)
    finally:
        engine.dispose()
    console.print(translate(locale, "Measured the outcomes of {count} projects", {"count": done.total}))
