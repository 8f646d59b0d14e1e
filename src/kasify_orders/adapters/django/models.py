"""kasify's orders table as a Django model, so the admin can list it and permissions attach to it.

The model is unmanaged (``managed = False``): kasify's schema belongs to its own migrations
(see ``migrations/0001_kasify_tables``), so Django never creates, alters, flushes or dumps
this table; ``0005_order_admin`` records the model's state and its permissions only. It
covers only what the admin's order list shows and is read-only: orders change through
``get_orders()`` and kasify's pages, never through the ORM.

The table name follows ``KASIFY_ORDERS["SETTINGS"]``: ``table_prefix`` (``"kasify_"``) and,
on PostgreSQL, ``db_schema``. The migration records the default name ``kasify_orders``; the
model's ``_meta.db_table`` is set from the settings when the app is ready and again when
``KASIFY_ORDERS`` changes (``override_settings``), so ``makemigrations`` never sees a change
in a host with a prefix of its own.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connections, models

from kasify_orders.adapters.django import conf
from kasify_orders.adapters.django.permissions import PERMISSIONS
from kasify_orders.storage.tables import build_tables

__all__ = ["DEFAULT_TABLE", "Order", "follow_settings"]

#: The orders table with the default prefix, as the migration state records it.
DEFAULT_TABLE = "kasify_orders"


class Order(models.Model):
    """One row of kasify's orders table (read-only; the whole order is ``get_orders().get(order_id)``)."""

    #: The human order number (``#1042``), the table's primary key.
    number: models.BigIntegerField[int, int] = models.BigIntegerField(primary_key=True)
    #: kasify's order id (32 hex digits), in URLs and the public API (``order.id``).
    order_id: models.CharField[str, str] = models.CharField(max_length=32, unique=True, db_column="id")
    status: models.CharField[str, str] = models.CharField(max_length=20)
    payment_status: models.CharField[str, str] = models.CharField(max_length=20)
    customer_name: models.CharField[str, str] = models.CharField(max_length=200)
    customer_email: models.CharField[str, str] = models.CharField(max_length=254)
    currency: models.CharField[str, str] = models.CharField(max_length=3)
    #: In the currency's minor units (cents).
    total: models.BigIntegerField[int, int] = models.BigIntegerField()
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField()

    class Meta:  # noqa: D106 - Django's options
        managed = False
        db_table = DEFAULT_TABLE
        ordering = ("-number",)
        default_permissions = ("view",)
        permissions = PERMISSIONS
        verbose_name = "order"
        verbose_name_plural = "orders"

    def __str__(self) -> str:
        return f"#{self.number}"


def follow_settings(**_signal: object) -> None:
    """Point the model at the orders table ``KASIFY_ORDERS`` configures (the default when it is wrong).

    A broken ``KASIFY_ORDERS`` is reported by ``manage.py check``; until it is fixed, the
    model keeps the default name.
    """
    try:
        config = conf.load()
    except conf.SettingError:
        _use_table(DEFAULT_TABLE)
        return
    table = build_tables(config.settings.table_prefix, config.settings.db_schema).orders
    if table.schema is None:
        _use_table(table.name)
    else:  # Django quotes bare names only, and leaves an already quoted name as it is.
        quote = connections[config.database].ops.quote_name
        _use_table(f"{quote(table.schema)}.{quote(table.name)}")


def _use_table(name: str) -> None:
    """Query *name* from now on; each field's cached column still names the old table, so drop it."""
    if Order._meta.db_table == name:
        return
    Order._meta.db_table = name
    for field in Order._meta.concrete_fields:
        field.__dict__.pop("cached_col", None)
