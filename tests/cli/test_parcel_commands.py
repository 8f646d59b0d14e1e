"""``kasify-orders orders ship --line ID=QTY``: a parcel of some lines from the command line."""

from decimal import Decimal

from click.testing import CliRunner, Result

import kasify_orders as ko
from kasify_orders.cli import main
from tests.helpers import new_order


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--url", url, *args], catch_exceptions=False)


def test_ship_a_parcel_of_chosen_lines_then_the_rest_then_deliver_one_parcel(
    orders: ko.Orders, database_url: str
) -> None:
    cart = new_order(
        lines=[
            ko.NewLine(sku="TEE", name="T-shirt", quantity=2, unit_price=Decimal("25.00")),
            ko.NewLine(sku="MUG", name="Mug", quantity=1, unit_price=Decimal("8.00")),
        ]
    )
    order = orders.confirm_payment(orders.place(cart).id)
    number = str(order.number)
    first = run(
        database_url, "orders", "ship", number, "--tracking-number", "1Z999AA10123456784",
        "--carrier", "ups", "--line", "1=1", "--line", "2=1",
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    assert "left to ship" in first.output
    assert orders.get(order.id).fulfilment_status is ko.FulfilmentStatus.PARTIALLY_SHIPPED
    too_many = run(
        database_url, "orders", "ship", number, "--tracking-number", "1Z999AA10123456785",
        "--carrier", "ups", "--line", "1=5",
    )  # fmt: skip
    assert too_many.exit_code != 0 and "lines[1]" in too_many.output
    bad = run(
        database_url, "orders", "ship", number, "--tracking-number", "X1", "--carrier", "ups", "--line", "1"
    )
    assert bad.exit_code == 2 and "LINE_ID=QUANTITY" in bad.output
    rest = run(
        database_url, "orders", "ship", number, "--tracking-number", "1Z999AA10123456785", "--carrier", "ups"
    )
    assert rest.exit_code == 0, rest.output
    shipped = orders.get(order.id)
    assert [p.lines for p in shipped.shipments] == [{1: 1, 2: 1}, {1: 1}]
    assert shipped.status is ko.Status.SHIPPED
    ambiguous = run(
        database_url, "orders", "update-tracking", number, "--tracking-number", "1Z999AA10123456786"
    )
    assert ambiguous.exit_code != 0 and "shipment_id" in ambiguous.output
    first_id = shipped.shipments[0].id
    corrected = run(
        database_url, "orders", "update-tracking", number, "--tracking-number", "1Z999AA10123456786",
        "--shipment-id", first_id,
    )  # fmt: skip
    assert corrected.exit_code == 0, corrected.output
    delivered = run(database_url, "orders", "mark-delivered", number, "--shipment-id", first_id)
    assert delivered.exit_code == 0, delivered.output
    after = orders.get(order.id)
    assert [p.tracking_number for p in after.shipments] == ["1Z999AA10123456786", "1Z999AA10123456785"]
    assert after.shipments[0].delivered_at is not None and after.status is ko.Status.SHIPPED
