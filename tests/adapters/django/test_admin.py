"""kasify's orders in Django's admin: a read-only, searchable, filterable list whose rows open
kasify's own order page; no second way to edit an order. On SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import connections
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState
from django.test import Client, override_settings

import kasify_orders as ko
from kasify_orders.adapters.django import get_orders
from kasify_orders.adapters.django.models import Order
from kasify_orders.adapters.django.orders import store_for
from kasify_orders.storage import migrate
from tests.adapters.django.conftest import ADMIN, BASE_KASIFY, make_user, page_text
from tests.helpers import new_order

CHANGELIST = "/admin/kasify_orders/order/"


@pytest.fixture
def superuser(host: str) -> User:
    return User.objects.db_manager(host).create_superuser("root", "root@shop.example", "pw")


@pytest.fixture
def admin_client(client: Client, superuser: User) -> Client:
    client.force_login(superuser)
    return client


def shop(orders: ko.Orders) -> tuple[ko.Order, ko.Order, ko.Order]:
    """Three orders: Ada's pending, Grace's paid, Alan's paid and shipped."""
    ada = orders.place(new_order())
    grace = orders.place(new_order(email="grace@example.com", name="Grace Hopper", unit_price="10.00"))
    orders.confirm_payment(grace.id)
    alan = orders.place(new_order(email="alan@example.com", name="Alan Turing"))
    orders.confirm_payment(alan.id)
    orders.mark_shipped(alan.id, tracking_number="1Z999AA10123456784", carrier="ups")
    return ada, grace, alan


def listed(client: Client, query: str = "") -> list[str]:
    """The order numbers of the changelist's rows, as written (``#1``)."""
    response = client.get(f"{CHANGELIST}{query}")
    assert response.status_code == 200
    return re.findall(r'<a href="/admin/orders/[0-9a-f]+/">(#\d+)</a>', response.content.decode())


def test_the_admin_index_shows_kasifys_orders(admin_client: Client, orders: ko.Orders) -> None:
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert f'href="{CHANGELIST}"' in response.content.decode()
    text = page_text(response)
    assert "Orders" in text
    # Read-only: no "Add" link beside it.
    assert f'href="{CHANGELIST}add/"' not in response.content.decode()


def test_each_row_links_to_kasifys_order_page_with_kasifys_labels(
    admin_client: Client, orders: ko.Orders
) -> None:
    ada, grace, alan = shop(orders)
    response = admin_client.get(CHANGELIST)
    body = response.content.decode()
    for order in (ada, grace, alan):
        assert f'<a href="{ADMIN}/{order.id}/">#{order.number}</a>' in body
    text = page_text(response)
    assert "Grace Hopper grace@example.com" in text
    assert "$25.00" in text  # Grace's 2 x $10.00 + $5.00 shipping, by kasify's money formatting
    assert "$55.00" in text
    assert "Shipped" in text and "Pending" in text and "Paid" in text
    # Newest first, as on kasify's own list.
    assert listed(admin_client) == [f"#{alan.number}", f"#{grace.number}", f"#{ada.number}"]


def test_the_row_link_opens_the_order_on_kasifys_page(admin_client: Client, orders: ko.Orders) -> None:
    ada, _grace, _alan = shop(orders)
    response = admin_client.get(f"{ADMIN}/{ada.id}/")
    assert response.status_code == 200
    assert "Ada Lovelace" in page_text(response)


def test_search_finds_orders_by_number_email_and_name(admin_client: Client, orders: ko.Orders) -> None:
    ada, grace, alan = shop(orders)
    assert listed(admin_client, f"?q={grace.number}") == [f"#{grace.number}"]
    assert listed(admin_client, f"?q=%23{alan.number}") == [f"#{alan.number}"]
    assert listed(admin_client, "?q=ADA%40example.com") == [f"#{ada.number}"]
    assert listed(admin_client, "?q=hopper") == [f"#{grace.number}"]
    assert listed(admin_client, "?q=nobody") == []
    assert listed(admin_client, "?q=99999999999999999999999") == []  # too long for a number: no error


def test_filters_by_status_and_payment_status(admin_client: Client, orders: ko.Orders) -> None:
    ada, grace, alan = shop(orders)
    response = admin_client.get(CHANGELIST)
    text = page_text(response)
    assert "By status" in text and "By payment status" in text
    assert "Partially refunded" in text  # every payment status is offered, by its label
    assert listed(admin_client, "?status=processing") == [f"#{grace.number}"]
    assert listed(admin_client, "?status=shipped") == [f"#{alan.number}"]
    assert listed(admin_client, "?payment_status=pending") == [f"#{ada.number}"]
    assert listed(admin_client, "?payment_status=paid") == [f"#{alan.number}", f"#{grace.number}"]
    assert listed(admin_client, "?status=cancelled") == []


def test_the_admin_has_no_way_to_add_change_or_delete_an_order(superuser: User, orders: ko.Orders) -> None:
    ada, _grace, _alan = shop(orders)
    admin_client = Client()  # no CSRF checks: the refusals below are the admin's own
    admin_client.force_login(superuser)
    before = orders.get(ada.id)
    body = admin_client.get(CHANGELIST).content.decode()
    assert "action-checkbox" not in body and "delete_selected" not in body
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.post(f"{CHANGELIST}add/", {"number": "77", "status": "pending"}).status_code == 403
    assert admin_client.get(f"{CHANGELIST}{ada.number}/delete/").status_code == 403
    assert admin_client.post(f"{CHANGELIST}{ada.number}/delete/", {"post": "yes"}).status_code == 403
    # The admin's own page of an order sends the user to kasify's.
    response = admin_client.get(f"{CHANGELIST}{ada.number}/change/")
    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN}/{ada.id}/"
    response = admin_client.post(f"{CHANGELIST}{ada.number}/change/", {"status": "cancelled"})
    assert response.status_code == 302
    assert orders.get(ada.id) == before
    assert orders.count() == 3


def test_staff_see_the_orders_in_the_admin_only_with_the_view_permission(
    client: Client, host: str, orders: ko.Orders
) -> None:
    shop(orders)
    user = make_user(host, "bob", staff=True)
    client.force_login(user)
    assert client.get(CHANGELIST).status_code == 403
    assert f'href="{CHANGELIST}"' not in client.get("/admin/").content.decode()

    clerks = Group.objects.using(host).create(name="clerks")
    clerks.permissions.add(Permission.objects.using(host).get(codename="view_order"))
    user.groups.add(clerks)
    client.force_login(User.objects.using(host).get(pk=user.pk))
    assert len(listed(client)) == 3
    assert f'href="{CHANGELIST}"' in client.get("/admin/").content.decode()


@pytest.fixture
def prefixed(host: str) -> Iterator[ko.Orders]:
    """kasify configured with ``table_prefix="shop_"``: its own tables, made and dropped here."""
    settings = {**BASE_KASIFY["SETTINGS"], "table_prefix": "shop_"}  # type: ignore[dict-item]
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "SETTINGS": settings}):
        store = store_for(host)
        migrate.upgrade(store)
        try:
            yield get_orders()
        finally:
            migrate.downgrade(store, "base")
            version = sa.Table(migrate.version_table(store), sa.MetaData())
            with store.engine.begin() as conn:
                version.drop(conn, checkfirst=True)
            store.dispose()


def test_the_admin_lists_the_table_of_the_configured_prefix(
    admin_client: Client, orders: ko.Orders, prefixed: ko.Orders
) -> None:
    orders.place(new_order(name="In the default table"))
    theirs = prefixed.place(new_order(name="In the shop_ table"))
    assert Order._meta.db_table == "shop_orders"
    response = admin_client.get(CHANGELIST)
    text = page_text(response)
    assert "In the shop_ table" in text
    assert "In the default table" not in text
    assert listed(admin_client) == [f"#{theirs.number}"]


def test_on_postgresql_the_admin_lists_the_table_in_the_configured_schema(
    admin_client: Client, host: str, orders: ko.Orders
) -> None:
    if connections[host].vendor != "postgresql":
        pytest.skip("SETTINGS['db_schema'] is for PostgreSQL")
    orders.place(new_order(name="In the public schema"))
    settings = {**BASE_KASIFY["SETTINGS"], "db_schema": "shop_orders"}  # type: ignore[dict-item]
    try:
        with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "SETTINGS": settings}):
            store = store_for(host)
            migrate.upgrade(store)
            store.dispose()
            theirs = get_orders().place(new_order(name="In the shop_orders schema"))
            assert Order._meta.db_table == '"shop_orders"."kasify_orders"'
            text = page_text(admin_client.get(CHANGELIST))
            assert "In the shop_orders schema" in text and "In the public schema" not in text
            assert listed(admin_client) == [f"#{theirs.number}"]
    finally:
        with connections[host].cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS shop_orders CASCADE")


def test_the_model_follows_the_prefix_back_when_the_settings_are_restored(host: str) -> None:
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "SETTINGS": {"table_prefix": "other_"}}):
        assert Order._meta.db_table == "other_orders"
    assert Order._meta.db_table == "kasify_orders"


def pending_changes() -> dict[str, list[object]]:
    """What ``makemigrations kasify_orders`` would write: the autodetector it runs, on the migrations."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    detector = MigrationAutodetector(loader.project_state(), ProjectState.from_apps(apps))
    return detector.changes(graph=loader.graph, trim_to_apps={"kasify_orders"})


def test_makemigrations_finds_nothing_to_do_whatever_the_prefix(host: str) -> None:
    assert pending_changes() == {}
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "SETTINGS": {"table_prefix": "shop_"}}):
        assert Order._meta.db_table == "shop_orders"
        assert pending_changes() == {}


def test_the_unmanaged_model_makes_no_table_and_flush_empties_the_orders_once(
    host: str, orders: ko.Orders
) -> None:
    assert "kasify_orders" not in connections[host].introspection.django_table_names()
    out = io.StringIO()
    call_command("sqlflush", database=host, stdout=out)
    quoted = connections[host].ops.quote_name("kasify_orders")
    assert out.getvalue().count(quoted) == 1
