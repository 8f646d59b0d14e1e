"""``kasify-orders orders hold ID --reason …`` and ``release``, made from the action registry."""

from __future__ import annotations

from click.testing import CliRunner, Result

import kasify_orders as ko
from kasify_orders.cli import main
from tests.helpers import new_order


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--url", url, *args], catch_exceptions=False)


def test_hold_and_release_from_the_command_line(orders: ko.Orders, database_url: str) -> None:
    order = orders.confirm_payment(orders.place(new_order()).id)
    number = str(order.number)
    missing = run(database_url, "orders", "hold", number)
    assert missing.exit_code == 2 and "--reason" in missing.output
    held = run(database_url, "orders", "hold", number, "--reason", "fraud [review]", "--actor", "ops:1")
    assert held.exit_code == 0, held.output
    assert f"Order #{order.number}: The order is on hold" in held.output
    stored = orders.get(order.id)
    assert stored.status is ko.Status.ON_HOLD
    assert (stored.timeline[-1].kind, stored.timeline[-1].actor) == ("held", "ops:1")
    assert stored.timeline[-1].message == "Put on hold: fraud [review]"

    ship = run(
        database_url, "orders", "ship", number, "--tracking-number", "1Z999AA10123456784", "--carrier", "ups"
    )
    assert ship.exit_code == 1 and "allowed when the order is: processing" in ship.output
    listed = run(database_url, "orders", "list", "--status", "on_hold")
    assert f"#{order.number}" in listed.output and "On hold" in listed.output

    released = run(database_url, "orders", "release", number)
    assert released.exit_code == 0 and "Released from hold" in released.output
    again = run(database_url, "orders", "release", number)
    assert again.exit_code == 1 and "cannot release an order that is processing" in again.output
    assert orders.get(order.id).status is ko.Status.PROCESSING


def test_every_action_command_has_help() -> None:
    for command in (
        "hold",
        "release",
        "ship",
        "refund",
        "cancel",
        "note",
        "confirm-payment",
        "mark-delivered",
    ):
        result = CliRunner().invoke(main, ["orders", command, "--help"])
        assert result.exit_code == 0 and "NUMBER" in result.output, command
