"""``kasify-orders orders …``: list, show and export orders, and one command per registry action."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from kasify_orders import export
from kasify_orders.commands.base import (
    _with_orders,
    console,
    main,
)
from kasify_orders.lifecycle import PaymentStatus, Status
from kasify_orders.model import Order
from kasify_orders.service import Orders
from kasify_orders.storage.records import OrderFilter

__all__ = ["orders_export", "orders_group", "orders_list", "orders_show"]

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
    if totals.tax and not totals.prices_include_tax:
        console.print(f"  Tax {totals.tax}", end="")
    console.print(f"  [bold]Total {_money(totals.total, order.currency)}[/bold]", end="")
    console.print(f" (incl. tax {totals.tax})" if totals.tax and totals.prices_include_tax else "")
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
            written = export.export_csv(orders.store, where, out, progress=advance)
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
