"""Applying a parsed Saleor webhook to kasify's orders, idempotently, with actor ``"saleor"``.

See :mod:`kasify_orders.adapters.saleor.events` for which Saleor event becomes which action.
"""

import logging
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from kasify_orders.adapters.saleor.grants import record_granted_refunds
from kasify_orders.adapters.saleor.graphql import ORDER, SaleorClient
from kasify_orders.adapters.saleor.installations import Installations, SaleorOrderLink
from kasify_orders.adapters.saleor.names import (
    ACTOR,
    SALEOR_REFUND_KEY_PREFIX,
)
from kasify_orders.adapters.saleor.parcels import parcel_lines, parcel_of
from kasify_orders.adapters.saleor.parsing import order_from_query
from kasify_orders.adapters.saleor.payloads import (
    _LIVE_FULFILLMENT,
    SaleorEvent,
    SaleorFulfillment,
    SaleorOrder,
)
from kasify_orders.adapters.saleor.placing import guess_carrier, placing_key, to_new_order
from kasify_orders.adapters.saleor.returns import follow_returns
from kasify_orders.errors import InvalidTransition, RefundExceedsBalance, ValidationError
from kasify_orders.lifecycle import Status
from kasify_orders.model import Order, TimelineEvent, utcnow
from kasify_orders.service import Orders
from kasify_orders.storage.port import Transaction

__all__ = ["EventHandler", "saleor_refund_key"]

log = logging.getLogger("kasify_orders.adapters.saleor.events")


@attrs.define
class EventHandler:
    """Applies parsed webhooks of one installed Saleor to kasify's orders."""

    orders: Orders
    installations: Installations
    api_url: str
    #: A client for this Saleor's API (to fetch an order a payload does not carry).
    client: Callable[[], SaleorClient]
    #: The carrier for Saleor tracking numbers kasify cannot attribute (``"other"``).
    default_carrier: str = "other"

    def handle(self, event: SaleorEvent) -> str:
        """Apply *event*; return what happened (``"placed"``, ``"shipped"``, ``"duplicate"``, ...).

        :raises UnusableEvent: the payload cannot be applied.
        :raises ValidationError: Saleor's order breaks one of kasify's rules (the message names it).
        """
        if (
            event.name == "ORDER_UPDATED"
            and self.installations.link_for_saleor(self.api_url, event.order_id) is None
        ):
            return "ignored"  # an edit of an order kasify does not follow (a draft, say): nothing to place
        order, placed = self._ensure_order(event)
        outcome = {
            "ORDER_UPDATED": self._updated,
            "ORDER_CREATED": self._created,
            "ORDER_CONFIRMED": self._confirmed,
            "ORDER_FULLY_PAID": self._fully_paid,
            "ORDER_CANCELLED": self._cancelled,
            "ORDER_FULFILLED": self._fulfilled,
            "FULFILLMENT_TRACKING_NUMBER_UPDATED": self._tracking,
            "ORDER_REFUNDED": self._refunded,
            "ORDER_FULLY_REFUNDED": self._refunded,
        }[event.name](order, event)
        returns_noted = follow_returns(self.orders, self.orders.get(order.id), event.order)
        if returns_noted and outcome in {"duplicate", "ignored"}:
            outcome = "returned"
        return "placed" if placed and outcome == "duplicate" else outcome

    # -- the order behind the event -------------------------------------------------------------

    def _ensure_order(self, event: SaleorEvent) -> tuple[Order, bool]:
        """The kasify order behind *event*, placing it first if kasify has not seen it.

        Returns ``(order, placed)``: *placed* is true only for the one delivery that placed it
        (Saleor sends ORDER_CREATED, ORDER_CONFIRMED and ORDER_FULLY_PAID at once; the others
        get the same order through its idempotency key). The link to the Saleor order and the
        "Placed in Saleor" entry are written in the placing transaction, so no entry can land
        before them and no concurrent delivery writes them twice.
        """
        link = self.installations.link_for_saleor(self.api_url, event.order_id)
        if link is not None:
            return self.orders.get(link.order_id), False
        key = placing_key(self.api_url, event.order_id)
        saleor = event.order
        existing = self.orders.store.read(lambda tx: tx.order_by_idempotency_key(key))
        if existing is not None:  # placed by an older version, which linked it afterwards
            self.installations.link(self._link_for(existing.id, saleor, event.order_id))
            return existing, False
        if not saleor.complete:
            fetched = self.client().execute(ORDER, {"id": event.order_id})
            saleor = order_from_query(fetched.get("order"))
        placed_here: list[str] = []

        def record_origin(tx: Transaction, order: Order) -> None:
            placed_here.append(order.id)
            self.installations.link_in(tx, self._link_for(order.id, saleor, event.order_id))
            entry = TimelineEvent(
                "saleor",
                utcnow(),
                ACTOR,
                f"Placed in Saleor as order #{saleor.number}",
                {"saleor_order_id": event.order_id, "saleor_number": saleor.number, "api_url": self.api_url},
            )
            tx.append_timeline(order.id, [entry])

        order = self.orders.place(to_new_order(saleor), idempotency_key=key, actor=ACTOR, also=record_origin)
        return order, order.id in placed_here

    def _link_for(self, order_id: str, saleor: SaleorOrder, saleor_order_id: str) -> SaleorOrderLink:
        return SaleorOrderLink(
            order_id=order_id,
            api_url=self.api_url,
            saleor_order_id=saleor_order_id,
            saleor_number=saleor.number[:32],
            transaction_id=next((t.id for t in saleor.transactions), None),
            fulfillment_id=saleor.fulfillments[-1].id if saleor.fulfillments else None,
        )

    def _sync_payment(self, order: Order, saleor: SaleorOrder) -> Order:
        if saleor.paid and order.status is Status.PENDING:
            try:
                return self.orders.confirm_payment(order.id, actor=ACTOR)
            except InvalidTransition:  # confirmed concurrently
                return self.orders.get(order.id)
        return order

    # -- one method per event ------------------------------------------------------------------

    def _created(self, order: Order, event: SaleorEvent) -> str:
        after = self._sync_payment(order, event.order)
        return "payment_confirmed" if after.status is not order.status else "duplicate"

    def _confirmed(self, order: Order, event: SaleorEvent) -> str:
        self.orders.record_event(order.id, "saleor", "Confirmed in Saleor", actor=ACTOR)
        self._sync_payment(order, event.order)
        return "confirmed"

    def _fully_paid(self, order: Order, event: SaleorEvent) -> str:
        if order.status is not Status.PENDING:
            return "duplicate"
        try:
            order = self.orders.confirm_payment(order.id, actor=ACTOR)
        except InvalidTransition:
            return "duplicate"
        # Saleor may have fulfilled the order before it was paid (kasify noted it could not follow).
        # Each parcel Saleor shipped before it was paid (kasify noted it could not follow).
        for shipped in _live_fulfillments(event.order):
            self._ship_or_track(self.orders.get(order.id), event.order, shipped)
        return "payment_confirmed"

    def _cancelled(self, order: Order, event: SaleorEvent) -> str:
        if order.status is Status.CANCELLED:
            return "duplicate"
        try:
            self.orders.cancel(order.id, reason="Cancelled in Saleor", restock=False, actor=ACTOR)
        except InvalidTransition as error:
            return self._conflict(
                order, f"Saleor cancelled this order, but here it is {order.status.value}", error
            )
        return "cancelled"

    def _fulfilled(self, order: Order, event: SaleorEvent) -> str:
        live = _live_fulfillments(event.order)
        if len(live) > 1:  # every parcel, in case one's own event never came
            outcomes = [self._ship_or_track(self.orders.get(order.id), event.order, f) for f in live]
            return next((o for o in ("shipped", "tracking_updated") if o in outcomes), outcomes[-1])
        fulfillment = _shipping_fulfillment(event.order) or event.fulfillment
        if fulfillment is None or not fulfillment.tracking_number:
            if order.status is Status.SHIPPED or order.status is Status.DELIVERED:
                return "duplicate"
            return self._note_once(
                order,
                "Fulfilled in Saleor without a tracking number: "
                "mark it shipped here with the carrier and number",
            )
        return self._ship_or_track(order, event.order, fulfillment)

    def _tracking(self, order: Order, event: SaleorEvent) -> str:
        if event.fulfillment is None or not event.fulfillment.tracking_number:
            return "ignored"
        # ``event.fulfillment`` can carry the metadata from before kasify's own write-back (the
        # carrier kasify just replaced); the order's copy of the same fulfillment is current.
        fulfillment = event.order.fulfillment(event.fulfillment.id) or event.fulfillment
        if fulfillment.tracking_number != event.fulfillment.tracking_number:
            fulfillment = event.fulfillment
        return self._ship_or_track(order, event.order, fulfillment)

    def _ship_or_track(  # noqa: PLR0911 - one outcome per status
        self, order: Order, saleor: SaleorOrder, fulfillment: SaleorFulfillment
    ) -> str:
        """A Saleor fulfillment is a kasify parcel: a new one ships it, a known one's number is corrected."""
        number = fulfillment.tracking_number
        if order.status is Status.PENDING:
            order = self._sync_payment(order, saleor)
        link = self.installations.link_for_order(order.id)
        parcel = parcel_of(order, fulfillment, linked=link.fulfillment_id if link else None)
        if parcel is None and order.status is Status.PROCESSING:
            lines = parcel_lines(order, saleor, fulfillment)
            if lines is None and saleor.partially_fulfilled:
                return self._note_once(
                    order,
                    f"Saleor shipped part of this order (parcel tracking {number}) without saying"
                    " which lines: ship that parcel here with its lines",
                    data={"fulfillment_id": fulfillment.id, "tracking_number": number},
                )
            if lines is not None and not lines:
                return "duplicate"  # Saleor fulfilled nothing kasify has not shipped already
            carrier = fulfillment.carrier or guess_carrier(
                number, saleor.shipping_method, self.default_carrier
            )
            self.installations.update_link(order.id, fulfillment_id=fulfillment.id)
            try:
                self.orders.mark_shipped(
                    order.id,
                    tracking_number=number,
                    carrier=carrier,
                    lines=lines,
                    reference=fulfillment.id,
                    actor=ACTOR,
                )
            except (InvalidTransition, ValidationError):
                return "duplicate"
            return "shipped"
        if parcel is not None:
            if parcel.tracking_number == number:
                # kasify's own write-back echoed (its metadata may still name the old carrier),
                # or Saleor repeating itself: nothing to correct.
                return "duplicate"
            if self._kasify_replaced(order, number):
                return "stale"
            new_carrier = fulfillment.carrier
            url = fulfillment.tracking_url
            if new_carrier is not None and url and number not in url:
                # kasify's metadata describes the number Saleor just replaced, not this one.
                new_carrier = guess_carrier(number, saleor.shipping_method, parcel.carrier)
            try:
                self.orders.update_tracking(
                    order.id, tracking_number=number, carrier=new_carrier, shipment_id=parcel.id, actor=ACTOR
                )
            except ValidationError as error:
                if "already" in str(error):
                    return "duplicate"
                raise
            return "tracking_updated"
        return self._conflict(
            order, f"Saleor fulfilled this order (tracking {number}), but here it is {order.status.value}"
        )

    @staticmethod
    def _kasify_replaced(order: Order, number: str) -> bool:
        """Whether a merchant in kasify replaced *number* already: Saleor is echoing an older edit."""
        return any(
            entry.kind == "tracking_updated"
            and entry.actor != ACTOR
            and entry.data.get("previous_tracking_number") == number
            for entry in order.timeline
        )

    def _updated(self, order: Order, event: SaleorEvent) -> str:
        """ORDER_UPDATED: only its returns are read (after every event), the rest is other events' news."""
        return "ignored"

    def _refunded(self, order: Order, event: SaleorEvent) -> str:
        saleor = event.order
        recorded = None
        if saleor.granted_refunds:  # refunds by line Saleor paid out: recorded as such, before the rest
            recorded = record_granted_refunds(self.orders, self._paid_for_refund(order), saleor)
            order = recorded or order
        nothing_more = "refunded" if recorded is not None else "duplicate"
        target = saleor.total_refunded
        if target is None and event.name == "ORDER_FULLY_REFUNDED":
            target = order.totals.total
        if target is None and recorded is not None:
            return "refunded"
        if target is None:
            return self._note_once(
                order, "Saleor reports a refund, but its payload carries no amount: record it here by hand"
            )
        target = min(target, order.totals.total)
        amount = target - order.totals.refunded
        if amount <= 0:
            return nothing_more
        order = self._paid_for_refund(order)
        key = saleor_refund_key(event.order_id, target)
        try:
            self.orders.refund(
                order.id,
                amount,
                note="Refunded in Saleor",
                idempotency_key=key,
                provider_reference=key,
                actor=ACTOR,
            )
        except (InvalidTransition, RefundExceedsBalance) as error:
            return self._conflict(
                order, f"Saleor refunded {amount} {order.currency}, which kasify cannot record", error
            )
        return "refunded"

    def _paid_for_refund(self, order: Order) -> Order:
        """The order, its payment confirmed first if kasify shows it Pending (Saleor refunded it)."""
        if order.status is not Status.PENDING:
            return order
        try:
            return self.orders.confirm_payment(order.id, actor=ACTOR)
        except InvalidTransition:
            return self.orders.get(order.id)

    def _conflict(self, order: Order, message: str, error: Exception | None = None) -> str:
        """Note on the timeline (once) that Saleor did something kasify's order cannot follow."""
        log.warning("Saleor order for kasify order %s: %s (%s)", order.number, message, error)
        self._note_once(
            order,
            f"{message}; nothing changed here",
            kind="saleor_conflict",
            data={"error": str(error or "")},
        )
        return "conflict"

    def _note_once(
        self, order: Order, message: str, *, kind: str = "saleor", data: Mapping[str, Any] | None = None
    ) -> str:
        """Add a timeline entry unless the order has it already (Saleor tells one thing in several events)."""
        if not any(entry.kind == kind and entry.message == message for entry in order.timeline):
            self.orders.record_event(order.id, kind, message, data=data, actor=ACTOR)
        return "noted"


def _live_fulfillments(order: SaleorOrder) -> list[SaleorFulfillment]:
    """The live fulfillments with a tracking number, oldest first: kasify's parcels."""
    return [f for f in order.fulfillments if f.status in _LIVE_FULFILLMENT and f.tracking_number]


def _shipping_fulfillment(order: SaleorOrder) -> SaleorFulfillment | None:
    """The newest live fulfillment with a tracking number."""
    live = _live_fulfillments(order)
    return live[-1] if live else None


def saleor_refund_key(saleor_order_id: str, refunded_total: Decimal) -> str:
    """The idempotency key of a refund Saleor made (its refunded total reached *refunded_total*)."""
    return f"{SALEOR_REFUND_KEY_PREFIX}{saleor_order_id}:refunded-to:{refunded_total}"[:255]
