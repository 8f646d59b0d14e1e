"""The bulk-ship pages on Flask (tests/adapters/bulk_ship_contract.py), and a per-order refusal."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from tests.adapters.bulk_ship_contract import HEADER, BulkShipPagesContract, carried, paid, upload
from tests.adapters.contract import MerchantSite
from tests.adapters.flask.conftest import make_app
from tests.adapters.flask.test_contract import FlaskSite


@pytest.fixture
def site(orders: ko.Orders) -> MerchantSite:
    """The staff's view of a Flask host's pages."""
    return FlaskSite(orders)


class TestFlaskBulkShip(BulkShipPagesContract):
    """Every bulk-ship page test, on Flask, on each database."""


def test_each_rows_order_asks_the_ship_permission(orders: ko.Orders) -> None:
    mine, theirs = paid(orders, 2)
    site = FlaskSite(orders)
    site.app = make_app(
        orders,
        authorize=lambda action, order: order is None or action != "mark_shipped" or order.id == mine.id,
    )
    site.client = site.app.test_client()
    text = HEADER + f"{mine.number},UPS,1Z999AA10123456784\n{theirs.number},UPS,1Z999AA10123456785\n"

    preview = upload(site, text)
    assert "1 to ship, 0 with nothing to do, 1 with problems (skipped)." in preview.text
    assert "you may not mark this order shipped" in preview.text
    result = site.post(site.page_url("bulk-ship/apply"), carried(preview))
    assert "1 shipped, 0 with nothing to do, 1 skipped, 0 failed." in result.text
    assert orders.get(theirs.id) == theirs
