"""Database failures reach callers as kasify's errors: named, chained, and without customers' data.

The connections are killed from the server's side (``pg_terminate_backend``, MariaDB's
``KILL``), as a restart, a failover or an idle timeout would.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import kasify_orders as ko
from kasify_orders.cli import main
from kasify_orders.model import utcnow
from kasify_orders.storage.store import SqlStore, Transaction
from tests.helpers import new_order, server_database

SECRET_NAME = "Ada Secretname"
SECRET_EMAIL = "ada.secret@example.com"


def _kill(store: SqlStore, tx: Transaction) -> None:
    """Drop *tx*'s connection from the server side, through another connection.

    Returns once the server has ended it, so *tx*'s next statement meets a dead connection.
    """
    raw: Any = tx.conn.connection.dbapi_connection
    admin = sa.create_engine(store.engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if store.dialect == "postgresql":
            # With a timeout, pg_terminate_backend waits until the backend has exited.
            assert conn.exec_driver_sql(
                f"SELECT pg_terminate_backend({raw.info.backend_pid}, 60000)"
            ).scalar()
        else:
            thread = raw.thread_id()
            conn.exec_driver_sql(f"KILL {thread}")
            # KILL only flags the thread: wait for it to leave the process list.
            alive = sa.text("SELECT COUNT(*) FROM information_schema.processlist WHERE id = :id")
            while conn.execute(alive, {"id": thread}).scalar():
                time.sleep(0.01)
    admin.dispose()


@pytest.fixture
def server_orders(orders: ko.Orders, backend: str) -> ko.Orders:
    """The ``orders`` fixture on the servers only (an SQLite file has no connection to drop)."""
    if backend == "sqlite":
        pytest.skip("SQLite has no server to drop the connection")
    return orders


def test_a_read_whose_connection_was_dropped_is_retried_once(server_orders: ko.Orders) -> None:
    placed = server_orders.place(new_order())
    store = server_orders.store
    calls = []

    def read(tx: Transaction) -> ko.Order:
        calls.append(1)
        if len(calls) == 1:
            _kill(store, tx)
        return tx.order(placed.id)

    assert store.read(read) == placed
    assert len(calls) == 2

    calls.clear()

    def always_dropped(tx: Transaction) -> None:
        calls.append(1)
        _kill(store, tx)
        tx.conn.execute(sa.select(1))

    with pytest.raises(ko.StorageError, match="connection to the database was lost") as caught:
        store.read(always_dropped)
    assert len(calls) == 2
    assert "test_a_read_whose_connection_was_dropped_is_retried_once" in caught.value.operation
    assert isinstance(caught.value.__cause__, sa.exc.OperationalError)


def test_a_write_is_retried_only_when_its_connection_dropped_before_any_statement(
    server_orders: ko.Orders,
) -> None:
    store = server_orders.store
    calls = []

    def dropped_first(tx: Transaction) -> None:
        calls.append(1)
        if len(calls) == 1:
            _kill(store, tx)
        tx.append_timeline(order.id, [ko.TimelineEvent("note", utcnow(), None, "once", {})])

    order = server_orders.place(new_order())
    store.atomic(dropped_first)
    assert len(calls) == 2
    assert [e.message for e in server_orders.get(order.id).timeline].count("once") == 1

    calls.clear()

    def dropped_after_a_write(tx: Transaction) -> None:
        calls.append(1)
        tx.append_timeline(order.id, [ko.TimelineEvent("note", utcnow(), None, "lost", {})])
        _kill(store, tx)  # a payment provider might have been asked by now
        tx.conn.execute(sa.select(1))

    with pytest.raises(ko.StorageError, match="connection to the database was lost"):
        store.atomic(dropped_after_a_write)
    assert len(calls) == 1
    assert "lost" not in [e.message for e in server_orders.get(order.id).timeline]


def test_a_constraint_error_names_the_operation_and_never_the_customers_data(orders: ko.Orders) -> None:
    placed = orders.place(new_order(name=SECRET_NAME, email=SECRET_EMAIL))
    values = {
        "id": placed.id,  # taken: a unique violation
        "customer_name": SECRET_NAME,
        "customer_email": SECRET_EMAIL,
    }

    def insert_again(tx: Transaction) -> None:
        row = tx.conn.execute(sa.select(tx.t.orders).where(tx.t.orders.c.id == placed.id)).one()
        copy = {**row._asdict(), **values}
        del copy["number"]
        tx.conn.execute(sa.insert(tx.t.orders).values(copy))

    with pytest.raises(ko.ConstraintViolation) as caught:
        orders.store.atomic(insert_again)
    error = caught.value
    assert isinstance(error, ko.StorageError) and isinstance(error, ko.KasifyError)
    assert "test_a_constraint_error_names_the_operation" in error.operation
    for shown in (str(error), repr(error)):
        assert SECRET_NAME not in shown and SECRET_EMAIL not in shown
    cause = error.__cause__
    assert isinstance(cause, sa.exc.IntegrityError)
    assert "SQL parameters hidden" in str(cause)


def test_an_action_on_a_broken_row_is_a_storage_error_without_parameters(orders: ko.Orders) -> None:
    def bad_type(tx: Transaction) -> None:
        # A string where the database wants a number: a DataError on the servers.
        tx.conn.execute(
            sa.text(f"SELECT COUNT(*) FROM {tx.t.orders.name} WHERE number = :n AND customer_email = :e"),
            {"n": "not a number " + SECRET_NAME, "e": SECRET_EMAIL},
        ).scalar()
        tx.conn.execute(sa.text("SELECT no_such_column FROM " + tx.t.orders.name))

    with pytest.raises(ko.StorageError) as caught:
        orders.store.read(bad_type)
    assert not isinstance(caught.value, ko.TablesMissing)
    for shown in (str(caught.value), repr(caught.value)):
        assert SECRET_NAME not in shown and SECRET_EMAIL not in shown


@pytest.fixture(params=["sqlite", "KASIFY_TEST_POSTGRES_URL", "KASIFY_TEST_MYSQL_URL"])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database of each kind with none of kasify's tables."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.sqlite3'}"
        return
    urls = server_database(request.param)
    yield next(urls)
    next(urls, None)


def test_a_database_without_kasifys_tables_says_to_run_the_migrations(unmigrated_url: str) -> None:
    with ko.Orders.connect(unmigrated_url, load_entrypoints=False, migrate=False) as orders:
        with pytest.raises(ko.TablesMissing) as caught:
            orders.list()
        assert "kasify-orders db upgrade" in str(caught.value)
        assert "manage.py migrate" in str(caught.value)
        assert "kasify_orders" in str(caught.value)  # the table it looked for
        with pytest.raises(ko.TablesMissing):
            orders.place(new_order())
        with pytest.raises(ko.TablesMissing):
            orders.count_by_status()
    listed = CliRunner().invoke(main, ["--url", unmigrated_url, "orders", "list"])
    assert listed.exit_code == 1 and "run `kasify-orders db upgrade`" in listed.output
