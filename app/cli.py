"""`chorus` sub-commands, added to Litestar's CLI by a plugin: database, demo data, NLTK data."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from litestar.plugins import CLIPluginProtocol

from analysis import resources as nltk_resources
from app.settings import get_settings


class ChorusCLIPlugin(CLIPluginProtocol):
    def on_cli_init(self, cli: click.Group) -> None:
        cli.add_command(database)
        cli.add_command(demo)
        cli.add_command(nltk_data)


@click.group(help="Database schema.")
def database() -> None:
    pass


@database.command(help="Apply every pending migration (safe to run again).")
def upgrade() -> None:
    from app.database import migrate

    asyncio.run(migrate())
    click.echo("database is up to date")


@click.group(help="Demonstration data.")
def demo() -> None:
    pass


@demo.command(name="load", help="Load the partnership's boards, workstreams, projects and outcomes (idempotent).")
def demo_load() -> None:
    from app.governance.services import load_structure

    summary = asyncio.run(load_structure())
    click.echo(
        f"governance: {summary.boards} boards, {summary.workstreams} workstreams, "
        f"{summary.projects} projects, {summary.outcomes} outcomes"
    )


@click.group(name="nltk", help="NLTK data used by the text analysis.")
def nltk_data() -> None:
    pass


@nltk_data.command(name="download", help="Fetch missing NLTK data into var/nltk_data (needs the network, or --offline-source).")
@click.option(
    "--offline-source",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A folder laid out like nltk_data to copy from when the download host cannot be reached.",
)
def nltk_download(offline_source: Path | None) -> None:
    settings = get_settings()
    nltk_resources.use_paths(settings.nltk_data)
    if not nltk_resources.missing():
        click.echo("NLTK data: all present (" + ", ".join(nltk_resources.REQUIRED) + ")")
        return
    still_missing = nltk_resources.download(settings.var_dir / "nltk_data", offline_source)
    if still_missing:
        raise click.ClickException(
            f"could not get NLTK data: {', '.join(still_missing)}. Connect to the internet and run "
            "`chorus nltk download` again, or pass --offline-source with a copy of nltk_data"
        )
    click.echo(f"NLTK data: installed into {settings.var_dir / 'nltk_data'}")


@nltk_data.command(name="status", help="Report which NLTK packages are present.")
def nltk_status() -> None:
    settings = get_settings()
    nltk_resources.use_paths(settings.nltk_data)
    absent = set(nltk_resources.missing())
    for package in nltk_resources.REQUIRED:
        click.echo(f"{package}: {'MISSING' if package in absent else 'present'}")
    if absent:
        raise SystemExit(1)
