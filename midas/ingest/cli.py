"""`midas ingest ...`: the MQTT worker that feeds production data from the shop-floor broker into the platform."""

from __future__ import annotations

import logging
import multiprocessing
from typing import Annotated

import typer
from rich.console import Console

from midas.config import get_settings
from midas.db import make_engine, make_session_factory
from midas.ingest.mqtt import (
    BatchOutcome,
    ConnectionRefused,
    WorkerOptions,
    WorkerTotals,
    run_worker,
    worker_options,
)

app = typer.Typer(help="Production data ingestion.", no_args_is_help=True)
console = Console()


@app.command("mqtt")
def mqtt_command(
    host: Annotated[str | None, typer.Option(help="Broker address (MIDAS_MQTT_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Broker port (MIDAS_MQTT_PORT).")] = None,
    client_id: Annotated[str | None, typer.Option(
        help="Fixed client id: the broker keeps this session's messages while the worker is away "
             "(MIDAS_MQTT_CLIENT_ID).")] = None,
    topic_prefix: Annotated[str | None, typer.Option(
        help="Prefix of the plain JSON topics {prefix}/{BRN}/{factory id}/{template} (MIDAS_MQTT_TOPIC_PREFIX).")
    ] = None,
    sparkplug_group: Annotated[str, typer.Option(
        help="Sparkplug B group ids to subscribe to ('+' for all, '' for none); a group id is an organization's "
             "BRN.")] = "+",
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="Messages per transaction at most.")] = 1000,
    batch_seconds: Annotated[float, typer.Option(min=0.001, help="Longest wait to fill a batch.")] = 0.2,
    max_messages: Annotated[int | None, typer.Option(min=1, help="Stop after this many messages.")] = None,
    stop_after: Annotated[float | None, typer.Option(
        min=0.1, help="Stop after this many seconds without a message.")] = None,
    quiet: Annotated[bool, typer.Option(help="Print only the totals at the end.")] = False,
    workers: Annotated[int, typer.Option(
        min=1, max=16, help="Worker processes sharing the plain JSON topics (an MQTT 5 shared subscription); "
                            "Sparkplug B stays with the first, in arrival order.")] = 1,
) -> None:
    """Consume plain JSON and Sparkplug B topics at QoS 1: each batch is committed, then acknowledged."""
    settings = get_settings()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    options = WorkerOptions(
        host=host or settings.mqtt_host, port=port or settings.mqtt_port,
        client_id=client_id or settings.mqtt_client_id, topic_prefix=topic_prefix or settings.mqtt_topic_prefix,
        sparkplug_group=sparkplug_group, batch_size=batch_size, batch_seconds=batch_seconds,
        max_messages=max_messages, stop_after=stop_after)

    def report(outcome: BatchOutcome) -> None:
        if not quiet:
            console.print(f"batch: {outcome.messages} messages, {outcome.accepted} stored, {outcome.duplicates} "
                          f"duplicates, {outcome.rejected} dead letters, {outcome.unroutable} unroutable",
                          highlight=False)

    first, *others = worker_options(options, workers)
    context = multiprocessing.get_context("spawn")
    helpers = [context.Process(target=_helper_worker, args=(settings.database_url, helper), daemon=True,
                               name=helper.client_id) for helper in others]
    for helper in helpers:
        helper.start()
    engine = make_engine(settings.database_url)
    stopped_normally = False
    try:
        totals = run_worker(make_session_factory(engine), first, on_batch=report)
        stopped_normally = True
    except ConnectionRefused as error:
        console.print(f"[red]{options.host}:{options.port}: {error}[/red]")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:  # the other workers got the same signal and stop on their own
        stopped_normally = True
        console.print("[yellow]Stopped; unacknowledged messages stay with the broker.[/yellow]")
        raise typer.Exit(130) from None
    finally:
        engine.dispose()
        for helper in helpers:
            if not stopped_normally:
                # The first worker failed: stop the others too rather than run on unwatched (what they have
                # not acknowledged, the broker sends again).
                helper.terminate()
            helper.join()
    _print_totals(first.client_id if others else "", totals)
    failed = [helper.name for helper in helpers if helper.exitcode != 0]
    if failed:
        console.print(f"[red]workers that failed: {', '.join(failed)}[/red]")
        raise typer.Exit(1)


def _print_totals(worker: str, totals: WorkerTotals) -> None:
    console.print(f"{worker + ': ' if worker else ''}{totals.messages} messages in {totals.batches} batches: "
                  f"{totals.accepted} stored, {totals.duplicates} duplicates, {totals.rejected} dead letters, "
                  f"{totals.unroutable} unroutable", highlight=False)


def _helper_worker(database_url: str, options: WorkerOptions) -> None:
    """One more worker, in a process of its own (``--workers``): prints its totals when it stops."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    engine = make_engine(database_url)
    try:
        totals = run_worker(make_session_factory(engine), options)
    except ConnectionRefused as error:
        console.print(f"[red]{options.client_id}: {options.host}:{options.port}: {error}[/red]")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        return
    finally:
        engine.dispose()
    _print_totals(options.client_id, totals)
