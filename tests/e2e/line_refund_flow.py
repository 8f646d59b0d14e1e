"""A merchant refunds one T-shirt of a shipped order by line, with the shipping, and restocks it.

One flow, run in Chromium on the Flask host (tests/e2e/test_line_refunds.py) and on the Django
host (tests/e2e/django/test_line_refunds.py), so both serve the same refund form.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import kasify_orders as ko
from tests.helpers import tee_and_mug

#: 10.00 off the 58.00 of goods: a T-shirt's share is 10 x 25/58 = 4.31, so one refunds 20.69.
COUPON = "TENOFF"
TEE = "T-shirt (Red / M), TEE"


def shipped_tee_and_mug(orders: ko.Orders) -> ko.Order:
    """2 T-shirts (line 1, tracked: 5 in stock before) and a mug, 10.00 off, paid and shipped: 53.00."""
    orders.inventory.set_stock("TEE", 5)
    orders.coupons.create(ko.Coupon.fixed(COUPON, 10))
    placed = orders.place(tee_and_mug(name="Refund Rae", coupon_code=COUPON))
    orders.confirm_payment(placed.id)
    return orders.mark_shipped(placed.id, tracking_number="1Z999AA10123456784", carrier="ups")


def refund_form(page: Any) -> Any:
    """The order page's "Issue Refund" form, opened."""
    from playwright.sync_api import expect

    page.get_by_text("Issue Refund", exact=True).click()
    form = page.locator("details").filter(has=page.get_by_text("Issue Refund", exact=True))
    expect(form.get_by_role("button", name="Confirm Refund")).to_be_visible()
    return form


def refund_one_tee_with_shipping_and_restock(
    page: Any, admin: str, orders: ko.Orders, shots: Path, prefix: str
) -> ko.Order:
    """Refund 1 of the 2 T-shirts and the shipping from the form; check the page, the stock, the store."""
    from playwright.sync_api import expect

    order = shipped_tee_and_mug(orders)
    page.goto(f"{admin}/{order.id}")
    expect(page.get_by_role("heading", name=f"Order #{order.number}")).to_be_visible()
    expect(page.locator("[data-field=status]")).to_have_text("Shipped")

    form = refund_form(page)
    expect(form.get_by_label(f"{TEE} (2 left)")).to_have_value("2")
    form.get_by_label(f"Refund {TEE}").check()
    form.get_by_label(f"{TEE} (2 left)").fill("1")
    form.get_by_label("Refund the shipping").check()
    form.get_by_label("Put the refunded items back in stock").check()
    form.get_by_label("Internal note").fill("one shirt came back torn")
    page.screenshot(path=str(shots / f"{prefix}refunds-by-line-01-form.png"), full_page=True)
    form.get_by_role("button", name="Confirm Refund").click()

    # 20.69 for the T-shirt after its share of the discount, plus 5.00 of shipping.
    expect(page.get_by_role("status")).to_contain_text("Refunded $25.69.")
    expect(page.locator("[data-field=payment-status]")).to_have_text("Partially refunded")
    expect(page.locator("dl.totals")).to_contain_text("Refunded−$25.69")  # noqa: RUF001
    expect(page.locator("dl.totals")).to_contain_text("Refundable balance$27.31")
    expect(page.locator("[data-field=refunded-1]")).to_have_text("1 refunded")
    expect(page.locator("[data-field=refunded-2]")).to_have_count(0)
    timeline = page.locator("ol.timeline")
    expect(timeline.locator("li.event-refunded")).to_contain_text("Refunded $25.69 for 1 x T-shirt, shipping")
    expect(timeline).to_contain_text("one shirt came back torn")

    # Refunded once: one T-shirt and the mug are left to refund, the shipping is not offered again.
    form = refund_form(page)
    expect(form.get_by_label(f"{TEE} (1 left)")).to_have_value("1")
    expect(form.get_by_label("Refund the shipping")).to_have_count(0)
    page.screenshot(path=str(shots / f"{prefix}refunds-by-line-02-refunded.png"), full_page=True)

    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Inventory").click()
    page.get_by_role("link", name="TEE", exact=True).click()
    expect(page.get_by_role("heading", name="TEE")).to_be_visible()
    expect(page.locator("[data-stock]")).to_have_text("4")  # 5 - 2 placed + 1 back

    stored = orders.get(order.id)
    (made,) = stored.refunds
    assert (made.lines, made.shipping, made.restock, made.amount) == ({1: 1}, True, True, Decimal("25.69"))
    assert orders.inventory.stock("TEE") == 4
    return stored


def refunding_more_than_is_left_is_refused(page: Any, admin: str, orders: ko.Orders, order: ko.Order) -> None:
    """After the refund above: too many units, typed or from a page left open, are refused; nothing moves."""
    from playwright.sync_api import expect

    page.goto(f"{admin}/{order.id}")
    form = refund_form(page)
    form.get_by_label(f"Refund {TEE}").check()
    tees = form.get_by_label(f"{TEE} (1 left)")
    tees.fill("2")
    form.get_by_role("button", name="Confirm Refund").click()
    # The browser's own check stops it beside the field (at most what is left): nothing is sent.
    assert tees.evaluate("input => input.validity.rangeOverflow") is True
    assert "less than or equal to 1" in tees.evaluate("input => input.validationMessage")
    expect(tees).to_have_value("2")
    assert orders.get(order.id) == order

    # A page left open while a colleague refunds the last T-shirt: refused, and not offered again.
    tees.fill("1")
    orders.refund(order.id, lines={1: 1})
    before = orders.get(order.id)
    form.get_by_role("button", name="Confirm Refund").click()
    expect(form.get_by_role("alert")).to_contain_text("Someone else changed this order")
    expect(form.get_by_label(f"Refund {TEE}")).to_have_count(0)
    expect(form.get_by_label("Mug, MUG (1 left)")).to_have_value("1")
    expect(page.locator("[data-field=refunded-1]")).to_have_text("2 refunded")
    assert orders.get(order.id) == before
    assert orders.inventory.stock("TEE") == 4  # the colleague's refund did not restock
