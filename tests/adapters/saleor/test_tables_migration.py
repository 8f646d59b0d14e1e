"""The Saleor App's tables left kasify's core chain: none on a core-only database, kept where used.

A database an older kasify migrated (core 0006, with 0003's Saleor tables) upgrades to the new
layout with its Saleor rows intact; the Saleor App's own chain (``SALEOR_TABLES``) adopts them,
or creates them where core 0008 dropped them empty.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kasify_orders.adapters.saleor import SALEOR_TABLES, Installations
from kasify_orders.adapters.saleor.installations import SaleorOrderLink
from kasify_orders.model import utcnow
from kasify_orders.storage import migrate
from kasify_orders.storage.store import SqlStore
from tests.helpers import new_order, orders_on, prefixed_store
from tests.helpers import prefixed_tables as tables

API = "https://shop.example.com/graphql/"
SALEOR = {"mig_saleor_installations", "mig_saleor_orders", "mig_saleor_webhooks"}


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    """A store with its own table prefix, so its tables start absent; emptied of every table after."""
    with prefixed_store(database_url, SALEOR_TABLES) as store:
        yield store


def test_a_fresh_core_only_database_has_no_saleor_tables(store: SqlStore) -> None:
    migrate.upgrade(store)
    assert not tables(store) & SALEOR
    assert SALEOR_TABLES.current(store) is None


def test_the_saleor_app_migrates_its_own_tables_to_its_metadata(store: SqlStore) -> None:
    migrate.upgrade(store)
    SALEOR_TABLES.upgrade(store)
    SALEOR_TABLES.upgrade(store)  # idempotent
    assert SALEOR <= tables(store)
    assert SALEOR_TABLES.current(store) == "saleor_0001"
    with store.engine.connect() as conn:
        version = SALEOR_TABLES.version_table(store)
        context = MigrationContext.configure(conn, opts={"compare_type": True, "version_table": version})
        differences = compare_metadata(context, SALEOR_TABLES.metadata(store))
    assert [diff for diff in differences if "mig_saleor" in repr(diff)] == []
    SALEOR_TABLES.downgrade(store)
    assert not tables(store) & SALEOR


def test_a_database_at_0006_keeps_its_saleor_rows_through_the_hand_over(store: SqlStore) -> None:
    # The order is placed by today's code on today's schema (it writes columns 0006 lacks), then
    # the schema goes back to the old chain: Saleor's tables made by core 0003 and 0006.
    migrate.upgrade(store)
    with orders_on(store) as shop:
        order = shop.place(new_order())
    migrate.downgrade(store, "0006")
    assert SALEOR <= tables(store)
    with store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO mig_saleor_installations (api_url, domain, app_id, app_token, installed_at, "
                "email_warning) VALUES (:api, 'shop.example.com', 'QXBwOjE=', 'secret', :at, 'turn it off')"
            ),
            {"api": API, "at": utcnow()},
        )
        conn.execute(
            sa.text(
                "INSERT INTO mig_saleor_orders (order_id, api_url, saleor_order_id, saleor_number) "
                "VALUES (:order_id, :api, 'T3JkZXI6MQ==', '1')"
            ),
            {"order_id": order.id, "api": API},
        )
    migrate.upgrade(store)  # core 0008: the used tables stay, rows and all
    assert migrate.current(store) == migrate.head()
    assert SALEOR <= tables(store)
    SALEOR_TABLES.upgrade(store)  # the Saleor chain adopts them
    assert SALEOR_TABLES.current(store) == "saleor_0001"
    installations = Installations(store)
    installation = installations.get(API)
    assert installation is not None and installation.app_token == "secret"
    assert installation.email_warning == "turn it off"
    assert installations.link_for_order(order.id) == SaleorOrderLink(order.id, API, "T3JkZXI6MQ==", "1")
    assert installations.open_orders_of(API) == [order.id]


def test_a_database_at_0006_that_never_used_saleor_loses_the_empty_tables(store: SqlStore) -> None:
    migrate.upgrade(store, "0006")
    migrate.upgrade(store)
    assert not tables(store) & SALEOR
    migrate.downgrade(store, "0006")  # back to the old layout: 0006 and 0003 revert as before
    assert SALEOR <= tables(store)
    migrate.upgrade(store)
    SALEOR_TABLES.upgrade(store)  # the Saleor App set up later makes them afresh
    assert SALEOR <= tables(store)
