"""Which units are back in stock (``kasify_orders.restocking``): pure arithmetic on the order.

A refund by line with restock names first the units not shipped when it settles (put back),
then units a restocked return brought back that no refund names (back already), then other
shipped units (put back). A unit goes back once, whichever way, and never less than once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kasify_orders import actions, restocking, return_actions
from kasify_orders.model import Order
from kasify_orders.validation import validate_new_order
from tests.helpers import new_order

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class Day:
    """One order of *quantity* T-shirts (line 1), paid, moved step by step a minute apart."""

    def __init__(self, quantity: int = 3) -> None:
        self.at = T0
        cart = validate_new_order(new_order(quantity=quantity))
        placed = actions.place(cart, None, order_id="a" * 32, at=self.at, actor=None).order
        self.order = actions.confirm_payment(placed, at=self._tick(), actor=None).order
        self.put_back = 0  # what the steps put back, as the service does: put_back(before, after)

    def _tick(self) -> datetime:
        self.at += timedelta(minutes=1)
        return self.at

    def _step(self, after: Order) -> Order:
        self.put_back += restocking.put_back(self.order, after).get(1, 0)
        self.order = after
        return after

    def ship(self, units: int) -> Order:
        return self._step(
            actions.mark_shipped(
                self.order,
                carrier="ups",
                tracking_number="1Z999AA10123456784",
                at=self._tick(),
                actor=None,
                lines={1: units},
            ).order
        )

    def receive(self, units: int, *, restock: bool = True) -> str:
        """Open and receive a return of *units*; its id."""
        return_id = f"r{len(self.order.returns)}"
        opened = return_actions.open_return(
            self.order, lines={1: units}, reason="too small", return_id=return_id, at=self._tick(), actor=None
        ).order
        self._step(opened)
        self._step(
            return_actions.receive_return(
                self.order, return_id, restock=restock, at=self._tick(), actor=None
            ).order
        )
        return return_id

    def refund(self, units: int, *, restock: bool = True) -> dict[int, int]:
        """A refund by line of *units* by hand; the units it found back already."""
        back_already = restocking.already_back(self.order, {1: units}) if restock else {}
        refund_id = f"f{len(self.order.refunds)}"
        self._step(
            actions.refund(
                self.order,
                amount=None,
                note="",
                refund_id=refund_id,
                at=self._tick(),
                actor=None,
                lines={1: units},
                restock=restock,
            ).order
        )
        return back_already

    def refund_return(self, return_id: str) -> None:
        """The return's own refund (its lines, no restock), as ``orders.returns.refund`` makes it."""
        found = self.order.return_by_id(return_id)
        assert found is not None
        refund_id = f"f{len(self.order.refunds)}"
        now = self._tick()
        refunded = actions.refund(
            self.order, amount=None, note="", refund_id=refund_id, at=now, actor=None, lines=dict(found.lines)
        ).order
        marked = return_actions.mark_refunded(
            refunded, return_id, refund_id=refund_id, note="", at=now, actor=None
        )
        self._step(marked.order)

    @property
    def back(self) -> int:
        return restocking.units_back(self.order).get(1, 0)


def test_a_refund_of_the_unshipped_unit_after_a_restocked_return_puts_it_back() -> None:
    day = Day(3)
    day.ship(2)
    day.receive(1)
    assert day.put_back == 1
    assert day.refund(1) == {}  # the unit never shipped: no return brought it back
    assert day.put_back == day.back == 2


def test_a_refund_of_a_returned_unit_of_a_line_all_shipped_is_back_already() -> None:
    day = Day(2)
    day.ship(2)
    day.receive(1)
    assert day.refund(2) == {1: 1}  # one of them came back with the return
    assert day.put_back == day.back == 2


def test_beyond_the_unshipped_units_a_refund_names_the_restocked_returned_ones_first() -> None:
    day = Day(4)
    day.ship(3)
    day.receive(1)
    # 3 units: the unshipped one (back), the returned one (back already), a shipped one (back).
    assert day.refund(3) == {1: 1}
    assert day.put_back == day.back == 3


def test_a_return_received_after_a_refund_of_the_unshipped_unit_puts_its_units_back() -> None:
    day = Day(3)
    day.ship(2)
    day.refund(1)  # the unshipped T-shirt
    assert day.put_back == 1
    day.receive(1)  # a shipped one: another unit
    assert day.put_back == day.back == 2


def test_a_return_received_after_a_refund_of_shipped_units_puts_back_only_the_rest() -> None:
    day = Day(2)
    day.ship(2)
    day.refund(1)  # every unit shipped: the customer sent one back outside a return
    assert day.put_back == 1
    day.receive(1)  # that one: back already
    assert day.put_back == 1
    day.receive(1)
    assert day.put_back == day.back == 2


def test_two_refunds_share_the_unshipped_units_between_them() -> None:
    day = Day(4)
    day.ship(2)
    day.receive(2)
    assert day.refund(1) == {}  # one of the 2 unshipped
    assert day.refund(2) == {1: 1}  # the other unshipped one, then a returned one (back already)
    assert day.put_back == day.back == 4


def test_a_parcel_shipped_after_a_refund_never_takes_its_units_back() -> None:
    """The refund named units unshipped when it settled; a later parcel changes nothing back."""
    day = Day(3)
    day.ship(1)
    day.receive(1)
    day.refund(1)
    assert day.back == 2
    day.ship(2)  # the rest: a parcel does not hold back refunded units
    assert day.back == 2
    # The return's own refund names its unit, so the hand refund's unit stays back: once.
    day.refund_return("r0")
    assert day.put_back == day.back == 2


def test_a_return_s_own_refund_after_a_refund_by_hand_of_its_units_puts_the_other_back() -> None:
    """Two refunds cannot both be of the returned unit: the hand refund's is another, put back."""
    day = Day(2)
    day.ship(2)
    return_id = day.receive(1)
    assert day.refund(1) == {1: 1}
    assert day.put_back == 1
    day.refund_return(return_id)
    assert day.put_back == day.back == 2


def test_refunds_without_restock_and_unrestocked_returns_put_nothing_back() -> None:
    day = Day(3)
    day.ship(2)
    day.receive(1, restock=False)
    day.refund(1, restock=False)
    assert day.put_back == day.back == 0


def test_before_any_parcel_a_refund_with_restock_puts_its_units_back_and_a_cancel_the_rest() -> None:
    day = Day(3)
    assert day.refund(2) == {}
    assert day.put_back == day.back == 2
    cancelled = actions.cancel(day.order, reason="", restock=True, at=T0 + timedelta(hours=1), actor=None)
    order = cancelled.order
    assert order.lines[0].quantity - restocking.units_back(order)[1] == 1  # what the cancel puts back


def test_a_pending_refund_names_the_units_unshipped_when_it_settles() -> None:
    day = Day(3)
    requested = actions.request_refund(
        day.order, amount=None, note="", refund_id="p", at=T0, actor=None, lines={1: 1}, restock=True
    ).order
    day._step(requested)
    assert day.back == 0  # not refunded yet
    day.ship(3)
    settled = actions.settle_refund(day.order, "p", reference="ref", at=day.at + timedelta(minutes=1))
    day._step(settled.order)
    assert day.put_back == day.back == 1  # a shipped unit, sent back outside a return
    day.receive(1)
    assert day.put_back == day.back == 1  # that one
