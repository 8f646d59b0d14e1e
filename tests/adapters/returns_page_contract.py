"""The Returns page, on every host: the returns waiting on the merchant, each linking to its order.

Subclassed beside each adapter's ``site`` fixture (tests/adapters/flask/test_returns_page.py,
tests/adapters/django/test_returns_page.py), so Flask and Django serve the same page.
"""

from __future__ import annotations

import re

import kasify_orders as ko
from tests.adapters.contract import MerchantSite
from tests.adapters.returns_contract import shipped


def four_returns(orders: ko.Orders) -> dict[str, ko.Order]:
    """Four shipped orders, each with one return: open, received, refunded and closed."""
    made = {}
    for reason in ("too small", "damaged", "refunded already", "never sent"):
        order = orders.returns.open(shipped(orders).id, lines={1: 1, 2: 1}, reason=reason)
        made[reason] = order
    received = made["damaged"].returns[0].id
    orders.returns.receive(received, order_id=made["damaged"].id)
    refunded = made["refunded already"].returns[0].id
    orders.returns.receive(refunded, order_id=made["refunded already"].id)
    orders.returns.refund(refunded, order_id=made["refunded already"].id)
    orders.returns.close(made["never sent"].returns[0].id, order_id=made["never sent"].id)
    return made


def sidebar(raw: str) -> str:
    return raw[raw.index('<nav class="sidebar"') : raw.index("</nav>")]


class ReturnsPageContract:
    """Subclass it as ``Test...`` beside a ``site`` fixture."""

    def test_the_open_and_received_returns_are_listed_newest_first_with_a_link_to_their_order(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        made = four_returns(orders)
        page = site.get(site.page_url("returns"))

        assert page.status == 200
        assert "damaged" in page.text and "too small" in page.text
        assert page.text.index("damaged") < page.text.index("too small")  # newest first
        assert "refunded already" not in page.text and "never sent" not in page.text
        assert "1 × T-shirt" in page.text and "1 × Mug" in page.text  # noqa: RUF001
        assert "Open" in page.text and "Received" in page.text
        for reason in ("too small", "damaged"):
            order = made[reason]
            link = re.search(rf'<a href="([^"]+)">#{order.number}</a>', page.raw)
            assert link is not None, reason
            assert link.group(1).rstrip("/") == site.order_url(order.id).rstrip("/")
            assert site.get(link.group(1)).status == 200
        current = re.search(r'<a href="[^"]+" aria-current="page">Returns', sidebar(page.raw))
        assert current is not None  # the sidebar marks Returns as the current section

    def test_with_no_return_waiting_the_page_says_so(self, site: MerchantSite, orders: ko.Orders) -> None:
        order = shipped(orders)
        made = orders.returns.open(order.id, lines={1: 1}, reason="changed mind").returns[0]
        orders.returns.close(made.id, order_id=order.id)

        page = site.get(site.page_url("returns"))

        assert page.status == 200 and "No return is waiting on you" in page.text
        assert "changed mind" not in page.text

    def test_the_sidebar_leads_to_it_and_who_may_not_open_returns_is_refused(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        raw = site.get(site.list_url()).raw
        link = re.search(r'<a href="([^"]+)">Returns', sidebar(raw))
        assert link is not None
        assert link.group(1).rstrip("/") == site.page_url("returns").rstrip("/")
        assert site.refusing().get(site.page_url("returns")).status == 403
