"""``SaleorWriteBack``: the merchant's actions in kasify, sent on to Saleor.

A plugin on kasify's event hooks. Each hook runs after the change committed; when a call to
Saleor fails the hook raises, and the outbox retries it with backoff (``delivery.py``), so a
shipment is never lost on a network blip. Every step first reads what Saleor already has, so
a retry after a half-done attempt finishes the job instead of repeating it:

- shipped: ``orderFulfill`` with the tracking number (or ``orderFulfillmentUpdateTracking`` when
  Saleor fulfilled the lines already), then the carrier and tracking link in the fulfillment's
  metadata (Saleor has no carrier field);
- tracking corrected: the metadata first, then ``orderFulfillmentUpdateTracking`` (Saleor's
  echo carries the metadata the fulfillment has when its number changes);
- note: ``orderNoteAdd`` (skipped when the app already added the same text);
- cancelled / payment confirmed: ``orderCancel`` / ``orderMarkAsPaid`` unless Saleor is there already.

A refund is not an event to pass on but the payment itself: the plugin is the refund's payment
provider (``kasify_refund_payment``) for Saleor orders — ``orderGrantRefundCreate`` on the
order's transaction (its reason names the refund's idempotency key, which is how a retry finds
it; a refund by line grants kasify's amount *and* its lines and shipping, see :mod:`.grants`),
then ``transactionRequestRefundForGrantedRefund`` — and raises :class:`SaleorRefundFailed`
when Saleor refunds nothing, so kasify never records a refund Saleor did not make.

Changes that came *from* Saleor (actor ``"saleor"``) are never sent back, and orders that
did not come from Saleor are left alone. Saleor's own customer emails are not triggered
(``notifyCustomer: false``): kasify sends the shipping email, and the customer emails show
Saleor's order number (``kasify_customer_order_number``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from kasify_orders.adapters.saleor.events import (
    ACTOR,
    SALEOR_REFUND_KEY_PREFIX,
)
from kasify_orders.adapters.saleor.fulfilment import lines_to_fulfil, saleor_units, write_carrier_metadata
from kasify_orders.adapters.saleor.grants import KASIFY_GRANT_MARKER, grant_lines
from kasify_orders.adapters.saleor.graphql import (
    FULFILL,
    GRANT_REFUND,
    MARK_AS_PAID,
    NOTE_ADD,
    NOTE_CONTEXT,
    ORDER_CANCEL,
    ORDER_STATE,
    PROCESS_GRANTED_REFUND,
    REFUND_CONTEXT,
    UPDATE_TRACKING,
    SaleorClient,
    SaleorError,
    SaleorTokenRejected,
    SaleorUnreachable,
)
from kasify_orders.adapters.saleor.installations import Installations, SaleorOrderLink
from kasify_orders.errors import RefundPending
from kasify_orders.hookspecs import hookimpl
from kasify_orders.model import Order, Shipment, TimelineEvent, utcnow
from kasify_orders.service import Orders

__all__ = ["SaleorRefundFailed", "SaleorWriteBack", "uninstall"]

log = logging.getLogger(__name__)

_LIVE = {"FULFILLED", "WAITING_FOR_APPROVAL"}


class SaleorRefundFailed(SaleorError):
    """Saleor refunded nothing (the message says why): the refund failed, it must not be recorded as done."""


def _last(order: Order, kind: str) -> TimelineEvent | None:
    return next((entry for entry in reversed(order.timeline) if entry.kind == kind), None)


def _order_state(client: SaleorClient, saleor_order_id: str) -> Mapping[str, Any]:
    state = client.execute(ORDER_STATE, {"id": saleor_order_id}).get("order")
    if not isinstance(state, dict):
        raise SaleorError(f"Saleor has no order {saleor_order_id} (or the app may not read it)")
    return state


class SaleorWriteBack:
    """Sends kasify's merchant actions on orders that came from Saleor back to that Saleor.

    :param installations: The adapter's storage (order links, installations).
    :param client_for: ``api_url -> SaleorClient`` for an active installation.
    :param orders: The ``Orders`` it is registered on (for timeline notes); set by ``kasify_configure``
        when registered later.
    """

    def __init__(
        self,
        installations: Installations,
        client_for: Callable[[str], SaleorClient],
        *,
        orders: Orders | None = None,
    ) -> None:
        self.installations = installations
        self.client_for = client_for
        self.orders = orders

    @hookimpl
    def kasify_configure(self, orders: Orders) -> None:
        """Remember the ``Orders`` this plugin serves."""
        self.orders = orders

    # -- which orders, which changes --------------------------------------------------------------

    def _target(
        self, order: Order, entry: TimelineEvent | None
    ) -> tuple[SaleorOrderLink, SaleorClient] | None:
        """The Saleor order and a client, or None when there is nothing to send."""
        if entry is not None and entry.actor == ACTOR:
            return None  # the change came from Saleor: never echo it back
        link = self.installations.link_for_order(order.id)
        if link is None:
            return None  # not a Saleor order
        installation = self.installations.get(link.api_url)
        if installation is None or not installation.active:
            self._note(order, f"Not sent to Saleor: the app is no longer installed on {link.api_url}")
            return None
        return link, self.client_for(link.api_url)

    @contextmanager
    def _uninstalled_when_refused(self, order: Order, link: SaleorOrderLink) -> Iterator[None]:
        """Saleor refusing the app's token means the app was uninstalled there: stop, and say so.

        (Saleor does not always tell a deleted app with APP_DELETED.) The change stays here; the
        hook returns, so the outbox does not retry what can no longer be sent.
        """
        try:
            yield
        except SaleorTokenRejected as error:
            why = f"Saleor refused the app's token, so the app was uninstalled there ({error})"
            uninstall(self.installations, link.api_url, why=why)
            self._note(order, f"Not sent to Saleor: the app is no longer installed on {link.api_url}")

    def _note(self, order: Order, message: str) -> None:
        log.warning("order %s: %s", order.number, message)
        if self.orders is not None:
            self.orders.record_event(order.id, "saleor_writeback", message, actor=ACTOR)

    # -- the hooks ----------------------------------------------------------------------------------

    @hookimpl
    def kasify_order_shipped(self, order: Order, shipment_id: str = "") -> None:
        """Fulfil the parcel's lines of the Saleor order with its tracking number and carrier."""
        parcel = order.shipment_by_id(shipment_id) or order.shipment
        entry = next(
            (
                entry
                for entry in reversed(order.timeline)
                if entry.kind == "shipped" and entry.data.get("shipment_id") in {None, shipment_id}
            ),
            _last(order, "shipped"),
        )
        target = self._target(order, entry)
        if target is None or parcel is None:
            return
        link, client = target
        with self._uninstalled_when_refused(order, link):
            fulfillment_id = self._fulfil(client, link, parcel, order=order)
            self.installations.update_link(order.id, fulfillment_id=fulfillment_id)

    @hookimpl
    def kasify_tracking_updated(self, order: Order, previous: Shipment) -> None:
        """Correct the Saleor fulfillment's tracking number and carrier."""
        entry = next(
            (
                entry
                for entry in reversed(order.timeline)
                if entry.kind == "tracking_updated"
                and entry.data.get("previous_tracking_number") == previous.tracking_number
                and entry.data.get("previous_carrier") == previous.carrier
            ),
            None,
        )
        target = self._target(order, entry)
        if target is None or order.shipment is None:
            return
        link, client = target
        with self._uninstalled_when_refused(order, link):
            fulfillment_id = self._fulfil(client, link, order.shipment, previous=previous)
            self.installations.update_link(order.id, fulfillment_id=fulfillment_id)

    @hookimpl
    def kasify_refund_payment(
        self, order: Order, amount: Decimal, note: str, idempotency_key: str | None
    ) -> str | None:
        """Refund a Saleor order through Saleor: grant the refund, then ask its payment app to pay it.

        Returns the granted refund's id once Saleor accepted the request. Raises
        :class:`SaleorRefundFailed` when Saleor refunds nothing (a granted refund in status
        ``FAILURE``, or no payment app to pay it out: an order paid by mark-as-paid), so the
        refund is a failed refund, never one reported done. When Saleor gives no answer (down,
        HTTP 5xx) the outcome is unknown: :class:`~kasify_orders.RefundPending`, so kasify asks
        again later with the same *idempotency_key*, which finds the refund granted before
        instead of granting another. Refunds Saleor made itself (its webhooks) are not sent
        back; other orders are not Saleor's.
        """
        try:
            return self._refund_through_saleor(order, amount, note, idempotency_key)
        except SaleorUnreachable as error:
            raise RefundPending(
                f"Saleor did not answer about this refund ({error}); kasify asks again"
            ) from error

    def _refund_through_saleor(
        self, order: Order, amount: Decimal, note: str, idempotency_key: str | None
    ) -> str | None:
        if idempotency_key is not None and idempotency_key.startswith(SALEOR_REFUND_KEY_PREFIX):
            return None
        link = self.installations.link_for_order(order.id)
        if link is None:
            return None
        installation = self.installations.get(link.api_url)
        if installation is None or not installation.active:
            return None  # the app is no longer installed: recorded as a refund made by hand
        client = self.client_for(link.api_url)
        context = client.execute(REFUND_CONTEXT, {"id": link.saleor_order_id}).get("order")
        if not isinstance(context, dict):
            raise SaleorError(f"Saleor has no order {link.saleor_order_id}")
        what = f"{amount} {order.currency} for Saleor order #{link.saleor_number}"
        marker = f"{KASIFY_GRANT_MARKER}{idempotency_key}" if idempotency_key else None
        grant = next(
            (
                g
                for g in context.get("grantedRefunds") or []
                if marker is not None and marker in (g.get("reason") or "")
            ),
            None,
        )
        transactions = [
            t for t in context.get("transactions") or [] if (t.get("chargedAmount") or {}).get("amount")
        ]
        transaction_id = link.transaction_id or (transactions[0]["id"] if transactions else None)
        if grant is None:
            if transaction_id is None:
                raise SaleorRefundFailed(
                    f"Saleor cannot refund {what}: the order has no payment transaction "
                    "(refund it in Saleor's dashboard, then record it here)"
                )
            reason = f"{note} ({marker})" if note else f"Refunded in kasify ({marker})"
            variables: dict[str, Any] = {
                "order": link.saleor_order_id,
                "transaction": transaction_id,
                "amount": str(amount),
                "reason": reason if marker else (note or "Refunded in kasify"),
            }
            refund = next((r for r in order.refunds if r.provider_key == idempotency_key), None)
            if refund is not None and refund.by_line:
                # kasify's amount, and the units it is for: see grants.py for why both.
                try:
                    variables["lines"] = grant_lines(order, context, refund)
                except ValueError as error:
                    raise SaleorRefundFailed(f"Saleor cannot refund {what} by line: {error}") from error
                variables["shipping"] = refund.shipping
            grant = client.mutate(GRANT_REFUND, "orderGrantRefundCreate", variables)["grantedRefund"]
        status = grant.get("status")
        if status == "FAILURE":
            raise SaleorRefundFailed(
                f"Saleor did not refund {what}: its granted refund {grant['id']} failed "
                "(is a payment app installed that can refund this order's transaction?)"
            )
        if status == "NONE":
            try:
                client.mutate(
                    PROCESS_GRANTED_REFUND,
                    "transactionRequestRefundForGrantedRefund",
                    {"grantedRefund": grant["id"], "transaction": transaction_id},
                )
            except SaleorUnreachable:
                raise
            except SaleorError as error:
                raise SaleorRefundFailed(f"Saleor did not refund {what}: {error}") from error
        return str(grant["id"])

    @hookimpl
    def kasify_note_added(self, order: Order, entry: TimelineEvent) -> None:
        """Add the merchant's note to the Saleor order."""
        target = self._target(order, entry)
        if target is None:
            return
        link, client = target
        installation = self.installations.get(link.api_url)
        with self._uninstalled_when_refused(order, link):
            context = client.execute(NOTE_CONTEXT, {"id": link.saleor_order_id}).get("order") or {}
            already = any(
                event.get("type") == "NOTE_ADDED"
                and event.get("message") == entry.message
                and (event.get("app") or {}).get("id") == (installation.app_id if installation else None)
                for event in context.get("events") or []
            )
            if not already:
                variables = {"order": link.saleor_order_id, "message": entry.message}
                client.mutate(NOTE_ADD, "orderNoteAdd", variables)

    @hookimpl
    def kasify_order_cancelled(self, order: Order) -> None:
        """Cancel the Saleor order (Saleor releases its stock)."""
        target = self._target(order, _last(order, "cancelled"))
        if target is None:
            return
        link, client = target
        with self._uninstalled_when_refused(order, link):
            if _order_state(client, link.saleor_order_id).get("status") != "CANCELED":
                client.mutate(ORDER_CANCEL, "orderCancel", {"id": link.saleor_order_id})

    @hookimpl
    def kasify_payment_confirmed(self, order: Order) -> None:
        """Mark the Saleor order paid when the merchant confirmed a payment Saleor did not see."""
        target = self._target(order, _last(order, "payment_confirmed"))
        if target is None:
            return
        link, client = target
        with self._uninstalled_when_refused(order, link):
            state = _order_state(client, link.saleor_order_id)
            if state.get("chargeStatus") not in {"FULL", "OVERCHARGED"}:
                variables = {"id": link.saleor_order_id, "ref": f"kasify order {order.number}"}
                client.mutate(MARK_AS_PAID, "orderMarkAsPaid", variables)

    @hookimpl
    def kasify_customer_order_number(self, order: Order) -> int | None:
        """Saleor's number for a Saleor order: the one its checkout showed the customer."""
        link = self.installations.link_for_order(order.id)
        if link is None or not link.saleor_number.isdigit():
            return None
        return int(link.saleor_number)

    # -- steps -----------------------------------------------------------------------------------

    def _fulfil(
        self,
        client: SaleorClient,
        link: SaleorOrderLink,
        shipment: Shipment,
        previous: Shipment | None = None,
        *,
        order: Order | None = None,
    ) -> str:
        """The Saleor fulfillment with *shipment*'s number, made (of the parcel's lines) or corrected."""
        state = _order_state(client, link.saleor_order_id)
        live = [f for f in state.get("fulfillments") or [] if f.get("status") in _LIVE]
        number = shipment.tracking_number
        done = next((f for f in live if f.get("trackingNumber") == number), None)
        if done is not None:  # a retry after the number landed: make sure the carrier did too
            write_carrier_metadata(client, str(done["id"]), shipment)
            return str(done["id"])
        lines = lines_to_fulfil(state, None if order is None else saleor_units(state, order, shipment))
        if previous is None and lines:
            result = client.mutate(
                FULFILL,
                "orderFulfill",
                {
                    "order": link.saleor_order_id,
                    "lines": lines,
                    "trackingNumber": number,
                    "notifyCustomer": False,
                },
            )
            fulfillments = result.get("fulfillments") or []
            if not fulfillments:
                raise SaleorError("orderFulfill returned no fulfillment")
            created = str(fulfillments[-1]["id"])
            write_carrier_metadata(client, created, shipment)
            return created
        if not live:
            raise SaleorError(
                f"Saleor order {link.saleor_number} has no fulfillment to put tracking number {number} on"
            )
        chosen = next(
            (f for f in live if previous is not None and f.get("trackingNumber") == previous.tracking_number),
            None,
        ) or next((f for f in live if f.get("id") == link.fulfillment_id), live[-1])
        # The carrier first: Saleor's FULFILLMENT_TRACKING_NUMBER_UPDATED carries the metadata the
        # fulfillment has when the number changes, and kasify must not read its old carrier back.
        write_carrier_metadata(client, str(chosen["id"]), shipment)
        client.mutate(
            UPDATE_TRACKING,
            "orderFulfillmentUpdateTracking",
            {"fulfillment": chosen["id"], "trackingNumber": number, "notifyCustomer": False},
        )
        return str(chosen["id"])


def uninstall(installations: Installations, api_url: str, *, why: str) -> bool:
    """Mark *api_url* uninstalled and say so, with *why*, on its unfinished orders' timelines.

    Returns False when it was not installed. Its webhooks are refused and nothing is written
    back from then on.
    """
    message = (
        f"{why}: kasify no longer sends this order's changes to Saleor ({api_url}), "
        "and Saleor's changes no longer arrive here"
    )
    note = TimelineEvent("saleor_uninstalled", utcnow(), ACTOR, message, {"api_url": api_url})
    removed = installations.remove(api_url, note=note)
    if removed:
        log.warning("uninstalled from %s: %s", api_url, why)
    return removed
