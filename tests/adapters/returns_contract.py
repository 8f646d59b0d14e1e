"""The order page's Returns section, on every host: open a return, receive it, refund or close it.

Subclassed beside each adapter's ``site`` fixture (tests/adapters/flask/test_return_pages.py,
tests/adapters/django/test_return_pages.py), so Flask and Django serve the same pages.
"""

from __future__ import annotations

from decimal import Decimal

import kasify_orders as ko
from tests.adapters.contract import Answer, MerchantSite
from tests.helpers import tee_and_mug

UPS = "1Z999AA10123456784"


def shipped(orders: ko.Orders) -> ko.Order:
    """A paid and shipped order of 2 T-shirts (line 1, tracked stock) and a mug (line 2)."""
    orders.inventory.set_stock("TEE", 5)
    order = orders.confirm_payment(orders.place(tee_and_mug()).id)
    return orders.mark_shipped(order.id, tracking_number=UPS, carrier="ups")


def act(site: MerchantSite, order: ko.Order, action: str, **fields: str) -> Answer:
    return site.post(site.action_url(order.id, action), {"version": str(order.version), **fields})


class ReturnPagesContract:
    """Subclass it as ``Test...`` beside a ``site`` fixture."""

    def test_a_return_is_opened_received_with_restock_and_refunded_from_the_page(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = shipped(orders)
        page = site.get(site.order_url(order.id))
        assert "Returns" in page.text and "Open a return" in page.text
        assert 'name="pick-line-1"' in page.raw and 'name="reason"' in page.raw
        answer = act(
            site,
            order,
            "open_return",
            reason="too small",
            **{"pick-line-1": "on", "line-1": "1", "line-2": "1"},
        )
        assert answer.status in {200, 302, 303}, answer.text
        opened = orders.get(order.id)
        (made,) = opened.returns
        assert made.lines == {1: 1} and made.status is ko.ReturnStatus.OPEN  # the mug was not ticked
        page = site.get(site.order_url(order.id))
        assert "too small" in page.text and "Mark as received" in page.text
        assert f'value="{made.id}"' in page.raw
        assert f'id="receive_return-{made.id}-restock"' in page.raw  # each return's fields: ids of their own

        received = act(site, opened, "receive_return", return_id=made.id, restock="on")
        assert received.status in {200, 302, 303}, received.text
        after = orders.get(order.id)
        assert after.returns[0].status is ko.ReturnStatus.RECEIVED and after.returns[0].restocked
        assert orders.inventory.stock("TEE") == 4  # 5 - 2 placed + 1 back

        refunded = act(site, after, "refund_return", return_id=made.id, note="")
        assert refunded.status in {200, 302, 303}, refunded.text
        done = orders.get(order.id)
        assert done.returns[0].status is ko.ReturnStatus.REFUNDED
        assert done.totals.refunded == Decimal("25.00")
        assert orders.inventory.stock("TEE") == 4  # the refund does not restock again
        page = site.get(site.order_url(order.id))
        assert "Refunded" in page.text and "Mark as received" not in page.text

    def test_more_than_shipped_is_refused_beside_the_lines_and_nothing_is_opened(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = shipped(orders)
        answer = act(site, order, "open_return", reason="too small", **{"pick-line-1": "on", "line-1": "3"})
        assert answer.status == 400
        assert "Line 1:" in answer.text and "2 shipped units" in answer.text
        blank = act(site, order, "open_return", reason="", **{"pick-line-1": "on", "line-1": "1"})
        assert blank.status == 400
        after = orders.get(order.id)  # nothing written (the emails of the order's earlier steps aside)
        assert after.returns == () and after.version == order.version

    def test_an_open_return_is_closed_from_the_page_and_frees_its_units(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = orders.returns.open(shipped(orders).id, lines={1: 2}, reason="never sent")
        made = order.returns[0]
        answer = act(site, order, "close_return", return_id=made.id, note="customer kept them")
        assert answer.status in {200, 302, 303}, answer.text
        after = orders.get(order.id)
        assert after.returns[0].status is ko.ReturnStatus.CLOSED
        assert after.returnable_quantities() == {1: 2, 2: 1}
        page = site.get(site.order_url(order.id))
        assert "Closed" in page.text and "Open a return" in page.text
