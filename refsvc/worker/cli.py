"""CLI commands: ``registry import/export``, ``check-links [--once]`` and ``db upgrade``."""
from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from pathlib import Path

import click
from flask import current_app
from ruamel.yaml import YAMLError
from flask.cli import AppGroup, with_appcontext

from refsvc import metrics
from refsvc.links.fetchable import refused_fields
from refsvc.links.registry import (RegistryError, describe_diff, diff_entries, dump_registry,
                                   parse_registry, update_document)
from refsvc.storage import get_database
from refsvc.storage import resources as store
from refsvc.words import plural
from refsvc.worker.progress import Progress

registry = AppGroup("registry", help="Load and save the resource registry (a YAML file).")
db = AppGroup("db", help="The database schema (Alembic migrations).")


OFFLINE_EXIT = 75  # EX_TEMPFAIL: "try again later", for cron and systemd to notice


def _tty() -> bool:
    # a dumb terminal cannot erase a line, so it gets the plain lines a log file gets
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def _progress(label: str, total: int = 0, *, tty: bool | None = None) -> Progress:
    """A Progress on standard output: an updating bar on a terminal, plain lines elsewhere."""
    def write(text: str) -> None:
        click.echo(text, nl=False)
        sys.stdout.flush()
    return Progress(write, tty=_tty() if tty is None else tty, label=label, total=total)


@registry.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--if-empty", is_flag=True, help="Import only when the registry is empty (make run).")
@click.option("--prune", is_flag=True, help="Also delete resources the file does not list (asks first).")
@click.option("--yes", is_flag=True, help="With --prune: delete without asking.")
@click.option("--dry-run", is_flag=True, help="Print what would change, field by field; change nothing.")
def import_registry(file: Path, if_empty: bool, prune: bool, yes: bool, dry_run: bool) -> None:
    """Create or update the resources listed in FILE (all or nothing)."""
    entries = _read_registry(file)
    database = get_database(current_app)
    with database.transaction() as session:
        existing = store.count_resources(session)
        current = {entry["id"]: entry for entry in store.export_entries(session)}
    if if_empty and existing:
        click.echo(f"The registry already holds {plural(existing, 'resource')}; nothing imported (--if-empty).")
        return
    changes = diff_entries(current, entries, prune=prune)
    if dry_run:
        _print_dry_run(file, changes, current)
        return
    doomed = [rid for action, rid, _ in changes if action == "delete"]
    if doomed and not yes:  # asked with no transaction open: the answer may take a person minutes
        names = ", ".join(f"{rid} ({current[rid]['name']})" for rid in doomed)
        if not sys.stdin.isatty():  # nobody to answer: a prompt would read end-of-file ("Aborted!")
            raise click.ClickException(
                f"--prune would delete {plural(len(doomed), 'resource')} that {file} does not list, "
                f"with their check history: {names}. Nothing imported or deleted. Run again with --yes "
                "to delete them, or without --prune to keep them.")
        if not click.confirm(f"--prune deletes {plural(len(doomed), 'resource')} that {file} does not "
                             f"list, with their check history: {names}. Delete them?"):
            raise click.ClickException("Nothing imported or deleted. Run again with --yes to "
                                       "delete without asking, or without --prune to keep them.")
    listed = {entry["id"] for entry in entries}
    with database.transaction() as session:
        if if_empty and store.count_resources(session):  # another import got there first
            click.echo("The registry was filled meanwhile; nothing imported (--if-empty).")
            return
        now_doomed = {e["id"] for e in store.export_entries(session) if e["id"] not in listed} \
            if prune and not yes else set()
        if not now_doomed <= set(doomed):
            raise click.ClickException(
                f"Resources were added while you answered ({', '.join(sorted(now_doomed - set(doomed)))}); "
                "nothing imported or deleted. Run the import again.")
        progress = _progress(f"Importing {file}", len(entries))
        try:
            counts = store.import_entries(
                session, entries, progress=lambda entry, action: progress.item(entry["id"], action))
            deleted = store.delete_missing(session, [e["id"] for e in entries]) if prune else []
        finally:
            progress.close()
        total = store.count_resources(session)
    click.echo(f"Imported {file}: {counts['created']} created, {counts['updated']} updated, "
               f"{counts['unchanged']} unchanged" + (f", {len(deleted)} deleted "
                                                      f"({', '.join(deleted)})" if deleted else "")
               + f"; the registry holds {plural(total, 'resource')}.")


def _read_registry(file: Path) -> list[dict]:
    text = _read_text(file, "Give the path of a registry YAML file (the repository's registry.yaml "
                            "is one), or write the current registry with `python -m refsvc.worker "
                            "registry export FILE`.")
    try:
        return parse_registry(text, source=str(file),
                              refuse=lambda entry: refused_fields(entry, current_app.config))
    except RegistryError as exc:
        details = "".join(f"\n  - {problem}" for problem in exc.problems)
        fix = f"Fix these entries in {file}" if exc.problems else f"Fix {file}"
        raise click.ClickException(f"{exc}{details}\n{fix} and run the import again.") from None


def _read_text(file: Path, otherwise: str) -> str:
    """A file's text, or one line saying why it cannot be read and ``otherwise``, what to do."""
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"Cannot read {file}: it is not UTF-8 text (byte "
                                   f"0x{exc.object[exc.start]:02x} at offset {exc.start}). Save it "
                                   "as UTF-8, or give another file.") from None
    except OSError as exc:
        raise click.ClickException(f"Cannot read {file}: {exc.strerror or exc}. {otherwise}") from None


def _print_dry_run(file: Path, changes: list, current: dict) -> None:
    if not changes:
        click.echo(f"Dry run: importing {file} would change nothing.")
        return
    counts = {action: sum(1 for a, _, _ in changes if a == action)
              for action in ("create", "update", "delete")}
    click.echo(describe_diff(changes, current))
    click.echo(f"Dry run: {counts['create']} to create, {counts['update']} to update, "
               f"{counts['delete']} to delete; nothing was changed.")


@registry.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def export_registry(file: Path | None) -> None:
    """Write the registry as YAML to FILE (standard output when left out).

    An existing FILE keeps its comments, its order and its layout: changed values are replaced
    in place, new resources added at the end, deleted ones dropped."""
    with get_database(current_app).transaction() as session:
        entries = store.export_entries(session)
    if file is None or str(file) == "-":
        click.echo(dump_registry(entries), nl=False)
        return
    try:
        old = _read_text(file, "Choose a writable path, or leave FILE out to print the YAML.") \
            if file.exists() else ""
        text = update_document(old, entries) if old.strip() else dump_registry(entries)
        file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"Cannot write {file}: {exc.strerror or exc}. Choose a "
                                   "writable path, or leave FILE out to print the YAML.") from None
    except (YAMLError, RegistryError) as exc:  # not a registry file ruamel can update
        raise click.ClickException(f"{file} is not a registry file ruamel.yaml can update ({exc}); "
                                   "write to a new file instead.") from None
    click.echo(f"Wrote {plural(len(entries), 'resource')} to {file}.", err=True)


def fast_commits(database) -> None:
    """On SQLite, this process's commits do not wait for the disk (WAL, synchronous=NORMAL).

    A checker commits a check per link, and a commit that waits for the disk caps it at the disk's
    flushes per second. NORMAL in WAL mode never corrupts the file; at worst a power cut forgets the
    last checks, which are then simply due again (their claims are forgotten with them).
    """
    from sqlalchemy import event

    if database.engine.dialect.name != "sqlite":
        return

    @event.listens_for(database.engine, "connect")
    def _normal(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
    database.engine.dispose()  # connections made before now get it too (they are made again)


def _refuse_useless_canaries(given: tuple[str, ...], settings) -> None:
    """A canary the checker may never fetch never answers, so it could never tell that the machine
    is offline (every failure of an offline round would count): refused before any check."""
    from refsvc.links.fetchable import refusal
    from refsvc.links.offline import canaries_from

    for url in given or canaries_from(settings):
        why = refusal(url, settings)
        if why and given:
            raise click.BadParameter(f"{url!r} cannot serve as a canary. {why}",
                                     param_hint="'--canary'")
        if why:
            raise click.ClickException(f"REFSVC_CHECK_CANARY_URLS holds {url!r}, which cannot serve "
                                       f"as a canary. {why}")


@click.command("check-links")
@click.option("--once", is_flag=True, help="Check what is due now, then exit.")
@click.option("--batch-size", type=click.IntRange(min=1), help="Resources claimed at a time.")
@click.option("--id", "ids", multiple=True, metavar="ID",
              help="Check this resource now, due or not (repeatable), then exit.")
@click.option("--all", "check_all", is_flag=True, help="Check every active resource now, then exit.")
@click.option("--canary", "canaries", multiple=True, metavar="URL",
              help="A URL that answers whenever this machine is online; if it does not either, "
                   "failures count for nothing (checker offline). Repeatable; default: the "
                   "CHECK_CANARY_URLS setting, else sites last seen working.")
@with_appcontext
def check_links(once: bool, batch_size: int | None, ids: tuple[str, ...], check_all: bool,
                canaries: tuple[str, ...]) -> None:
    """Check due resources: once, or in a loop until SIGTERM/Ctrl-C (the scheduler, with Celery too).

    With --once, --id or --all, the exit status is 75 (try again later) when the checker looked
    offline.
    """
    from refsvc.links.tracking import Tracker
    from refsvc.worker.checker import Checker
    from refsvc.worker.summary import Summary

    if ids and check_all:
        raise click.UsageError("Give --id or --all, not both.")
    _refuse_useless_canaries(canaries, current_app.config)
    forced = bool(ids) or check_all
    database = get_database(current_app)
    if ids:
        with database.transaction() as session:
            unknown = [i for i in dict.fromkeys(ids) if store.get_resource(session, i) is None]
        if unknown:
            raise click.ClickException(
                f"No resource with id {', '.join(unknown)}. `python -m refsvc.worker registry "
                "export` lists the ids.")
    fast_commits(database)
    tracker = Tracker(database, current_app.config)
    enqueue, task_size = None, 1
    if current_app.config["CELERY_BROKER_URL"] and not forced:  # optional: Celery workers check
        from refsvc.worker import celery

        celery.configure(current_app.config["CELERY_BROKER_URL"])
        enqueue, task_size = celery.enqueue, celery.TASK_RESOURCES
    checker = Checker(tracker, batch_size=batch_size, enqueue=enqueue, task_size=task_size,
                      canaries=list(canaries) if canaries else None)
    metrics.serve(current_app.config["METRICS_LISTEN"])  # its checks and outbound requests
    # A bar for a one-off run on a terminal; the loop (a service, usually) logs plain lines.
    total = len(set(ids)) if ids else 0 if check_all else checker.count_due() if once else 0
    if enqueue is None and not (once and not total):
        # the pages are read here: in worker processes, off the checking threads' GIL (not
        # started for a --once run with nothing due, which it would only slow down)
        tracker.read_in_processes()
    checker.progress = (_progress("Checking links", total) if once or forced
                        else _progress("Checking links", tty=False))
    # What start-up made (modules, styles, the app) lives as long as the process: frozen, the
    # cyclic collector's full passes during the run no longer walk it.
    gc.freeze()
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGTERM, signal.SIGINT)}
    busy = 0
    try:
        if forced:
            summary = Summary()
            asked, claimed, _ = checker.run_ids(list(dict.fromkeys(ids)) if ids else None, summary)
            busy = asked - claimed
        elif once:
            summary = checker.run_once(stop)
        else:
            click.echo(f"Checking links as {checker.worker_id}; stop with SIGTERM or Ctrl-C.")
            summary = checker.run_forever(stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        checker.progress.close()
        tracker.close()  # sends queued webhooks (a few seconds at most)
    click.echo(summary.text())
    gc.freeze()  # and the collection at exit skips it all (it took 0.4 s at the end of a --once run)
    if busy:
        click.echo(f"{plural(busy, 'resource was', 'resources were')} being checked by another checker "
                   "just now; its result counts.")
    if (once or forced) and summary.looked_offline:
        click.get_current_context().exit(OFFLINE_EXIT)


@db.command("upgrade")
@with_appcontext
def upgrade() -> None:
    """Bring the database to the newest schema (the app also does this when it starts)."""
    from refsvc.storage.db import head_revision

    database = get_database(current_app)
    ran = database.upgrade()
    click.echo(f"Database {'upgraded to' if ran else 'already at'} revision {head_revision()}.")


COMMANDS = [registry, db, check_links]
