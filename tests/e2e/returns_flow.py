"""A merchant takes a T-shirt back through the order page's Returns section: opens, receives, refunds.

One flow, run in Chromium on the Flask host (tests/e2e/test_returns.py) and on the Django host
(tests/e2e/django/test_returns.py), so both serve the same Returns section. *inbox* gives the
(subject, text) of each email the customer received at a real SMTP server.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import kasify_orders as ko
from tests.e2e.edit_order_flow import Inbox
from tests.e2e.line_refund_flow import TEE, shipped_tee_and_mug
from tests.helpers import tee_and_mug

MUG = "Mug, MUG"


def returns_section(page: Any) -> Any:
    """The order page's Returns section."""
    return page.get_by_role("region", name="Returns")


def open_return_form(page: Any) -> Any:
    """The Returns section's "Open a return" form, opened."""
    from playwright.sync_api import expect

    section = returns_section(page)
    section.get_by_text("Open a return", exact=True).click()
    form = section.locator("form[data-action=open_return]")
    expect(form.get_by_role("button", name="Open return")).to_be_visible()
    return form


def the_return(page: Any, found: ko.Return) -> Any:
    """The article of the return *found* in the Returns section."""
    return returns_section(page).locator(f"article[data-return='{found.id}']")


def mails(inbox: Inbox, ending: str) -> list[str]:
    """The texts of the customer's emails whose subject ends with *ending*."""
    return [text for subject, text in inbox() if subject.endswith(ending)]


def step_form(page: Any, shown: Any, step: str, confirm: str) -> Any:
    """The form of *step* (its summary: "Receive", "Refund", "Close") on the return *shown*, opened."""
    from playwright.sync_api import expect

    shown.get_by_text(step, exact=True).click()
    form = shown.locator("details").filter(has=page.get_by_text(step, exact=True))
    expect(form.get_by_role("button", name=confirm)).to_be_visible()
    return form


def return_receive_and_refund_one_tee(
    page: Any, admin: str, orders: ko.Orders, inbox: Inbox, *, shots: Path, prefix: str
) -> ko.Order:
    """One T-shirt back "too small": opened, received into stock, refunded; the page, stock, emails."""
    from playwright.sync_api import expect

    order = shipped_tee_and_mug(orders)  # 2 T-shirts, 3 in stock after the order
    page.goto(f"{admin}/{order.id}")
    expect(page.get_by_role("heading", name=f"Order #{order.number}")).to_be_visible()
    expect(page.locator("[data-field=status]")).to_have_text("Shipped")

    form = open_return_form(page)
    expect(form.get_by_label(f"{TEE} (2 left)")).to_have_value("2")
    form.get_by_label(f"Return {TEE}").check()
    form.get_by_label(f"{TEE} (2 left)").fill("1")
    form.get_by_label("Reason").fill("too small")
    form.get_by_role("button", name="Open return").click()

    expect(page.get_by_role("status")).to_contain_text("Return opened for 1 item.")
    (made,) = orders.get(order.id).returns
    shown = the_return(page, made)
    expect(shown.locator("[data-field=return-status]")).to_have_text("Open")
    expect(shown).to_contain_text("too small")
    expect(shown.locator("ul.return-lines li")).to_have_text(["1 × T-shirt"])  # noqa: RUF001
    timeline = page.locator("ol.timeline")
    expect(timeline.locator("li.event-return_opened")).to_contain_text(
        "Return opened for 1 x T-shirt: too small"
    )
    # The mug was not ticked: it stays whole in what may still be returned.
    form = open_return_form(page)
    expect(form.get_by_label(f"{TEE} (1 left)")).to_have_value("1")
    expect(form.get_by_label(f"{MUG} (1 left)")).to_have_value("1")

    receive = step_form(page, shown, "Receive", "Mark as received")
    expect(receive.get_by_label("Put back in stock")).to_be_checked()
    receive.get_by_role("button", name="Mark as received").click()
    expect(page.get_by_role("status")).to_contain_text("Return received; its items are back in stock.")
    expect(shown.locator("[data-field=return-status]")).to_have_text("Received")
    expect(shown).to_contain_text("(back in stock)")
    expect(timeline.locator("li.event-return_received")).to_contain_text(
        "Return received: 1 x T-shirt (put back in stock)"
    )
    expect(shown.get_by_role("button", name="Mark as received")).to_have_count(0)
    step_form(page, shown, "Refund", "Refund return")  # the picture: a received return, its refund form
    returns_section(page).screenshot(path=str(shots / f"{prefix}returns-01-received.png"))

    page.get_by_role("navigation", name="Back office").get_by_role("link", name="Inventory").click()
    page.get_by_role("link", name="TEE", exact=True).click()
    expect(page.get_by_role("heading", name="TEE")).to_be_visible()
    expect(page.locator("[data-stock]")).to_have_text("4")  # 5 - 2 placed + 1 back
    (received,) = mails(inbox, f"your return for order #{order.number} arrived")
    assert "T-shirt" in received

    page.goto(f"{admin}/{order.id}")
    refund = step_form(page, shown, "Refund", "Refund return")
    expect(refund.get_by_label("Refund the shipping too")).not_to_be_checked()
    refund.get_by_label("Internal note").fill("size swap declined")
    refund.get_by_role("button", name="Refund return").click()

    # The T-shirt after its share of the 10.00 off (10 x 25/58 = 4.31): 20.69, no shipping.
    expect(page.get_by_role("status")).to_contain_text("Return refunded: $20.69.")
    expect(page.locator("[data-field=payment-status]")).to_have_text("Partially refunded")
    expect(page.locator("dl.totals")).to_contain_text("Refunded−$20.69")  # noqa: RUF001
    expect(page.locator("[data-field=refunded-1]")).to_have_text("1 refunded")
    expect(page.locator("[data-field=refunded-2]")).to_have_count(0)
    expect(shown.locator("[data-field=return-status]")).to_have_text("Refunded")
    expect(shown.locator("summary")).to_have_count(0)  # no Receive, Refund or Close any more
    expect(shown.get_by_role("button")).to_have_count(0)
    refunded = timeline.locator("li.event-return_refunded")
    expect(refunded).to_contain_text("Return refunded $20.69: 1 x T-shirt")
    expect(refunded).to_contain_text("size swap declined")
    page.screenshot(path=str(shots / f"{prefix}returns-02-refunded.png"), full_page=True)

    stored = orders.get(order.id)
    (done,) = stored.returns
    (refund,) = stored.refunds
    assert (done.status, done.lines, done.restocked, done.refund_id) == (
        ko.ReturnStatus.REFUNDED,
        {1: 1},
        True,
        refund.id,
    )
    made = (refund.lines, refund.shipping, refund.restock, refund.amount)
    assert made == ({1: 1}, False, False, Decimal("20.69"))
    assert orders.inventory.stock("TEE") == 4  # the refund did not restock again
    (refund_mail,) = mails(inbox, f"refund of $20.69 for order #{order.number}")
    assert "20.69" in refund_mail
    return stored


def partly_shipped(orders: ko.Orders) -> ko.Order:
    """A paid order of 2 T-shirts (line 1) and a mug, one T-shirt shipped: only that one may come back."""
    placed = orders.confirm_payment(orders.place(tee_and_mug(name="Return Rita")).id)
    orders.mark_shipped(placed.id, tracking_number="1Z999AA10123456784", carrier="ups", lines={1: 1})
    return orders.get(placed.id)  # with its emails' timeline entries, where the host mails


def beyond_what_shipped_is_refused_and_closing_unreceived_frees_the_units(
    page: Any, admin: str, orders: ko.Orders
) -> None:
    """2 T-shirts back when 1 shipped, or no line ticked: refused beside the lines, nothing opened.

    Then a colleague's open return, closed unreceived, frees its T-shirt for another return.
    """
    from playwright.sync_api import expect

    order = partly_shipped(orders)
    page.goto(f"{admin}/{order.id}")
    expect(page.locator("[data-field=fulfilment-status]")).to_have_text("Partially shipped")
    form = open_return_form(page)
    expect(form.get_by_label(f"Return {MUG}")).to_have_count(0)  # the mug has not shipped
    form.get_by_label(f"Return {TEE}").check()
    tees = form.get_by_label(f"{TEE} (1 left)")
    tees.fill("2")
    form.get_by_label("Reason").fill("too small")
    form.get_by_role("button", name="Open return").click()
    # The browser's own check stops it beside the field (at most what shipped): nothing is sent.
    assert tees.evaluate("input => input.validity.rangeOverflow") is True
    assert "less than or equal to 1" in tees.evaluate("input => input.validationMessage")
    assert orders.get(order.id) == order

    # The T-shirt's box left unticked: no line chosen, refused by the server beside the lines.
    tees.fill("1")
    form.get_by_label(f"Return {TEE}").uncheck()
    form.get_by_role("button", name="Open return").click()
    lines = form.locator("fieldset.parcel-lines")
    expect(lines.locator("p.error")).to_have_text("Choose at least one shipped line to return.")
    expect(lines).to_have_class("field parcel-lines has-error")
    expect(form.get_by_label("Reason")).to_have_value("too small")  # what was typed is kept
    assert orders.get(order.id) == order  # no return, no timeline entry

    # A page left open while a colleague opens a return of that T-shirt: refused, not offered again.
    form.get_by_label(f"Return {TEE}").check()
    expect(form.get_by_label(f"{TEE} (1 left)")).to_have_value("1")
    colleague = orders.returns.open(order.id, lines={1: 1}, reason="wrong colour")
    (theirs,) = colleague.returns
    form.get_by_role("button", name="Open return").click()
    expect(page.get_by_role("alert")).to_contain_text("Someone else changed this order")
    expect(returns_section(page).get_by_text("Open a return", exact=True)).to_have_count(0)  # none left
    shown = the_return(page, theirs)
    expect(shown).to_contain_text("wrong colour")
    assert orders.get(order.id) == colleague  # only the colleague's return

    # The customer never sends it: closed without receipt, the T-shirt may be returned again.
    close = step_form(page, shown, "Close", "Close without refund")
    close.get_by_label("Internal note").fill("customer kept it")
    close.get_by_role("button", name="Close without refund").click()
    expect(page.get_by_role("status")).to_contain_text("Return closed without a refund.")
    expect(shown.locator("[data-field=return-status]")).to_have_text("Closed")
    expect(shown.get_by_role("button")).to_have_count(0)
    closed = page.locator("ol.timeline li.event-return_closed")
    expect(closed).to_contain_text("Return closed without a refund: 1 x T-shirt (never received)")
    expect(closed).to_contain_text("customer kept it")

    form = open_return_form(page)
    form.get_by_label(f"Return {TEE}").check()
    expect(form.get_by_label(f"{TEE} (1 left)")).to_have_value("1")
    form.get_by_label("Reason").fill("too small")
    form.get_by_role("button", name="Open return").click()
    expect(page.get_by_role("status")).to_contain_text("Return opened for 1 item.")
    after = orders.get(order.id)
    assert [(r.status, r.lines) for r in after.returns] == [
        (ko.ReturnStatus.CLOSED, {1: 1}),
        (ko.ReturnStatus.OPEN, {1: 1}),
    ]
    assert after.refunds == ()
