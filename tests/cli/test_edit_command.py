"""``kasify-orders orders edit NUMBER``: quantities, lines and the address from the command line."""

from decimal import Decimal

from click.testing import CliRunner, Result

import kasify_orders as ko
from kasify_orders.cli import main
from tests.helpers import new_order


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--url", url, *args], catch_exceptions=False)


def test_edit_quantities_lines_and_address(orders: ko.Orders, database_url: str) -> None:
    cart = new_order(
        lines=[
            ko.NewLine(sku="TEE", name="T-shirt", quantity=2, unit_price=Decimal("25.00")),
            ko.NewLine(sku="MUG", name="Mug", quantity=1, unit_price=Decimal("8.00")),
        ]
    )
    order = orders.confirm_payment(orders.place(cart).id)
    number = str(order.number)
    done = run(
        database_url, "orders", "edit", number, "--quantity", "1=3", "--remove", "2",
        "--add", "CAP=1@12.00:Cap", "--city", "York", "--note", "customer called",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Quantity of T-shirt: 2 → 3" in done.output and "Amount due: 29.00 USD" in done.output
    edited = orders.get(order.id)
    assert [(line.id, line.sku, line.quantity) for line in edited.lines] == [(1, "TEE", 3), (3, "CAP", 1)]
    assert edited.shipping_address.city == "York"
    assert edited.shipping_address.line1 == order.shipping_address.line1
    assert edited.timeline[-1].actor == "cli"
    wrong = run(database_url, "orders", "edit", number, "--quantity", "9=1")
    assert wrong.exit_code != 0 and "set_quantity[9]" in wrong.output
    bad = run(database_url, "orders", "edit", number, "--add", "CAP")
    assert bad.exit_code == 2 and "SKU=QUANTITY@PRICE:NAME" in bad.output
    nothing = run(database_url, "orders", "edit", number)
    assert nothing.exit_code != 0 and "nothing to change" in nothing.output
    assert orders.get(order.id) == edited
