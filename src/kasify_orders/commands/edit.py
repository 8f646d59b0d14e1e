"""``kasify-orders orders edit NUMBER``: change an order before it ships, from the command line.

``--quantity ID=QTY`` sets a line's quantity, ``--remove ID`` removes a line, ``--add
SKU=QTY@PRICE:NAME`` adds one; ``--line1``, ``--city``... change those parts of the address (the
rest is kept). Errors are the core's, naming the field (``set_quantity[3]``, ``add_lines[0].sku``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
import click

from kasify_orders.commands.base import _with_orders, console
from kasify_orders.commands.orders import orders_group
from kasify_orders.model import NewLine
from kasify_orders.service import Orders

__all__ = ["orders_edit"]

_ADDRESS = ("line1", "line2", "city", "region", "postal_code", "country")


def _quantities(_ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> dict[int, int]:
    chosen: dict[int, int] = {}
    for item in value:
        line_id, _, quantity = item.partition("=")
        if not (line_id.strip().isdigit() and quantity.strip().isdigit()):
            raise click.BadParameter(f"{item!r} is not LINE_ID=QUANTITY (such as 1=3)")
        chosen[int(line_id)] = int(quantity)
    return chosen


def _new_lines(_ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> list[NewLine]:
    lines = []
    for item in value:
        head, _, name = item.partition(":")
        sku, _, rest = head.partition("=")
        quantity, _, price = rest.partition("@")
        try:
            unit_price = Decimal(price.strip())
        except InvalidOperation:
            unit_price = None
        if not (sku.strip() and quantity.strip().isdigit() and unit_price is not None and name.strip()):
            raise click.BadParameter(f"{item!r} is not SKU=QUANTITY@PRICE:NAME (such as CAP=1@12.00:Cap)")
        lines.append(
            NewLine(sku=sku.strip(), name=name.strip(), quantity=int(quantity), unit_price=unit_price)
        )
    return lines


@orders_group.command("edit")
@click.argument("number", type=int)
@click.option("--quantity", "set_quantity", multiple=True, callback=_quantities, help="LINE_ID=QUANTITY.")
@click.option("--remove", "remove_lines", multiple=True, type=int, help="A line id to remove.")
@click.option("--add", "add_lines", multiple=True, callback=_new_lines, help="SKU=QUANTITY@PRICE:NAME.")
@click.option("--line1", help="The address's first line.")
@click.option("--line2", help="The address's second line.")
@click.option("--city", help="The address's city.")
@click.option("--region", help="The address's state, province or county.")
@click.option("--postal-code", help="The address's postal code.")
@click.option("--country", help="The address's country (ISO 3166-1 alpha-2).")
@click.option("--note", default="", help="Why (on the timeline; never for the customer).")
@click.option("--actor", default="cli", show_default=True, help="Who acts, for the timeline.")
@_with_orders
def orders_edit(
    orders: Orders,
    *,
    number: int,
    set_quantity: dict[int, int],
    remove_lines: tuple[int, ...],
    add_lines: list[NewLine],
    note: str,
    actor: str,
    **address: Any,
) -> None:
    """Edit order NUMBER before it ships: quantities, removed and added lines, the address."""
    before = orders.get_by_number(number)
    parts = {name: value for name, value in address.items() if name in _ADDRESS and value is not None}
    after = orders.edit(
        before.id,
        shipping_address=attrs.evolve(before.shipping_address, **parts) if parts else None,
        set_quantity=set_quantity,
        add_lines=add_lines,
        remove_lines=remove_lines,
        note=note,
        actor=actor,
        expected_version=before.version,
    )
    console.print(f"Order #{after.number}: {after.timeline[-1].message}", soft_wrap=True, markup=False)
    due, back = after.totals.amount_due, after.totals.refund_due
    if after.totals.paid and due:
        console.print(f"Amount due: {due} {after.currency}", markup=False)
    if back:
        console.print(f"To refund: {back} {after.currency}", markup=False)
