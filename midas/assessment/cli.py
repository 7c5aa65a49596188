"""`midas assessment ...`: frameworks, rounds and the assignment run from the command line."""

from __future__ import annotations

import typer

app = typer.Typer(help="Expert capability assessment: frameworks, rounds, assignment.", no_args_is_help=True)
