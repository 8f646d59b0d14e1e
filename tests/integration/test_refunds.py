"""Refunds through a payment provider, in two phases, on SQLite, PostgreSQL and MariaDB.

The provider here behaves as real ones do: it pays a refund once per idempotency key and
answers a repeated key with the first refund's reference. The database failures are real:
a trigger makes the database refuse to record the settled refund.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest

import kasify_orders as ko
from tests.helpers import Recorder, new_order


class Provider:
    """A payment provider that pays each idempotency key once (as Stripe or Adyen do)."""

    def __init__(self) -> None:
        self.paid: dict[str, Decimal] = {}
        self.keys: list[str | None] = []
        #: Raised (once each) instead of answering.
        self.errors: list[Exception] = []

    @property
    def paid_out(self) -> Decimal:
        return sum(self.paid.values(), Decimal(0))

    @ko.hookimpl
    def kasify_refund_payment(
        self, order: ko.Order, amount: Decimal, idempotency_key: str | None, refund: ko.Refund
    ) -> str:
        assert idempotency_key, "kasify always passes a key"
        assert refund.status is ko.RefundStatus.PENDING and order.refund(refund.id) == refund
        assert (refund.amount, refund.idempotency_key or refund.id) == (amount, idempotency_key)
        self.keys.append(idempotency_key)
        if self.errors:
            raise self.errors.pop(0)
        self.paid.setdefault(idempotency_key, amount)
        return f"re_{list(self.paid).index(idempotency_key) + 1}"


@pytest.fixture
def provider(orders: ko.Orders) -> Provider:
    plugin = Provider()
    orders.plugins.register(plugin, name="provider")
    return plugin


@pytest.fixture
def recorder(orders: ko.Orders) -> Recorder:
    plugin = Recorder()
    orders.plugins.register(plugin, name="recorder")
    return plugin


def paid_order(orders: ko.Orders, **options: object) -> ko.Order:
    order = orders.place(new_order(**options))  # type: ignore[arg-type]
    return orders.confirm_payment(order.id)  # total 55.00 USD


@contextmanager
def settling_refused(orders: ko.Orders) -> Iterator[None]:
    """The database refuses to record a refund on the order (a trigger), as a failing write would."""
    table = orders.store.tables.orders.name
    dialect = orders.store.dialect
    with orders.store.engine.begin() as conn:
        if dialect == "sqlite":
            conn.exec_driver_sql(
                f"CREATE TRIGGER refuse_settling BEFORE UPDATE ON {table} "
                "WHEN NEW.refunded > OLD.refunded BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
            )
        elif dialect == "postgresql":
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse_settling() RETURNS trigger AS $$ BEGIN "
                "IF NEW.refunded > OLD.refunded THEN RAISE EXCEPTION 'refused by test trigger'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                f"CREATE TRIGGER refuse_settling BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_settling()"
            )
        else:
            conn.exec_driver_sql(
                f"CREATE TRIGGER refuse_settling BEFORE UPDATE ON {table} FOR EACH ROW "
                "BEGIN IF NEW.refunded > OLD.refunded THEN "
                "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by test trigger'; END IF; END"
            )
    try:
        yield
    finally:
        with orders.store.engine.begin() as conn:
            conn.exec_driver_sql(
                f"DROP TRIGGER refuse_settling{' ON ' + table if dialect == 'postgresql' else ''}"
            )
            if dialect == "postgresql":
                conn.exec_driver_sql("DROP FUNCTION refuse_settling()")


def test_a_retry_after_the_database_failed_settles_the_refund_the_provider_paid(
    orders: ko.Orders, provider: Provider, recorder: Recorder
) -> None:
    order = paid_order(orders)
    with settling_refused(orders), pytest.raises(ko.StorageError) as refused:
        orders.refund(order.id, Decimal("10.00"), note="strap", idempotency_key="rma-1")
    assert "refused by test trigger" in str(refused.value.__cause__)
    assert provider.paid_out == Decimal("10.00")
    held = orders.get(order.id)
    assert [(r.status, r.amount) for r in held.refunds] == [(ko.RefundStatus.PENDING, Decimal("10.00"))]
    assert held.totals.refunded == 0 and held.totals.refundable == Decimal("45.00")
    assert held.payment_status is ko.PaymentStatus.PAID

    settled = orders.refund(order.id, Decimal("10.00"), note="strap", idempotency_key="rma-1")

    assert provider.paid_out == Decimal("10.00")  # paid once in all
    assert provider.keys == ["rma-1", "rma-1"]  # asked again only with the same key
    assert [(r.status, r.reference) for r in settled.refunds] == [(ko.RefundStatus.SETTLED, "re_1")]
    assert settled.totals.refunded == Decimal("10.00") and settled.totals.refund_pending == 0
    assert settled.payment_status is ko.PaymentStatus.PARTIALLY_REFUNDED
    assert [e.kind for e in settled.timeline][-2:] == ["refund_requested", "refunded"]
    assert recorder.hooks().count("kasify_order_refunded") == 1
    assert orders.refund(order.id, Decimal("10.00"), idempotency_key="rma-1") == settled
    assert provider.keys == ["rma-1", "rma-1"]  # settled: the provider is not asked again


def test_a_refund_left_pending_holds_its_amount_until_the_sweep_settles_it(
    orders: ko.Orders, provider: Provider, recorder: Recorder
) -> None:
    order = paid_order(orders)
    with settling_refused(orders), pytest.raises(ko.StorageError):
        orders.refund(order.id, Decimal("10.00"))  # no key of the caller's: kasify makes one
    # The merchant refunds "the rest": the pending 10.00 is not refunded a second time.
    rest = orders.refund(order.id)
    assert rest.totals.refunded == Decimal("45.00") and rest.totals.refund_pending == Decimal("10.00")
    with pytest.raises(ko.RefundExceedsBalance, match=r"balance is 0\.00 USD"):
        orders.refund(order.id, Decimal("0.01"))

    assert orders.settle_pending_refunds(older_than=timedelta(0)) == 1

    done = orders.get(order.id)
    assert provider.paid_out == Decimal("55.00") == done.totals.total
    assert done.totals.refunded == Decimal("55.00") and done.totals.refund_pending == 0
    assert done.status is ko.Status.REFUNDED and done.payment_status is ko.PaymentStatus.REFUNDED
    assert len(set(provider.keys)) == 2  # two refunds, each asked with its own key only
    assert recorder.hooks().count("kasify_order_refunded") == 2
    assert orders.settle_pending_refunds(older_than=timedelta(0)) == 0


def test_deliver_pending_finishes_refunds_the_provider_answered_later(
    orders: ko.Orders, provider: Provider
) -> None:
    order = paid_order(orders)
    provider.errors.append(ko.RefundPending("the provider is still processing"))
    pending = orders.refund(order.id, Decimal("20.00"))
    assert pending.refunds[0].status is ko.RefundStatus.PENDING
    assert pending.totals.refundable == Decimal("35.00") and pending.payment_status is ko.PaymentStatus.PAID
    assert orders.settle_pending_refunds() == 0  # just asked: left to the first call

    orders.deliver_pending(retry_now=True)

    settled = orders.get(order.id)
    assert settled.refunds[0].status is ko.RefundStatus.SETTLED
    assert settled.totals.refunded == Decimal("20.00")
    assert provider.paid_out == Decimal("20.00") and len(set(provider.keys)) == 1


def test_a_refund_the_provider_refuses_is_a_failed_refund(
    orders: ko.Orders, provider: Provider, recorder: Recorder
) -> None:
    order = paid_order(orders)
    provider.errors.append(ko.RefundFailed("No app or plugin is configured to handle refunds"))
    with pytest.raises(ko.RefundFailed, match="No app or plugin is configured"):
        orders.refund(order.id, Decimal("10.00"), idempotency_key="rma-2")

    failed = orders.get(order.id)
    assert [(r.status, r.failure) for r in failed.refunds] == [
        (ko.RefundStatus.FAILED, "No app or plugin is configured to handle refunds")
    ]
    assert failed.totals.refunded == 0 and failed.totals.refundable == Decimal("55.00")
    assert failed.payment_status is ko.PaymentStatus.PAID and failed.status is ko.Status.PROCESSING
    entry = failed.timeline[-1]
    assert entry.kind == "refund_failed"
    assert entry.message == "Refund of 10.00 USD failed: No app or plugin is configured to handle refunds"
    assert "kasify_order_refunded" not in recorder.hooks()  # no refund email
    assert provider.paid_out == 0

    with pytest.raises(ko.RefundFailed, match="No app or plugin"):  # the same answer for the same key
        orders.refund(order.id, Decimal("10.00"), idempotency_key="rma-2")
    assert provider.keys == ["rma-2"] and orders.get(order.id) == failed

    again = orders.refund(order.id, Decimal("10.00"), idempotency_key="rma-3")  # a new attempt
    assert again.totals.refunded == Decimal("10.00") and provider.paid_out == Decimal("10.00")


def test_cancel_and_refund_is_one_call(orders: ko.Orders, provider: Provider, recorder: Recorder) -> None:
    orders.inventory.set_stock("TEE-RED-M", 5)
    order = paid_order(orders, quantity=2)
    assert orders.inventory.stock("TEE-RED-M") == 3

    done = orders.cancel(order.id, reason="customer asked", refund=True, idempotency_key="c-1")

    assert done.status is ko.Status.CANCELLED and done.payment_status is ko.PaymentStatus.REFUNDED
    assert done.totals.refunded == Decimal("55.00") and provider.paid_out == Decimal("55.00")
    assert [e.kind for e in done.timeline][-3:] == ["refund_requested", "cancelled", "refunded"]
    assert orders.inventory.stock("TEE-RED-M") == 5
    assert recorder.hooks()[-2:] == ["kasify_order_cancelled", "kasify_order_refunded"]
    assert orders.cancel(order.id, refund=True, idempotency_key="c-1") == done  # a retry: nothing more


def test_cancel_and_refund_refused_by_the_provider_cancels_nothing(
    orders: ko.Orders, provider: Provider, recorder: Recorder
) -> None:
    orders.inventory.set_stock("TEE-RED-M", 5)
    order = paid_order(orders, quantity=2)
    provider.errors.append(RuntimeError("card expired"))
    with pytest.raises(ko.RefundFailed, match="card expired; the order was not cancelled"):
        orders.cancel(order.id, reason="customer asked", refund=True)
    after = orders.get(order.id)
    assert after.status is ko.Status.PROCESSING and after.payment_status is ko.PaymentStatus.PAID
    assert after.totals.refundable == Decimal("55.00")
    assert after.timeline[-1].kind == "refund_failed"
    assert orders.inventory.stock("TEE-RED-M") == 3
    assert "kasify_order_cancelled" not in recorder.hooks()


def test_cancel_and_refund_left_pending_cancels_when_the_refund_settles(
    orders: ko.Orders, provider: Provider
) -> None:
    order = paid_order(orders)
    provider.errors.append(ko.RefundPending("processing"))
    waiting = orders.cancel(order.id, reason="out of stock", refund=True)
    assert waiting.status is ko.Status.PROCESSING and waiting.totals.refund_pending == Decimal("55.00")

    assert orders.settle_pending_refunds(older_than=timedelta(0)) == 1

    done = orders.get(order.id)
    assert done.status is ko.Status.CANCELLED and done.payment_status is ko.PaymentStatus.REFUNDED
    assert done.timeline[-2].message == "Order cancelled: out of stock (items restocked)"


def test_without_a_provider_cancel_and_refund_records_both_at_once(orders: ko.Orders) -> None:
    order = paid_order(orders)
    orders.refund(order.id, Decimal("5.00"))
    done = orders.cancel(order.id, refund=True, actor="staff:1")
    assert done.status is ko.Status.CANCELLED and done.payment_status is ko.PaymentStatus.REFUNDED
    assert [r.amount for r in done.refunds] == [Decimal("5.00"), Decimal("50.00")]
    assert all(r.status is ko.RefundStatus.SETTLED for r in done.refunds)
    assert [e.kind for e in done.timeline][-2:] == ["cancelled", "refunded"]
    assert done.version == order.version + 3  # the refund, then one write of the two

    unpaid = orders.place(new_order())
    cancelled = orders.cancel(unpaid.id, refund=True)  # nothing was paid: nothing to refund
    assert cancelled.status is ko.Status.CANCELLED and cancelled.refunds == ()


def test_cancel_and_refund_of_a_shipped_order_changes_nothing(orders: ko.Orders, provider: Provider) -> None:
    order = paid_order(orders)
    shipped = orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    with pytest.raises(ko.InvalidTransition):
        orders.cancel(order.id, refund=True)
    assert orders.get(order.id) == shipped and provider.keys == []


def test_a_pending_cancel_and_refund_of_an_order_shipped_meanwhile_keeps_the_refund(
    orders: ko.Orders, provider: Provider
) -> None:
    order = paid_order(orders)
    provider.errors.append(ko.RefundPending("processing"))
    orders.cancel(order.id, refund=True)
    orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")

    assert orders.settle_pending_refunds(older_than=timedelta(0)) == 1

    done = orders.get(order.id)
    assert done.status is ko.Status.REFUNDED and done.totals.refunded == Decimal("55.00")
    assert (
        done.timeline[-1].message == "Not cancelled: the order was already Shipped when its refund was paid"
    )
