"""Builders and recording plugins shared by the tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from kasify_orders import actions
from kasify_orders.model import utcnow
from kasify_orders.storage import migrate
from kasify_orders.storage.plugin_tables import PluginTables
from kasify_orders.storage.store import SqlStore, Transaction
from kasify_orders.validation import validate_new_order


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run every database)", pytrace=False)
    pytest.skip(reason)


def server_database(env: str) -> Iterator[str]:
    """Create a database of our own on the server named by *env*; drop it afterwards."""
    base = os.environ.get(env)
    if not base:
        unavailable(f"set {env} to run the {env.split('_')[2].lower()} variant")
    url = sa.engine.make_url(base)
    name = f"kasify_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    except sa.exc.OperationalError as error:
        admin.dispose()
        unavailable(f"{env}: cannot reach {url.render_as_string()}: {error.orig}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            force = " WITH (FORCE)" if url.get_backend_name() == "postgresql" else ""
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{force}")
        admin.dispose()


def wipe(url: str) -> None:
    """Delete every row kasify wrote, so the next test starts from empty tables."""
    store = SqlStore.from_url(url)
    core = store.tables.metadata.sorted_tables
    known = {table.name for table in core}
    # Plugins' own tables (the Saleor App's) first: they may refer to kasify's orders.
    others = [
        name
        for name in sa.inspect(store.engine).get_table_names()
        if name.startswith(store.tables.prefix) and name not in known and not name.endswith("alembic_version")
    ]
    with store.engine.begin() as conn:
        for name in others:
            conn.execute(sa.table(name).delete())
        for table in reversed(core):
            conn.execute(table.delete())
    store.dispose()


class Clock:
    """A clock the test moves by hand, for ``Orders.connect(clock=...)``: no test waits for time."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the time forward by *seconds*."""
        self.now += timedelta(seconds=seconds)


def new_order(
    *,
    sku: str = "TEE-RED-M",
    quantity: int = 2,
    unit_price: str = "25.00",
    currency: str = "USD",
    shipping: str = "5.00",
    coupon_code: str | None = None,
    email: str = "ada@example.com",
    name: str = "Ada Lovelace",
    lines: list[ko.NewLine] | None = None,
    note: str = "",
    country: str = "GB",
) -> ko.NewOrder:
    """A realistic cart, with every part adjustable."""
    return ko.NewOrder(
        customer=ko.Customer(name=name, email=email),
        shipping_address=ko.Address(
            line1="12 St James's Sq", city="London", postal_code="SW1Y 4JH", country=country
        ),
        lines=lines
        or [
            ko.NewLine(
                sku=sku, name="T-shirt", variant="Red / M", quantity=quantity, unit_price=Decimal(unit_price)
            )
        ],
        currency=currency,
        shipping_cost=Decimal(shipping),
        coupon_code=coupon_code,
        customer_note=note,
    )


def tee_and_mug(**kwargs: Any) -> ko.NewOrder:
    """Two T-shirts at 25.00 (line 1) and a mug at 8.00 (line 2), shipping 5.00: total 63.00.

    The cart the parcels, refunds by line and edits are tried on; *kwargs* go to :func:`new_order`.
    """
    return new_order(
        lines=[
            ko.NewLine(sku="TEE", name="T-shirt", variant="Red / M", quantity=2, unit_price=Decimal("25.00")),
            ko.NewLine(sku="MUG", name="Mug", quantity=1, unit_price=Decimal("8.00")),
        ],
        **kwargs,
    )


class Recorder:
    """A plugin that records every event hook call it receives."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, object]]] = []

    def hooks(self) -> list[str]:
        """The names of the hooks called, in order."""
        return [name for name, _ in self.calls]

    @ko.hookimpl
    def kasify_order_placed(self, order: ko.Order) -> None:
        self.calls.append(("kasify_order_placed", {"order": order}))

    @ko.hookimpl
    def kasify_payment_confirmed(self, order: ko.Order) -> None:
        self.calls.append(("kasify_payment_confirmed", {"order": order}))

    @ko.hookimpl
    def kasify_order_shipped(self, order: ko.Order) -> None:
        self.calls.append(("kasify_order_shipped", {"order": order}))

    @ko.hookimpl
    def kasify_tracking_updated(self, order: ko.Order, previous: ko.Shipment) -> None:
        self.calls.append(("kasify_tracking_updated", {"order": order, "previous": previous}))

    @ko.hookimpl
    def kasify_order_delivered(self, order: ko.Order) -> None:
        self.calls.append(("kasify_order_delivered", {"order": order}))

    @ko.hookimpl
    def kasify_order_cancelled(self, order: ko.Order) -> None:
        self.calls.append(("kasify_order_cancelled", {"order": order}))

    @ko.hookimpl
    def kasify_order_refunded(self, order: ko.Order, refund: ko.Refund) -> None:
        self.calls.append(("kasify_order_refunded", {"order": order, "refund": refund}))


def place_like_an_older_version(orders: ko.Orders, new: ko.NewOrder) -> ko.Order:
    """Write an order as a version older than the search index did: its rows, no search terms."""
    change = actions.place(validate_new_order(new), None, order_id=uuid.uuid4().hex, at=utcnow(), actor=None)
    terms = orders.store.tables.search_terms

    def insert(tx: Transaction) -> ko.Order:
        order = tx.insert_order(change.order, None)
        tx.conn.execute(sa.delete(terms).where(terms.c.number == order.number))
        return order

    return orders.store.atomic(insert)


#: The table prefix of :func:`prefixed_store`'s stores: their tables start absent.
MIGRATION_PREFIX = "mig_"


@contextmanager
def prefixed_store(database_url: str, plugin: PluginTables) -> Iterator[SqlStore]:
    """A store with its own table prefix, for a migration test of *plugin*'s chain and the core's.

    Every table of both chains, and both version tables, are dropped afterwards.
    """
    store = SqlStore.from_url(database_url, table_prefix=MIGRATION_PREFIX)
    try:
        yield store
    finally:
        plugin.downgrade(store)
        migrate.downgrade(store)
        with store.engine.begin() as conn:
            for version in (f"{MIGRATION_PREFIX}alembic_version", plugin.version_table(store)):
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {version}")
        store.dispose()


def prefixed_tables(store: SqlStore) -> set[str]:
    """The tables a :func:`prefixed_store` has now."""
    names = sa.inspect(store.engine).get_table_names()
    return {name for name in names if name.startswith(MIGRATION_PREFIX)}


def orders_on(store: SqlStore) -> ko.Orders:
    """An ``Orders`` on a :func:`prefixed_store`'s tables, not migrating them."""
    url = store.engine.url.render_as_string(hide_password=False)
    settings = ko.Settings(table_prefix=MIGRATION_PREFIX, manage_inventory=False)
    return ko.Orders.connect(url, settings=settings, load_entrypoints=False, migrate=False)
