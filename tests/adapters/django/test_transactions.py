"""kasify's writes live in the host's transaction: they commit with it, roll back with it, and
the event hooks (emails) run only after it commits. On SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from django.contrib.auth.models import User
from django.core import mail
from django.db import connections, transaction
from django.test import override_settings

import kasify_orders as ko
from kasify_orders.adapters.django import get_orders
from kasify_orders.storage.store import Transaction
from tests.adapters.django.conftest import BASE_KASIFY, make_user
from tests.helpers import new_order


class HostRollback(Exception):
    """The host's view failed after kasify's call, inside the same transaction."""


def outbox_rows(orders: ko.Orders) -> int:
    with orders.store.engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(orders.store.tables.outbox)) or 0)


def test_kasify_writes_roll_back_with_the_hosts_transaction(host: str, orders: ko.Orders) -> None:
    orders.inventory.set_stock("TEE-RED-M", 5)
    with pytest.raises(HostRollback), transaction.atomic(using=host):
        make_user(host, "ada", staff=False)
        orders.place(new_order(quantity=2))
        raise HostRollback

    assert not User.objects.using(host).filter(username="ada").exists()
    assert orders.list().items == ()
    assert orders.inventory.stock("TEE-RED-M") == 5
    assert outbox_rows(orders) == 0
    assert mail.outbox == []


def test_emails_go_out_when_the_hosts_transaction_commits_not_before(host: str, orders: ko.Orders) -> None:
    with transaction.atomic(using=host):
        order = orders.place(new_order())
        # Inside the transaction the host reads what kasify wrote, on the same connection...
        assert orders.get(order.id).status is ko.Status.PENDING
        # ...but nobody has been told yet.
        assert mail.outbox == []
    assert sorted(message.to[0] for message in mail.outbox) == [
        "Ada Lovelace <ada@example.com>",
        "owner@shop.example",
    ]
    assert outbox_rows(orders) == 0


def test_a_failed_action_undoes_only_itself_inside_the_hosts_transaction(
    host: str, orders: ko.Orders
) -> None:
    order = orders.place(new_order())
    orders.confirm_payment(order.id)
    before = orders.get(order.id)
    with transaction.atomic(using=host):
        make_user(host, "kept", staff=False)
        with pytest.raises(ko.RefundExceedsBalance):
            orders.refund(order.id, Decimal("999.00"))
        # The host's transaction is still usable (a savepoint took kasify's failure away).
        orders.add_note(order.id, "called the customer")

    assert User.objects.using(host).filter(username="kept").exists()
    after = orders.get(order.id)
    assert after.totals.refunded == Decimal("0.00")
    assert [entry.kind for entry in after.timeline] == [*(e.kind for e in before.timeline), "note"]


def test_a_database_error_in_kasify_leaves_the_hosts_transaction_usable(host: str, orders: ko.Orders) -> None:
    orders.coupons.create(ko.Coupon.percentage("SAVE20", 20))
    order = orders.place(new_order())
    with transaction.atomic(using=host):
        make_user(host, "kept", staff=False)
        with pytest.raises(ko.ValidationError, match="already exists"):
            orders.coupons.create(ko.Coupon.fixed("SAVE20", Decimal(5)))  # a unique violation
        # On PostgreSQL the violation aborts the transaction; kasify's savepoint restores it.
        orders.add_note(order.id, "still working")
    assert User.objects.using(host).filter(username="kept").exists()
    assert orders.get(order.id).timeline[-1].message == "still working"


class Interrupted(Exception):
    """Work that fails half-way."""


def _half_done(orders: ko.Orders) -> None:
    def work(tx: object) -> None:
        orders.inventory.set_stock("HALF", 1)  # joins this transaction: written...
        raise Interrupted  # ...then the work fails

    orders.store.atomic(work)  # type: ignore[arg-type]


@pytest.mark.parametrize("inside_host", [False, True], ids=["alone", "inside-host"])
def test_work_that_fails_half_way_leaves_nothing_behind(
    host: str, orders: ko.Orders, inside_host: bool
) -> None:
    if inside_host:
        with transaction.atomic(using=host):
            make_user(host, "kept", staff=False)
            with pytest.raises(Interrupted):
                _half_done(orders)
        assert User.objects.using(host).filter(username="kept").exists()
    else:
        with pytest.raises(Interrupted):
            _half_done(orders)
    assert orders.inventory.stock("HALF") is None


def test_outside_any_transaction_each_call_commits_and_delivers_at_once(host: str, orders: ko.Orders) -> None:
    assert not connections[host].in_atomic_block
    orders.place(new_order())
    assert len(mail.outbox) == 2


def test_a_failing_kasify_callback_does_not_stop_the_hosts_other_callbacks(
    host: str, orders: ko.Orders
) -> None:
    ran: list[str] = []

    def boom() -> None:
        raise RuntimeError("kasify's delivery failed")

    with transaction.atomic(using=host):
        orders.store.after_commit(boom)
        transaction.on_commit(lambda: ran.append("host"), using=host)
    assert ran == ["host"]


class FailingPlugin:
    """An event hook that always fails (a webhook whose endpoint is down)."""

    @ko.hookimpl
    def kasify_order_placed(self, order: ko.Order) -> None:
        raise ConnectionError("the endpoint is down")


def test_a_failing_hook_keeps_the_commit_and_is_retried_later(host: str) -> None:
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "PLUGINS": [FailingPlugin()]}):
        orders = get_orders()
        ran: list[str] = []
        with transaction.atomic(using=host):
            order = orders.place(new_order())
            transaction.on_commit(lambda: ran.append("host"), using=host)

        assert orders.get(order.id).status is ko.Status.PENDING
        assert ran == ["host"]
        [waiting] = orders.store.outbox_items()
        assert waiting.attempts == 1 and "the endpoint is down" in (waiting.last_error or "")
        # The emails (another plugin on the same event) went out and are not sent twice.
        assert len(mail.outbox) == 2


def test_get_orders_is_one_orders_per_process_rebuilt_when_the_settings_change(host: str) -> None:
    first = get_orders()
    assert get_orders() is first
    assert first.store.alias == host  # type: ignore[attr-defined]
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "PAGE_SIZE": 10}):
        assert get_orders() is not first


def test_a_database_error_inside_the_hosts_transaction_is_a_storage_error_without_the_customer(
    host: str, orders: ko.Orders
) -> None:
    placed = orders.place(new_order(name="Ada Secretname", email="ada.secret@example.com"))

    def insert_again(tx: Transaction) -> None:
        row = tx.conn.execute(sa.select(tx.t.orders).where(tx.t.orders.c.id == placed.id)).one()
        copy = row._asdict()
        del copy["number"]
        tx.conn.execute(sa.insert(tx.t.orders).values(copy))

    with transaction.atomic(using=host):
        with pytest.raises(ko.ConstraintViolation) as caught:
            orders.store.atomic(insert_again)
        assert orders.get(placed.id).number == placed.number  # the host's transaction goes on
    for shown in (str(caught.value), repr(caught.value)):
        assert "Secretname" not in shown and "ada.secret" not in shown
    assert isinstance(caught.value.__cause__, sa.exc.IntegrityError)
