"""``manage.py migrate`` creates kasify's tables (its Alembic migrations, through Django's connection),
and ``migrate kasify_orders zero`` removes them. On SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from django.core import checks
from django.core.management import call_command
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

import kasify_orders as ko
from kasify_orders.adapters.django.orders import store_for
from kasify_orders.notifications.ledger import Ledger, State
from kasify_orders.notifications.tables import EMAIL_TABLES
from kasify_orders.storage import migrate
from tests.helpers import new_order


def kasify_tables(alias: str) -> set[str]:
    store = store_for(alias)
    with store.engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
    store.dispose()
    return {name for name in names if name.startswith("kasify_")}


def schema_warnings(alias: str) -> list[str]:
    found = checks.run_checks(tags=[checks.Tags.database], databases=[alias])
    return [message.id for message in found if (message.id or "").startswith("kasify_orders.")]


def test_migrate_brings_kasify_to_its_newest_migration(host: str) -> None:
    store = store_for(host)
    assert migrate.current(store) == migrate.head()
    store.dispose()
    applied = MigrationRecorder(connections[host]).applied_migrations()
    assert ("kasify_orders", "0001_kasify_tables") in applied
    assert {"kasify_orders", "kasify_outbox", "kasify_alembic_version"} <= kasify_tables(host)
    assert schema_warnings(host) == []


def test_migrate_zero_drops_the_tables_and_migrate_brings_them_back(host: str) -> None:
    call_command("migrate", "kasify_orders", "zero", database=host, verbosity=0)
    try:
        assert kasify_tables(host) == set()
        assert schema_warnings(host) == ["kasify_orders.W002"]
    finally:
        call_command("migrate", database=host, verbosity=0)
    assert {"kasify_orders", "kasify_outbox", "kasify_alembic_version"} <= kasify_tables(host)
    assert schema_warnings(host) == []


def test_reverting_to_0001_takes_the_search_terms_off_and_migrate_puts_them_back(host: str) -> None:
    call_command("migrate", "kasify_orders", "0001", database=host, verbosity=0)
    try:
        assert "kasify_search_terms" not in kasify_tables(host)
        store = store_for(host)
        assert migrate.current(store) == "0003"
        store.dispose()
    finally:
        call_command("migrate", database=host, verbosity=0)
    assert "kasify_search_terms" in kasify_tables(host)
    assert schema_warnings(host) == []


def test_reverting_to_0002_takes_the_order_counter_off_and_migrate_puts_it_back(host: str) -> None:
    call_command("migrate", "kasify_orders", "0002", database=host, verbosity=0)
    try:
        assert "kasify_counters" not in kasify_tables(host)
        store = store_for(host)
        assert migrate.current(store) == "0004"
        store.dispose()
    finally:
        call_command("migrate", database=host, verbosity=0)
    assert "kasify_counters" in kasify_tables(host)
    assert schema_warnings(host) == []


def test_a_django_host_gets_no_saleor_tables_and_reverting_0007_brings_the_old_layout_back(host: str) -> None:
    saleor = {"kasify_saleor_installations", "kasify_saleor_orders", "kasify_saleor_webhooks"}
    assert not kasify_tables(host) & saleor
    call_command("migrate", "kasify_orders", "0006", database=host, verbosity=0)
    try:
        assert saleor <= kasify_tables(host)  # alembic 0007: core 0003 made them, 0008 hands them over
        store = store_for(host)
        assert migrate.current(store) == "0007"
        store.dispose()
    finally:
        call_command("migrate", database=host, verbosity=0)
    assert not kasify_tables(host) & saleor
    assert schema_warnings(host) == []


def test_a_django_host_keeps_its_sent_emails_through_the_hand_over_of_0009(host: str) -> None:
    store = store_for(host)
    assert EMAIL_TABLES.current(store) == "emails_0001"  # Django 0009 ran the emails' chain
    call_command("migrate", "kasify_orders", "0008", database=host, verbosity=0)
    try:
        assert migrate.current(store) == "0008"
        assert EMAIL_TABLES.current(store) is None  # handed back to the core
        at = sa.func.now()
        with store.engine.begin() as conn:
            conn.execute(
                sa.table(
                    "kasify_sent_emails",
                    *(
                        sa.column(name)
                        for name in ("event_id", "kind", "recipient", "order_id", "message_id")
                    ),
                    *(sa.column(name) for name in ("state", "attempts", "created_at", "sent_at")),
                )
                .insert()
                .values(
                    event_id="e" * 32,
                    kind="order_confirmation",
                    recipient="ada@example.com",
                    order_id="o" * 32,
                    message_id="<m@example.com>",
                    state="sent",
                    attempts=1,
                    created_at=at,
                    sent_at=at,
                )
            )
    finally:
        call_command("migrate", database=host, verbosity=0)
    try:
        assert EMAIL_TABLES.current(store) == "emails_0001"
        (marker,) = Ledger(store, lease_seconds=60).for_order("o" * 32)
        assert (marker.recipient, marker.state, marker.message_id) == (
            "ada@example.com",
            State.SENT,
            "<m@example.com>",
        )
    finally:
        with store.engine.begin() as conn:
            conn.execute(sa.table("kasify_sent_emails").delete())
        store.dispose()
    assert schema_warnings(host) == []


def test_reverting_0012_drops_the_merchant_settings_and_keeps_the_orders(
    host: str, orders: ko.Orders
) -> None:
    placed = orders.get(orders.place(new_order()).id)  # with its emails on the timeline
    orders.merchant_settings.save({"store_name": "Saved shop"}, actor="staff:grace")
    call_command("migrate", "kasify_orders", "0010", database=host, verbosity=0)
    try:
        assert {"kasify_merchant_settings", "kasify_settings_changes"}.isdisjoint(kasify_tables(host))
        store = store_for(host)
        assert migrate.current(store) == "0009"
        store.dispose()
    finally:
        call_command("migrate", database=host, verbosity=0)
    # Today's code reads today's schema only (0017 added a column to the orders): the order is
    # read once migrated back up, as it was.
    assert orders.get(placed.id) == placed
    assert {"kasify_merchant_settings", "kasify_settings_changes"} <= kasify_tables(host)
    assert orders.merchant_settings.effective().store_name == "Django Test Shop"  # the code's again
    orders.merchant_settings.save({"store_name": "Saved again"}, actor="staff:grace")
    assert [c.new for _id, c in orders.merchant_settings.history()] == ["Saved again"]


def test_reverting_the_stock_history_keeps_the_counts_and_migrate_starts_the_history(host: str) -> None:
    ours = importlib.import_module("kasify_orders.adapters.django.migrations.0013_stock_history")
    (before,) = ours.Migration.dependencies
    store = store_for(host)
    inventory = sa.table("kasify_inventory", sa.column("sku"), sa.column("quantity"), sa.column("updated_at"))
    call_command("migrate", "kasify_orders", before[1], database=host, verbosity=0)
    try:
        assert "kasify_stock_history" not in kasify_tables(host)
        assert migrate.current(store) != migrate.head()
        with store.engine.begin() as conn:
            conn.execute(sa.insert(inventory).values(sku="MUG", quantity=7, updated_at=sa.func.now()))
    finally:
        call_command("migrate", database=host, verbosity=0)
    try:
        assert "kasify_stock_history" in kasify_tables(host)
        assert store.stock("MUG") == 7
        assert [(m.kind, m.delta, m.quantity) for m in store.stock_history("MUG", limit=5)] == [
            (ko.StockKind.TRACKED, 7, 7)
        ]
    finally:
        with store.engine.begin() as conn:
            conn.execute(sa.table("kasify_stock_history").delete())
            conn.execute(sa.delete(inventory))
        store.dispose()
    assert schema_warnings(host) == []


def test_reverting_0017_takes_the_parcels_off_and_migrate_carries_each_shipment_back(
    host: str, orders: ko.Orders
) -> None:
    ours = importlib.import_module("kasify_orders.adapters.django.migrations.0017_shipments")
    (before,) = ours.Migration.dependencies
    order = orders.confirm_payment(orders.place(new_order()).id)
    shipped = orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    call_command("migrate", "kasify_orders", before[1], database=host, verbosity=0)
    try:
        assert {"kasify_shipments", "kasify_shipment_lines"}.isdisjoint(kasify_tables(host))
        store = store_for(host)
        assert migrate.current(store) == "0013"  # the list filters, which parcels follow
        store.dispose()
    finally:
        call_command("migrate", database=host, verbosity=0)
    assert {"kasify_shipments", "kasify_shipment_lines"} <= kasify_tables(host)
    again = orders.get(order.id)
    (parcel,) = again.shipments  # the order row's shipment, carried into a parcel of every unit
    assert parcel.lines == {1: 2} and parcel.tracking_number == "1Z999AA10123456784"
    assert parcel.shipped_at == shipped.shipments[0].shipped_at
    assert again.status is ko.Status.SHIPPED and again.fulfilment_status is ko.FulfilmentStatus.SHIPPED


def test_reverting_0020_takes_the_tax_columns_off_and_the_orders_read_tax_0_again(
    host: str, orders: ko.Orders
) -> None:
    ours = importlib.import_module("kasify_orders.adapters.django.migrations.0020_taxes")
    (before,) = ours.Migration.dependencies
    placed = orders.confirm_payment(orders.place(new_order()).id)
    call_command("migrate", "kasify_orders", before[1], database=host, verbosity=0)
    try:
        store = store_for(host)
        assert migrate.current(store) == "0017"
        with store.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("kasify_orders")}
        store.dispose()
        assert {"tax", "shipping_tax", "prices_include_tax"}.isdisjoint(columns)
    finally:
        call_command("migrate", database=host, verbosity=0)
    again = orders.get(placed.id)
    assert again == placed and again.totals.tax == 0 and not again.totals.prices_include_tax
    assert schema_warnings(host) == []


def test_reverting_0021_takes_the_returns_off_and_migrate_brings_them_back(
    host: str, orders: ko.Orders
) -> None:
    ours = importlib.import_module("kasify_orders.adapters.django.migrations.0021_returns")
    (before,) = ours.Migration.dependencies
    order = orders.confirm_payment(orders.place(new_order()).id)
    order = orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    orders.returns.open(order.id, lines={1: 1}, reason="too small")
    call_command("migrate", "kasify_orders", before[1], database=host, verbosity=0)
    try:
        assert {"kasify_returns", "kasify_return_lines"}.isdisjoint(kasify_tables(host))
        store = store_for(host)
        assert migrate.current(store) == "0018"
        store.dispose()
    finally:
        call_command("migrate", database=host, verbosity=0)
    assert {"kasify_returns", "kasify_return_lines"} <= kasify_tables(host)
    again = orders.get(order.id)
    assert again.returns == () and again.shipments == order.shipments
    assert schema_warnings(host) == []
