"""A merchant edits an order before it ships: a quantity, a line added, a line removed, the address, a note.

One flow, run in Chromium on the Flask host (tests/e2e/test_edit_order.py) and on the Django host
(tests/e2e/django/test_edit_order.py), so both serve the same Edit order page. *inbox* gives the
(subject, text) of each email the customer received at a real SMTP server.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import kasify_orders as ko
from tests.helpers import tee_and_mug
from tests.integration.notifications.conftest import SmtpServer

Inbox = Callable[[], list[tuple[str, str]]]
CUSTOMER = "ada@example.com"


def inbox_of(server: SmtpServer) -> Inbox:
    """The (subject, text) of each email *server* received for the customer, when called."""
    return lambda: [(str(r.message["Subject"]), r.text()) for r in server.inbox.to(CUSTOMER)]


def paid_tee_and_mug(orders: ko.Orders) -> ko.Order:
    """A paid order of 2 T-shirts (line 1, 3 left in stock) and a mug (line 2): 63.00 with shipping."""
    orders.inventory.set_stock("TEE", 5)
    orders.inventory.set_stock("CAP", 4)
    return orders.confirm_payment(orders.place(tee_and_mug(name="Edit Ed")).id)


def edit_quantity_lines_address_and_note(
    page: Any, admin: str, orders: ko.Orders, inbox: Inbox, *, shots: Path, prefix: str
) -> ko.Order:
    """One save of the Edit order page: 3 T-shirts, no mug, a cap, York; the order page, stock, email."""
    from playwright.sync_api import expect

    order = paid_tee_and_mug(orders)
    page.goto(f"{admin}/{order.id}")
    expect(page.get_by_role("heading", name=f"Order #{order.number}")).to_be_visible()
    page.get_by_role("link", name="Edit order").click()
    expect(page.get_by_role("heading", name=f"Edit order #{order.number}")).to_be_visible()

    expect(page.get_by_label("Quantity of T-shirt")).to_have_value("2")
    page.get_by_label("Quantity of T-shirt").fill("3")
    page.locator("tr", has_text="Mug").get_by_label("Remove").check()
    page.get_by_label("SKU").fill("CAP")
    page.get_by_label("Product name").fill("Cap")
    page.get_by_label("Unit price (USD)").fill("12.00")
    page.get_by_label("City").fill("York")
    page.get_by_label("Postal code").fill("YO1 7HH")
    page.get_by_label("Note (internal, optional)").fill("customer called")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky sidebar at the top of the picture
    page.screenshot(path=str(shots / f"{prefix}edit-order-01-form.png"), full_page=True)
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("status")).to_contain_text("Order edited")
    items = page.locator("table.items tbody")
    expect(items.locator("tr")).to_have_count(2)
    expect(items.locator("tr").nth(0)).to_contain_text("T-shirt")
    expect(items.locator("tr").nth(0)).to_contain_text("$75.00")
    expect(items.locator("tr").nth(1)).to_contain_text("Cap")
    expect(items).not_to_contain_text("Mug")
    totals = page.locator("dl.totals")
    expect(totals).to_contain_text("Subtotal$87.00")
    expect(totals).to_contain_text("Total$92.00")
    expect(page.locator("[data-field=amount-due]")).to_contain_text("$29.00")  # 92.00 - 63.00 paid
    expect(page.get_by_role("region", name="Customer")).to_contain_text("York")
    edited = page.locator("ol.timeline li.event-edited")
    expect(edited).to_have_count(1)
    for change in (
        "Address: 12 St James's Sq, London SW1Y 4JH, GB → 12 St James's Sq, York YO1 7HH, GB",
        "Quantity of T-shirt: 2 → 3",
        "Removed 1 x Mug",
        "Added 1 x Cap at $12.00",
        "Total: $63.00 → $92.00",
        "note: customer called",
    ):
        expect(edited).to_contain_text(change)
    placed = page.locator("ol.timeline li.event-placed")
    expect(placed).to_contain_text("Order placed: 3 items, total $63.00")  # as placed, not as now
    page.screenshot(path=str(shots / f"{prefix}edit-order-02-edited.png"), full_page=True)

    stored = orders.get(order.id)
    assert [(line.sku, line.quantity) for line in stored.lines] == [("TEE", 3), ("CAP", 1)]
    assert stored.shipping_address.city == "York" and stored.totals.amount_due == Decimal("29.00")
    assert (orders.inventory.stock("TEE"), orders.inventory.stock("CAP")) == (2, 3)
    updated = [text for subject, text in inbox() if subject.endswith(f"order #{order.number} updated")]
    assert len(updated) == 1, inbox()
    assert "Cap" in updated[0] and "Mug" not in updated[0]
    return stored


def overselling_is_refused_and_a_shipped_order_has_no_edit(
    page: Any, admin: str, orders: ko.Orders, inbox: Inbox, order: ko.Order
) -> None:
    """After the edit above: 10 T-shirts (2 in stock) change nothing; once a parcel is out, no Edit."""
    from playwright.sync_api import expect

    mails = len(inbox())
    page.goto(f"{admin}/{order.id}")
    page.get_by_role("link", name="Edit order").click()
    page.get_by_label("Quantity of T-shirt").fill("10")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_have_text("T-shirt (TEE) is out of stock: 7 requested, 2 available.")
    expect(page.get_by_label("Quantity of T-shirt")).to_have_value("10")  # what was typed is kept
    assert orders.get(order.id) == order
    assert orders.inventory.stock("TEE") == 2 and len(inbox()) == mails

    # The cap leaves in a parcel while the form is still open: saving it is refused, then no Edit.
    cap = next(line.id for line in order.lines if line.sku == "CAP")
    orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups", lines={cap: 1})
    shipped = orders.get(order.id)  # with its shipping email's entry
    page.get_by_label("Quantity of T-shirt").fill("2")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "This order can no longer be edited: a parcel has shipped"
    )
    assert orders.get(order.id) == shipped and orders.inventory.stock("TEE") == 2
    page.get_by_role("link", name=f"← Order #{order.number}").click()
    expect(page.locator("[data-field=fulfilment-status]")).to_have_text("Partially shipped")
    expect(page.get_by_role("link", name="Edit order")).to_have_count(0)


def edit_below_what_was_paid_shows_the_refund_due(
    page: Any, admin: str, orders: ko.Orders, inbox: Inbox
) -> None:
    """One T-shirt fewer on a paid 63.00 order: 38.00, so 25.00 to be refunded; refunded, it is gone."""
    from playwright.sync_api import expect

    order = paid_tee_and_mug(orders)
    page.goto(f"{admin}/{order.id}")
    page.get_by_role("link", name="Edit order").click()
    expect(page.get_by_role("heading", name=f"Edit order #{order.number}")).to_be_visible()
    page.get_by_label("Quantity of T-shirt").fill("1")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("status")).to_contain_text("Order edited")
    totals = page.locator("dl.totals")
    expect(totals).to_contain_text("Total$38.00")
    expect(page.locator("[data-field=refund-due]")).to_have_text("$25.00")  # 63.00 paid - 38.00
    expect(totals).to_contain_text("To be refunded$25.00")
    expect(page.locator("[data-field=amount-due]")).to_have_count(0)
    edited = page.locator("ol.timeline li.event-edited")
    expect(edited).to_contain_text("Quantity of T-shirt: 2 → 1")
    expect(edited).to_contain_text("Total: $63.00 → $38.00")
    stored = orders.get(order.id)
    assert (stored.totals.total, stored.totals.paid, stored.totals.refund_due) == (
        Decimal("38.00"),
        Decimal("63.00"),
        Decimal("25.00"),
    )
    assert orders.inventory.stock("TEE") == 4  # 5 - 2 placed + 1 given back by the edit
    (updated,) = [text for subject, text in inbox() if subject.endswith(f"order #{order.number} updated")]
    assert "To be refunded: $25.00" in updated

    # Paid back with Issue Refund: nothing is due any more.
    page.get_by_text("Issue Refund", exact=True).click()
    form = page.locator("details").filter(has=page.get_by_text("Issue Refund", exact=True))
    expect(form.get_by_label("Amount")).to_have_value("25.00")  # what is due, not all 63.00
    form.get_by_role("button", name="Confirm Refund").click()
    expect(page.get_by_role("status")).to_contain_text("Refunded $25.00.")
    expect(totals).to_contain_text("Refunded−$25.00")  # noqa: RUF001
    expect(page.locator("[data-field=refund-due]")).to_have_count(0)
    assert orders.get(order.id).totals.refund_due == Decimal("0.00")
