"""The ``kasify-orders`` command: the demo, migrations, orders, the outbox and a health check.

Every command but ``demo`` works on the database named by ``--url`` (before or after the
subcommand) or ``KASIFY_ORDERS_DATABASE_URL``; a database it cannot use is one line on
stderr. Settings come from ``--settings module:attribute`` (a :class:`~kasify_orders.Settings`)
or, for the common ones, from environment variables (``KASIFY_ORDERS_SMTP_URL``,
``KASIFY_ORDERS_FROM_EMAIL``, ...): a delivery worker must send emails exactly as the web app
would. Exit status: 0 done, 1 refused or failed (the message says why), 2 bad usage.
"""

from __future__ import annotations

import importlib
import logging
import os
import smtplib
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import urlsplit

import attrs
import click
import sqlalchemy as sa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from kasify_orders import export, money, notifications
from kasify_orders.errors import KasifyError, StorageError, ValidationError
from kasify_orders.lifecycle import PaymentStatus, RefundStatus, Status
from kasify_orders.model import Order, utcnow
from kasify_orders.network import is_loopback
from kasify_orders.notifications import readiness
from kasify_orders.service import DATABASE_URL_ENV, DEFAULT_DATABASE_URL, Orders
from kasify_orders.settings import Settings
from kasify_orders.storage import migrate
from kasify_orders.storage.store import OrderFilter

__all__ = ["SOURCE", "OrdersSource", "main"]

F = TypeVar("F", bound=Callable[..., Any])

console = Console(highlight=False)

#: Settings read from the environment when no ``--settings`` object is given.
_ENV_SETTINGS = {
    "KASIFY_ORDERS_STORE_NAME": "store_name",
    "KASIFY_ORDERS_FROM_EMAIL": "from_email",
    "KASIFY_ORDERS_SMTP_URL": "smtp_url",
    "KASIFY_ORDERS_TABLE_PREFIX": "table_prefix",
    "KASIFY_ORDERS_DB_SCHEMA": "db_schema",
    "KASIFY_ORDERS_ADMIN_BASE_URL": "admin_base_url",
}


def _settings(spec: str | None) -> Settings:
    if spec:
        module_name, _, attribute = spec.partition(":")
        try:
            value = getattr(importlib.import_module(module_name), attribute or "SETTINGS")
        except (ImportError, AttributeError) as error:
            raise click.BadParameter(f"cannot import {spec!r}: {error}", param_hint="--settings") from None
        if not isinstance(value, Settings):
            raise click.BadParameter(f"{spec!r} is not a kasify_orders.Settings", param_hint="--settings")
        return value
    values: dict[str, Any] = {
        field: os.environ[env] for env, field in _ENV_SETTINGS.items() if os.environ.get(env)
    }
    alerts = os.environ.get("KASIFY_ORDERS_NEW_ORDER_ALERT_EMAILS")
    if alerts:
        values["new_order_alert_emails"] = tuple(a.strip() for a in alerts.split(",") if a.strip())
    return Settings(deliver_inline=False, **values)


#: The ``ctx.meta`` key of the :class:`OrdersSource` the commands use, when not ``--url``'s.
SOURCE = "kasify_orders.cli.source"


@attrs.frozen
class OrdersSource:
    """Where the commands get their ``Orders``: ``flask kasify`` sets the app's in ``ctx.meta``."""

    #: The database, as messages name it.
    url: str
    #: Opens the ``Orders``; leaving the context closes it if it is the command's own.
    open: Callable[[], AbstractContextManager[Orders]]
    #: The command that applies the migrations, for messages saying to run it.
    upgrade_command: str = "kasify-orders db upgrade"


def _source(ctx: click.Context, *, creating: bool = False) -> OrdersSource:
    """The ``Orders`` of ``--url`` and ``--settings``, unless a host's command group gave its own.

    A SQLite file that does not exist is refused unless *creating* (``db upgrade``): a typo in
    the URL must not quietly make an empty database.
    """
    source = ctx.meta.get(SOURCE)
    if isinstance(source, OrdersSource):
        return source
    url, spec = ctx.obj["url"], ctx.obj["settings"]

    def connect() -> Orders:
        settings = _settings(spec)
        if not creating:
            _refuse_missing_sqlite_file(url)
        return Orders.connect(url, settings=settings, migrate=False)

    return OrdersSource(url=url, open=connect)


def _refuse_missing_sqlite_file(url: str) -> None:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return  # Orders.connect says what is wrong with it
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return
    if database.startswith("file:") or parsed.query.get("uri"):
        return  # SQLite's own URI syntax: its mode= says whether to create
    if not Path(database).is_file():
        raise click.ClickException(
            f"no SQLite database at {database} (from {url}): check the URL, "
            "or create it with 'kasify-orders db upgrade'"
        )


def _one_line(error: BaseException) -> str:
    """The first line of what went wrong: a database driver's message, without SQL or links."""
    cause = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


@contextmanager
def _orders(ctx: click.Context, *, migrate_now: bool = False, creating: bool = False) -> Iterator[Orders]:
    """Connect to the database, turning every failure into a one-line message (exit 1)."""
    source = _source(ctx, creating=creating)
    try:
        with source.open() as orders:
            if migrate_now:
                orders.migrate()
            yield orders
    except ValidationError as error:
        raise click.ClickException("; ".join(str(e) for e in error.errors)) from None
    except StorageError as error:
        raise click.ClickException(f"database {_shown(source.url)}: {error}") from None
    except KasifyError as error:
        raise click.ClickException(str(error)) from None
    except sa.exc.SQLAlchemyError as error:  # unreachable, refused, not migrated, a bad URL ...
        hint = f" (run '{source.upgrade_command}'?)" if _missing_table(error) else ""
        raise click.ClickException(f"database {_shown(source.url)}: {_one_line(error)}{hint}") from None


def _missing_table(error: sa.exc.SQLAlchemyError) -> bool:
    text = str(getattr(error, "orig", error)).lower()
    return any(sign in text for sign in ("no such table", "does not exist", "doesn't exist"))


def _shown(url: str) -> str:
    """*url* with its password hidden."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return repr(url)


def _url_option(function: F) -> F:
    """``--url`` after the subcommand too: ``kasify-orders orders list --url ...``."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value is not None and isinstance(ctx.obj, dict):
            ctx.obj["url"] = value

    return click.option(
        "--url",
        metavar="URL",
        expose_value=False,
        callback=remember,
        help=f"Database URL (as before the command; or ${DATABASE_URL_ENV}).",
    )(function)


def _with_orders(function: F) -> F:
    """Pass the connected ``Orders`` as the command's first argument."""

    @click.pass_context
    def wrapper(ctx: click.Context, /, *args: Any, **kwargs: Any) -> Any:
        with _orders(ctx) as orders:
            return function(orders, *args, **kwargs)

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return _url_option(wrapper)  # type: ignore[return-value]


@click.group()
@click.version_option(package_name="kasify-orders")
@click.option(
    "--url",
    envvar=DATABASE_URL_ENV,
    default=DEFAULT_DATABASE_URL,
    show_default=True,
    help=f"Database URL (or ${DATABASE_URL_ENV}).",
)
@click.option("--settings", "settings_spec", metavar="MODULE:ATTR", help="A kasify_orders.Settings to use.")
@click.pass_context
def main(ctx: click.Context, url: str, settings_spec: str | None) -> None:
    """Order management for Flask, Django and Saleor shops."""
    ctx.ensure_object(dict)
    ctx.obj.update(url=url, settings=settings_spec)


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


# -- orders -------------------------------------------------------------------------------------


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount} {currency}"


@main.group("orders")
def orders_group() -> None:
    """List, show, export and act on orders."""


@orders_group.command("list")
@click.option("--status", type=click.Choice([s.value for s in Status]), help="Only this status.")
@click.option(
    "--payment-status", type=click.Choice([s.value for s in PaymentStatus]), help="Only this payment status."
)
@click.option("--search", help="Order number, tracking number, or the start of any word of a name or email.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@click.option("--cursor", help="The cursor printed under the previous page.")
@_with_orders
def orders_list(
    orders: Orders,
    *,
    status: str | None,
    payment_status: str | None,
    search: str | None,
    limit: int,
    cursor: str | None,
) -> None:
    """List orders, newest first."""
    page = orders.list(
        status=status, payment_status=payment_status, search=search, limit=limit, cursor=cursor
    )
    table = Table("Number", "Placed (UTC)", "Customer", "Status", "Payment", "Total", box=None)
    for summary in page.items:
        table.add_row(
            f"#{summary.number}",
            f"{summary.created_at:%Y-%m-%d %H:%M}",
            f"{summary.customer.name} <{summary.customer.email}>",
            summary.status.label,
            summary.payment_status.label,
            _money(summary.totals.total, summary.currency),
        )
    console.print(table)
    if page.next_cursor:
        console.print(f"More: --cursor {page.next_cursor}")


def _find(orders: Orders, number: int) -> Order:
    return orders.get_by_number(number)


def _print_order(order: Order) -> None:
    console.print(
        f"[bold]Order #{order.number}[/bold]  {order.status.label} · payment {order.payment_status.label}"
    )
    console.print(f"Customer: {order.customer.name} <{order.customer.email}>")
    address = order.shipping_address
    parts = [address.line1, address.line2, address.city, address.region, address.postal_code, address.country]
    console.print("Ship to:  " + ", ".join(part for part in parts if part))
    if order.customer_note:
        console.print(f"[reverse] Customer note: {order.customer_note} [/reverse]")
    lines = Table("SKU", "Product", "Variant", "Qty", "Price", "Total", box=None)
    for line in order.lines:
        lines.add_row(
            line.sku, line.name, line.variant, str(line.quantity), str(line.unit_price), str(line.total)
        )
    console.print(lines)
    totals = order.totals
    console.print(f"Subtotal {totals.subtotal}  Shipping {totals.shipping}", end="")
    if totals.discount:
        console.print(f"  Discount ({order.coupon_code or 'coupon'}) -{totals.discount}", end="")
    console.print(f"  [bold]Total {_money(totals.total, order.currency)}[/bold]")
    if totals.refunded:
        console.print(f"Refunded {totals.refunded}, refundable {totals.refundable}")
    if order.shipment:
        shipment = order.shipment
        console.print(
            f"Shipped via {shipment.carrier}: {shipment.tracking_number} {shipment.tracking_url or ''}"
        )
    timeline = Table("When (UTC)", "Who", "What", box=None)
    for entry in order.timeline:
        timeline.add_row(f"{entry.at:%Y-%m-%d %H:%M:%S}", entry.actor or "system", entry.message)
    console.print(timeline)


@orders_group.command("show")
@click.argument("number", type=int)
@_with_orders
def orders_show(orders: Orders, *, number: int) -> None:
    """Show order NUMBER with its lines, totals and timeline."""
    _print_order(_find(orders, number))


@orders_group.command("ship")
@click.argument("number", type=int)
@click.option("--tracking-number", required=True, help="The parcel's tracking number.")
@click.option("--carrier", required=True, help="ups, fedex, dhl, usps, royal_mail, ... or a custom carrier.")
@click.option("--actor", default="cli", show_default=True, help="Who acts, for the timeline.")
@_with_orders
def orders_ship(orders: Orders, *, number: int, tracking_number: str, carrier: str, actor: str) -> None:
    """Mark order NUMBER as shipped."""
    order = orders.mark_shipped(
        _find(orders, number).id, tracking_number=tracking_number, carrier=carrier, actor=actor
    )
    assert order.shipment is not None
    console.print(f"Order #{order.number} shipped: {order.shipment.tracking_number}")


def _amount(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return money.parse_amount(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--amount") from None


def _new_key() -> str:
    return f"cli-{uuid.uuid4().hex}"


def _print_key(key: str) -> None:
    console.print(f"Idempotency key: {key}", soft_wrap=True)
    console.print("To retry this refund safely, repeat the command with --idempotency-key and this key.")


def _print_refund(order: Order, key: str) -> None:
    made = next((refund for refund in order.refunds if refund.idempotency_key == key), None)
    if made is not None and made.status is RefundStatus.PENDING:
        console.print(
            f"Order #{order.number}: refund of {_money(made.amount, order.currency)} sent to the payment "
            f"provider, pending its answer. To finish it, repeat with --idempotency-key {key} "
            "(or run `kasify-orders outbox run`).",
            soft_wrap=True,
        )
        return
    console.print(
        f"Order #{order.number}: refunded {_money(order.totals.refunded, order.currency)} in all, "
        f"{order.totals.refundable} left; payment {order.payment_status.label}"
    )


_KEY_HELP = (
    "Identifies this refund: repeat the command with the same key and nothing is refunded twice "
    "(a refund left pending is finished). Default: a new key, printed."
)


@orders_group.command("refund")
@click.argument("number", type=int)
@click.option("--amount", help="Amount to refund; the whole refundable balance when left out.")
@click.option("--note", default="", help="Internal note (never shown to the customer).")
@click.option("--idempotency-key", help=_KEY_HELP)
@click.option("--actor", default="cli", show_default=True, help="Who acts, for the timeline.")
@_with_orders
def orders_refund(
    orders: Orders, *, number: int, amount: str | None, note: str, idempotency_key: str | None, actor: str
) -> None:
    """Refund order NUMBER (all that is left, or --amount)."""
    key = idempotency_key or _new_key()
    if idempotency_key is None:
        _print_key(key)
    order = orders.refund(
        _find(orders, number).id, _amount(amount), note=note, idempotency_key=key, actor=actor
    )
    _print_refund(order, key)


@orders_group.command("cancel")
@click.argument("number", type=int)
@click.option("--reason", default="", help="Why, for the timeline.")
@click.option("--no-restock", is_flag=True, help="Do not put tracked items back in stock.")
@click.option("--refund", is_flag=True, help="Also refund the whole balance (cancel and refund, one action).")
@click.option("--idempotency-key", help=_KEY_HELP + " Only with --refund.")
@click.option("--actor", default="cli", show_default=True, help="Who acts, for the timeline.")
@_with_orders
def orders_cancel(
    orders: Orders,
    *,
    number: int,
    reason: str,
    no_restock: bool,
    refund: bool,
    idempotency_key: str | None,
    actor: str,
) -> None:
    """Cancel order NUMBER (with --refund, refund its balance too)."""
    if idempotency_key is not None and not refund:
        raise click.BadParameter("only with --refund", param_hint="--idempotency-key")
    key = None
    if refund:
        key = idempotency_key or _new_key()
        if idempotency_key is None:
            _print_key(key)
    before = _find(orders, number)
    order = orders.cancel(
        before.id, reason=reason, restock=not no_restock, refund=refund, idempotency_key=key, actor=actor
    )
    if order.status is not Status.CANCELLED:
        console.print(
            f"Order #{order.number}: the refund is pending at the payment provider; the order is "
            "cancelled once it confirms."
        )
        return
    refunded = order.totals.refunded - before.totals.refunded
    suffix = f" and {_money(refunded, order.currency)} refunded" if refunded else ""
    console.print(f"Order #{order.number} cancelled{suffix}")


@orders_group.command("export")
@click.option("--format", "kind", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
    required=True,
    help="The file to write ('-': standard output).",
)
@click.option("--status", type=click.Choice([s.value for s in Status]), help="Only this status.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_with_orders
def orders_export(orders: Orders, *, kind: str, output: Path, status: str | None, quiet: bool) -> None:
    """Export orders, oldest first: CSV (a row per order) or JSON Lines (whole orders).

    Orders are streamed in batches, so memory stays flat at any size.
    """
    where = OrderFilter(status=Status(status) if status else None)
    total = orders.store.count_orders(where)
    columns = (TextColumn("Exporting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with (
        _output(output) as out,
        Progress(*columns, console=Console(stderr=True), disable=quiet) as progress,
    ):
        task = progress.add_task("export", total=total)

        def advance(count: int) -> None:
            progress.advance(task, count)

        if kind == "csv":
            written = export.write_csv(orders.store.iter_summaries(where), out, progress=advance)
        else:
            written = export.write_jsonl(orders.store.iter_orders(where), out, progress=advance)
    (Console(stderr=True, highlight=False) if _is_dash(output) else console).print(
        f"Wrote {written} orders to {'standard output' if _is_dash(output) else output}"
    )


def _is_dash(output: Path) -> bool:
    return str(output) == "-"


@contextmanager
def _output(output: Path) -> Iterator[IO[str]]:
    """The export's file (standard output for ``-``); a path that cannot be written is exit 1."""
    if _is_dash(output):
        yield sys.stdout
        return
    try:
        out = output.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise click.ClickException(f"cannot write --output {output}: {error.strerror or error}") from None
    with out:
        yield out


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
