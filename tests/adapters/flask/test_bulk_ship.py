"""The bulk-ship pages on Flask (tests/adapters/bulk_ship_contract.py), and a per-order refusal."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from tests.adapters.bulk_ship_contract import HEADER, BulkShipPagesContract, carried, paid, upload
from tests.adapters.contract import MerchantSite
from tests.adapters.flask.conftest import make_app
from tests.adapters.flask.test_contract import FlaskSite
from tests.helpers import wipe
from tests.integration.notifications.conftest import SmtpServer, shop_settings


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


def test_fifty_orders_shipped_through_the_pages_get_fifty_emails_once(database_url: str) -> None:
    smtp = SmtpServer()
    smtp.start()
    try:
        with ko.Orders.connect(
            database_url, settings=shop_settings(smtp.url), load_entrypoints=False, migrate=False
        ) as orders:
            fifty = paid(orders, 50)
            text = HEADER + "".join(f"#{o.number},ups,1Z999AA1{o.number:010d}\n" for o in fifty)
            site = FlaskSite(orders)
            before = len(smtp.inbox.received)

            preview = upload(site, text)
            assert "50 to ship, 0 with nothing to do, 0 with problems (skipped)." in preview.text
            assert len(smtp.inbox.received) == before
            result = site.post(site.page_url("bulk-ship/apply"), carried(preview))
            assert "50 shipped, 0 with nothing to do, 0 skipped, 0 failed." in result.text
            shipped = [r for r in smtp.inbox.received[before:] if "has shipped" in str(r.message["Subject"])]
            assert len(shipped) == 50 == len(smtp.inbox.received) - before
            assert sorted(r.rcpt_tos[0] for r in shipped) == sorted(
                orders.get(o.id).customer.email for o in fifty
            )

            assert "0 to ship, 50 with nothing to do" in upload(site, text).text  # the same file again
            again = site.post(site.page_url("bulk-ship/apply"), carried(preview))  # a double submit
            assert "0 shipped, 50 with nothing to do, 0 skipped, 0 failed." in again.text
            assert len(smtp.inbox.received) - before == 50
    finally:
        smtp.stop()
        wipe(database_url)
