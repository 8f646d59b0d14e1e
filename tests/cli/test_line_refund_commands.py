"""`kasify-orders orders refund --line ID=QTY --shipping --restock`: a refund by line, from the CLI."""

from decimal import Decimal

from click.testing import CliRunner, Result

import kasify_orders as ko
from kasify_orders.cli import main
from tests.helpers import new_order


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--url", url, *args], catch_exceptions=False)


def test_refund_chosen_lines_with_shipping_and_restock_then_refuse_a_unit_twice(
    orders: ko.Orders, database_url: str
) -> None:
    orders.inventory.set_stock("TEE", 4)
    cart = new_order(
        lines=[
            ko.NewLine(sku="TEE", name="T-shirt", quantity=2, unit_price=Decimal("25.00")),
            ko.NewLine(sku="MUG", name="Mug", quantity=1, unit_price=Decimal("8.00")),
        ]
    )
    order = orders.confirm_payment(orders.place(cart).id)
    number = str(order.number)
    done = run(
        database_url,
        "orders",
        "refund",
        number,
        "--line",
        "1=2",
        "--shipping",
        "--restock",
        "--note",
        "returned",
    )
    assert done.exit_code == 0, done.output
    assert "55.00" in done.output and "in all, 8.00 left" in done.output, done.output
    stored = orders.get(order.id)
    (made,) = stored.refunds
    assert made.lines == {1: 2} and made.shipping and made.restock and made.note == "returned"
    assert orders.inventory.stock("TEE") == 4
    twice = run(database_url, "orders", "refund", number, "--line", "1=1")
    assert twice.exit_code != 0 and "lines[1]" in twice.output and "only 0 of 2 units" in twice.output
    by_amount = run(database_url, "orders", "refund", number, "--amount", "3.00")
    assert by_amount.exit_code == 0, by_amount.output
    assert [r.amount for r in orders.get(order.id).refunds] == [Decimal("55.00"), Decimal("3.00")]
