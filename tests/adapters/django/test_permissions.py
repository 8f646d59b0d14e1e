"""kasify's permissions are Django permissions: given to users and groups, checked by
``AUTHORIZE = "kasify_orders.adapters.django.authorize.by_permission"``. Real users, groups and
permissions, through the pages with CSRF checks on; on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client, RequestFactory, override_settings

import kasify_orders as ko
from kasify_orders.adapters.django.authorize import by_permission as rule
from kasify_orders.adapters.django.permissions import CODENAMES, permission_for
from kasify_orders.registry.backoffice import BACK_OFFICE_PERMISSIONS
from kasify_orders.web.pages import VIEW
from tests.adapters.django.conftest import ADMIN, BASE_KASIFY, make_user, page_text, post_action
from tests.helpers import new_order

BY_PERMISSION = "kasify_orders.adapters.django.authorize.by_permission"


@pytest.fixture
def by_permission(host: str) -> Iterator[str]:
    """kasify configured to check Django's permissions."""
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "AUTHORIZE": BY_PERMISSION}):
        yield host


def group(alias: str, name: str, *codenames: str) -> Group:
    found = Group.objects.using(alias).create(name=name)
    found.permissions.add(*Permission.objects.using(alias).filter(codename__in=codenames))
    return found


def member(alias: str, name: str, *groups: Group, staff: bool = False) -> User:
    user = make_user(alias, name, staff=staff)
    user.groups.add(*groups)
    return user


def paid(orders: ko.Orders) -> ko.Order:
    order = orders.place(new_order())
    orders.confirm_payment(order.id)
    return orders.get(order.id)


def test_every_action_has_a_permission_and_migrate_creates_them(host: str) -> None:
    back_office = {permission.name for permission in BACK_OFFICE_PERMISSIONS}
    assert set(CODENAMES) == {VIEW, *(action.value for action in ko.Action), *back_office}
    made = Permission.objects.using(host).filter(content_type__app_label="kasify_orders")
    assert {permission.codename for permission in made} == set(CODENAMES.values())
    assert permission_for("refund") == "kasify_orders.refund_order"
    assert permission_for("mark_shipped") == "kasify_orders.ship_order"
    assert permission_for("cancel") == "kasify_orders.cancel_order"
    assert permission_for(VIEW) == "kasify_orders.view_order"
    assert permission_for("manage_coupons") == "kasify_orders.manage_coupons"
    assert permission_for("edit_order") == "kasify_orders.edit_order"
    with pytest.raises(KeyError, match="'ship' is not one of kasify's actions: view, confirm_payment"):
        permission_for("ship")


def test_editing_needs_the_edit_permission_beside_seeing_orders(
    client: Client, by_permission: str, orders: ko.Orders
) -> None:
    order = paid(orders)
    viewers = group(by_permission, "viewers", "view_order")
    client.force_login(member(by_permission, "vic", viewers))
    assert "Edit order" not in page_text(client.get(f"{ADMIN}/{order.id}/"))
    assert client.get(f"{ADMIN}/edit-order/{order.id}/").status_code == 403
    editors = group(by_permission, "editors", "view_order", "edit_order")
    client.force_login(member(by_permission, "eve", editors))
    assert "Edit order" in page_text(client.get(f"{ADMIN}/{order.id}/"))
    assert client.get(f"{ADMIN}/edit-order/{order.id}/").status_code == 200
    only_edit = group(by_permission, "blind editors", "edit_order")
    client.force_login(member(by_permission, "bea", only_edit))
    assert client.get(f"{ADMIN}/edit-order/{order.id}/").status_code == 403
    assert orders.get(order.id) == order


def test_a_group_of_shippers_may_ship_but_not_refund(
    client: Client, by_permission: str, orders: ko.Orders
) -> None:
    order = paid(orders)
    shippers = group(by_permission, "shippers", "view_order", "ship_order")
    client.force_login(member(by_permission, "sam", shippers))

    page = page_text(client.get(f"{ADMIN}/{order.id}/"))
    assert "Mark as Shipped" in page
    assert "Issue Refund" not in page and "Cancel order" not in page and "Add note" not in page

    response = post_action(client, order, "refund", amount="10.00")
    assert response.status_code == 403
    assert orders.get(order.id) == order

    response = post_action(client, order, "mark_shipped", tracking_number="1Z999AA10123456784", carrier="ups")
    assert response.status_code == 302
    shipped = orders.get(order.id)
    assert shipped.status is ko.Status.SHIPPED
    assert [event.actor for event in shipped.timeline if event.kind == "shipped"] == ["staff:sam"]


def test_a_refund_permission_given_to_the_user_lets_them_refund(
    client: Client, by_permission: str, orders: ko.Orders
) -> None:
    order = paid(orders)
    readers = group(by_permission, "readers", "view_order")
    user = member(by_permission, "rita", readers)
    user.user_permissions.add(Permission.objects.using(by_permission).get(codename="refund_order"))
    client.force_login(user)

    assert "Issue Refund" in page_text(client.get(f"{ADMIN}/{order.id}/"))
    response = post_action(client, order, "refund", amount="10.00")
    assert response.status_code == 302
    assert str(orders.get(order.id).totals.refunded) == "10.00"


def test_an_action_permission_without_view_order_sees_and_does_nothing(
    client: Client, by_permission: str, orders: ko.Orders
) -> None:
    order = paid(orders)
    client.force_login(member(by_permission, "ron", group(by_permission, "refunders", "refund_order")))
    assert client.get(f"{ADMIN}/").status_code == 403
    assert client.get(f"{ADMIN}/{order.id}/").status_code == 403
    assert client.cookies.get("csrftoken") is not None
    response = client.post(
        f"{ADMIN}/{order.id}/refund/",
        {
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            "version": str(order.version),
            "amount": "5",
        },
    )
    assert response.status_code == 403
    assert orders.get(order.id) == order


def test_staff_status_is_neither_needed_nor_enough(
    client: Client, by_permission: str, orders: ko.Orders
) -> None:
    order = paid(orders)
    client.force_login(member(by_permission, "stan", staff=True))  # staff, no permission
    assert client.get(f"{ADMIN}/{order.id}/").status_code == 403

    readers = group(by_permission, "readers", "view_order")
    client.force_login(member(by_permission, "nora", readers))  # not staff, may view
    response = client.get(f"{ADMIN}/{order.id}/")
    assert response.status_code == 200
    assert "Ada Lovelace" in page_text(response)


def test_superusers_may_do_everything_and_inactive_users_nothing(
    client: Client, by_permission: str, orders: ko.Orders
) -> None:
    order = paid(orders)
    everything = group(by_permission, "everything", *CODENAMES.values())
    gone = member(by_permission, "gone", everything)
    gone.is_active = False
    gone.save(using=by_permission)
    client.force_login(gone)
    assert client.get(f"{ADMIN}/{order.id}/").status_code in {302, 403}

    root = User.objects.db_manager(by_permission).create_superuser("root", "root@shop.example", "pw")
    client.force_login(root)
    page = page_text(client.get(f"{ADMIN}/{order.id}/"))
    assert all(
        button in page for button in ("Mark as Shipped", "Issue Refund", "Cancel and refund", "Add note")
    )


def test_a_coupon_manager_needs_no_order_permission_and_sees_no_orders(by_permission: str) -> None:
    marketing = group(by_permission, "marketing", "manage_coupons")
    user = member(by_permission, "mia", marketing)
    request = RequestFactory().get("/")
    request.user = user

    assert rule(request, "manage_coupons", None)
    assert not rule(request, "manage_inventory", None)
    assert not rule(request, VIEW, None)
