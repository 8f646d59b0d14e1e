"""The carrier select and the badges' words, held on every host (tests/adapters/contract.py's sites).

The Mark as Shipped form offers the known carriers plus "Other…", whose text field the server
reads when "Other…" is chosen (so it works without JavaScript); the status and payment badges
read "Status: Refunded" and "Payment: Refunded" to a screen reader.
"""

from __future__ import annotations

import kasify_orders as ko
from kasify_orders import carriers
from tests.adapters.contract import MerchantSite
from tests.helpers import new_order

UPS = "1Z999AA10123456784"


def _paid(orders: ko.Orders) -> ko.Order:
    order = orders.place(new_order())
    orders.confirm_payment(order.id)
    return orders.get(order.id)


def _ship(site: MerchantSite, order: ko.Order, **fields: str) -> int:
    answer = site.post(site.action_url(order.id, "mark_shipped"), {"version": str(order.version), **fields})
    assert answer.location == site.order_url(order.id) or answer.status >= 400, answer.text
    return 303 if answer.location else answer.status


class CarrierSelectContract:
    """Subclass it as ``Test...`` beside a ``site`` fixture."""

    def test_the_ship_form_offers_every_known_carrier_and_other(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        text = site.get(site.order_url(_paid(orders).id)).text
        names = " ".join(carrier.name for carrier in carriers.CARRIERS.values())
        assert f"Select the carrier… {names} Other…" in text
        assert "Other carrier’s name" in text  # noqa: RUF001

    def test_a_listed_carrier_is_chosen_from_the_select(self, site: MerchantSite, orders: ko.Orders) -> None:
        order = _paid(orders)
        assert _ship(site, order, tracking_number=UPS, carrier="FedEx", carrier_other="ignored") == 303
        shipment = orders.get(order.id).shipment
        assert shipment is not None and shipment.carrier == "fedex"

    def test_other_takes_the_typed_carrier(self, site: MerchantSite, orders: ko.Orders) -> None:
        order = _paid(orders)
        assert (
            _ship(site, order, tracking_number="H01HYA0012345678", carrier="other", carrier_other=" Evri ")
            == 303
        )
        shipment = orders.get(order.id).shipment
        assert shipment is not None and shipment.carrier == "Evri"
        # Edit tracking shows the custom carrier as "Other…" with its name typed in.
        text = site.get(site.order_url(order.id)).text
        assert "Evri" in text

    def test_other_without_a_name_is_refused_beside_the_carrier(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = _paid(orders)
        answer = site.post(
            site.action_url(order.id, "mark_shipped"),
            {"version": str(order.version), "tracking_number": UPS, "carrier": "other", "carrier_other": ""},
        )
        assert answer.status == 400
        assert "Carrier" in answer.text and "Must not be blank." in answer.text
        after = orders.get(order.id)
        assert (after.status, after.version, after.timeline) == (order.status, order.version, order.timeline)

    def test_badges_say_what_they_are(self, site: MerchantSite, orders: ko.Orders) -> None:
        order = _paid(orders)
        detail = site.get(site.order_url(order.id)).text
        assert "Status: Processing" in detail and "Payment: Paid" in detail
        listed = site.get(site.list_url()).text
        assert "Status: Processing Payment: Paid" in listed
