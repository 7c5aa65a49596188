from __future__ import annotations

import typer
from rich.console import Console

from midas.auth import SYSTEM, Role, create_user
from midas.config import get_settings
from midas.db import make_engine, make_session_factory, transaction
from midas.errors import MidasError
from midas.registry import find_organization_by_brn

app = typer.Typer(help="Accounts of people who sign in.", no_args_is_help=True)
console = Console()


@app.command("create")
def create(
    email: str = typer.Option(..., help="E-mail address; the person signs in with it."),
    role: Role = typer.Option(..., help="One of: " + ", ".join(r.value for r in Role)),
    name: str = typer.Option("", help="Display name."),
    organization_brn: str = typer.Option("", help="Business registration number (company members)."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create an account, e.g. the first administrator of a new installation."""
    engine = make_engine(get_settings().database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            organization_id = None
            if organization_brn:
                organization = find_organization_by_brn(session, actor=SYSTEM, brn=organization_brn)
                if organization is None:
                    raise typer.BadParameter(f"no organization with BRN {organization_brn}")
                organization_id = organization.id
            user = create_user(session, actor=SYSTEM, email=email, display_name=name, password=password,
                               role=role, organization_id=organization_id)
            console.print(f"[green]Created {user.email} ({user.role.value}).[/green]")
    except MidasError as error:
        problems = getattr(error, "problems", [])
        details = "; ".join(f"{p.field}: {p.english()}" for p in problems) or error.english()
        console.print(f"[red]Not created: {details}[/red]")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
