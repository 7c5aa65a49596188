from __future__ import annotations

import typer

app = typer.Typer(help="The registry of organizations and factories.", no_args_is_help=True)
