"""Returns (RMAs) on each database: the steps and their rules, stock, refunds, the hook, two at once."""

from __future__ import annotations

import threading
from decimal import Decimal

import attrs
import pytest

import kasify_orders as ko
from tests.helpers import tee_and_mug
from tests.integration.test_refunds import Provider

UPS_1, UPS_2 = "1Z999AA10123456784", "1Z999AA10123456785"


@pytest.fixture
def shipped(orders: ko.Orders) -> ko.Order:
    """2 T-shirts (line 1, tracked: 10 before the order) and a mug (line 2), paid and shipped."""
    orders.inventory.set_stock("TEE", 10)
    order = orders.confirm_payment(orders.place(tee_and_mug()).id)
    return orders.mark_shipped(order.id, tracking_number=UPS_1, carrier="ups")


def test_a_return_goes_open_received_refunded_with_its_timeline_and_stock(
    orders: ko.Orders, shipped: ko.Order
) -> None:
    opened = orders.returns.open(shipped.id, lines={1: 1}, reason=" too small ", actor="staff:1")
    (made,) = opened.returns
    assert (made.lines, made.reason, made.status, made.refund_id) == (
        {1: 1},
        "too small",
        ko.ReturnStatus.OPEN,
        None,
    )
    assert made.opened_at.tzinfo is not None and made.received_at is None
    assert opened.timeline[-1].message == "Return opened for 1 x T-shirt: too small"
    assert opened.timeline[-1].actor == "staff:1"

    received = orders.returns.receive(made.id, restock=True, actor="staff:2")
    back = received.return_by_id(made.id)
    assert back is not None and back.status is ko.ReturnStatus.RECEIVED and back.restocked
    assert orders.inventory.stock("TEE") == 9  # 10 - 2 placed + 1 back
    (move,) = [m for m in orders.inventory.history("TEE", limit=5) if m.reason == "return received"]
    assert move.kind is ko.StockKind.RETURNED and move.delta == 1 and move.order_id == shipped.id

    refunded = orders.returns.refund(made.id, shipping=False, note="swap", actor="staff:3")
    done = refunded.return_by_id(made.id)
    assert done is not None and done.status is ko.ReturnStatus.REFUNDED and done.closed_at is not None
    refund = refunded.refund(done.refund_id or "")
    assert refund is not None and refund.lines == {1: 1} and not refund.restock
    assert refund.amount == Decimal("25.00") and refunded.totals.refunded == Decimal("25.00")
    assert orders.inventory.stock("TEE") == 9  # the refund put nothing back again
    kinds = [entry.kind for entry in refunded.timeline[-4:]]
    assert kinds == ["return_opened", "return_received", "refunded", "return_refunded"]
    assert orders.get(shipped.id) == refunded  # as stored


def test_a_line_is_never_returned_more_than_was_shipped(orders: ko.Orders, shipped: ko.Order) -> None:
    orders.returns.open(shipped.id, lines={1: 2}, reason="too small")
    with pytest.raises(ko.ValidationError) as caught:
        orders.returns.open(shipped.id, lines={1: 1, 2: 1}, reason="again")
    assert [(e.path, e.message) for e in caught.value.errors] == [
        ("lines[1]", "only 0 of its 2 shipped units may still be returned")
    ]
    assert len(orders.get(shipped.id).returns) == 1  # nothing of the refused return was written


def test_only_shipped_units_may_be_returned(orders: ko.Orders) -> None:
    order = orders.confirm_payment(orders.place(tee_and_mug()).id)
    order = orders.mark_shipped(order.id, tracking_number=UPS_1, carrier="ups", lines={1: 1})
    with pytest.raises(ko.ValidationError) as caught:
        orders.returns.open(order.id, lines={2: 1}, reason="broken")
    assert caught.value.errors[0].path == "lines[2]"
    assert orders.returns.open(order.id, lines={1: 1}, reason="x").returnable_quantities() == {}
    pending = orders.place(tee_and_mug())
    with pytest.raises(ko.InvalidTransition):
        orders.returns.open(pending.id, lines={1: 1}, reason="x")


def test_bad_fields_are_named_and_nothing_is_written(orders: ko.Orders, shipped: ko.Order) -> None:
    with pytest.raises(ko.ValidationError) as caught:
        orders.returns.open(shipped.id, lines={9: 1, 1: "two"}, reason="")
    assert {e.path for e in caught.value.errors} == {"lines[9]", "lines[1]", "reason"}
    with pytest.raises(ko.ValidationError) as none:
        orders.returns.open(shipped.id, lines={1: 0}, reason="x")
    assert none.value.errors[0].path == "lines"
    with pytest.raises(ko.ValidationError) as unknown:
        orders.returns.receive("f" * 32)
    assert unknown.value.errors[0].path == "return_id"
    assert orders.get(shipped.id) == shipped


def test_the_steps_go_in_order_and_a_refused_step_leaves_nothing(
    orders: ko.Orders, shipped: ko.Order
) -> None:
    made = orders.returns.open(shipped.id, lines={2: 1}, reason="broken").returns[0]
    before = orders.get(shipped.id)
    with pytest.raises(ko.ValidationError) as early:
        orders.returns.refund(made.id)  # not received yet
    assert early.value.errors[0].path == "status"
    assert orders.get(shipped.id) == before and before.totals.refunded == 0
    orders.returns.receive(made.id)
    with pytest.raises(ko.ValidationError) as twice:
        orders.returns.receive(made.id)
    assert twice.value.errors[0].path == "status"
    closed = orders.returns.close(made.id, note="kept as a sample")
    assert closed.returns[0].status is ko.ReturnStatus.CLOSED and closed.totals.refunded == 0
    assert closed.timeline[-1].message == "Return closed without a refund: 1 x Mug — note: kept as a sample"
    for step in (orders.returns.refund, orders.returns.close, orders.returns.receive):
        with pytest.raises(ko.ValidationError) as late:
            step(made.id)
        assert late.value.errors[0].path == "status"
    # Received, then closed: its units stay returned.
    assert closed.returnable_quantities() == {1: 2}


def test_closing_an_open_return_frees_its_units(orders: ko.Orders, shipped: ko.Order) -> None:
    made = orders.returns.open(shipped.id, lines={1: 2}, reason="changed mind").returns[0]
    closed = orders.returns.close(made.id)
    assert closed.returnable_quantities() == {1: 2, 2: 1}
    assert "(never received)" in closed.timeline[-1].message
    again = orders.returns.open(shipped.id, lines={1: 2}, reason="now really")
    assert [r.status for r in again.returns] == [ko.ReturnStatus.CLOSED, ko.ReturnStatus.OPEN]


def test_a_return_refund_names_units_refunded_already_and_honours_the_shipping(
    orders: ko.Orders, shipped: ko.Order
) -> None:
    made = orders.returns.open(shipped.id, lines={1: 1, 2: 1}, reason="broken").returns[0]
    orders.returns.receive(made.id)
    orders.refund(shipped.id, lines={2: 1})  # the mug refunded by line meanwhile
    with pytest.raises(ko.ValidationError) as caught:
        orders.returns.refund(made.id)
    assert caught.value.errors[0].path == "lines[2]"
    assert orders.get(shipped.id).returns[0].status is ko.ReturnStatus.RECEIVED
    other = orders.returns.open(shipped.id, lines={1: 1}, reason="too big").returns[1]
    orders.returns.receive(other.id)
    refunded = orders.returns.refund(other.id, shipping=True)
    assert refunded.totals.refunded == Decimal("8.00") + Decimal("25.00") + Decimal("5.00")
    assert refunded.shipping_refunded


def test_a_refund_the_provider_refuses_leaves_the_return_received(
    orders: ko.Orders, shipped: ko.Order
) -> None:
    class Refuses:
        @ko.hookimpl
        def kasify_refund_payment(self) -> str:
            raise RuntimeError("card expired")

    made = orders.returns.open(shipped.id, lines={1: 1}, reason="too small").returns[0]
    orders.returns.receive(made.id)
    orders.plugins.register(Refuses())
    with pytest.raises(ko.RefundFailed):
        orders.returns.refund(made.id)
    failed = orders.get(shipped.id)
    assert failed.returns[0].status is ko.ReturnStatus.RECEIVED and failed.returns[0].refund_id is None
    assert failed.totals.refunded == 0


def test_a_return_refund_through_the_provider_settles_with_its_key(
    orders: ko.Orders, shipped: ko.Order
) -> None:
    provider = Provider()
    orders.plugins.register(provider)
    made = orders.returns.open(shipped.id, lines={2: 1}, reason="broken").returns[0]
    orders.returns.receive(made.id)
    first = orders.returns.refund(made.id, idempotency_key="rma-1")
    again = orders.returns.refund(made.id, idempotency_key="rma-1")  # a retry refunds nothing more
    assert first.totals.refunded == again.totals.refunded == Decimal("8.00")
    assert again.returns[0].status is ko.ReturnStatus.REFUNDED


def test_a_return_opened_with_a_key_is_opened_once(orders: ko.Orders, shipped: ko.Order) -> None:
    first = orders.returns.open(shipped.id, lines={1: 1}, reason="too small", idempotency_key="rma-1")
    again = orders.returns.open(shipped.id, lines={1: 1}, reason="too small", idempotency_key="rma-1")
    assert again == first and len(again.returns) == 1  # the retry wrote nothing
    assert first.timeline[-1].data["idempotency_key"] == "rma-1"
    other = orders.returns.open(shipped.id, lines={1: 1}, reason="too small", idempotency_key="rma-2")
    assert len(other.returns) == 2


def test_a_refund_the_provider_made_already_is_recorded_without_asking_it(
    orders: ko.Orders, shipped: ko.Order
) -> None:
    provider = Provider()
    orders.plugins.register(provider)
    made = orders.returns.open(shipped.id, lines={2: 1}, reason="broken").returns[0]
    orders.returns.receive(made.id)
    refunded = orders.returns.refund(made.id, provider_reference="grant-1", idempotency_key="g-1")
    done = refunded.returns[0]
    refund = refunded.refund(done.refund_id or "")
    assert done.status is ko.ReturnStatus.REFUNDED and provider.keys == []  # never asked
    assert refund is not None and refund.status is ko.RefundStatus.SETTLED
    assert (refund.reference, dict(refund.lines), refund.amount) == ("grant-1", {2: 1}, Decimal("8.00"))
    again = orders.returns.refund(made.id, provider_reference="grant-1", idempotency_key="g-1")
    assert again == refunded  # a retry changes nothing


def test_a_refund_recorded_before_its_return_is_linked_not_made_twice(
    orders: ko.Orders, shipped: ko.Order
) -> None:
    orders.refund(shipped.id, lines={2: 1}, note="in the dashboard", provider_reference="grant-1")
    made = orders.returns.open(shipped.id, lines={2: 1}, reason="broken").returns[0]
    orders.returns.receive(made.id)
    linked = orders.returns.refund(made.id, provider_reference="grant-1")
    (refund,) = linked.refunds
    assert linked.returns[0].status is ko.ReturnStatus.REFUNDED and linked.returns[0].refund_id == refund.id
    assert linked.totals.refunded == Decimal("8.00")
    assert linked.timeline[-1].kind == "return_refunded"
    assert orders.returns.refund(made.id, provider_reference="grant-1") == linked  # a retry


def test_a_linked_refund_must_be_of_just_the_return_s_lines(orders: ko.Orders, shipped: ko.Order) -> None:
    orders.refund(shipped.id, lines={1: 1, 2: 1}, provider_reference="grant-1")
    made = orders.returns.open(shipped.id, lines={2: 1}, reason="broken").returns[0]
    before = orders.returns.receive(made.id)
    with pytest.raises(ko.ValidationError) as caught:
        orders.returns.refund(made.id, provider_reference="grant-1")
    assert caught.value.errors[0].path == "provider_reference"
    assert orders.get(shipped.id) == before  # nothing written


def test_every_step_calls_the_return_hook_after_its_commit(orders: ko.Orders, shipped: ko.Order) -> None:
    seen: list[tuple[str, str, ko.ReturnStatus]] = []

    class Host:
        @ko.hookimpl
        def kasify_return_updated(self, order: ko.Order, return_id: str, step: str) -> None:
            found = order.return_by_id(return_id)
            assert found is not None
            seen.append((return_id, step, found.status))

    orders.plugins.register(Host())
    made = orders.returns.open(shipped.id, lines={1: 1}, reason="too small").returns[0]
    orders.returns.receive(made.id, restock=True)
    orders.returns.refund(made.id)
    other = orders.returns.open(shipped.id, lines={2: 1}, reason="x").returns[1]
    orders.returns.close(other.id)
    with pytest.raises(ko.ValidationError):
        orders.returns.close(other.id)
    assert [(step, status) for _id, step, status in seen] == [
        ("opened", ko.ReturnStatus.OPEN),
        ("received", ko.ReturnStatus.RECEIVED),
        ("refunded", ko.ReturnStatus.REFUNDED),
        ("opened", ko.ReturnStatus.OPEN),
        ("closed", ko.ReturnStatus.CLOSED),
    ]


def test_two_merchants_opening_returns_of_the_same_units_at_once_one_wins(
    orders: ko.Orders, shipped: ko.Order
) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def open_return() -> None:
        barrier.wait(timeout=30)
        try:
            orders.returns.open(shipped.id, lines={1: 2}, reason="too small")
        except ko.ValidationError as error:
            outcomes.append(str(error))
        else:
            outcomes.append("ok")

    threads = [threading.Thread(target=open_return) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["lines[1]: only 0 of its 2 shipped units may still be returned", "ok"], (
        outcomes
    )
    stored = orders.get(shipped.id)
    assert len(stored.returns) == 1 and stored.returned_quantities() == {1: 2}


def test_returns_are_read_with_the_orders_of_a_list_export(orders: ko.Orders, shipped: ko.Order) -> None:
    second = orders.confirm_payment(orders.place(tee_and_mug()).id)
    second = orders.mark_shipped(second.id, tracking_number=UPS_2, carrier="ups")
    orders.returns.open(shipped.id, lines={1: 1}, reason="a")
    orders.returns.open(second.id, lines={2: 1}, reason="b")
    found = orders.store.atomic(lambda tx: tx.orders_by_id([shipped.id, second.id]))
    assert found[shipped.id].returns[0].lines == {1: 1} and found[second.id].returns[0].lines == {2: 1}


def test_a_unit_goes_back_in_stock_once_whether_received_or_refunded_with_restock(
    orders: ko.Orders, shipped: ko.Order
) -> None:
    """A restocked return, then a refund by line with restock of its units and one more: one back."""
    made = orders.returns.open(shipped.id, lines={1: 1}, reason="too small").returns[0]
    orders.returns.receive(made.id, restock=True)
    assert orders.inventory.stock("TEE") == 9  # 10 - 2 placed + 1 back
    # The merchant refunds both T-shirts by hand, restock ticked: the returned one is in stock already.
    refunded = orders.refund(shipped.id, lines={1: 2}, restock=True, note="")
    assert orders.inventory.stock("TEE") == 10  # only the other T-shirt went back
    moves = [m.delta for m in orders.inventory.history("TEE", limit=10) if m.kind is ko.StockKind.RETURNED]
    assert sorted(moves) == [1, 1]
    entry = refunded.timeline[-1]
    assert entry.message == (
        "Refunded 50.00 USD for 2 x T-shirt (1 x T-shirt back in stock already: not put back again)"
    )
    assert entry.data["back_already"] == {"1": 1}
    assert orders.get(shipped.id) == refunded


def test_a_refund_by_line_with_restock_before_the_return_is_received_puts_back_once(
    orders: ko.Orders, shipped: ko.Order
) -> None:
    made = orders.returns.open(shipped.id, lines={1: 1}, reason="too small").returns[0]
    refunded = orders.refund(shipped.id, lines={1: 1}, restock=True, note="")
    assert orders.inventory.stock("TEE") == 9 and "back_already" not in refunded.timeline[-1].data
    received = orders.returns.receive(made.id, restock=True)
    assert orders.inventory.stock("TEE") == 9  # the refund put that T-shirt back already
    assert received.timeline[-1].message == (
        "Return received: 1 x T-shirt (1 x T-shirt back in stock already: not put back again)"
    )
    # A return's own refund puts nothing back (its units came back when received).
    second = orders.returns.open(shipped.id, lines={1: 1}, reason="too big").returns[-1]
    orders.returns.receive(second.id, restock=True)
    assert orders.inventory.stock("TEE") == 10
    orders.returns.refund(second.id)
    assert orders.inventory.stock("TEE") == 10


def test_a_cancel_with_restock_puts_back_only_what_no_refund_put_back(orders: ko.Orders) -> None:
    orders.inventory.set_stock("TEE", 10)
    order = orders.confirm_payment(orders.place(tee_and_mug()).id)
    orders.refund(order.id, lines={1: 1}, restock=True, note="")
    assert orders.inventory.stock("TEE") == 9
    orders.cancel(order.id, restock=True)
    assert orders.inventory.stock("TEE") == 10


@pytest.fixture
def partly_shipped(orders: ko.Orders) -> ko.Order:
    """3 T-shirts (line 1, tracked: 10 before the order) and a mug, paid; a parcel of 2 T-shirts out."""
    orders.inventory.set_stock("TEE", 10)
    cart = tee_and_mug()
    cart = attrs.evolve(cart, lines=[attrs.evolve(cart.lines[0], quantity=3), cart.lines[1]])
    order = orders.confirm_payment(orders.place(cart).id)
    return orders.mark_shipped(order.id, tracking_number=UPS_1, carrier="ups", lines={1: 2})


def test_a_refund_by_line_with_restock_of_an_unshipped_unit_puts_it_back_after_a_restocked_return(
    orders: ko.Orders, partly_shipped: ko.Order
) -> None:
    """A returned T-shirt is back in stock; refunding the never-shipped one with restock puts it back too."""
    made = orders.returns.open(partly_shipped.id, lines={1: 1}, reason="too small").returns[0]
    orders.returns.receive(made.id, restock=True)
    assert orders.inventory.stock("TEE") == 8  # 10 - 3 placed + 1 back
    refunded = orders.refund(partly_shipped.id, lines={1: 1}, restock=True, note="will not ship the third")
    assert orders.inventory.stock("TEE") == 9  # the unshipped T-shirt, never returned, is back too
    entry = refunded.timeline[-1]
    assert entry.message == "Refunded 25.00 USD for 1 x T-shirt — note: will not ship the third"
    assert "back_already" not in entry.data
    moves = [m.delta for m in orders.inventory.history("TEE", limit=10) if m.kind is ko.StockKind.RETURNED]
    assert sorted(moves) == [1, 1]
    # The return's own refund then names the returned T-shirt: nothing more goes back.
    orders.returns.refund(made.id)
    assert orders.inventory.stock("TEE") == 9
    # The other shipped T-shirt, returned and restocked, goes back: each T-shirt back once.
    again = orders.returns.open(partly_shipped.id, lines={1: 1}, reason="too big").returns[-1]
    orders.returns.receive(again.id, restock=True)
    assert orders.inventory.stock("TEE") == 10


def test_a_return_received_after_a_refund_of_the_unshipped_unit_puts_its_unit_back(
    orders: ko.Orders, partly_shipped: ko.Order
) -> None:
    """The refund named the T-shirt that never shipped; the returned one is another, so it goes back."""
    made = orders.returns.open(partly_shipped.id, lines={1: 1}, reason="too small").returns[0]
    orders.refund(partly_shipped.id, lines={1: 1}, restock=True, note="")
    assert orders.inventory.stock("TEE") == 8
    received = orders.returns.receive(made.id, restock=True)
    assert orders.inventory.stock("TEE") == 9
    assert received.timeline[-1].message == "Return received: 1 x T-shirt (put back in stock)"
    # A refund of more than the unshipped units: beyond it, the returned T-shirt is back already.
    refunded = orders.refund(partly_shipped.id, lines={1: 2}, restock=True, note="")
    assert orders.inventory.stock("TEE") == 10
    assert refunded.timeline[-1].data["back_already"] == {"1": 1}
