"""``kasify-orders demo``, ``db …`` and ``outbox …``: running the shop, its schema and its outbox."""

from __future__ import annotations

import time

import click

from kasify_orders.commands.base import (
    _orders,
    _source,
    _url_option,
    _with_orders,
    console,
    main,
)
from kasify_orders.network import is_loopback
from kasify_orders.service import Orders
from kasify_orders.storage import counters, migrate

__all__ = [
    "db",
    "db_current",
    "db_downgrade",
    "db_rebuild_search",
    "db_upgrade",
    "demo",
    "outbox",
    "outbox_run",
]

# -- the demo --------------------------------------------------------------------------------


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to serve on; only this machine's (loopback) unless --i-know-this-is-public.",
)
@click.option("--port", default=5000, show_default=True, type=int, help="Port to serve on.")
@click.option(
    "--database",
    default="sqlite:///kasify-demo.sqlite3",
    show_default=True,
    help="Database URL; seeded with demo orders when it has none.",
)
@click.option(
    "--i-know-this-is-public",
    "public",
    is_flag=True,
    help="Serve on a --host other machines can reach, although the demo has no login.",
)
def demo(host: str, port: int, database: str, *, public: bool) -> None:
    """Run the demo shop: catalogue, cart, checkout, the merchant's pages and the emails sent.

    The merchant's pages have no login in the demo: whoever reaches them sees the customers'
    names, addresses and emails and can refund orders. So it serves on this machine only
    (127.0.0.1) unless told --i-know-this-is-public.
    """
    if not is_loopback(host) and not public:
        raise click.UsageError(
            f"--host {host} would let other machines reach the demo, which has no login: anyone "
            "there could see customers' data and refund orders. Leave --host out to serve on "
            "127.0.0.1, or add --i-know-this-is-public if that is what you want."
        )
    try:
        from kasify_orders.demo import MailSink, create_app  # noqa: PLC0415 - needs the demo extra
    except ImportError as error:
        raise click.ClickException(
            f"the demo needs Flask, Flask-WTF and aiosmtpd ({error.name} is missing): "
            "pip install 'kasify-orders[demo]'"
        ) from error
    sink = MailSink().start()
    try:
        app = create_app(database, mail_sink=sink)
        base = f"http://{host}:{port}"
        click.echo(f"Demo shop:        {base}/")
        click.echo(f"Merchant's pages: {base}/admin/orders/")
        click.echo(f"Emails sent:      {base}/mail/   (SMTP sink on {sink.url})")
        click.echo(f"JSON API:         {base}/api/orders  (document: {base}/api/orders/openapi.json)")
        if is_loopback(host):
            click.echo("No login: served on this machine only (loopback).")
        else:
            click.echo(
                f"WARNING: no login, and served on {host}: whoever reaches it sees customers' data "
                "and can refund orders.",
                err=True,
            )
        app.run(host=host, port=port, use_reloader=False, threaded=True)
    finally:
        sink.stop()


# -- migrations -------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Apply, inspect or revert the migrations of kasify's tables."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Migrate up to this revision.")
@_url_option
@click.pass_context
def db_upgrade(ctx: click.Context, revision: str) -> None:
    """Apply the shipped migrations (safe to run on every deploy)."""
    with _orders(ctx, creating=True) as orders:
        before = migrate.current(orders.store)
        if revision == "head":
            orders.migrate()  # kasify's chain and the emails' ledger's
        else:
            migrate.upgrade(orders.store, revision)
        after = migrate.current(orders.store)
    console.print(
        f"Database at revision {after}" + ("" if before == after else f" (was {before or 'empty'})")
    )


@db.command("current")
@_url_option
@click.pass_context
def db_current(ctx: click.Context) -> None:
    """Show the revision the database is at, and the newest one shipped."""
    with _orders(ctx) as orders:
        at = migrate.current(orders.store)
    head = migrate.head()
    upgrade = _source(ctx).upgrade_command
    state = "up to date" if at == head else f"behind: run '{upgrade}' to reach {head}"
    console.print(f"{at or 'empty'} ({state})")


@db.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_url_option
@click.pass_context
def db_downgrade(ctx: click.Context, revision: str, yes: bool) -> None:
    """Revert migrations down to REVISION ('base' drops every kasify table and its data)."""
    if not yes:
        click.confirm(f"Revert kasify's tables to {revision}? Data in dropped tables is lost", abort=True)
    with _orders(ctx) as orders:
        migrate.downgrade(orders.store, revision)
        console.print(f"Database at revision {migrate.current(orders.store) or 'empty'}")


@db.command("rebuild-search")
@click.option("--missing-only", is_flag=True, help="Only orders with no search terms (faster).")
@_with_orders
def db_rebuild_search(orders: Orders, *, missing_only: bool) -> None:
    """Index every order for search by name and email again (safe while the shop runs).

    Needed once for orders written by a version older than the search index or by another
    program; 'kasify-orders check' says when some orders are not indexed.
    """
    count = orders.rebuild_search(only_missing=missing_only)
    console.print(f"Indexed {count} orders for search")


@db.command("rebuild-counters")
@_with_orders
def db_rebuild_counters(orders: Orders) -> None:
    """Count the orders in each status again (safe while the shop runs).

    The list's tab counts are kept as counters changed with each order; needed only when
    orders were written around kasify (another program, a restored table). 'kasify-orders
    check' says when they differ.
    """
    counted = orders.store.rebuild_status_counts()
    total = sum(value for name, value in counted.items() if name.startswith(counters.STATUS))
    console.print(f"Counted {total} orders")


# -- the outbox -------------------------------------------------------------------------------


@main.group()
def outbox() -> None:
    """Events waiting for their hooks (emails, webhooks, plugins)."""


@outbox.command("status")
@_with_orders
def outbox_status(orders: Orders) -> None:
    """How many events wait, how many are dead, and why the dead ones failed."""
    waiting = orders.store.outbox_items(dead=False)
    dead = orders.store.outbox_items(dead=True)
    console.print(f"{len(waiting)} waiting, {len(dead)} dead")
    for item in dead:
        console.print(
            f"dead: {item.hook} for order {item.order_id} after {item.attempts} attempts "
            f"(event {item.id}): {item.last_error}",
            soft_wrap=True,
        )


@outbox.command("run")
@click.option("--worker", is_flag=True, help="Keep running, delivering as events become due.")
@click.option(
    "--interval", default=2.0, show_default=True, type=float, help="Seconds between polls (--worker)."
)
@click.option("--retry-now", is_flag=True, help="Also deliver events waiting out their retry backoff.")
@_with_orders
def outbox_run(orders: Orders, *, worker: bool, interval: float, retry_now: bool) -> None:
    """Deliver due events now (or keep doing so with --worker; stop with Ctrl-C)."""
    delivered = orders.deliver_pending(retry_now=retry_now)
    console.print(f"Delivered {delivered} events")
    try:
        while worker:
            time.sleep(interval)
            delivered = orders.deliver_pending()
            if delivered:
                console.print(f"Delivered {delivered} events")
    except KeyboardInterrupt:
        console.print("Stopped")


@outbox.command("retry-dead")
@_with_orders
def outbox_retry_dead(orders: Orders) -> None:
    """Make events that used up their attempts due again (then run 'outbox run')."""
    console.print(f"{orders.retry_dead()} dead events are due again")
