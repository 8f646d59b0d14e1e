"""On hold in Django: ``kasify_orders.hold_order`` and ``release_order``, made by ``migrate`` from the
registry, gate the order page's hold and release forms; on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Permission
from django.test import Client, override_settings

import kasify_orders as ko
from kasify_orders.adapters.django.permissions import CODENAMES, PERMISSIONS, permission_for
from kasify_orders.registry import MERCHANT_ACTIONS
from tests.adapters.django.conftest import ADMIN, BASE_KASIFY, csrf_token, page_text, post_action
from tests.adapters.django.test_permissions import group, member, paid

BY_PERMISSION = "kasify_orders.adapters.django.authorize.by_permission"


@pytest.fixture
def by_permission(host: str) -> Iterator[str]:
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "AUTHORIZE": BY_PERMISSION}):
        yield host


def test_every_registry_action_has_a_django_permission(host: str) -> None:
    assert {spec.permission for spec in MERCHANT_ACTIONS} <= set(CODENAMES)
    assert permission_for("hold") == "kasify_orders.hold_order"
    assert permission_for("release") == "kasify_orders.release_order"
    assert ("hold_order", "Can put an order on hold") in PERMISSIONS
    made = Permission.objects.using(host).filter(content_type__app_label="kasify_orders")
    assert {"hold_order", "release_order"} <= {permission.codename for permission in made}


def test_who_may_hold_but_not_release_is_offered_the_hold_only(
    client: Client, by_permission: str, orders: ko.Orders
) -> None:
    order = paid(orders)
    reviewers = group(by_permission, "reviewers", "view_order", "hold_order")
    client.force_login(member(by_permission, "rita", reviewers))
    page = page_text(client.get(f"{ADMIN}/{order.id}/"))
    assert "Put on hold" in page and "Mark as Shipped" not in page

    token = csrf_token(client, order.id)
    response = post_action(client, order, "hold", token=token, reason="fraud review")
    assert response.status_code == 302
    held = orders.get(order.id)
    assert held.status is ko.Status.ON_HOLD
    assert [(e.kind, e.actor) for e in held.timeline if e.kind == "held"] == [("held", "staff:rita")]
    assert "Release hold" not in page_text(client.get(f"{ADMIN}/{order.id}/"))

    refused = post_action(client, held, "release", token=token)  # no form left to take a token from
    assert refused.status_code == 403
    assert orders.get(order.id) == held
