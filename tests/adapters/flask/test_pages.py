"""The merchant's pages through Flask's test client, on SQLite, PostgreSQL and MariaDB.

Every action is driven through its form; every failure is checked to have changed nothing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import flask
import sqlalchemy as sa
from flask.testing import FlaskClient

import kasify_orders as ko
from tests.adapters.flask.conftest import ADMIN, csrf_token, make_app, post_action, session_token
from tests.helpers import new_order


def text(response: flask.Response) -> str:
    """The page as a person reads it: tags dropped, whitespace collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", body.replace("&#39;", "'").replace("&amp;", "&"))


def shipped(orders: ko.Orders, **options: object) -> ko.Order:
    order = orders.place(new_order(**options))  # type: ignore[arg-type]
    orders.confirm_payment(order.id)
    return orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")


# -- the list -----------------------------------------------------------------------------


def test_list_shows_tabs_with_counts_newest_first_and_links(client: FlaskClient, orders: ko.Orders) -> None:
    first = orders.place(new_order(name="Grace Hopper", email="grace@example.com"))
    second = orders.place(new_order(name="Alan Turing", email="alan@example.com"))
    orders.confirm_payment(second.id)
    shipped(orders, name="Katherine Johnson", email="kj@example.com")

    response = client.get(f"{ADMIN}/")
    page = text(response)
    assert response.status_code == 200
    for label, count in [("All", 3), ("Pending", 1), ("Processing", 1), ("Shipped", 1), ("Delivered", 0)]:
        assert f"{label} {count}" in page
    assert "Cancelled 0" in page and "Refunded 0" in page and "Needs attention 0" in page
    assert page.index("Katherine Johnson") < page.index("Alan Turing") < page.index("Grace Hopper")
    html = response.get_data(as_text=True)
    assert f'href="{ADMIN}/{first.id}"' in html

    pending = text(client.get(f"{ADMIN}/?status=pending"))
    assert "Grace Hopper" in pending and "Alan Turing" not in pending


def test_search_finds_by_number_name_email_and_tracking_number(
    client: FlaskClient, orders: ko.Orders
) -> None:
    ada = orders.place(new_order(name="Ada Lovelace", email="ada@example.com"))
    shipped(orders, name="Grace Hopper", email="grace@navy.example")
    orders.place(new_order(name="Alan Turing", email="alan@example.com"))

    assert _names(client, f"q={ada.number}") == {"Ada Lovelace"}
    assert _names(client, "q=hopper") == {"Grace Hopper"}
    assert _names(client, "q=navy.example") == {"Grace Hopper"}
    assert _names(client, "q=1Z999AA10123456784") == {"Grace Hopper"}
    assert "No orders match “nobody”" in text(client.get(f"{ADMIN}/?q=nobody"))


def _names(client: FlaskClient, query: str) -> set[str]:
    page = text(client.get(f"{ADMIN}/?{query}"))
    return {name for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing") if name in page}


def test_needs_attention_lists_paid_orders_not_shipped_in_time(
    client: FlaskClient, orders: ko.Orders, database_url: str
) -> None:
    late = orders.place(new_order(name="Late Larry"))
    orders.confirm_payment(late.id)
    fresh = orders.place(new_order(name="Fresh Fiona"))
    orders.confirm_payment(fresh.id)
    # Paid a fortnight ago: back-date the payment in the store itself.
    engine = sa.create_engine(database_url)
    table = sa.Table(f"{orders.settings.table_prefix}orders", sa.MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        conn.execute(
            table.update().where(table.c.id == late.id).values(paid_at=datetime.now(UTC) - timedelta(days=14))
        )
    engine.dispose()

    page = text(client.get(f"{ADMIN}/?status=attention"))
    assert "Needs attention 1" in page
    assert "Late Larry" in page and "Fresh Fiona" not in page
    assert "not shipped within 2 business days" in page


def test_keyset_paging_shows_every_order_once(orders: ko.Orders) -> None:
    app = make_app(orders, authorize=lambda action, order: True, KASIFY_ORDERS_PAGE_SIZE=2)
    placed = [orders.place(new_order(name=f"Customer {n}")).number for n in range(5)]
    client = app.test_client()
    seen: list[int] = []
    url: str | None = f"{ADMIN}/"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r">#(\d+)</a>", html)]
        found = re.search(r'href="([^"]+)" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == sorted(placed, reverse=True)


def test_unknown_tab_and_stale_cursor_say_so_in_plain_words(client: FlaskClient, orders: ko.Orders) -> None:
    orders.place(new_order())
    response = client.get(f"{ADMIN}/?status=archived")
    assert response.status_code == 400
    assert "There is no “archived” tab; showing all orders." in text(response)
    for cursor in ("nonsense", "9223372036854775808", "\u0665"):
        response = client.get(f"{ADMIN}/?cursor={cursor}")
        assert response.status_code == 400
        assert "That page link is out of date" in text(response)


# -- the order page -----------------------------------------------------------------------


def test_order_page_shows_customer_items_totals_payment_notes_and_timeline(
    client: FlaskClient, orders: ko.Orders
) -> None:
    orders.coupons.create(ko.Coupon.percentage("SAVE20", 20))
    order = orders.place(new_order(coupon_code="SAVE20", note="Gift wrap please, it's a birthday"))
    orders.confirm_payment(order.id, actor="staff:3")

    response = client.get(f"{ADMIN}/{order.id}")
    page = text(response)
    assert response.status_code == 200
    assert f"Order #{order.number}" in page
    assert "Ada Lovelace" in page and "ada@example.com" in page and "12 St James's Sq" in page
    assert "SW1Y 4JH" in page and "GB" in page
    assert "T-shirt" in page and "Red / M" in page and "$25.00" in page
    assert "Subtotal $50.00" in page and "Shipping $5.00" in page
    assert "Discount (SAVE20) \N{MINUS SIGN}$10.00" in page and "Total $45.00" in page
    assert "Paid" in page
    html = response.get_data(as_text=True)
    note = re.search(r'<section class="customer-note".*?</section>', html, re.DOTALL)
    assert note is not None and "Gift wrap please, it&#39;s a birthday" in note.group(0)
    assert "read before packing" in note.group(0)
    assert "Payment confirmed" in page and "staff:3" in page and "UTC" in page
    for label in ["Mark as Shipped", "Issue Refund", "Cancel and refund", "Add note", "Packing slip"]:
        assert label in page
    assert "Confirm payment" not in page.replace("Payment confirmed", "")


def test_every_field_has_a_label(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.place(new_order())
    orders.confirm_payment(order.id)
    html = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
    fields = re.findall(r'<(?:input|textarea)[^>]*\bid="([^"]+)"', html)
    assert len(fields) >= 6
    for field_id in fields:
        assert re.search(rf'<label for="{field_id}"[ >]', html), field_id
    assert re.search(r'id="refund-amount" name="amount" type="text" value="55.00"', html)


def test_packing_slip_shows_the_customers_notes(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.place(new_order(note="Leave with the neighbour at no. 14"))
    response = client.get(f"{ADMIN}/{order.id}/packing-slip")
    page = text(response)
    assert response.status_code == 200
    assert "Packing slip" in page and f"Order #{order.number}" in page
    assert "Leave with the neighbour at no. 14" in page
    assert "T-shirt" in page and "TEE-RED-M" in page


def test_unknown_order_is_404(client: FlaskClient) -> None:
    assert client.get(f"{ADMIN}/{'0' * 32}").status_code == 404
    assert client.get(f"{ADMIN}/{'0' * 32}/packing-slip").status_code == 404
    token = session_token(client)
    response = client.post(f"{ADMIN}/{'0' * 32}/confirm_payment", data={"csrf_token": token, "version": "1"})
    assert response.status_code == 404
    assert "Order not found" in text(response)


# -- the actions --------------------------------------------------------------------------


def test_the_whole_life_of_an_order_through_its_forms(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.place(new_order(note="Fragile"))

    response = post_action(client, order, "confirm_payment")
    assert response.status_code == 303 and response.headers["Location"] == f"{ADMIN}/{order.id}"
    page = text(client.get(response.headers["Location"]))
    assert "Payment confirmed: the order is now Processing." in page
    order = orders.get(order.id)
    assert order.status is ko.Status.PROCESSING
    assert order.timeline[-1].actor == "staff:7"

    response = post_action(client, order, "mark_shipped", tracking_number="1Z999AA10123456784", carrier="UPS")
    assert response.status_code == 303
    order = orders.get(order.id)
    assert order.status is ko.Status.SHIPPED and order.shipment is not None
    assert (order.shipment.carrier, order.shipment.tracking_number) == ("ups", "1Z999AA10123456784")

    response = post_action(
        client, order, "update_tracking", tracking_number="1Z999AA10123456799", carrier="UPS"
    )
    assert response.status_code == 303
    order = orders.get(order.id)
    assert order.shipment is not None and order.shipment.tracking_number == "1Z999AA10123456799"
    page = text(client.get(f"{ADMIN}/{order.id}"))
    assert "1Z999AA10123456784" in page and "1Z999AA10123456799" in page

    response = post_action(client, order, "mark_delivered")
    assert response.status_code == 303
    order = orders.get(order.id)
    assert order.status is ko.Status.DELIVERED

    response = post_action(client, order, "refund", amount="10.00", note="strap broken")
    assert response.status_code == 303
    page = text(client.get(f"{ADMIN}/{order.id}"))
    assert "Refunded $10.00." in page and "Partially refunded" in page
    assert "Refundable balance $45.00" in page and "strap broken" in page
    order = orders.get(order.id)
    assert order.payment_status is ko.PaymentStatus.PARTIALLY_REFUNDED

    response = post_action(client, order, "add_note", text="Customer called about the strap")
    assert response.status_code == 303
    assert orders.get(order.id).timeline[-1].message == "Customer called about the strap"


def test_cancel_with_and_without_restock(client: FlaskClient, orders: ko.Orders) -> None:
    orders.inventory.set_stock("TEE-RED-M", 5)
    order = orders.place(new_order(quantity=2))
    response = post_action(client, order, "cancel", reason="customer asked", restock="on")
    assert response.status_code == 303
    assert orders.get(order.id).status is ko.Status.CANCELLED
    assert orders.inventory.stock("TEE-RED-M") == 5

    other = orders.place(new_order(quantity=2))
    post_action(client, other, "cancel", reason="")  # checkbox left unticked
    assert orders.get(other.id).status is ko.Status.CANCELLED
    assert orders.inventory.stock("TEE-RED-M") == 3


def test_full_refund_by_default_amount_marks_the_order_refunded(
    client: FlaskClient, orders: ko.Orders
) -> None:
    order = orders.place(new_order())
    order = orders.confirm_payment(order.id)
    html = client.get(f"{ADMIN}/{order.id}").get_data(as_text=True)
    amount = re.search(r'name="amount" type="text" value="([^"]+)"', html)
    assert amount is not None and amount.group(1) == "55.00"
    post_action(client, order, "refund", amount=amount.group(1), note="")
    order = orders.get(order.id)
    assert order.status is ko.Status.REFUNDED and order.payment_status is ko.PaymentStatus.REFUNDED


# -- failures change nothing ----------------------------------------------------------------


def test_shipping_without_tracking_number_shows_errors_beside_the_form(
    client: FlaskClient, orders: ko.Orders
) -> None:
    order = orders.confirm_payment(orders.place(new_order()).id)
    response = post_action(client, order, "mark_shipped", tracking_number="  ", carrier="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    form = re.search(r"<details open>.*?</details>", html, re.DOTALL)
    assert form is not None and "Mark as Shipped" in form.group(0)
    assert 'id="mark_shipped-tracking_number-error">Must not be blank.' in form.group(0)
    assert 'id="mark_shipped-carrier-error">Must not be blank.' in form.group(0)
    assert orders.get(order.id) == order


def test_refund_over_the_balance_says_the_balance_and_keeps_the_typed_amount(
    client: FlaskClient, orders: ko.Orders
) -> None:
    order = orders.confirm_payment(orders.place(new_order()).id)
    order = orders.refund(order.id, Decimal("5.00"))
    response = post_action(client, order, "refund", amount="60.00", note="too much")
    assert response.status_code == 400
    page = text(response)
    assert "That is more than the refundable balance, which is $50.00." in page
    assert 'value="60.00"' in response.get_data(as_text=True)
    assert orders.get(order.id) == order

    for typed in ("ten", "\u0665", "1_0", "1e3"):
        response = post_action(client, order, "refund", amount=typed, note="")
        assert response.status_code == 400
        assert f"Enter an amount in digits, such as 12.50, not “{typed}”." in text(response)
    response = post_action(client, order, "refund", amount="-5", note="")
    assert response.status_code == 400
    assert "Must not be negative, got -5." in text(response)
    assert orders.get(order.id) == order


def test_a_stale_form_is_refused_and_the_page_shows_the_latest_order(
    client: FlaskClient, orders: ko.Orders
) -> None:
    stale = orders.place(new_order())
    token = csrf_token(client, stale.id)
    current = orders.confirm_payment(stale.id, actor="staff:2")  # someone else, meanwhile
    response = post_action(client, stale, "cancel", token=token, reason="", restock="on")
    assert response.status_code == 409
    assert "Someone else changed this order" in text(response)
    assert orders.get(stale.id) == current


def test_an_action_the_status_does_not_allow_is_refused(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.place(new_order())
    response = post_action(client, order, "mark_delivered")
    assert response.status_code == 409
    assert "“Mark as Delivered” isn't possible now: the order is Pending" in text(response)
    assert orders.get(order.id) == order


def test_unknown_action_and_missing_version(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.place(new_order())
    token = csrf_token(client, order.id)
    assert client.post(f"{ADMIN}/{order.id}/explode", data={"csrf_token": token}).status_code == 404
    response = client.post(f"{ADMIN}/{order.id}/confirm_payment", data={"csrf_token": token})
    assert response.status_code == 400
    assert "This form is out of date" in text(response)
    assert orders.get(order.id) == order


# -- refusals ---------------------------------------------------------------------------------


def test_a_form_without_a_csrf_token_is_refused(client: FlaskClient, orders: ko.Orders) -> None:
    order = orders.place(new_order())
    client.get(f"{ADMIN}/{order.id}")  # the session has its half of the token
    for token in ("", "forged-token"):
        response = client.post(
            f"{ADMIN}/{order.id}/confirm_payment", data={"csrf_token": token, "version": "1"}
        )
        assert response.status_code == 400
        assert "That form was refused" in text(response)
    assert orders.get(order.id) == order


def test_a_token_from_another_session_is_refused(app: flask.Flask, orders: ko.Orders) -> None:
    order = orders.place(new_order())
    with app.test_client() as other:
        token = csrf_token(other, order.id)
    with app.test_client() as client:
        client.get(f"{ADMIN}/{order.id}")
        response = post_action(client, order, "confirm_payment", token=token)
    assert response.status_code == 400
    assert orders.get(order.id) == order


def test_without_an_authorize_function_everyone_is_refused_with_a_hint(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    client = make_app(orders).test_client()
    for url in (f"{ADMIN}/", f"{ADMIN}/{order.id}", f"{ADMIN}/{order.id}/packing-slip"):
        response = client.get(url)
        assert response.status_code == 403
        assert "@kasify.authorize" in text(response)
    response = post_action(client, order, "confirm_payment", token=session_token(client))
    assert response.status_code == 403
    assert orders.get(order.id) == order


def test_authorize_decides_per_action(orders: ko.Orders) -> None:
    calls: list[tuple[str, str | None]] = []

    def clerk(action: str, order: ko.Order | None) -> bool:
        calls.append((action, order.id if order else None))
        return action in {"view", "confirm_payment"}

    order = orders.place(new_order())
    client = make_app(orders, authorize=clerk).test_client()
    page = text(client.get(f"{ADMIN}/{order.id}"))
    assert "Confirm payment" in page and "Cancel order" not in page and "Add note" not in page
    assert ("view", order.id) in calls

    response = post_action(client, order, "cancel", reason="", restock="on")
    assert response.status_code == 403
    refusal = text(response)
    assert "You can\N{RIGHT SINGLE QUOTATION MARK}t do that here" in refusal
    assert "@kasify.authorize" not in refusal
    assert orders.get(order.id) == order

    assert post_action(client, order, "confirm_payment").status_code == 303
    assert orders.get(order.id).status is ko.Status.PROCESSING


def test_a_refused_list_shows_nothing(orders: ko.Orders) -> None:
    orders.place(new_order(name="Secret Sam"))
    client = make_app(orders, authorize=lambda action, order: False).test_client()
    response = client.get(f"{ADMIN}/")
    assert response.status_code == 403
    assert "Secret Sam" not in text(response)
