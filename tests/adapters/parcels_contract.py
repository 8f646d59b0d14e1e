"""The order page ships in parcels, on every host: choose the lines, see what is left, act per parcel.

Subclassed beside each adapter's ``site`` fixture (tests/adapters/flask/test_parcel_pages.py,
tests/adapters/django/test_parcel_pages.py), so Flask and Django serve the same pages.
"""

from __future__ import annotations

import html
import re

import kasify_orders as ko
from tests.adapters.contract import Answer, MerchantSite
from tests.helpers import tee_and_mug

UPS_1, UPS_2, UPS_3 = "1Z999AA10123456784", "1Z999AA10123456785", "1Z999AA10123456786"


def two_lines(orders: ko.Orders) -> ko.Order:
    """A paid order of 2 T-shirts (line 1) and a mug (line 2)."""
    return orders.confirm_payment(orders.place(tee_and_mug()).id)


def act(site: MerchantSite, order: ko.Order, action: str, **fields: str) -> Answer:
    return site.post(site.action_url(order.id, action), {"version": str(order.version), **fields})


class ParcelPagesContract:
    """Subclass it as ``Test...`` beside a ``site`` fixture."""

    def test_the_ship_form_offers_each_line_with_everything_left(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = two_lines(orders)
        page = site.get(site.order_url(order.id))
        assert 'name="line-1"' in page.raw and 'name="line-2"' in page.raw
        assert 'name="line-1" type="number" min="0" max="2" step="1" value="2"' in page.raw
        assert "Items in this parcel" in page.text and "T-shirt (Red / M), TEE (2 left)" in page.text

    def test_a_parcel_of_some_lines_leaves_the_order_processing_and_says_what_is_left(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = two_lines(orders)
        answer = act(
            site,
            order,
            "mark_shipped",
            tracking_number=UPS_1,
            carrier="UPS",
            **{"line-1": "1", "line-2": "0"},
        )
        assert answer.status in {200, 302, 303}, answer.text
        stored = orders.get(order.id)
        assert [p.lines for p in stored.shipments] == [{1: 1}]
        assert stored.status is ko.Status.PROCESSING
        page = site.get(site.order_url(order.id))
        assert "Partially shipped" in page.text
        assert "Still to ship: 1 × T-shirt (Red / M), 1 × Mug." in page.text  # noqa: RUF001
        assert 'name="line-1" type="number" min="0" max="1" step="1" value="1"' in page.raw  # what is left
        listed = site.get(site.list_url())
        assert "Partially shipped" in listed.text

    def test_too_many_units_are_refused_beside_the_field_and_nothing_ships(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = two_lines(orders)
        answer = act(
            site,
            order,
            "mark_shipped",
            tracking_number=UPS_1,
            carrier="UPS",
            **{"line-1": "3", "line-2": "1"},
        )
        assert answer.status == 400
        assert "Line 1: Only 2 units of line 1 left to ship." in answer.text
        assert orders.get(order.id) == order
        nothing = act(
            site,
            order,
            "mark_shipped",
            tracking_number=UPS_1,
            carrier="UPS",
            **{"line-1": "0", "line-2": "0"},
        )
        assert nothing.status == 400 and "choose at least one line" in nothing.text.lower()
        typed = act(site, order, "mark_shipped", tracking_number=UPS_1, carrier="UPS", **{"line-1": "two"})
        assert typed.status == 400 and "Enter a number of units" in typed.text
        assert orders.get(order.id) == order

    def test_each_parcel_is_listed_and_corrected_and_delivered_on_its_own(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = two_lines(orders)
        orders.mark_shipped(order.id, tracking_number=UPS_1, carrier="ups", lines={2: 1})
        order = orders.mark_shipped(order.id, tracking_number=UPS_2, carrier="ups")
        first, second = order.shipments
        page = site.get(site.order_url(order.id))
        assert "Parcel 1" in page.text and "Parcel 2" in page.text
        assert "1 × Mug" in page.text and "2 × T-shirt (Red / M)" in page.text  # noqa: RUF001
        assert page.raw.count("Correct tracking") == 2 and "Mark parcel 2 delivered" in page.text
        assert first.tracking_url is not None and first.tracking_url in page.raw
        corrected = act(
            site, order, "update_tracking", tracking_number=UPS_3, carrier="UPS", shipment_id=first.id
        )
        assert corrected.status in {200, 302, 303}, corrected.text
        order = orders.get(order.id)
        assert [p.tracking_number for p in order.shipments] == [UPS_3, UPS_2]
        delivered = act(site, order, "mark_delivered", shipment_id=second.id)
        assert delivered.status in {200, 302, 303}, delivered.text
        order = orders.get(order.id)
        assert order.shipments[1].delivered_at is not None and order.shipments[0].delivered_at is None
        assert order.status is ko.Status.SHIPPED
        page = site.get(site.order_url(order.id))
        assert "Mark parcel 1 delivered" in page.text and "Mark parcel 2 delivered" not in page.text
        act(site, order, "mark_delivered", shipment_id=first.id)
        assert orders.get(order.id).status is ko.Status.DELIVERED
        page = site.get(site.order_url(order.id))  # nothing left to correct or deliver: no form
        assert page.status == 200 and "Mark parcel" not in page.text and "delivered" in page.text

    def test_each_parcel_has_its_own_packing_slip_of_its_lines(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = two_lines(orders)
        orders.mark_shipped(order.id, tracking_number=UPS_1, carrier="ups", lines={1: 1})
        order = orders.mark_shipped(order.id, tracking_number=UPS_2, carrier="ups")
        first, second = order.shipments
        page = site.get(site.order_url(order.id))
        links = re.findall(r'class="parcel-slip" href="([^"]+)"', page.raw)
        assert len(links) == 2
        slip = site.get(html.unescape(links[1]))
        assert slip.status == 200, slip.text
        assert "Parcel 2 of 2" in slip.text and f"tracking number {UPS_2}" in slip.text
        assert re.search(r"T-shirt\s+Red / M\s+TEE\s+1\b", slip.text) and "Mug" in slip.text
        one = site.get(html.unescape(links[0]))
        assert "Parcel 1 of 2" in one.text and "Mug" not in one.text and UPS_1 in one.text
        whole = site.get(html.unescape(links[0]).split("?")[0])  # the order's slip: every line
        assert "Parcel" not in whole.text and re.search(r"TEE\s+2\b", whole.text) and "Mug" in whole.text
        assert site.get(html.unescape(links[0]).split("?")[0] + "?parcel=nope").status == 404
        assert first.id in links[0] and second.id in links[1]
