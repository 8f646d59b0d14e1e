"""Talking to the customer in Django: ``email_customer_order``, ``resend_notification_order`` and
``retry_email_order`` (migration 0014) gate the order page's forms and buttons; on every backend.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings

import kasify_orders as ko
from kasify_orders.adapters.django import get_orders
from kasify_orders.adapters.django.permissions import PERMISSIONS, permission_for
from tests.adapters.django.conftest import ADMIN, BASE_KASIFY, page_text, post_action
from tests.adapters.django.test_permissions import group, member, paid

BY_PERMISSION = "kasify_orders.adapters.django.authorize.by_permission"
TALK = ("email_customer_order", "resend_notification_order", "retry_email_order")


@pytest.fixture
def by_permission(host: str) -> Iterator[str]:
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "AUTHORIZE": BY_PERMISSION}):
        yield host


def test_the_email_permissions_are_made_by_migrate_and_survive_0014_down_and_up(host: str) -> None:
    assert permission_for("email_customer") == "kasify_orders.email_customer_order"
    assert ("resend_notification_order", "Can resend the emails of an order") in PERMISSIONS
    orders = get_orders()
    order = paid(orders)
    orders.email_customer(order.id, subject="Hello", body="Before the migration test.")
    kept = orders.get(order.id)

    call_command("migrate", "kasify_orders", "0010", database=host, verbosity=0)
    try:
        applied = MigrationRecorder(connections[host]).applied_migrations()
        assert ("kasify_orders", "0014_customer_email_permissions") not in applied
        # Today's code reads today's schema only (0017 added a column to the orders): the order
        # is read once migrated back up, below, as it was.
    finally:
        call_command("migrate", database=host, verbosity=0)
    applied = MigrationRecorder(connections[host]).applied_migrations()
    assert ("kasify_orders", "0014_customer_email_permissions") in applied
    made = Permission.objects.using(host).filter(content_type__app_label="kasify_orders")
    assert set(TALK) <= {permission.codename for permission in made}
    assert orders.get(order.id) == kept


def test_who_may_email_but_not_resend_gets_the_form_but_no_resend_button(
    client: Client, by_permission: str, orders: ko.Orders
) -> None:
    order = paid(orders)  # its confirmation went out through Django's mail: a sent email on the timeline
    writers = group(by_permission, "writers", "view_order", "email_customer_order")
    client.force_login(member(by_permission, "wendy", writers))
    page = page_text(client.get(f"{ADMIN}/{order.id}/"))
    assert "Email customer" in page and "Resend" not in page

    response = post_action(client, order, "email_customer", subject="Hi", body="From Wendy.")
    assert response.status_code == 302
    assert [m.subject for m in mail.outbox][-1] == "Hi"
    written = [e for e in orders.get(order.id).timeline if e.kind == "customer_emailed"]
    assert [(e.actor, e.data["subject"]) for e in written] == [("staff:wendy", "Hi")]

    refused = post_action(client, orders.get(order.id), "resend_notification", kind="order_confirmation")
    assert refused.status_code == 403
    assert [m.subject for m in mail.outbox][-1] == "Hi"  # nothing resent


def test_who_may_only_view_gets_no_email_form(client: Client, by_permission: str, orders: ko.Orders) -> None:
    order = paid(orders)
    viewers = group(by_permission, "viewers", "view_order")
    client.force_login(member(by_permission, "vic", viewers))
    page = page_text(client.get(f"{ADMIN}/{order.id}/"))
    assert "Email customer" not in page and "Resend" not in page
