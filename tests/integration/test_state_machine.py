"""Random sequences of merchant actions against a simple model of what should happen.

Hypothesis drives the real ``Orders`` (on SQLite) and a deliberately naive model side by
side, and checks after every step: refunded <= paid, stock never negative, status only
ever moves along allowed transitions, one timeline entry per successful action, nothing
shipped more than ordered (an order ships in parcels of any part of what is left), and nothing
refunded twice (refunds by line take units and the shipping once, restocking what comes back).
Edits before the first parcel change the quantity (and the total, and the stock) but never what
was paid. Orders carry the host's tax (none, added to prices, or included in them): a unit and
the shipping refund their tax with them when it was added, and an edit scales the line's tax.
Returns are opened of shipped units only (never more than shipped over the returns
that hold units), received (restocking once), refunded by line (never a unit twice, never
beyond what was paid, without restocking again) or closed (an unreceived one frees its units).
A unit goes back in stock once: a refund by line with restock names first the units not shipped
when it settles (put back), then those a restocked return brought back (in stock already), then
other shipped ones (put back; a return of them received later puts back nothing more). The model
counts the units back, not the moves.
"""

import os
import tempfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

import kasify_orders as ko
from tests.helpers import new_order

SKU = "SKU-1"
PRICE = Decimal("10.00")
SHIPPING = Decimal("5.00")
#: The host's tax on one unit and on the shipping (19 %), when an order has tax.
UNIT_TAX = Decimal("1.90")
SHIPPING_TAX = Decimal("0.95")
#: How an order is taxed: not, tax added to the prices, or tax included in them.
TAXES = ("none", "exclusive", "inclusive")

# The model's own idea of the rules, written independently of kasify_orders.lifecycle.
MOVES = {
    "confirm": ({"pending"}, "processing"),
    "ship": ({"processing"}, "shipped"),
    "deliver": ({"shipped"}, "delivered"),
    "cancel": ({"pending", "processing"}, "cancelled"),
}


@attrs.define
class Model:
    status: str = "pending"
    paid: bool = False
    total: Decimal = Decimal(0)
    #: What was paid: the total when the payment was confirmed (an edit may change the total since).
    paid_amount: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    quantity: int = 0
    entries: int = 1
    #: Units in parcels, the parcels, and how many of them were delivered.
    shipped: int = 0
    parcels: int = 0
    delivered: int = 0
    #: Units refunded by line, and whether the shipping was refunded.
    refunded_units: int = 0
    #: Units of refunds by line with restock that were not shipped when refunded, and the rest
    #: of their units (shipped ones); units refunded by restocked returns' own refunds.
    restocked_unshipped: int = 0
    restocked_shipped: int = 0
    returns_refunded: int = 0
    #: Units in returns received with restock.
    returned_restocked: int = 0
    shipping_refunded: bool = False
    #: What one unit and the shipping cost the customer (and so refund), tax added or not.
    unit: Decimal = PRICE
    ship: Decimal = SHIPPING
    #: The tax per unit and on the shipping (0 for an order without tax).
    unit_tax: Decimal = Decimal(0)
    ship_tax: Decimal = Decimal(0)
    #: The returns, in order: ``[units, status, received, restocked]`` (status open/received/refunded/closed).
    returns: list[list[Any]] = attrs.Factory(list)

    def back(self) -> int:
        """Units back in stock: a unit goes back once, by a restocked return or a restocking refund.

        A restocking refund's unshipped units all go back; its shipped ones are first those a
        restocked return brought back and no refund covers (back already), only the rest go back.
        """
        in_stock_unrefunded = max(0, self.returned_restocked - self.returns_refunded)
        beyond = max(0, self.restocked_shipped - in_stock_unrefunded)
        return min(self.quantity, self.returned_restocked + self.restocked_unshipped + beyond)

    def returned(self) -> int:
        """Units in returns that hold them: every one but those closed without being received."""
        return sum(int(r[0]) for r in self.returns if not (r[1] == "closed" and not r[2]))


def _refused(call: Callable[[], object], what: str) -> None:
    """*call* must raise InvalidTransition; *what* says what went wrong if it does not."""
    try:
        call()
    except ko.InvalidTransition:
        return
    raise AssertionError(what)


class MerchantDay(RuleBasedStateMachine):
    orders_bundle = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.directory = tempfile.TemporaryDirectory()
        self.orders = ko.Orders.connect(f"sqlite:///{self.directory.name}/sm.sqlite3", load_entrypoints=False)
        self.stock = 20
        self.orders.inventory.set_stock(SKU, self.stock)
        self.model: dict[str, Model] = {}

    def teardown(self) -> None:
        self.orders.close()
        self.directory.cleanup()

    @rule(target=orders_bundle, quantity=st.integers(1, 8), taxes=st.sampled_from(TAXES))
    def place(self, quantity: int, taxes: str) -> str:
        cart = new_order(sku=SKU, quantity=quantity, unit_price="10.00")
        unit_tax, ship_tax = (Decimal(0), Decimal(0)) if taxes == "none" else (UNIT_TAX, SHIPPING_TAX)
        cart = attrs.evolve(
            cart,
            lines=[attrs.evolve(cart.lines[0], tax=unit_tax * quantity)],
            shipping_tax=ship_tax,
            prices_include_tax=taxes == "inclusive",
        )
        if quantity > self.stock:
            try:
                self.orders.place(cart)
            except ko.OutOfStock:
                return "missing"
            raise AssertionError("placed an order beyond the stock")
        order = self.orders.place(cart)
        self.stock -= quantity
        added = taxes == "exclusive"
        unit, ship = PRICE + (unit_tax if added else 0), SHIPPING + (ship_tax if added else 0)
        self.model[order.id] = Model(
            total=unit * quantity + ship,
            quantity=quantity,
            unit=unit,
            ship=ship,
            unit_tax=unit_tax,
            ship_tax=ship_tax,
        )
        return order.id

    @rule(target=orders_bundle, quantity=st.integers(1, 8), taxes=st.sampled_from(TAXES))
    def place_paid_and_shipped(self, quantity: int, taxes: str) -> str:
        """An order placed, paid and shipped at once, so a day has some to return."""
        order_id = self.place(quantity, taxes)
        if order_id != "missing":
            self._move(order_id, "confirm")
            self._move(order_id, "ship")
        return order_id

    @rule(target=orders_bundle, quantity=st.integers(2, 8), part=st.integers(1, 7))
    def place_paid_and_partly_shipped(self, quantity: int, part: int) -> str:
        """An order paid with a parcel of part of it out, so a day returns and refunds units of a
        line some of whose units never shipped."""
        order_id = self.place(quantity, "none")
        if order_id != "missing":
            self._move(order_id, "confirm")
            self.ship_part(order_id, min(part, quantity - 1))
        return order_id

    def _move(self, order_id: str, move: str) -> None:
        if order_id == "missing":
            return
        model = self.model[order_id]
        sources, target = MOVES[move]
        call = {
            "confirm": lambda: self.orders.confirm_payment(order_id),
            "ship": lambda: self.orders.mark_shipped(
                order_id, tracking_number="1Z999AA10123456784", carrier="ups"
            ),
            "deliver": lambda: self.orders.mark_delivered(order_id),
            "cancel": lambda: self.orders.cancel(order_id),
        }[move]
        if move == "deliver" and model.status == "processing" and model.parcels:
            # The parcels that left may arrive while the rest waits; the order stays Processing.
            if model.delivered == model.parcels:
                try:
                    call()
                except ko.ValidationError:
                    return
                raise AssertionError("delivered parcels that had all arrived")
            call()
            model.delivered, model.entries = model.parcels, model.entries + 1
            return
        if move == "cancel" and model.parcels:  # a parcel has left: never cancelled
            _refused(call, "cancelled an order with a parcel shipped")
            return
        if model.status in sources:
            call()
            model.status = target
            model.entries += 1
            if move == "confirm":
                model.paid, model.paid_amount = True, model.total
            if move == "cancel":  # what a refund by line put back already is not put back twice
                self.stock += model.quantity - model.back()
            if move == "ship":  # everything left, in one more parcel
                model.shipped, model.parcels = model.quantity, model.parcels + 1
            if move == "deliver":
                model.delivered = model.parcels
        else:
            try:
                call()
            except ko.InvalidTransition:
                return
            raise AssertionError(f"{move} allowed from {model.status}")

    @rule(order_id=orders_bundle, move=st.sampled_from(sorted(MOVES)))
    def move(self, order_id: str, move: str) -> None:
        self._move(order_id, move)

    @rule(order_id=orders_bundle, units=st.integers(-1, 9))
    def ship_part(self, order_id: str, units: int) -> None:
        """A parcel of *units* of the order's line: part of it, all that is left, or too many."""
        if order_id == "missing":
            return
        model = self.model[order_id]
        left = model.quantity - model.shipped
        try:
            self.orders.mark_shipped(
                order_id, tracking_number="1Z999AA10123456784", carrier="ups", lines={1: units}
            )
        except ko.InvalidTransition:
            assert model.status != "processing"
            return
        except ko.ValidationError:
            assert model.status == "processing" and not 0 < units <= left
            return
        assert model.status == "processing" and 0 < units <= left
        model.shipped, model.parcels, model.entries = (
            model.shipped + units,
            model.parcels + 1,
            model.entries + 1,
        )
        if model.shipped == model.quantity:
            model.status = "shipped"

    @rule(order_id=orders_bundle, cents=st.one_of(st.none(), st.integers(-100, 12000)))
    def refund(self, order_id: str, cents: int | None) -> None:
        if order_id == "missing":
            return
        model = self.model[order_id]
        amount = None if cents is None else Decimal(cents).scaleb(-2)
        balance = model.paid_amount - model.refunded
        try:
            self.orders.refund(order_id, amount)
        except ko.InvalidTransition:
            assert not model.paid
            return
        except ko.ValidationError:
            assert amount is not None and amount <= 0
            return
        except ko.RefundExceedsBalance as error:
            assert model.paid and (balance == 0 or (amount is not None and amount > balance))
            assert error.refundable == balance
            return
        assert model.paid and (amount is None or 0 < amount <= balance)
        model.refunded += balance if amount is None else amount
        model.entries += 1
        if model.refunded == model.paid_amount and model.status != "cancelled":
            model.status = "refunded"

    @rule(
        order_id=orders_bundle,
        pick=st.integers(0, 50),
        units=st.integers(-1, 9),
        shipping=st.booleans(),
        restock=st.booleans(),
    )
    def refund_lines(self, order_id: str, pick: int, units: int, shipping: bool, restock: bool) -> None:
        """A refund of *units* of the line (and the shipping): each unit 10.00, the shipping 5.00 (+ tax).

        Often of an order with a received return (*pick* chooses it): its restocked units are
        not put back again.
        """
        received = [other for other, model in self.model.items() if any(r[2] for r in model.returns)]
        if received and pick % 3:
            order_id = received[pick % len(received)]
        self._refund_lines(order_id, units, shipping, restock)

    @rule(pick=st.integers(0, 50), restock=st.booleans())
    def refund_returned_units_by_hand(self, pick: int, restock: bool) -> None:
        """The merchant refunds a received return's units by line, not through the return, restock or not."""
        received = [
            (order_id, int(r[0]))
            for order_id, model in self.model.items()
            for r in model.returns
            if r[1] == "received"
        ]
        if received:
            order_id, units = received[pick % len(received)]
            self._refund_lines(order_id, units, False, restock)

    @rule(pick=st.integers(0, 50), units=st.integers(1, 3))
    def refund_partly_shipped_with_restock(self, pick: int, units: int) -> None:
        """The merchant refunds units of a partly shipped line, restock ticked, often after a
        restocked return of its shipped units: the unshipped units go back all the same."""
        partly = [order_id for order_id, model in self.model.items() if 0 < model.shipped < model.quantity]
        returned = [order_id for order_id in partly if self.model[order_id].returned_restocked]
        chosen = returned if returned and pick % 3 else partly
        if chosen:
            self._refund_lines(chosen[pick % len(chosen)], units, False, True)

    def _refund_lines(self, order_id: str, units: int, shipping: bool, restock: bool) -> None:
        if order_id == "missing":
            return
        model = self.model[order_id]
        left = model.quantity - model.refunded_units
        amount = model.unit * max(units, 0) + (model.ship if shipping else 0)
        balance = model.paid_amount - model.refunded
        try:
            self.orders.refund(order_id, lines={1: units}, shipping=shipping, restock=restock)
        except ko.InvalidTransition:
            assert not model.paid
            return
        except ko.ValidationError:
            assert model.paid
            assert (
                units < 0
                or units > left
                or (shipping and model.shipping_refunded)
                or (units == 0 and not shipping)
            )
            return
        except ko.RefundExceedsBalance:
            assert model.paid and amount > balance
            return
        assert model.paid and 0 <= units <= left and amount <= balance
        assert not (shipping and model.shipping_refunded)
        model.refunded += amount
        model.refunded_units += units
        model.shipping_refunded = model.shipping_refunded or shipping
        if restock and model.status != "cancelled":
            before = model.back()
            never = min(units, max(0, model.quantity - model.shipped - model.restocked_unshipped))
            model.restocked_unshipped += never
            model.restocked_shipped += units - never
            self.stock += model.back() - before
        model.entries += 1
        if model.refunded == model.paid_amount and model.status != "cancelled":
            model.status = "refunded"

    @rule(order_id=orders_bundle, quantity=st.integers(0, 9))
    def edit(self, order_id: str, quantity: int) -> None:
        """Set the line's quantity: allowed before any parcel, never beyond the stock."""
        if order_id == "missing":
            return
        model = self.model[order_id]
        editable = model.status in {"pending", "processing"} and model.parcels == 0
        try:
            self.orders.edit(order_id, set_quantity={1: quantity})
        except ko.InvalidTransition:
            assert not editable
            return
        except ko.ValidationError:
            # not a quantity, nothing to change, or fewer units than were refunded already
            assert quantity in {0, model.quantity} or quantity < model.refunded_units
            return
        except ko.OutOfStock:
            assert editable and quantity - model.quantity > self.stock
            return
        assert editable and 0 < quantity != model.quantity and quantity >= model.refunded_units
        assert quantity - model.quantity <= self.stock
        self.stock -= quantity - model.quantity
        model.quantity, model.total = quantity, model.unit * quantity + model.ship
        model.entries += 1

    @rule(order_id=orders_bundle, pick=st.integers(0, 50), units=st.integers(-1, 9))
    def open_return(self, order_id: str, pick: int, units: int) -> None:
        """A return of *units* of the line: shipped units not in a return yet only.

        Mostly of an order with a parcel out (*pick* chooses it), sometimes of the bundle's.
        """
        self._open_return(order_id, pick, units)

    @rule(order_id=orders_bundle, pick=st.integers(0, 50), units=st.integers(1, 4), restock=st.booleans())
    def return_received_at_once(self, order_id: str, pick: int, units: int, restock: bool) -> None:
        """A return opened and received at once, so a day has returned units back in stock to refund."""
        opened = self._open_return(order_id, pick, units)
        if opened is not None:
            model = self.model[opened]
            index = len(model.returns) - 1
            self._receive(model, index, self.orders.get(opened).returns[index], restock)

    def _open_return(self, order_id: str, pick: int, units: int) -> str | None:
        """Open the return (or check its refusal); the id of the order it was opened on, if it was."""
        shipped = [other for other, model in self.model.items() if model.shipped]
        if shipped and pick % 4:
            order_id = shipped[pick % len(shipped)]
        if order_id == "missing":
            return None
        model = self.model[order_id]
        left = model.shipped - model.returned()
        returnable = model.status in {"processing", "shipped", "delivered", "refunded"}
        try:
            self.orders.returns.open(order_id, lines={1: units}, reason="too small")
        except ko.InvalidTransition:
            assert not returnable
            return None
        except ko.ValidationError:
            assert not 0 < units <= left
            return None
        assert returnable and 0 < units <= left
        model.returns.append([units, "open", False, False])
        model.entries += 1
        return order_id

    def _return(self, pick: int) -> tuple[str, Model, int, ko.Return] | None:
        """One of the day's returns (of any order that has one), chosen by *pick*."""
        having = [(order_id, model) for order_id, model in self.model.items() if model.returns]
        if not having:
            return None
        order_id, model = having[pick % len(having)]
        index = (pick // len(having)) % len(model.returns)
        return order_id, model, index, self.orders.get(order_id).returns[index]

    @rule(pick=st.integers(0, 50), restock=st.booleans())
    def receive_return(self, pick: int, restock: bool) -> None:
        found = self._return(pick)
        if found is not None:
            _order_id, model, index, made = found
            self._receive(model, index, made, restock)

    def _receive(self, model: Model, index: int, made: ko.Return, restock: bool) -> None:
        units, status, _received, _restocked = model.returns[index]
        try:
            self.orders.returns.receive(made.id, restock=restock)
        except ko.ValidationError:
            assert status != "open"
            return
        assert status == "open"
        model.returns[index] = [units, "received", True, restock]
        if restock:  # none that a refund by line with restock put back already
            before = model.back()
            model.returned_restocked += int(units)
            self.stock += model.back() - before
        model.entries += 1

    @rule(pick=st.integers(0, 50), shipping=st.booleans())
    def refund_return(self, pick: int, shipping: bool) -> None:
        found = self._return(pick)
        if found is None:
            return
        _order_id, model, index, made = found
        units, status, received, restocked = model.returns[index]
        count = int(units)
        amount = model.unit * count + (model.ship if shipping else 0)
        balance = model.paid_amount - model.refunded
        try:
            self.orders.returns.refund(made.id, shipping=shipping)
        except ko.ValidationError:
            unrefundable = count > model.quantity - model.refunded_units
            assert status != "received" or unrefundable or (shipping and model.shipping_refunded)
            return
        except ko.RefundExceedsBalance:
            assert status == "received" and amount > balance
            return
        assert status == "received" and amount <= balance
        model.returns[index] = [units, "refunded", received, restocked]
        model.refunded += amount
        model.refunded_units += count
        if restocked:  # its units came back when received: counted as the refund's
            before = model.back()
            model.returns_refunded += count
            self.stock += model.back() - before
        model.shipping_refunded = model.shipping_refunded or shipping
        model.entries += 2  # the refund's entry and the return's
        if model.refunded == model.paid_amount:
            model.status = "refunded"

    @rule(pick=st.integers(0, 50))
    def close_return(self, pick: int) -> None:
        found = self._return(pick)
        if found is None:
            return
        _order_id, model, index, made = found
        units, status, received, restocked = model.returns[index]
        try:
            self.orders.returns.close(made.id)
        except ko.ValidationError:
            assert status in {"refunded", "closed"}
            return
        assert status in {"open", "received"}
        model.returns[index] = [units, "closed", received, restocked]
        model.entries += 1

    @rule(order_id=consumes(orders_bundle))
    def note(self, order_id: str) -> None:
        if order_id == "missing":
            return
        self.orders.add_note(order_id, "checked")
        self.model[order_id].entries += 1

    @invariant()
    def stored_orders_match_the_model(self) -> None:
        STEPS[0] += 1
        assert self.orders.inventory.stock(SKU) == self.stock >= 0
        for order_id, model in self.model.items():
            order = self.orders.get(order_id)
            assert order.status.value == model.status
            assert order.totals.refunded == model.refunded <= (model.paid_amount if model.paid else 0)
            assert order.totals.paid == model.paid_amount and order.totals.total == model.total
            assert order.totals.amount_due == max(Decimal(0), model.total - model.paid_amount)
            assert order.lines[0].quantity == model.quantity
            assert len(order.timeline) == model.entries
            # Nothing shipped more than ordered; the parcels are the model's.
            assert order.shipped_quantities().get(1, 0) == model.shipped <= order.lines[0].quantity
            assert len(order.shipments) == model.parcels
            assert sum(p.delivered_at is not None for p in order.shipments) == model.delivered
            partial = 0 < model.shipped < model.quantity
            assert (order.fulfilment_status is ko.FulfilmentStatus.PARTIALLY_SHIPPED) == partial
            totals = order.totals
            added = Decimal(0) if totals.prices_include_tax else totals.tax
            assert totals.total == totals.subtotal + totals.shipping - totals.discount + added
            # The host's tax, scaled by edits: the line's per unit, and the shipping's.
            assert order.lines[0].tax == model.unit_tax * model.quantity
            assert totals.tax == model.unit_tax * model.quantity + model.ship_tax
            # Nothing refunded twice: each unit and the shipping at most once.
            assert order.refunded_quantities().get(1, 0) == model.refunded_units <= order.lines[0].quantity
            assert order.shipping_refunded == model.shipping_refunded
            assert sum(r.shipping for r in order.refunds) <= 1
            # Nothing returned more than shipped; the returns are the model's.
            assert order.returned_quantities().get(1, 0) == model.returned() <= model.shipped
            assert [r.status.value for r in order.returns] == [str(r[1]) for r in model.returns]
            assert all(not r.refund_id or order.refund(r.refund_id) is not None for r in order.returns)


#: Random days to play: a quick 25 by default, ``KASIFY_STATE_MACHINE_EXAMPLES`` for a long run
#: (tox's ``py313-core`` plays 250, over 5,000 steps).
EXAMPLES = int(os.environ.get("KASIFY_STATE_MACHINE_EXAMPLES", "25"))
#: Steps played in this process (counted after each one), for the long run's report.
STEPS: list[int] = [0]


def test_merchant_day() -> None:
    """Play the days; a long run also checks that it played as many steps as it promises."""
    STEPS[0] = 0
    run_state_machine_as_test(
        MerchantDay, settings=settings(max_examples=EXAMPLES, stateful_step_count=25, deadline=None)
    )
    if EXAMPLES >= 250:  # the invariant also runs once as each day starts
        assert STEPS[0] - EXAMPLES >= 5_000, f"played only {STEPS[0] - EXAMPLES} steps"
