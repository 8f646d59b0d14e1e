"""The shipped migrations build exactly the schema the code uses, and take it down again."""

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import attrs
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import kasify_orders as ko
from kasify_orders.storage import migrate
from kasify_orders.storage.store import SqlStore
from tests.helpers import server_database


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    """A store using its own table prefix, so its tables start absent."""
    store = SqlStore.from_url(database_url, table_prefix="mig_")
    yield store
    migrate.downgrade(store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS mig_alembic_version")
    store.dispose()


def kasify_tables(store: SqlStore) -> set[str]:
    return {name for name in sa.inspect(store.engine).get_table_names() if name.startswith("mig_")}


def test_upgrade_from_empty_matches_the_metadata(store: SqlStore) -> None:
    assert migrate.current(store) is None
    migrate.upgrade(store)
    assert migrate.current(store) == migrate.head()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": migrate.version_table(store)}
        )
        differences = compare_metadata(context, store.tables.metadata)
    ours = [diff for diff in differences if "mig_" in repr(diff)]
    assert ours == []
    assert kasify_tables(store) == {table.name for table in store.tables.metadata.sorted_tables} | {
        "mig_alembic_version"
    }


def test_upgrade_is_idempotent_and_downgrade_empties(store: SqlStore) -> None:
    migrate.upgrade(store)
    migrate.upgrade(store)
    migrate.downgrade(store)
    assert kasify_tables(store) == {"mig_alembic_version"}
    assert migrate.current(store) is None


def test_a_prefixed_store_works_beside_the_default_one(store: SqlStore, orders: ko.Orders) -> None:
    migrate.upgrade(store)
    settings = ko.Settings(table_prefix="mig_")
    with ko.Orders.connect(
        str(store.engine.url.render_as_string(hide_password=False)), settings=settings, load_entrypoints=False
    ) as other:
        placed = other.place(ko.structure(_cart(), ko.NewOrder))
        assert other.get(placed.id) == placed
        assert orders.list().items == ()
        with other.store.engine.begin() as conn:
            for table in reversed(other.store.tables.metadata.sorted_tables):
                conn.execute(table.delete())


def test_upgrading_to_search_terms_indexes_the_orders_already_there(store: SqlStore) -> None:
    migrate.upgrade(store)
    url = store.engine.url.render_as_string(hide_password=False)
    settings = ko.Settings(table_prefix="mig_")
    with ko.Orders.connect(url, settings=settings, load_entrypoints=False) as shop:
        placed = [shop.place(ko.structure(_cart(), ko.NewOrder)).number for _ in range(3)]
        migrate.downgrade(shop.store, "0003")
        assert "mig_search_terms" not in kasify_tables(store)
        migrate.upgrade(shop.store)
        assert [order.number for order in shop.list(search="ada").items] == placed[::-1]
        with shop.store.engine.begin() as conn:
            for table in reversed(shop.store.tables.metadata.sorted_tables):
                conn.execute(table.delete())


def test_refunds_made_before_refund_states_migrate_as_settled(store: SqlStore) -> None:
    migrate.upgrade(store)
    url = store.engine.url.render_as_string(hide_password=False)
    settings = ko.Settings(table_prefix="mig_")
    with ko.Orders.connect(url, settings=settings, load_entrypoints=False) as shop:
        placed = shop.place(ko.structure(_cart(), ko.NewOrder))
        shop.confirm_payment(placed.id)
        refunded = shop.refund(placed.id, Decimal("1.00"))
        migrate.downgrade(shop.store, "0004")  # the schema before refunds had states
        with shop.store.engine.connect() as conn:
            columns = {column["name"] for column in sa.inspect(conn).get_columns("mig_refunds")}
        assert "status" not in columns
        migrate.upgrade(shop.store)
        stored = shop.get(placed.id)
        assert stored == refunded
        (refund,) = stored.refunds
        assert refund.status is ko.RefundStatus.SETTLED and refund.resolved_at == refund.created_at
        assert stored.totals.refund_pending == 0 and stored.totals.refundable == Decimal("4.00")
        with shop.store.engine.begin() as conn:
            for table in reversed(shop.store.tables.metadata.sorted_tables):
                conn.execute(table.delete())


def test_upgrading_to_the_order_counter_continues_the_numbers_already_there(store: SqlStore) -> None:
    migrate.upgrade(store)
    url = store.engine.url.render_as_string(hide_password=False)
    settings = ko.Settings(table_prefix="mig_")
    with ko.Orders.connect(url, settings=settings, load_entrypoints=False) as shop:
        placed = [shop.place(ko.structure(_cart(), ko.NewOrder)).number for _ in range(3)]
        migrate.downgrade(shop.store, "0005")  # the schema before the order counter
        assert "mig_counters" not in kasify_tables(store)
        migrate.upgrade(shop.store)
        with shop.store.engine.connect() as conn:
            counted = conn.scalar(sa.select(shop.store.tables.counters.c.value))
        assert counted == placed[-1]
        assert shop.place(ko.structure(_cart(), ko.NewOrder)).number == placed[-1] + 1
        with shop.store.engine.begin() as conn:
            for table in reversed(shop.store.tables.metadata.sorted_tables):
                conn.execute(table.delete())


def test_stock_history_migrates_up_and_down_with_the_counts_kept(store: SqlStore) -> None:
    migrate.upgrade(store)
    url = store.engine.url.render_as_string(hide_password=False)
    settings = ko.Settings(table_prefix="mig_")
    with ko.Orders.connect(url, settings=settings, load_entrypoints=False) as shop:
        migrate.downgrade(shop.store, "0009")  # the schema before the stock history
        assert "mig_stock_history" not in kasify_tables(store)
        inventory = sa.table(
            # The time goes through SQLAlchemy's DateTime, as kasify's own writes do (sqlite3's
            # default datetime adapter is deprecated from Python 3.12, an error here).
            "mig_inventory",
            sa.column("sku"),
            sa.column("quantity"),
            sa.column("updated_at", sa.DateTime(timezone=True)),
        )
        with shop.store.engine.begin() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("mig_inventory")}
            assert columns == {"sku", "quantity", "updated_at"}
            at = ko.structure("2026-11-30T10:00:00+00:00", datetime)
            conn.execute(
                sa.insert(inventory),
                [
                    {"sku": "A", "quantity": 4, "updated_at": at},
                    {"sku": "B", "quantity": 0, "updated_at": at},
                ],
            )
        migrate.upgrade(shop.store)
        assert [(i.sku, i.quantity, i.name, i.low_stock_at) for i in shop.inventory.items()] == [
            ("A", 4, None, 5),
            ("B", 0, None, 5),
        ]
        (first,) = shop.inventory.history("A")
        assert (first.kind, first.delta, first.quantity, first.at) == (ko.StockKind.TRACKED, 4, 4, at)
        placed = shop.place(ko.structure(_cart(), ko.NewOrder))
        assert [m.order_number for m in shop.inventory.history("A")] == [placed.number, None]
        migrate.downgrade(shop.store, "0009")  # with history rows: dropped, the counts kept
        assert "mig_stock_history" not in kasify_tables(store)
        with shop.store.engine.connect() as conn:
            query = sa.select(inventory.c.sku, inventory.c.quantity).order_by(inventory.c.sku)
            assert conn.execute(query).all() == [("A", 3), ("B", 0)]
        migrate.upgrade(shop.store)
        assert [m.quantity for m in shop.inventory.history("A")] == [3]
        with shop.store.engine.begin() as conn:
            for table in reversed(shop.store.tables.metadata.sorted_tables):
                conn.execute(table.delete())


def _cart() -> dict[str, object]:
    return {
        "customer": {"name": "Ada", "email": "ada@example.com"},
        "shipping_address": {"line1": "1 Road", "city": "London", "postal_code": "N1", "country": "GB"},
        "lines": [{"sku": "A", "name": "Tee", "quantity": 1, "unit_price": "5.00"}],
        "currency": "GBP",
    }


def test_connect_creates_the_embedded_schema(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/fresh.sqlite3"
    with ko.Orders.connect(url, load_entrypoints=False) as orders:
        assert migrate.current(orders.store) == migrate.head()
        with orders.store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_host_alembic_sees_kasify_tables_through_metadata_or_skips_them(orders: ko.Orders) -> None:
    from kasify_orders.storage import exclude_kasify_tables, metadata

    host = sa.MetaData()
    sa.Table("shop_products", host, sa.Column("id", sa.Integer, primary_key=True))
    with orders.store.engine.connect() as conn:
        listed = MigrationContext.configure(conn, opts={"version_table": "host_alembic_version"})
        proposals = compare_metadata(listed, [host, metadata()])
        skipping = MigrationContext.configure(
            conn, opts={"version_table": "host_alembic_version", "include_name": exclude_kasify_tables()}
        )
        proposals_skipping = compare_metadata(skipping, host)
    for found in (proposals, proposals_skipping):
        assert not [
            diff for diff in found if diff[0] == "remove_table" and diff[1].name.startswith("kasify_")
        ]
        assert [diff[1].name for diff in found if diff[0] == "add_table"] == ["shop_products"]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A database of our own on the PostgreSQL server (fails under CI if there is none)."""
    yield from server_database("KASIFY_TEST_POSTGRES_URL")


def test_postgresql_schema_holds_every_kasify_table(postgres_url: str) -> None:
    settings = ko.Settings(db_schema="shop_orders")
    with ko.Orders.connect(postgres_url, settings=settings, load_entrypoints=False, migrate=True) as orders:
        placed = orders.place(ko.structure(_cart(), ko.NewOrder))
        assert orders.get(placed.id) == placed
        inspector = sa.inspect(orders.store.engine)
        assert "kasify_orders" in inspector.get_table_names(schema="shop_orders")
        assert "kasify_alembic_version" in inspector.get_table_names(schema="shop_orders")
        assert "kasify_orders" not in inspector.get_table_names(schema="public")
        assert migrate.current(orders.store) == migrate.head()


def test_the_merchant_settings_tables_come_and_go_with_0011_and_the_orders_stay(store: SqlStore) -> None:
    migrate.upgrade(store)
    url = store.engine.url.render_as_string(hide_password=False)
    settings = ko.Settings(table_prefix="mig_")
    with ko.Orders.connect(url, settings=settings, load_entrypoints=False) as shop:
        placed = shop.place(ko.structure(_cart(), ko.NewOrder))
        shop.merchant_settings.save({"store_name": "Saved shop"}, actor="staff:ada")
        migrate.downgrade(shop.store, "0009")  # the schema before the merchant's settings
        assert {"mig_merchant_settings", "mig_settings_changes"}.isdisjoint(kasify_tables(store))
        with shop.store.engine.connect() as conn:
            names = set(conn.scalars(sa.select(shop.store.tables.counters.c.name)))
        assert "merchant_settings" not in names
        # The code reads the newest schema only (parcels added a column to the orders): the order
        # is checked once the schema is back up, still as it was placed.
        migrate.upgrade(shop.store)
        assert shop.get(placed.id) == placed
        assert shop.merchant_settings.effective().store_name == "Kasify shop"  # back to the code's
        assert shop.merchant_settings.history() == []
        shop.merchant_settings.save({"store_name": "Saved again"}, actor="staff:ada")
        assert shop.merchant_settings.effective().store_name == "Saved again"
        with shop.store.engine.begin() as conn:
            for table in reversed(shop.store.tables.metadata.sorted_tables):
                conn.execute(table.delete())


def test_the_single_shipment_of_each_order_becomes_its_parcel_up_and_down(store: SqlStore) -> None:
    """0015 turns the order row's one shipment into a parcel of every unit; down keeps the row's."""
    migrate.upgrade(store)
    url = store.engine.url.render_as_string(hide_password=False)
    settings = ko.Settings(table_prefix="mig_")
    with ko.Orders.connect(url, settings=settings, load_entrypoints=False) as shop:
        cart = ko.structure(
            {
                **_cart(),
                "lines": [
                    *_cart()["lines"],
                    {"sku": "MUG", "name": "Mug", "quantity": 1, "unit_price": "8.00"},
                ],
            },  # type: ignore[list-item]
            ko.NewOrder,
        )
        delivered = shop.confirm_payment(shop.place(cart).id)
        shop.mark_shipped(delivered.id, tracking_number="1Z999AA10123456784", carrier="ups")
        delivered = shop.mark_delivered(delivered.id)
        shipped = shop.confirm_payment(shop.place(cart).id)
        shipped = shop.mark_shipped(shipped.id, tracking_number="1Z999AA10123456785", carrier="ups")
        waiting = shop.confirm_payment(shop.place(cart).id)
        migrate.downgrade(shop.store, "0012")  # the schema before parcels, the rows' tracking kept
        assert {"mig_shipments", "mig_shipment_lines"}.isdisjoint(kasify_tables(store))
        orders_table = sa.table("mig_orders", sa.column("id"), sa.column("tracking_number"))
        with shop.store.engine.connect() as conn:
            tracking = dict(conn.execute(sa.select(orders_table.c.id, orders_table.c.tracking_number)).all())
        assert tracking == {
            delivered.id: "1Z999AA10123456784",
            shipped.id: "1Z999AA10123456785",
            waiting.id: None,
        }
        migrate.upgrade(shop.store)
        after = shop.get(delivered.id)
        (parcel,) = after.shipments
        assert parcel.lines == {1: 1, 2: 1} and parcel.tracking_number == "1Z999AA10123456784"
        assert parcel.carrier == "ups" and parcel.tracking_url == delivered.shipments[0].tracking_url
        assert parcel.shipped_at == delivered.shipments[0].shipped_at
        assert parcel.delivered_at == delivered.timeline[-1].at
        assert after.fulfilment_status is ko.FulfilmentStatus.DELIVERED
        again = shop.get(shipped.id)
        assert [p.lines for p in again.shipments] == [{1: 1, 2: 1}] and again.shipments[
            0
        ].delivered_at is None
        assert again.fulfilment_status is ko.FulfilmentStatus.SHIPPED
        assert shop.get(waiting.id) == waiting
        summaries = {s.id: s.fulfilment_status.value for s in shop.list(limit=10).items}
        assert summaries == {delivered.id: "delivered", shipped.id: "shipped", waiting.id: "unfulfilled"}
        # The carried parcel can be corrected like any (the migrated id is a real parcel's).
        corrected = shop.update_tracking(shipped.id, tracking_number="1Z999AA10123456786")
        assert shop.get(shipped.id) == corrected
        partial = shop.mark_shipped(
            waiting.id, tracking_number="1Z999AA10123456787", carrier="ups", lines={2: 1}
        )
        assert partial.fulfilment_status is ko.FulfilmentStatus.PARTIALLY_SHIPPED
        migrate.downgrade(shop.store, "0012")  # with parcels of several kinds: the tables go
        with shop.store.engine.connect() as conn:
            tracking = dict(conn.execute(sa.select(orders_table.c.id, orders_table.c.tracking_number)).all())
        assert tracking[shipped.id] == "1Z999AA10123456786" and tracking[waiting.id] == "1Z999AA10123456787"
        migrate.upgrade(shop.store)
        with shop.store.engine.begin() as conn:
            for table in reversed(shop.store.tables.metadata.sorted_tables):
                conn.execute(table.delete())


def test_the_list_indexes_come_and_go_with_0013_and_the_orders_stay(store: SqlStore) -> None:
    migrate.upgrade(store)
    url = store.engine.url.render_as_string(hide_password=False)
    with ko.Orders.connect(url, settings=ko.Settings(table_prefix="mig_"), load_entrypoints=False) as shop:
        order = shop.place(ko.structure(_cart(), ko.NewOrder))

        def indexes() -> set[str]:
            return {i["name"] for i in sa.inspect(shop.store.engine).get_indexes("mig_orders") if i["name"]}

        wanted = {"ix_mig_orders_total_number", "ix_mig_orders_ship_country_number"}
        assert wanted <= indexes()
        migrate.downgrade(shop.store, "0012")
        assert not wanted & indexes()
        migrate.upgrade(shop.store)
        assert wanted <= indexes()
        assert [o.id for o in shop.list(country="GB", sort="total_desc").items] == [order.id]
        assert [o.id for o in shop.list(country="gb", sort="total_asc").items] == [order.id]
        with shop.store.engine.begin() as conn:
            for table in reversed(shop.store.tables.metadata.sorted_tables):
                conn.execute(table.delete())


def test_refunds_by_line_come_and_go_with_0016_and_the_refunds_stay(store: SqlStore) -> None:
    """0016 adds the refund lines and flags; down keeps every refund's amount, as a refund by amount."""
    migrate.upgrade(store)
    url = store.engine.url.render_as_string(hide_password=False)
    with ko.Orders.connect(url, settings=ko.Settings(table_prefix="mig_"), load_entrypoints=False) as shop:
        cart = ko.structure(
            {**_cart(), "shipping_cost": "2.00", "lines": [{**_cart()["lines"][0], "quantity": 3}]},  # type: ignore[dict-item]
            ko.NewOrder,
        )
        order = shop.confirm_payment(shop.place(cart).id)
        by_line = shop.refund(order.id, lines={1: 2}, shipping=True)
        assert by_line.refunds[0].amount == Decimal("12.00")
        migrate.downgrade(shop.store, "0015")
        assert "mig_refund_lines" not in kasify_tables(store)
        columns = {c["name"] for c in sa.inspect(shop.store.engine).get_columns("mig_refunds")}
        assert {"shipping", "restock"}.isdisjoint(columns)
        refunds = sa.table("mig_refunds", sa.column("amount"))
        with shop.store.engine.connect() as conn:
            assert sorted(conn.execute(sa.select(refunds.c.amount)).scalars()) == [1200]
        migrate.upgrade(shop.store)
        after = shop.get(order.id)
        (kept,) = after.refunds
        assert kept.amount == Decimal("12.00") and not kept.by_line  # carried back as a refund by amount
        assert after.totals == by_line.totals
        again = shop.refund(order.id, lines={1: 1})  # the table is back and used
        assert shop.get(order.id) == again and again.refunds[-1].lines == {1: 1}
        with shop.store.engine.begin() as conn:
            for table in reversed(shop.store.tables.metadata.sorted_tables):
                conn.execute(table.delete())


def test_what_was_paid_comes_and_goes_with_0017_and_the_orders_stay(store: SqlStore) -> None:
    """0017 adds orders.paid (the total, for orders already paid) and the edited refund cap; down drops it."""
    migrate.upgrade(store)
    url = store.engine.url.render_as_string(hide_password=False)
    settings = ko.Settings(table_prefix="mig_")
    orders_table = sa.table("mig_orders", sa.column("id"), sa.column("total"), sa.column("refunded"))
    with ko.Orders.connect(url, settings=settings, load_entrypoints=False, migrate=False) as shop:
        cart = ko.structure(
            {**_cart(), "lines": [{"sku": "A", "name": "Tee", "quantity": 3, "unit_price": "5.00"}]},
            ko.NewOrder,
        )
        migrate.upgrade(shop.store)
        paid = shop.confirm_payment(shop.place(cart).id)
        waiting = shop.place(cart)
        refunded = shop.refund(shop.confirm_payment(shop.place(cart).id).id, Decimal("5.00"))
        migrate.downgrade(shop.store, "0016")
        assert "paid" not in {c["name"] for c in sa.inspect(store.engine).get_columns("mig_orders")}
        with shop.store.engine.connect() as conn:
            kept = {row.id: (row.total, row.refunded) for row in conn.execute(sa.select(orders_table))}
        assert kept == {paid.id: (1500, 0), waiting.id: (1500, 0), refunded.id: (1500, 500)}
        migrate.upgrade(shop.store)  # paid is filled in from the total of every order paid
        assert shop.get(paid.id).totals.paid == Decimal("15.00") == shop.get(refunded.id).totals.paid
        assert shop.get(waiting.id).totals.paid == 0
        assert shop.get(paid.id) == paid and shop.get(refunded.id) == refunded
        # With what was paid kept, an order edited down refunds what was paid, beyond its total.
        lower = shop.edit(paid.id, set_quantity={1: 1})
        done = shop.refund(paid.id)
        assert done.totals.refunded == Decimal("15.00") > lower.totals.total
        assert shop.get(paid.id) == done
        with shop.store.engine.begin() as conn:
            for table in reversed(shop.store.tables.metadata.sorted_tables):
                conn.execute(table.delete())


def test_taxes_come_and_go_with_0018_and_the_orders_already_there_read_tax_0(store: SqlStore) -> None:
    """0018 adds the line, shipping and order tax and prices_include_tax; old orders read no tax.

    Down drops the columns, and is refused while an order holds tax (its total would not add up).
    """
    migrate.upgrade(store)
    url = store.engine.url.render_as_string(hide_password=False)
    settings = ko.Settings(table_prefix="mig_")
    orders_table = sa.table("mig_orders", sa.column("id"), sa.column("total"))
    with ko.Orders.connect(url, settings=settings, load_entrypoints=False, migrate=False) as shop:
        cart = ko.structure(
            {**_cart(), "lines": [{"sku": "A", "name": "Tee", "quantity": 3, "unit_price": "5.00"}]},
            ko.NewOrder,
        )
        old = shop.refund(shop.confirm_payment(shop.place(cart).id).id, lines={1: 1})
        migrate.downgrade(shop.store, "0017")
        for table in ("mig_orders", "mig_order_lines"):
            columns = {c["name"] for c in sa.inspect(store.engine).get_columns(table)}
            assert {"tax", "shipping_tax", "prices_include_tax"}.isdisjoint(columns)
        with shop.store.engine.connect() as conn:
            assert [tuple(row) for row in conn.execute(sa.select(orders_table))] == [(old.id, 1500)]
        migrate.upgrade(shop.store)  # the order written without tax reads tax 0, as it did
        again = shop.get(old.id)
        assert again == old and again.totals.tax == 0 and again.lines[0].tax == 0
        assert not again.totals.prices_include_tax
        taxed = shop.place(
            attrs.evolve(
                cart,
                lines=[attrs.evolve(cart.lines[0], tax=Decimal("1.00"))],
                shipping_tax=Decimal("0.00"),
            )
        )
        migrate.downgrade(shop.store, "0018")  # the newer revisions first
        with pytest.raises(RuntimeError, match="1 order holds tax"):
            migrate.downgrade(shop.store, "0017")
        assert migrate.current(shop.store) == "0018"
        migrate.upgrade(shop.store)
        assert shop.get(taxed.id).totals.tax == Decimal("1.00")
        with shop.store.engine.begin() as conn:
            for table in reversed(shop.store.tables.metadata.sorted_tables):
                conn.execute(table.delete())


def test_returns_come_and_go_with_0019_and_their_orders_and_refunds_stay(store: SqlStore) -> None:
    """0019 adds the returns and their lines; down drops both (the orders, parcels and refunds stay)."""
    migrate.upgrade(store)
    url = store.engine.url.render_as_string(hide_password=False)
    settings = ko.Settings(table_prefix="mig_")
    with ko.Orders.connect(url, settings=settings, load_entrypoints=False, migrate=False) as shop:
        cart = ko.structure(
            {**_cart(), "lines": [{"sku": "A", "name": "Tee", "quantity": 3, "unit_price": "5.00"}]},
            ko.NewOrder,
        )
        migrate.upgrade(shop.store)
        order = shop.confirm_payment(shop.place(cart).id)
        order = shop.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
        made = shop.returns.open(order.id, lines={1: 2}, reason="too small").returns[0]
        shop.returns.receive(made.id)
        refunded = shop.returns.refund(made.id)
        assert {"mig_returns", "mig_return_lines"} <= set(sa.inspect(store.engine).get_table_names())
        migrate.downgrade(shop.store, "0018")
        names = set(sa.inspect(store.engine).get_table_names())
        assert {"mig_returns", "mig_return_lines"}.isdisjoint(names)
        migrate.upgrade(shop.store)
        again = shop.get(order.id)
        assert again.returns == () and again.refunds == refunded.refunds  # the refund stays, by line
        assert again.shipments == refunded.shipments and again.totals == refunded.totals
        # The order may be returned again: nothing remembers the dropped return.
        assert shop.returns.open(order.id, lines={1: 1}, reason="again").returns[0].lines == {1: 1}
        with shop.store.engine.begin() as conn:
            for table in reversed(shop.store.tables.metadata.sorted_tables):
                conn.execute(table.delete())
