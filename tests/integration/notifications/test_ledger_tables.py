"""The emails' ledger left kasify's core chain: its own chain adopts ``sent_emails``, rows and all.

A database an older kasify migrated (core 0008, with 0002's ``sent_emails``) upgrades to the new
layout with its markers intact, and the ledger reads them; a core-only database has no ledger
table until the emails' chain makes it, which ``Orders.migrate()`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import kasify_orders as ko
from kasify_orders import notifications
from kasify_orders.model import utcnow
from kasify_orders.notifications.ledger import Ledger, State
from kasify_orders.notifications.tables import EMAIL_TABLES
from kasify_orders.storage import migrate
from kasify_orders.storage.store import SqlStore
from tests.helpers import new_order, orders_on, prefixed_store
from tests.helpers import prefixed_tables as tables
from tests.integration.notifications.conftest import SmtpServer, shop_settings

SENT = "mig_sent_emails"


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    """A store with its own table prefix, so its tables start absent; emptied of every table after."""
    with prefixed_store(database_url, EMAIL_TABLES) as store:
        yield store


def add_marker(store: SqlStore, order_id: str) -> None:
    at = utcnow()
    with store.engine.begin() as conn:
        conn.execute(
            sa.text(
                f"INSERT INTO {SENT} (event_id, kind, recipient, order_id, message_id, state, attempts, "
                "created_at, sent_at) VALUES (:event, 'order_confirmation', 'ada@example.com', :order_id, "
                "'<m@example.com>', 'sent', 1, :at, :at)"
            ).bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True))),  # as kasify writes times
            {"event": "e" * 32, "order_id": order_id, "at": at},
        )


def test_a_core_only_database_has_no_ledger_until_the_emails_chain_makes_it(store: SqlStore) -> None:
    migrate.upgrade(store)
    assert SENT not in tables(store)
    assert EMAIL_TABLES.current(store) is None
    with orders_on(store) as shop:
        shop.migrate()  # kasify's chain, then the emails'
        shop.migrate()  # idempotent
    assert SENT in tables(store)
    assert EMAIL_TABLES.current(store) == "emails_0001"
    with store.engine.connect() as conn:
        version = EMAIL_TABLES.version_table(store)
        context = MigrationContext.configure(conn, opts={"compare_type": True, "version_table": version})
        differences = compare_metadata(context, EMAIL_TABLES.metadata(store))
    assert [diff for diff in differences if SENT in repr(diff)] == []


def test_a_database_at_0008_keeps_its_sent_emails_through_the_hand_over(store: SqlStore) -> None:
    # The order is placed by today's code on today's schema (it writes columns 0008 lacks), then
    # the schema goes back to the old chain: the ledger made by core 0002.
    migrate.upgrade(store)
    with orders_on(store) as shop:
        order = shop.place(new_order())
    migrate.downgrade(store, "0008")
    assert SENT in tables(store)
    add_marker(store, order.id)
    migrate.upgrade(store)  # core 0009: a used ledger stays, rows and all
    assert migrate.current(store) == migrate.head()
    assert SENT in tables(store)
    EMAIL_TABLES.upgrade(store)  # the emails' chain adopts it
    assert EMAIL_TABLES.current(store) == "emails_0001"
    (marker,) = Ledger(store, lease_seconds=60).for_order(order.id)
    assert (marker.recipient, marker.state) == ("ada@example.com", State.SENT)
    assert marker.message_id == "<m@example.com>"

    migrate.downgrade(store, "0008")  # handed back to the core: rows kept, the emails' chain forgets it
    assert EMAIL_TABLES.current(store) is None
    migrate.upgrade(store)
    EMAIL_TABLES.upgrade(store)
    with orders_on(store) as shop:
        assert [m.event_id for m in notifications.sent_emails(shop, order.id)] == ["e" * 32]


def test_a_database_at_0008_that_never_sent_an_email_gets_the_ledger_afresh(store: SqlStore) -> None:
    migrate.upgrade(store, "0008")
    migrate.upgrade(store)
    assert SENT not in tables(store)  # empty: dropped, nothing lost
    migrate.downgrade(store, "0008")  # back to the old layout: 0002 reverts as before
    assert SENT in tables(store)
    migrate.upgrade(store)
    EMAIL_TABLES.upgrade(store)
    assert SENT in tables(store)


def test_a_fresh_sqlite_database_sends_emails_out_of_the_box(tmp_path: Path, smtp: SmtpServer) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    with ko.Orders.connect(url, settings=shop_settings(smtp.url), load_entrypoints=False) as shop:
        order = shop.place(new_order())
        assert {m.state for m in notifications.sent_emails(shop, order.id)} == {State.SENT}
    assert smtp.inbox.to("ada@example.com")
