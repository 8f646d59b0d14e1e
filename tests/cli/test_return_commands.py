"""`kasify-orders orders returns open|receive|refund|close`: returns from the CLI, on every database."""

from decimal import Decimal

from click.testing import CliRunner, Result

import kasify_orders as ko
from kasify_orders.cli import main
from tests.helpers import tee_and_mug


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--url", url, *args], catch_exceptions=False)


def test_a_return_is_opened_received_and_refunded_and_another_closed(
    orders: ko.Orders, database_url: str
) -> None:
    orders.inventory.set_stock("TEE", 4)
    order = orders.confirm_payment(orders.place(tee_and_mug()).id)
    order = orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    number = str(order.number)
    opened = run(database_url, "orders", "returns", "open", number, "--line", "1=1", "--reason", "too small")
    assert opened.exit_code == 0, opened.output
    (made,) = orders.get(order.id).returns
    assert f"return {made.id} is open" in opened.output
    received = run(database_url, "orders", "returns", "receive", number, "--return-id", made.id, "--restock")
    assert received.exit_code == 0 and "is received" in received.output, received.output
    assert orders.inventory.stock("TEE") == 3  # 4 - 2 placed + 1 back
    refunded = run(
        database_url,
        "orders",
        "returns",
        "refund",
        number,
        "--return-id",
        made.id,
        "--idempotency-key",
        "rma-1",
    )
    assert refunded.exit_code == 0 and "is refunded" in refunded.output, refunded.output
    assert orders.get(order.id).totals.refunded == Decimal("25.00")

    too_many = run(database_url, "orders", "returns", "open", number, "--line", "1=2", "--reason", "x")
    assert too_many.exit_code != 0 and "lines[1]" in too_many.output
    other = run(database_url, "orders", "returns", "open", number, "--line", "2=1", "--reason", "broken")
    assert other.exit_code == 0, other.output
    second = orders.get(order.id).returns[1]
    closed = run(
        database_url, "orders", "returns", "close", number, "--return-id", second.id, "--note", "kept"
    )
    assert closed.exit_code == 0 and "is closed" in closed.output, closed.output
    again = run(database_url, "orders", "returns", "close", number, "--return-id", second.id)
    assert again.exit_code != 0 and "status" in again.output
