"""The merchant's pages through Django's test client (CSRF checks on), on SQLite, PostgreSQL and MariaDB.

Staff only by default, a finer rule through ``KASIFY_ORDERS["AUTHORIZE"]``, every action by
its form with its result in the messages framework, and every refusal or failure changing nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from django.test import Client, override_settings

import kasify_orders as ko
from tests.adapters.django.conftest import ADMIN, BASE_KASIFY, csrf_token, make_user, page_text, post_action
from tests.helpers import new_order


def placed(orders: ko.Orders, **options: object) -> ko.Order:
    """A new order as stored once its emails are recorded on the timeline."""
    return orders.get(orders.place(new_order(**options)).id)  # type: ignore[arg-type]


def paid(orders: ko.Orders, **options: object) -> ko.Order:
    order = placed(orders, **options)
    orders.confirm_payment(order.id)
    return orders.get(order.id)


def shipped(orders: ko.Orders) -> ko.Order:
    order = paid(orders)
    orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    return orders.get(order.id)


# -- who may -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_hosts_login_page(client: Client, orders: ko.Orders) -> None:
    order = placed(orders)
    for url in (f"{ADMIN}/", f"{ADMIN}/{order.id}/", f"{ADMIN}/{order.id}/packing-slip/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    response = client.post(f"{ADMIN}/{order.id}/confirm_payment/", {"version": str(order.version)})
    assert response.status_code in {302, 403}
    assert orders.get(order.id) == order


def test_signed_in_users_who_are_not_staff_are_refused_and_change_nothing(
    client: Client, host: str, orders: ko.Orders
) -> None:
    order = placed(orders)
    client.force_login(make_user(host, "bob", staff=False))
    assert client.get(f"{ADMIN}/").status_code == 403
    response = client.get(f"{ADMIN}/{order.id}/")
    assert response.status_code == 403
    assert "Ada Lovelace" not in page_text(response)

    token = csrf_token_from_list(client)
    response = client.post(
        f"{ADMIN}/{order.id}/confirm_payment/", {"csrfmiddlewaretoken": token, "version": str(order.version)}
    )
    assert response.status_code == 403
    assert orders.get(order.id) == order


def csrf_token_from_list(client: Client) -> str:
    """A valid token for this client's session (the CSRF cookie the pages set)."""
    client.get(f"{ADMIN}/")
    return client.cookies["csrftoken"].value


def notes_only(request: HttpRequest, action: str, order: ko.Order | None) -> bool:
    """A finer rule: support staff (not is_staff) may read orders and add notes, nothing else."""
    return request.user.username == "support" and action in {"view", "add_note"}


def test_the_authorize_hook_gives_finer_rules(client: Client, host: str, orders: ko.Orders) -> None:
    order = paid(orders)
    rule = f"{__name__}.notes_only"
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "AUTHORIZE": rule}):
        client.force_login(make_user(host, "support", staff=False))
        page = page_text(client.get(f"{ADMIN}/{order.id}/"))
        assert "Add note" in page
        assert "Mark as Shipped" not in page and "Issue Refund" not in page

        response = post_action(client, order, "refund", amount="10.00")
        assert response.status_code == 403
        assert orders.get(order.id) == order

        response = post_action(client, order, "add_note", text="rang the customer")
        assert response.status_code == 302
        assert orders.get(order.id).timeline[-1].actor == "staff:support"


def test_a_form_without_djangos_csrf_token_is_refused_and_changes_nothing(
    staff_client: Client, orders: ko.Orders
) -> None:
    order = placed(orders)
    response = staff_client.post(f"{ADMIN}/{order.id}/confirm_payment/", {"version": str(order.version)})
    assert response.status_code == 403
    response = post_action(staff_client, order, "confirm_payment", token="x" * 64)
    assert response.status_code == 403
    assert orders.get(order.id) == order


# -- reading -------------------------------------------------------------------------------


def test_the_list_shows_tabs_search_and_links(staff_client: Client, orders: ko.Orders) -> None:
    grace = orders.place(new_order(name="Grace Hopper", email="grace@example.com"))
    paid(orders, name="Alan Turing", email="alan@example.com")
    response = staff_client.get(f"{ADMIN}/")
    page = page_text(response)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    assert "All 2" in page and "Pending 1" in page and "Processing 1" in page
    assert page.index("Alan Turing") < page.index("Grace Hopper")
    assert f'href="{ADMIN}/{grace.id}/"' in response.content.decode()
    assert f'href="{ADMIN}/static/kasify.css"' in response.content.decode()

    pending = page_text(staff_client.get(f"{ADMIN}/?status=pending"))
    assert "Grace Hopper" in pending and "Alan Turing" not in pending
    found = page_text(staff_client.get(f"{ADMIN}/?q=turing"))
    assert "Alan Turing" in found and "Grace Hopper" not in found


def test_order_page_packing_slip_and_stylesheet(staff_client: Client, orders: ko.Orders) -> None:
    order = placed(orders, note="Gift wrap please")
    page = page_text(staff_client.get(f"{ADMIN}/{order.id}/"))
    assert f"Order #{order.number}" in page and "Gift wrap please" in page and "Confirm payment" in page
    slip = staff_client.get(f"{ADMIN}/{order.id}/packing-slip/")
    assert slip.status_code == 200 and "Gift wrap please" in page_text(slip)
    css = staff_client.get(f"{ADMIN}/static/kasify.css")
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    assert staff_client.get(f"{ADMIN}/static/settings.py").status_code == 404
    assert staff_client.get(f"{ADMIN}/{'0' * 32}/").status_code == 404


# -- acting --------------------------------------------------------------------------------


def act_and_follow(client: Client, order: ko.Order, action: str, **fields: str) -> str:
    response = post_action(client, order, action, **fields)
    assert response.status_code == 302, page_text(response)
    assert response["Location"] == f"{ADMIN}/{order.id}/"
    return page_text(client.get(response["Location"]))


def test_every_action_through_its_form_with_its_result_as_a_message(
    staff_client: Client, orders: ko.Orders
) -> None:
    orders.inventory.set_stock("TEE-RED-M", 10)
    order = orders.place(new_order(quantity=2))

    page = act_and_follow(staff_client, order, "confirm_payment")
    assert "Payment confirmed: the order is now Processing." in page
    order = orders.get(order.id)
    assert order.status is ko.Status.PROCESSING and order.timeline[-1].actor == "staff:grace"

    page = act_and_follow(
        staff_client, order, "mark_shipped", tracking_number="1Z999AA10123456784", carrier="UPS"
    )
    assert "Marked as shipped, tracking number 1Z999AA10123456784." in page
    order = orders.get(order.id)

    page = act_and_follow(
        staff_client, order, "update_tracking", tracking_number="1Z999AA10123456793", carrier="UPS"
    )
    assert "Tracking number changed to 1Z999AA10123456793." in page
    order = orders.get(order.id)
    assert order.shipment is not None and order.shipment.tracking_number == "1Z999AA10123456793"

    page = act_and_follow(staff_client, order, "mark_delivered")
    assert "Marked as delivered." in page
    order = orders.get(order.id)

    page = act_and_follow(staff_client, order, "refund", amount="10.00", note="strap broken")
    assert "Refunded $10.00." in page
    order = orders.get(order.id)
    assert order.totals.refunded == Decimal("10.00")

    page = act_and_follow(staff_client, order, "add_note", text="called the customer")
    assert "Note added to the timeline." in page
    assert orders.get(order.id).timeline[-1].message == "called the customer"
    # The message is shown once.
    assert "Note added to the timeline." not in page_text(staff_client.get(f"{ADMIN}/{order.id}/"))

    other = paid(orders)
    page = act_and_follow(staff_client, other, "cancel", reason="customer asked", restock="on")
    assert "Order cancelled and its items put back in stock." in page
    assert orders.get(other.id).status is ko.Status.CANCELLED
    assert orders.inventory.stock("TEE-RED-M") == 8


def test_a_failed_action_shows_why_beside_its_form_and_changes_nothing(
    staff_client: Client, orders: ko.Orders
) -> None:
    order = paid(orders)
    response = post_action(staff_client, order, "mark_shipped", tracking_number="", carrier="UPS")
    assert response.status_code == 400
    assert orders.get(order.id) == order

    response = post_action(staff_client, order, "refund", amount="999.00")
    assert response.status_code == 400
    assert "That is more than the refundable balance, which is $55.00." in page_text(response)
    assert orders.get(order.id) == order

    delivered = shipped(orders)
    response = post_action(staff_client, delivered, "confirm_payment")
    assert response.status_code == 409
    assert "Nothing was changed." in page_text(response)
    assert orders.get(delivered.id) == delivered


def test_a_stale_form_is_refused_with_the_latest_order_shown(staff_client: Client, orders: ko.Orders) -> None:
    order = paid(orders)
    token = csrf_token(staff_client, order.id)
    orders.add_note(order.id, "someone else was here")
    response = post_action(
        staff_client, order, "mark_shipped", token=token, tracking_number="1Z999AA10123456784", carrier="UPS"
    )
    assert response.status_code == 409
    assert "Someone else changed this order" in page_text(response)
    assert orders.get(order.id).status is ko.Status.PROCESSING


def test_the_sidebar_shows_the_hosts_links_and_its_back_link(host: str, staff_client: Client) -> None:
    with override_settings(
        KASIFY_ORDERS={
            **BASE_KASIFY,
            "DATABASE": host,
            "NAV_LINKS": [("Products", "/admin/shop/product/")],
            "BACK_LINK": "/admin/",
        }
    ):
        html = staff_client.get(f"{ADMIN}/").content.decode()

    sidebar = html[html.index('<nav class="sidebar"') : html.index("</nav>")]
    assert sidebar.index(">Orders") < sidebar.index('<a href="/admin/shop/product/">Products</a>')
    assert '<a href="/admin/">← Back to admin</a>' in sidebar
