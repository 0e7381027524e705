"""`chorus` sub-commands, added to Litestar's CLI by a plugin: database, data, users, NLTK data."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from litestar.plugins import CLIPluginProtocol

from analysis import resources as nltk_resources
from app.settings import get_settings

# Kept literal so `chorus --help` needs no database tables imported.
AGENCY_NAMES = ["council_cyps", "police", "health", "camhs", "education", "housing", "youth_justice", "probation", "vcfs", "other"]


class ChorusCLIPlugin(CLIPluginProtocol):
    def on_cli_init(self, cli: click.Group) -> None:
        for group in (database, governance, demo, users, surveys, retention, nltk_data, worker):
            cli.add_command(group)


@click.group(help="Database schema.")
def database() -> None:
    pass


@database.command(help="Apply every pending migration (safe to run again).")
def upgrade() -> None:
    from app.database import migrate

    asyncio.run(migrate())
    click.echo("database is up to date")


async def _load_governance() -> str:
    from app.governance.services import load_structure

    summary = await load_structure()
    return (
        f"governance: {summary.boards} boards, {summary.workstreams} workstreams, "
        f"{summary.projects} projects, {summary.outcomes} outcomes"
    )


@click.command(help="Run background jobs (alerts, mail, schedules) until stopped; set CHORUS_JOB_WORKER=separate on the web processes.")
@click.option("--max-concurrency", type=click.IntRange(min=1), default=None, help="Jobs run at once (default 2).")
def worker(ctx: click.Context, max_concurrency: int | None) -> None:
    # The engine's own standalone runner (`chorus queues run`), under the name the Procfile uses;
    # Litestar's CLI passes `ctx`, which carries the app and so the engine's plugin.
    from litestar_queues._cli import run_command

    ctx.invoke(run_command, queues=(), max_concurrency=max_concurrency, drain_timeout=None)


@click.group(help="The partnership's structure.")
def governance() -> None:
    pass


@governance.command(name="load", help="Load the summit report's boards, workstreams, projects and outcomes (idempotent; fine in production).")
def governance_load() -> None:
    click.echo(asyncio.run(_load_governance()))


@click.group(help="Demonstration data (development only).")
def demo() -> None:
    pass


@demo.command(name="load", help="Load the partnership's structure, one demo account per role and the demo survey (idempotent).")
def demo_load() -> None:
    if get_settings().is_production:
        raise click.ClickException("demo data is for development only: refused because CHORUS_ENV=production")
    from app.accounts.demo import load_demo_users
    from app.findings.demo import load_demo_findings
    from app.governance.demo import load_demo_governance
    from app.reports.demo import load_demo_report
    from app.you_said_we_did.demo import load_demo_publication
    from surveys.boards.demo import load_demo_board
    from surveys.questionnaires.demo import load_demo_follow_up, load_demo_survey
    from surveys.questionnaires.finding import get_survey
    from surveys.user_tests.demo import load_demo_study

    async def load() -> tuple[str, list, int, dict, int, int, tuple[int, int]]:
        summary, accounts, (survey_id, responses) = await _load_governance(), await load_demo_users(), await load_demo_survey()
        await load_demo_governance()
        _, follow_up_responses = await load_demo_follow_up()
        findings = await load_demo_findings(threshold=get_settings().small_group_threshold)
        await load_demo_publication()
        await load_demo_report()
        await load_demo_board()
        study = await load_demo_study()
        return summary, accounts, responses, await get_survey(survey_id), follow_up_responses, findings, study

    summary, accounts, responses, survey, follow_up_responses, findings, (study_id, study_participants) = asyncio.run(load())
    click.echo(summary)
    click.echo(f"demo survey: /s/demo, or join code {survey['join_code']} at /join; {responses} generated responses added")
    click.echo(f"its follow-up wave: /s/demo-wave-2; {follow_up_responses} generated responses added (compared on /outcomes)")
    click.echo("retrospective board: /r/demo (finished: the summit's roses, thorns and buds, grouped, voted on, with actions)")
    click.echo(f"user test: /staff/user-tests/{study_id}/results; {study_participants} participants added")
    click.echo(f"findings: {findings} added from the demo survey's themes, sent to project 3.3a and answered (/findings)")
    created = [a for a in accounts if a.password]
    if created:
        click.echo("demo accounts (passwords are shown this once; admin and safeguarding lead set up a second factor at first sign-in):")
        for account in created:
            click.echo(f"  {account.role.value:<20} {account.email:<40} {account.password}")
    click.echo(f"demo accounts: {len(created)} created, {len(accounts) - len(created)} already there")


@click.group(help="Surveys.")
def surveys() -> None:
    pass


@surveys.command(name="purge-drafts", help="Delete unfinished answers past their expiry (run daily; starting a survey also does it).")
def purge_drafts() -> None:
    from surveys.questionnaires.drafts import purge_expired_drafts

    click.echo(f"deleted {asyncio.run(purge_expired_drafts())} expired unfinished answers")


@click.group(help="How long participants' answers are kept.")
def retention() -> None:
    pass


@retention.command(name="purge", help="Delete raw answers past their survey's retention period, and expired unfinished answers (run daily; safe to run again).")
def retention_purge() -> None:
    from surveys.participation.retention import purge_expired

    click.echo(f"retention: {asyncio.run(purge_expired())}")


@click.group(help="Staff accounts.")
def users() -> None:
    pass


@users.command(name="create-admin", help="Create an administrator who can sign in at once (asks for anything not given).")
@click.option("--email", prompt="Email")
@click.option("--name", "display_name", prompt="Display name")
@click.option("--agency", type=click.Choice(AGENCY_NAMES), default="council_cyps", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted for if not given.")
def create_admin(email: str, display_name: str, agency: str, password: str) -> None:
    from app.accounts import services
    from app.accounts.passwords import WeakPassword
    from app.accounts.roles import Role
    from app.accounts.tables import Agency

    try:
        user_id = asyncio.run(
            services.create_user_with_password(
                email=email, display_name=display_name, agency=Agency[agency], password=password,
                grants=[services.RoleGrant(Role.admin)],
            )
        )
    except (WeakPassword, services.AccountError) as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"administrator {services.normalise_email(email)} created (id {user_id}); set up a second factor at first sign-in")


@users.command(name="matrix", help="Print the role and permission matrix as Markdown.")
def matrix() -> None:
    from app.accounts.roles import matrix_markdown

    click.echo(matrix_markdown())


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
    still_missing = nltk_resources.download(settings.var_dir / "nltk_data", offline_source, note=click.echo)
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
