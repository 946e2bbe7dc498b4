"""Command line: `flask --app ideaportal user|demo|ideas|bench|counters|cache ...`, calling the same services as the web."""
import sys

import click
from flask import Flask

from .errors import DomainError
from .rules import ROLES


def register(app: Flask) -> None:
    app.cli.add_command(user)
    app.cli.add_command(demo)
    app.cli.add_command(ideas)
    app.cli.add_command(bench)
    app.cli.add_command(worker)
    app.cli.add_command(mail)
    app.cli.add_command(counters)
    app.cli.add_command(cache)


def _fail(error: DomainError):
    raise click.ClickException(error.message)


@click.group(help="Manage accounts.")
def user():
    pass


@user.command("create")
@click.argument("email")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
def user_create(email: str, username: str, password: str, role: str):
    """Create an account with EMAIL."""
    from .auth.services import register as register_user

    try:
        account = register_user(email=email, username=username, password=password, role=role, verified=True)
    except DomainError as error:
        _fail(error)
    click.echo(f"Created {account.role} {account.username} <{account.email}>.")


@user.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def user_set_role(email: str, role: str):
    """Give the account with EMAIL the ROLE member, pm or admin (recorded in the audit log)."""
    from .settings import queries, services

    try:
        account = services.change_role(user_id=queries.user_id_for_email(email), role=role, actor_id=None)
    except DomainError as error:
        _fail(error)
    click.echo(f"{account.username} <{account.email}> is now {account.role}.")


@click.group(help="Demo data for a first look.")
def demo():
    pass


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has ideas.")
def demo_load(if_empty: bool):
    """Load categories, users, about 70 ideas (some in Storm Sessions), votes and comments."""
    from . import demo as demo_data

    if if_empty and not demo_data.is_empty():
        click.echo("The database already has ideas; demo data not loaded.")
        return
    summary = demo_data.load()
    click.echo(summary)


@click.group(help="Maintain ideas.")
def ideas():
    pass


@ideas.command("recount")
def ideas_recount():
    """Recompute every idea's counters and hot rank from the votes and comments."""
    from .ideas.services import recount_all

    click.echo(f"Recounted; {recount_all()} idea(s) had drifted and were corrected.")


@ideas.command("archive-stale")
@click.option("--months", type=click.IntRange(1), default=6, show_default=True,
              help="Archive `new` ideas with no vote, comment or edit for this many months.")
@click.option("--response", default=None, help="The public response on each idea (default: explains the rule).")
@click.option("--dry-run", is_flag=True, help="Only list the ideas that would be archived.")
def ideas_archive_stale(months: int, response: str | None, dry_run: bool):
    """Move stale `new` ideas to Archived, each with a public response, in one transaction."""
    from .triage import queries, services

    if dry_run:
        stale = queries.stale_ideas(months=months)
        for idea_id, title in stale:
            click.echo(f"#{idea_id} {title}")
        click.echo(f"Would archive {len(stale)} idea(s) idle for {months} month(s); nothing changed.")
        return
    try:
        archived = services.archive_stale(months=months, response=response)
    except DomainError as error:
        _fail(error)
    click.echo(f"Archived {len(archived)} idea(s) idle for {months} month(s).")


@click.group(help="Benchmark data.")
def bench():
    pass


@bench.command("seed")
@click.option("--ideas", "idea_count", type=click.IntRange(1), default=10_000, show_default=True)
@click.option("--users", "user_count", type=click.IntRange(1), default=1_000, show_default=True)
@click.option("--votes-per-idea", type=click.IntRange(0), default=5, show_default=True,
              help="At most this many per idea; half of it on average.")
@click.option("--comments-per-idea", type=click.IntRange(0), default=2, show_default=True,
              help="At most this many per idea; half of it on average.")
@click.option("--seed", type=int, default=1, show_default=True)
def bench_seed(idea_count: int, user_count: int, votes_per_idea: int, comments_per_idea: int, seed: int):
    """Bulk-load synthetic members, ideas, votes, comments and answers, every stored number exact.

    Every bench member's password is `bench-password-2026`; one product manager comes with them.
    """
    from .bench import seed as seed_data

    with click.progressbar(length=idea_count, label="Ideas", file=sys.stderr, show_pos=True, show_eta=True) as bar:
        summary = seed_data(ideas=idea_count, users=user_count, votes_per_idea=votes_per_idea,
                            comments_per_idea=comments_per_idea, seed=seed, progress=bar.update)
    click.echo(summary)


@click.command(help="Run the job engine's worker: mail, digests and scheduled work. Stop it with Ctrl-C.")
@click.option("--workers", default=2, show_default=True, help="Threads sending mail and running jobs.")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Also run the scheduled jobs (digests, pruning, archiving, the outbox sweep). With several "
                   "worker processes, one with --periodic is enough.")
def worker(workers: int, periodic: bool):
    import logging

    from flask import current_app

    from .jobs import jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    engine = jobs()
    click.echo(f"Worker for {current_app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]} "
               f"on {type(engine.huey).__name__}, {workers} thread(s).")
    # A SQLite queue is polled: at most a second between looks keeps mail "within seconds" (Redis blocks instead).
    engine.huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic, max_delay=1.0,
                                check_worker_health=True).run()


@click.group(help="The shared cache (aggregates and visitors' pages).")
def cache():
    pass


@cache.command("clear")
def cache_clear():
    """Forget every cached aggregate and page: after a release that changes pages, or a restored database."""
    from . import cache as shared

    shared.clear()
    click.echo("The cache is empty.")


@click.group(help="The mail outbox.")
def mail():
    pass


@mail.command("retry-dead")
def mail_retry_dead():
    """Give every dead letter a fresh set of attempts."""
    from .mail.outbox import retry_dead

    click.echo(f"{len(retry_dead())} dead letter(s) will be tried again.")


@mail.command("digest")
def mail_digest():
    """Queue the daily digests now, instead of waiting for DIGEST_HOUR."""
    from .notifications.services import queue_digests

    click.echo(f"{len(queue_digests())} digest(s) queued.")


@click.group(help="The stored numbers (counters, hot ranks, activity dates, the search index) against their rows.")
def counters():
    pass


@counters.command("check")
def counters_check():
    """Report every stored number that disagrees with its rows; exit with status 1 if any does."""
    from .counters import check

    drifts = check()
    _report(drifts, "drifted")
    if drifts:
        raise SystemExit(1)


@counters.command("repair")
def counters_repair():
    """Recompute every drifted number from its rows, in one transaction."""
    from .counters import repair

    _report(repair(), "repaired")


def _report(drifts, done: str) -> None:
    for drift in drifts:
        click.echo(f"{drift.kind}: {drift.count:,} {done}")
        for example in drift.examples:
            click.echo(f"  {example}")
    if not drifts:
        click.echo("No drift: every stored number agrees with its rows.")
