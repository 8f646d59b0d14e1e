"""Django's flush empties kasify's tables with the host's: ``TransactionTestCase`` and ``manage.py
flush`` leave no order behind for the next test or the next demo. On SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import io
import unittest

import pytest
import sqlalchemy as sa
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import TransactionTestCase

import kasify_orders as ko
from kasify_orders.adapters.django import get_orders
from kasify_orders.storage import migrate
from tests.adapters.django.conftest import make_user
from tests.helpers import new_order


def rows(orders: ko.Orders) -> dict[str, int]:
    """The number of rows in each of kasify's tables that has any."""
    found = {}
    with orders.store.engine.connect() as conn:
        for table in orders.store.tables.metadata.sorted_tables:
            count = conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            if count:
                found[table.name] = count
    return found


def shop_with_history(orders: ko.Orders) -> None:
    """Orders with lines, a timeline, search terms, stock, a coupon and an outbox."""
    orders.inventory.set_stock("TEE-RED-M", 10)
    orders.coupons.create(ko.Coupon.percentage("SAVE20", 20))
    order = orders.place(new_order(coupon_code="SAVE20"))
    orders.confirm_payment(order.id)
    orders.place(new_order(email="grace@example.com"))


def test_a_transaction_test_case_leaves_no_kasify_rows_behind(host: str, orders: ko.Orders) -> None:
    class PlacesOrders(TransactionTestCase):
        databases = {host}  # noqa: RUF012 - Django's own attribute

        def test_places_orders(self) -> None:
            shop_with_history(get_orders())
            make_user(host, "ada", staff=False)

    result = unittest.TestResult()
    unittest.TestSuite([PlacesOrders("test_places_orders")]).run(result)
    assert result.errors == [] and result.failures == [] and result.testsRun == 1

    assert not User.objects.using(host).exists()
    assert rows(orders) == {}
    # The schema is still kasify's newest: the next test finds working tables.
    assert migrate.current(orders.store) == migrate.head()
    assert orders.place(new_order()).status is ko.Status.PENDING


def test_manage_py_flush_empties_kasify_tables_and_restarts_the_numbers(host: str, orders: ko.Orders) -> None:
    shop_with_history(orders)
    make_user(host, "ada", staff=False)
    assert rows(orders)

    call_command("flush", database=host, interactive=False, verbosity=0)

    assert not User.objects.using(host).exists()
    assert rows(orders) == {}
    assert migrate.current(orders.store) == migrate.head()
    assert orders.inventory.stock("TEE-RED-M") is None
    assert orders.place(new_order()).number == 1


def test_a_flush_the_user_cancels_keeps_every_order(
    host: str, orders: ko.Orders, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop_with_history(orders)
    before = rows(orders)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    out = io.StringIO()
    call_command("flush", database=host, interactive=True, stdout=out)
    assert "Flush cancelled." in out.getvalue()
    assert rows(orders) == before


def test_sqlflush_shows_kasify_tables_too(host: str, orders: ko.Orders) -> None:
    out = io.StringIO()
    call_command("sqlflush", database=host, stdout=out)
    sql = out.getvalue()
    assert "kasify_orders" in sql
    assert "kasify_outbox" in sql
    assert "auth_user" in sql
    assert "kasify_alembic_version" not in sql
