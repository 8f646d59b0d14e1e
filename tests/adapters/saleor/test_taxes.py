"""Saleor orders bring their taxes: net prices, each line's ``totalPrice.tax``, the shipping's tax.

kasify's total then equals Saleor's ``total.gross``. The recorded bodies (a real Saleor 3.23.28)
carry no tax (0.0 everywhere); one test changes a recorded body's tax amounts consistently.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import attrs
from werkzeug.test import Client

import kasify_orders as ko
from kasify_orders.adapters.saleor import SaleorApp
from tests.adapters.saleor.conftest import replay
from tests.adapters.saleor.fake_saleor import FakeSaleor
from tests.adapters.saleor.recorded import Delivery, webhook, webhooks

D = Decimal


def order_of(app: SaleorApp, saleor: FakeSaleor, delivery: Delivery) -> ko.Order:
    link = app.installations.link_for_saleor(saleor.api_url, delivery.order["id"])
    assert link is not None, f"Saleor order #{delivery.number} was never placed in kasify"
    return app.orders.get(link.order_id)


def gross(money: dict[str, Any]) -> Decimal:
    return D(str(money["gross"]["amount"])).quantize(D("0.01"))


def test_every_recorded_saleor_order_totals_what_saleor_charged_gross(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    created = [d for d in webhooks("order_created") if isinstance(d.payload, dict)]
    assert created  # the subscription-shaped bodies, each a Saleor order
    for delivery in created:
        installed.add_order(delivery.order)
        (response,) = replay(client, installed, delivery)
        assert response.status_code == 200, response.json
        order = order_of(app, installed, delivery)
        assert order.totals.total == gross(delivery.order["total"])
        assert order.totals.tax == 0 and not order.totals.prices_include_tax


def _money(amount: str) -> dict[str, Any]:
    return {"amount": float(amount), "currency": "USD"}


def _taxed(net: str, tax: str) -> dict[str, Any]:
    return {
        "currency": "USD",
        "net": _money(net),
        "tax": _money(tax),
        "gross": _money(str(D(net) + D(tax))),
    }


def taxed_body(recorded: Delivery) -> Delivery:
    """Recorded order #8 (a tee at 25.00, two mugs at 12.50, shipping 10.00, voucher SAVE5 -5.00),
    its tax amounts changed from 0.0 to a consistent 10 %: every TaxedMoney's net kept, its tax
    set and its gross = net + tax; the order's totals and the charge follow (gross 60.50).

    Not what Saleor sent (its channel had no taxes): the amounts a taxed channel would carry.
    """
    body = json.loads(recorded.body)
    order = body["order"]
    tee, mugs = order["lines"]
    assert (tee["productSku"], tee["quantity"], mugs["productSku"], mugs["quantity"]) == (
        "TEE-1",
        1,
        "MUG-1",
        2,
    )
    tee.update(
        undiscountedUnitPrice=_taxed("25.00", "2.50"),
        unitPrice=_taxed("22.50", "2.25"),
        totalPrice=_taxed("22.50", "2.25"),
        taxRate=0.1,
    )
    mugs.update(
        undiscountedUnitPrice=_taxed("12.50", "1.25"),
        unitPrice=_taxed("11.25", "1.13"),
        totalPrice=_taxed("22.50", "2.25"),
        taxRate=0.1,
    )
    order.update(
        subtotal=_taxed("45.00", "4.50"),
        shippingPrice=_taxed("10.00", "1.00"),
        total=_taxed("55.00", "5.50"),
        undiscountedTotal=_taxed("60.00", "6.00"),
        totalCharged=_money("60.50"),
    )
    order["transactions"][0]["chargedAmount"] = _money("60.50")
    return attrs.evolve(recorded, body=json.dumps(body).encode())


def test_a_taxed_saleor_order_records_each_lines_tax_and_totals_saleors_gross(
    client: Client, app: SaleorApp, installed: FakeSaleor
) -> None:
    delivery = taxed_body(webhook("order_created", number="8"))
    installed.add_order(copy.deepcopy(delivery.order))
    (response,) = replay(client, installed, delivery)
    assert response.status_code == 200, response.json
    order = order_of(app, installed, delivery)
    assert [(line.sku, line.unit_price, line.tax) for line in order.lines] == [
        ("TEE-1", D("25.00"), D("2.25")),
        ("MUG-1", D("12.50"), D("2.25")),
    ]
    totals = order.totals
    assert (totals.subtotal, totals.shipping, totals.discount) == (D("50.00"), D("10.00"), D("5.00"))
    assert (totals.tax, totals.shipping_tax, totals.prices_include_tax) == (D("5.50"), D("1.00"), False)
    assert totals.total == gross(delivery.order["total"]) == D("60.50")
