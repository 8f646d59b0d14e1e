"""Event hooks run after commit, through the outbox: once each, retried, never undoing a change."""

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

import kasify_orders as ko
from tests.helpers import Clock, Recorder, new_order, wipe


@pytest.fixture
def recorder(orders: ko.Orders) -> Recorder:
    plugin = Recorder()
    orders.plugins.register(plugin, name="recorder")
    return plugin


def outbox_rows(orders: ko.Orders) -> int:
    with orders.store.engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(orders.store.tables.outbox)) or 0


def test_every_action_calls_its_hook_once_after_commit(orders: ko.Orders, recorder: Recorder) -> None:
    seen_status: list[ko.Status] = []

    class Checker:
        @ko.hookimpl
        def kasify_order_shipped(self, order: ko.Order) -> None:
            # The change is committed by the time the hook runs: another read sees it.
            seen_status.append(orders.get(order.id).status)

    orders.plugins.register(Checker())
    order = orders.place(new_order())
    orders.confirm_payment(order.id)
    orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
    orders.update_tracking(order.id, tracking_number="1Z999AA10123456785")
    orders.mark_delivered(order.id)
    orders.refund(order.id, Decimal("1.00"), note="internal")
    assert recorder.hooks() == [
        "kasify_order_placed",
        "kasify_payment_confirmed",
        "kasify_order_shipped",
        "kasify_tracking_updated",
        "kasify_order_delivered",
        "kasify_order_refunded",
    ]
    assert seen_status == [ko.Status.SHIPPED]
    previous = recorder.calls[3][1]["previous"]
    assert isinstance(previous, ko.Shipment) and previous.tracking_number == "1Z999AA10123456784"
    refund = recorder.calls[5][1]["refund"]
    assert isinstance(refund, ko.Refund) and refund.amount == Decimal("1.00")
    assert outbox_rows(orders) == 0


def test_failed_actions_call_no_hook(orders: ko.Orders, recorder: Recorder) -> None:
    orders.inventory.set_stock("TEE-RED-M", 1)
    with pytest.raises(ko.OutOfStock):
        orders.place(new_order(quantity=2))
    order = orders.place(new_order(quantity=1))
    with pytest.raises(ko.InvalidTransition):
        orders.mark_delivered(order.id)
    assert recorder.hooks() == ["kasify_order_placed"]


class Flaky:
    """Fails its first *failures* calls."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    @ko.hookimpl
    def kasify_order_placed(self, order: ko.Order) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("mail server down")


def test_a_failing_hook_never_undoes_the_change_and_is_retried_alone(
    orders: ko.Orders, recorder: Recorder
) -> None:
    flaky = Flaky(failures=1)
    orders.plugins.register(flaky, name="flaky")
    order = orders.place(new_order())
    assert orders.get(order.id).status is ko.Status.PENDING
    assert (flaky.calls, recorder.hooks()) == (1, ["kasify_order_placed"])
    assert outbox_rows(orders) == 1
    assert orders.deliver_pending() == 0  # backing off: not due yet
    assert orders.deliver_pending(retry_now=True) == 1
    assert flaky.calls == 2
    assert recorder.hooks() == ["kasify_order_placed"]  # the hook that succeeded is not called again
    assert outbox_rows(orders) == 0


def test_an_event_is_marked_dead_after_its_attempts_and_can_be_revived(database_url: str) -> None:
    flaky = Flaky(failures=2)
    settings = ko.Settings(max_dispatch_attempts=2)
    with ko.Orders.connect(
        database_url, settings=settings, plugins=[flaky], load_entrypoints=False
    ) as orders:
        try:
            order = orders.place(new_order())
            assert orders.deliver_pending(retry_now=True) == 0
            assert orders.deliver_pending(retry_now=True) == 0  # dead: not claimed again
            assert flaky.calls == 2
            (dead,) = orders.store.outbox_items(dead=True)
            assert "mail server down" in (dead.last_error or "")
            timeline = orders.get(order.id).timeline
            assert timeline[-1].kind == "delivery_failed"
            assert "kasify_order_placed after 2 attempts" in timeline[-1].message
            assert orders.retry_dead() == 1
            assert orders.deliver_pending() == 1
            assert flaky.calls == 3
            assert orders.store.outbox_items() == []
        finally:
            wipe(database_url)


def test_deferred_delivery_leaves_events_for_workers(database_url: str) -> None:
    recorder = Recorder()
    settings = ko.Settings(deliver_inline=False)
    try:
        with ko.Orders.connect(
            database_url, settings=settings, plugins=[recorder], load_entrypoints=False
        ) as web:
            order = web.place(new_order())
            web.confirm_payment(order.id)
            assert recorder.calls == []
        worker_recorder = Recorder()
        with ko.Orders.connect(database_url, plugins=[worker_recorder], load_entrypoints=False) as worker:
            assert worker.deliver_pending() == 2
            assert worker.deliver_pending() == 0
        assert worker_recorder.hooks() == ["kasify_order_placed", "kasify_payment_confirmed"]
        placed = worker_recorder.calls[0][1]["order"]
        assert isinstance(placed, ko.Order) and placed.id == order.id
    finally:
        wipe(database_url)


def test_events_without_implementations_are_not_queued(orders: ko.Orders) -> None:
    orders.place(new_order())
    assert outbox_rows(orders) == 0


class Provider:
    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[dict[str, Any]] = []

    @ko.hookimpl
    def kasify_refund_payment(
        self, order: ko.Order, amount: Decimal, note: str, idempotency_key: str | None
    ) -> str:
        self.calls.append({"amount": amount, "note": note, "key": idempotency_key})
        if self.fail:
            raise RuntimeError("card declined")
        return f"re_{len(self.calls)}"


def test_the_payment_provider_refunds_first_and_its_reference_is_kept(orders: ko.Orders) -> None:
    provider = Provider()
    orders.plugins.register(provider)
    order = orders.place(new_order())
    orders.confirm_payment(order.id)
    refunded = orders.refund(order.id, Decimal("10.00"), note="strap", idempotency_key="rma-7")
    assert refunded.refunds[0].reference == "re_1"
    assert provider.calls == [{"amount": Decimal("10.00"), "note": "strap", "key": "rma-7"}]
    orders.refund(order.id, Decimal("10.00"), idempotency_key="rma-7")
    assert len(provider.calls) == 1
    assert refunded.timeline[-1].data["reference"] == "re_1"


def test_a_provider_error_is_a_failed_refund_and_refunds_nothing(
    orders: ko.Orders, recorder: Recorder
) -> None:
    orders.plugins.register(Provider(fail=True))
    order = orders.place(new_order())
    paid = orders.confirm_payment(order.id)
    with pytest.raises(ko.RefundFailed, match="card declined"):
        orders.refund(order.id, Decimal("10.00"))
    failed = orders.get(order.id)
    assert failed.totals == paid.totals and failed.payment_status is paid.payment_status
    assert [refund.status for refund in failed.refunds] == [ko.RefundStatus.FAILED]
    assert failed.timeline[-1].kind == "refund_failed" and "card declined" in failed.timeline[-1].message
    assert "kasify_order_refunded" not in recorder.hooks()


def test_plugins_are_per_orders_instance(database_url: str) -> None:
    recorder = Recorder()
    with (
        ko.Orders.connect(database_url, plugins=[recorder], load_entrypoints=False) as first,
        ko.Orders.connect(database_url, load_entrypoints=False) as second,
    ):
        assert not second.plugins.is_registered(recorder)
        assert first.plugins.is_registered(recorder)


def test_an_implementation_without_a_spec_fails_loudly(database_url: str) -> None:
    class Typo:
        @ko.hookimpl
        def kasify_order_shiped(self, order: ko.Order) -> None: ...

    from pluggy import PluginValidationError

    with pytest.raises(PluginValidationError, match="kasify_order_shiped"):
        ko.Orders.connect(database_url, plugins=[Typo()], load_entrypoints=False)


def test_a_worker_that_dies_mid_delivery_loses_nothing(database_url: str) -> None:
    """A claimed event whose worker never finishes is delivered by another once the lease expires."""
    settings = ko.Settings(deliver_inline=False, dispatch_lease_seconds=300)
    clock = Clock()
    try:
        with ko.Orders.connect(
            database_url, settings=settings, plugins=[Recorder()], load_entrypoints=False, clock=clock
        ) as web:
            order = web.place(new_order())
            # A worker claims the event, then dies before calling any hook.
            claimed = web.store.claim_due(
                token="dead-worker",
                now=clock(),
                lease_until=web.dispatcher.lease_until(clock()),
                limit=10,
                retry_now=False,
            )
            assert [item.order_id for item in claimed] == [order.id]
        survivor = Recorder()
        with ko.Orders.connect(
            database_url, settings=settings, plugins=[survivor], load_entrypoints=False, clock=clock
        ) as worker:
            clock.advance(299)
            assert worker.deliver_pending() == 0  # still leased to the dead worker
            assert worker.deliver_pending(retry_now=True) == 0  # a lease is never overridden
            clock.advance(2)
            assert worker.deliver_pending() == 1
            assert survivor.hooks() == ["kasify_order_placed"]
            assert worker.store.outbox_items() == []
    finally:
        wipe(database_url)
