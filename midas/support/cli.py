"""`midas support ...`: the selection run, the issue of decisions and their finality, acting as the system."""

from __future__ import annotations

import math
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from midas.auth import SYSTEM
from midas.config import get_settings
from midas.db import make_engine, make_session_factory, transaction
from midas.errors import InvalidInput, MidasError
from midas.i18n import translate
from midas.support import decisions_service, selection_service
from midas.support.enums import TRACK_KIND_LABELS, TrackKind
from midas.support.selection_service import PHASE_LABELS, SelectionPhase, TrackOutcome

app = typer.Typer(help="Support programs: the selection run, decisions.", no_args_is_help=True)
console = Console()


def _fail(error: MidasError, locale: str) -> typer.Exit:
    """Say what is wrong (and every located problem), and end the command with status 1."""
    console.print(f"[red]{translate(locale, error.message, error.params)}[/red]")
    for problem in error.problems if isinstance(error, InvalidInput) else []:
        console.print(f"[red]- {problem.field}: {translate(locale, problem.message, problem.params)}[/red]")
    return typer.Exit(code=1)


def _track_name(locale: str, track: str) -> str:
    return translate(locale, TRACK_KIND_LABELS[TrackKind(track)]) if track in set(TrackKind) else track


@app.command("select")
def select_command(
    round_code: Annotated[str, typer.Argument(metavar="ROUND", help="The round's code.")],
    seed: Annotated[str, typer.Option("--seed", help="The lottery seed published for the round.")],
) -> None:
    """Choose the optimal set of ROUND's eligible applications with the published SEED, and print the summary."""
    settings = get_settings()
    locale = settings.default_locale
    engine = make_engine(settings.database_url)
    try:
        with Progress(TextColumn("{task.description:<36}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task: TaskID = progress.add_task(translate(locale, "Selecting applications"), total=len(SelectionPhase))

            def show(phase: SelectionPhase, done: int, total: int) -> None:
                progress.update(task, description=translate(locale, PHASE_LABELS[phase]), completed=done,
                                total=total)

            with transaction(make_session_factory(engine)) as session:
                round_id = selection_service.round_id_of_code(session, round_code)
                run = selection_service.run_selection(session, actor=SYSTEM, round_id=round_id, seed=seed,
                                                      progress=show)
                tracks = selection_service.run_track_outcomes(session, actor=SYSTEM, run_id=run.id)
                figures = (run.candidates, run.funded_count, run.solver_status, run.objective, run.upper_bound,
                           run.greedy_objective, run.gain_percent, run.seconds, run.inputs_hash)
    except MidasError as error:
        raise _fail(error, locale) from None
    finally:
        engine.dispose()
    _print_selection(round_code, figures, tracks, locale)


def _status_text(locale: str, status: str) -> str:
    label = selection_service.SOLVER_STATUS_LABELS.get(status)
    return f"{translate(locale, label)} ({status})" if label else status


def _print_selection(round_code: str, figures: tuple[int, int, str, int, float, int, float, float, str],
                     tracks: list[TrackOutcome], locale: str) -> None:
    candidates, funded, status, objective, bound, greedy, gain, seconds, digest = figures
    per_track = Table(title=translate(locale, "Selection of round {code}", {"code": round_code}))
    for heading, justify in (("Track", "left"), ("Candidates", "right"), ("Funded", "right"),
                             ("Used (KRW)", "right"), ("Budget (KRW)", "right"), ("Budget used", "right")):
        per_track.add_column(translate(locale, heading), justify=justify)  # type: ignore[arg-type]
    for t in tracks:
        share = f"{100 * t.used_krw / t.budget_krw:.1f} %" if t.budget_krw else "-"
        per_track.add_row(_track_name(locale, t.track), f"{t.candidates:,}", f"{t.funded:,}", f"{t.used_krw:,}",
                          f"{t.budget_krw:,}", share)
    console.print(per_track)
    summary = Table(show_header=False)
    summary.add_column(translate(locale, "Measure"))
    summary.add_column(translate(locale, "Value"), justify="right")
    gain_text = "-" if gain < 0 or math.isinf(gain) else f"{gain:.2f} %"
    for label, value in (("Candidates", f"{candidates:,}"), ("Funded", f"{funded:,}"),
                         ("Solver status", _status_text(locale, status)),
                         ("Objective", f"{objective:,}"), ("Proven upper bound", f"{bound:,.1f}"),
                         ("Greedy rank list", f"{greedy:,}"), ("Gain over greedy", gain_text),
                         ("Seconds", f"{seconds:.2f}")):
        summary.add_row(translate(locale, label), value)
    console.print(summary)
    # On its own line, never cut: a table cell would shorten the 64 digits to fit a narrow terminal, and whoever
    # checks the published result compares the whole hash.
    console.print(f"{translate(locale, 'Inputs hash (SHA-256)')}: {digest}", soft_wrap=True, highlight=False)
    console.print(f"[green]{translate(locale, 'The selection is saved as the current run; decisions can be issued.')}"
                  "[/green]")


@app.command("decide")
def decide_command(
    round_code: Annotated[str, typer.Argument(metavar="ROUND", help="The round's code.")],
) -> None:
    """Issue the decisions of ROUND from its current selection run and notify the companies."""
    settings = get_settings()
    locale = settings.default_locale
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            round_id = selection_service.round_id_of_code(session, round_code)
            issued = decisions_service.issue_decisions(session, actor=SYSTEM, round_id=round_id)
            counts = dict(issued.counts)
    except MidasError as error:
        raise _fail(error, locale) from None
    finally:
        engine.dispose()
    console.print(translate(locale, "Decisions issued for round {code}: {funded} funded, {waitlisted} waitlisted, "
                                    "{rejected} not funded.",
                            {"code": round_code, "funded": counts.get("funded", 0),
                             "waitlisted": counts.get("waitlisted", 0), "rejected": counts.get("rejected", 0)}))


@app.command("finalize")
def finalize_command() -> None:
    """Make final every decision whose appeal window closed without an appeal."""
    settings = get_settings()
    locale = settings.default_locale
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            count = decisions_service.finalize_decisions(session)
    finally:
        engine.dispose()
    console.print(translate(locale, "{count} decisions are now final.", {"count": count}))
