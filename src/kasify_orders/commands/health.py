"""``kasify-orders saleor …`` and ``check``: the Saleor App's records and the health check."""

from __future__ import annotations

import logging
import smtplib
import sys
from collections.abc import Callable
from contextlib import ExitStack
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import click

from kasify_orders import notifications
from kasify_orders.commands.base import (
    _one_line,
    _shown,
    _source,
    _url_option,
    _with_orders,
    console,
    main,
)
from kasify_orders.model import utcnow
from kasify_orders.notifications import readiness
from kasify_orders.service import Orders
from kasify_orders.storage import migrate

__all__ = ["check", "saleor"]

# -- the Saleor App ----------------------------------------------------------------------------


def _saleor() -> Any:
    try:
        from kasify_orders.adapters import saleor  # noqa: PLC0415 - needs the saleor extra
    except ImportError as error:
        raise click.ClickException(
            f"the Saleor commands need the saleor extra ({error.name} is missing): "
            "pip install 'kasify-orders[saleor]'"
        ) from error
    return saleor


def _installations(orders: Orders) -> Any:
    return _saleor().Installations(orders.store)


@main.group()
def saleor() -> None:
    """The Saleor App's installations and its record of processed webhooks."""


@saleor.command("installs")
@_with_orders
def saleor_installs(orders: Orders) -> None:
    """List the Saleor instances that installed the app."""
    for install in _installations(orders).all():
        state = "active" if install.active else f"removed {install.removed_at:%Y-%m-%d %H:%M} UTC"
        since = f"installed {install.installed_at:%Y-%m-%d %H:%M} UTC"
        console.print(f"{install.api_url}  ({install.domain}, {since}, {state})", soft_wrap=True)


@saleor.command("uninstall")
@click.argument("api_url")
@_with_orders
def saleor_uninstall(orders: Orders, *, api_url: str) -> None:
    """Stop accepting webhooks from API_URL and writing back to it (its orders are kept)."""
    why = "Uninstalled with kasify-orders saleor uninstall"
    if not _saleor().uninstall(_installations(orders), api_url, why=why):
        raise click.ClickException(
            f"{api_url} is not an active installation (see 'kasify-orders saleor installs')"
        )
    console.print(f"{api_url} uninstalled: its webhooks are refused from now on")


@saleor.command("prune")
@click.option("--older-than-days", default=7, show_default=True, type=click.IntRange(min=1))
@_with_orders
def saleor_prune(orders: Orders, *, older_than_days: int) -> None:
    """Forget webhooks processed more than N days ago (Saleor's retries stop long before)."""
    forgotten = _installations(orders).forget_seen_before(utcnow() - timedelta(days=older_than_days))
    console.print(f"Forgot {forgotten} processed webhooks")


# -- check -------------------------------------------------------------------------------------


@main.command()
@_url_option
@click.pass_context
def check(ctx: click.Context) -> None:
    """Diagnose the configuration and the database; exit 1 when something needs fixing.

    Says too (WARN, without failing) when emails cannot be sent: no transport, or no real
    from address.
    """
    problems = 0

    def report(ok: bool, what: str, detail: str) -> None:
        nonlocal problems
        problems += not ok
        mark = "[green]ok[/green]  " if ok else "[red]FAIL[/red]"
        console.print(f"{mark} {what}: {detail}", soft_wrap=True)  # one finding, one line

    source = _source(ctx)
    url = source.url
    emails_log = logging.getLogger(readiness.log.name)
    emails_log.disabled = True  # the check reports what connect would log, once
    with ExitStack() as opened:
        try:
            orders = opened.enter_context(source.open())
        except click.BadParameter:
            raise
        except Exception as error:  # noqa: BLE001 - every failure is a finding to report
            report(False, "connect", f"{_shown(url)}: {_one_line(error)}")
            sys.exit(1)
        finally:
            emails_log.disabled = False
        try:
            at = migrate.current(orders.store)
        except Exception as error:  # noqa: BLE001
            report(False, "database", f"cannot read {_shown(url)}: {_one_line(error)}")
        else:
            report(True, "database", orders.store.location())
            head = migrate.head()
            report(
                at == head,
                "schema",
                f"at {at or 'nothing'}, newest {head}"
                + ("" if at == head else f" (run '{source.upgrade_command}')"),
            )
            if at == head:
                dead = orders.store.outbox_items(dead=True)
                report(
                    not dead,
                    "outbox",
                    f"{len(dead)} dead events" + (" (see 'kasify-orders outbox status')" if dead else ""),
                )
                unindexed = orders.store.count_unindexed_orders()
                report(
                    not unindexed,
                    "search",
                    f"{unindexed} orders are not indexed, so a search by name or email misses them "
                    "(run 'kasify-orders db rebuild-search --missing-only')"
                    if unindexed
                    else "every order is indexed",
                )
                drifted = orders.store.status_count_drift()
                report(
                    not drifted,
                    "counts",
                    f"{len(drifted)} status counts differ from the orders "
                    "(run 'kasify-orders db rebuild-counters')"
                    if drifted
                    else "the status counts match the orders",
                )
                _check_saleor(orders, report)
        names = sorted(name for name, _ in orders.plugins.list_name_plugin() if name)
        report(True, "plugins", ", ".join(names))
        if orders.settings.smtp_url:
            report(*_smtp_reachable(orders.settings.smtp_url))
        email_problems = notifications.email_problems_of(orders)
        for problem in email_problems:  # a warning: a shop may run without emails on purpose
            console.print(f"[yellow]WARN[/yellow] emails: {problem}", soft_wrap=True)
        if not email_problems:
            report(True, "emails", f"sent from {orders.settings.from_email}")
    sys.exit(1 if problems else 0)


def _check_saleor(orders: Orders, report: Callable[[bool, str, str], None]) -> None:
    """Report each Saleor installation, failing on what the merchant must fix (Saleor's own emails)."""
    try:
        from kasify_orders.adapters import saleor  # noqa: PLC0415 - only with the saleor extra
    except ImportError:
        return
    if saleor.SALEOR_TABLES.current(orders.store) is None:  # the Saleor App never set up here
        return
    for installation in saleor.Installations(orders.store).all():
        notices = saleor.installation_warnings([installation])
        notice = notices[0] if notices else f"{installation.api_url}: Saleor's own customer emails are off"
        report(not (installation.active and installation.email_warning), "saleor", notice)


def _smtp_reachable(url: str) -> tuple[bool, str, str]:
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or (465 if parts.scheme == "smtps" else 25)
    client_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    try:
        with client_class(host, port, timeout=5) as client:
            code, _ = client.noop()
    except OSError as error:
        return False, "smtp", f"{host}:{port} unreachable: {error}"
    return code == 250, "smtp", f"{host}:{port} answers"
