"""Every hook kasify-orders calls, with what it promises: the contract for plugins.

Implement hooks in a class or module with :data:`kasify_orders.hookimpl` and pass it to
``Orders.connect(plugins=[...])``, register it on ``orders.plugins``, or publish it under the
``kasify_orders`` entry-point group. Hooks are always called with keyword arguments, so an
implementation may accept any subset of the documented arguments.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from collections.abc import Sequence
    from email.message import EmailMessage

    from kasify_orders.dispatch import DispatchBatch
    from kasify_orders.model import Order, Refund, Shipment, TimelineEvent
    from kasify_orders.service import Orders
    from kasify_orders.service.compose import PluginContext
    from kasify_orders.settings import Settings
    from kasify_orders.storage.plugin_tables import PluginTables
    from kasify_orders.storage.port import Store

#: The pluggy project name and entry-point group.
PROJECT = "kasify_orders"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = ["PROJECT", "hookimpl", "hookspec"]

# ---------------------------------------------------------------------------------------
# Set-up hooks
# ---------------------------------------------------------------------------------------


@hookspec(historic=True)
def kasify_configure(context: PluginContext, orders: Orders) -> None:
    """Called once when an :class:`~kasify_orders.Orders` is built, with its settings ready.

    Historic: a plugin registered later is called at registration, so every plugin sees it.

    Take *context* (the settings, the clock, the store, the plugin manager): it is all a
    plugin needs to set itself up, and it does not change when ``Orders`` grows. *orders* is
    still passed, for plugins written before the context existed (an implementation takes
    either or both, like any hook argument); it is not deprecated yet, because kasify's own
    email plugin still builds on it, and will be with a DeprecationWarning once that has moved
    to the context. New plugins should not take it.

    :param context: A :class:`~kasify_orders.service.compose.PluginContext`.
    :param orders: The :class:`~kasify_orders.Orders` being set up (for older plugins).
    """


@hookspec
def kasify_started(context: PluginContext) -> None:
    """Called once the ``Orders`` built by ``Orders.connect`` is migrated and ready to serve.

    For start-up reports, such as the emails' warning that no mail can be sent. A host that
    reports at its own start-up (the Django app, in ``AppConfig.ready``) does not call it.

    :param context: The same :class:`~kasify_orders.service.compose.PluginContext` as in
        ``kasify_configure``.
    """


@hookspec
def kasify_closing(context: PluginContext) -> None:
    """Called by ``Orders.close()``, before it closes its database connections.

    Finish or let go of what the plugin started, and close what it opened: connections to
    other servers, threads. kasify's email plugin waits here for the emails still being sent
    in the background (an action's inline budget ran out on them; each send is bounded by
    ``Settings.smtp_timeout_seconds``), then ends its threads, and the SMTP sender says
    goodbye on its pooled connections. It is called on every ``close()``: an ``Orders`` used
    again after one opens what it needs anew.

    :param context: The same :class:`~kasify_orders.service.compose.PluginContext` as in
        ``kasify_configure``.
    """


@hookspec
def kasify_plugin_tables() -> PluginTables | None:
    """Return the tables this plugin keeps (a :class:`~kasify_orders.storage.plugin_tables.PluginTables`).

    ``Orders.migrate()`` (also ``Orders.connect(migrate=True)`` and ``kasify-orders db upgrade``)
    upgrades each plugin's own migration chain after kasify's, so a plugin's tables exist
    wherever kasify's do and a host that never registers the plugin never gets them. kasify's
    email plugin returns its ledger (``sent_emails``).
    """


@hookspec(firstresult=True)
def kasify_resend_notification(
    context: PluginContext, order_id: str, kind: str, actor: str | None, message_key: str | None
) -> Sequence[str] | None:
    """Send the *kind* notification about the order again, now; return the recipients.

    ``Orders.resend_notification`` asks this hook; kasify's email plugin answers it. None
    (no implementation answered): emails are off, and ``EmailsNotConfigured`` is raised.

    Stops at first non-None result.

    :param context: The :class:`~kasify_orders.service.compose.PluginContext` of the ``Orders``.
    :param order_id: The order to email about.
    :param kind: The email kind (``"order_confirmation"``, ...).
    :param actor: Who asked (recorded on the timeline).
    :param message_key: Which of the merchant's own messages to send again, for the kind
        ``"customer_message"`` (the ``data["message_key"]`` of its ``customer_emailed`` entry;
        None: the latest). Other kinds ignore it. (Added with "Email customer": an older
        implementation that does not accept it is still called, without it.)
    """


# ---------------------------------------------------------------------------------------
# Service hooks: the first non-None result wins (a host's implementation is called before
# kasify's own defaults, which are registered ``trylast``).
# ---------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def kasify_storage(url: str, settings: Settings) -> Store | None:
    """Return the store that keeps orders for the database *url*.

    The default is the SQLAlchemy Core store (SQLite, PostgreSQL, MariaDB/MySQL).

    Stops at first non-None result.

    :param url: The database URL given to ``Orders.connect``.
    :param settings: The merchant's :class:`~kasify_orders.Settings`.
    :return: A store, or None to let another plugin answer.
    """


@hookspec(firstresult=True)
def kasify_send_email(message: EmailMessage) -> bool | None:
    """Deliver one email. Raise to have it retried later.

    The default sends it over SMTP from ``Settings.smtp_url``; the Flask and Django
    adapters use the host's mail set-up.

    Stops at first non-None result.

    :param message: A complete :class:`email.message.EmailMessage`, headers included.
    :return: True once sent, or None to let another plugin send it.
    """


@hookspec(firstresult=True)
def kasify_email_locale(order: Order) -> str | None:
    """Choose the locale (``"fr_CA"``) in which this order's customer emails format money.

    Called when an email about *order* is rendered. Without an answer, kasify uses
    ``Settings.email_locale``, else English with the number format of the shipping country.

    Stops at first non-None result.

    :param order: The order the email is about.
    :return: A Babel locale identifier, or None to let another plugin (or the default) answer.
    """


@hookspec(firstresult=True)
def kasify_customer_order_number(order: Order) -> int | None:
    """The order number the customer knows *order* by, shown in the customer emails.

    Called when a customer email about *order* is rendered. A shop front that numbers its
    orders itself answers with the number its checkout showed (the Saleor adapter answers with
    Saleor's), so an email never names another number. Without an answer: ``order.number``.
    The merchant's pages and alerts keep kasify's number.

    Stops at first non-None result.

    :param order: The order the email is about.
    :return: The customer's order number, or None to let another plugin (or kasify) answer.
    """


@hookspec(firstresult=True)
def kasify_refund_payment(
    order: Order, amount: Decimal, note: str, idempotency_key: str | None, refund: Refund
) -> str | None:
    """Refund *amount* through the payment provider; return the provider's reference.

    A refund is made in two phases, so the provider never pays one twice: kasify first records
    the refund as pending and commits, then calls this hook outside any transaction, then
    records the answer. If that last step never happens (a crash, a failed database write),
    kasify calls the hook **again with the same idempotency_key** (a retry of ``Orders.refund``
    with the caller's key, or ``Orders.settle_pending_refunds`` from ``deliver_pending``).
    The implementation must therefore be idempotent on the key: pass it to the provider as its
    idempotency key (Stripe's ``Idempotency-Key``, Adyen's ``idempotency-key``, a grant's
    reason…) so that a second call answers with the first refund instead of paying again.

    - Return the reference: the refund is settled (refunded total, payment status, the
      ``"refunded"`` timeline entry, the refund email).
    - Raise :class:`~kasify_orders.RefundFailed` (or any other exception) when the provider
      refused: the refund is recorded as failed (a ``"refund_failed"`` entry with the reason),
      nothing else changes, and ``Orders.refund`` raises ``RefundFailed``.
    - Raise :class:`~kasify_orders.RefundPending` when the outcome is not known yet (the
      provider works asynchronously, or the call timed out): the refund stays pending, its
      amount held, and is asked about again later with the same key.

    With no implementation, the refund is recorded as issued by hand (settled at once).

    Stops at first non-None result.

    :param order: The order, with this refund pending among its ``refunds``.
    :param amount: The amount to refund, in ``order.currency``.
    :param note: The merchant's internal note (may be empty).
    :param idempotency_key: The refund's key: the caller's, else the refund's own id. The same
        on every call for one refund, and unique to it.
    :param refund: The pending refund itself (its ``id``, ``actor``, ``created_at``), for a
        provider that keys or labels refunds by kasify's id.
    :return: The provider's reference for the refund.
    """


# ---------------------------------------------------------------------------------------
# Event hooks: called once per event, after the change has committed, through the outbox.
# A hook that raises is retried later with backoff (``Orders.deliver_pending``); the other
# implementations of the same event are not called again. The change is never undone.
# Every event hook also receives ``event_id`` (accept it only if you need it): the id of the
# outbox event, stable across retries, for plugins that must act exactly once per event
# (the email plugin keys its sent-markers on it).
# ---------------------------------------------------------------------------------------


@hookspec
def kasify_dispatch_batch(batch: DispatchBatch) -> None:
    """A batch of outbox events is about to be dispatched: their event hooks follow, one event at a time.

    Called once per batch (a worker's claim, or one action's events inline), before any of
    their event hooks, so a plugin can start the batch's side effects together: kasify's email
    plugin claims every email of a worker's batch in one transaction and sends them side by
    side, and its event hooks then wait for their own. Whatever is started here must still be
    finished (or failed) by the plugin's event hook of each event, which is what the outbox
    records and retries. A plugin that raises here is logged and still gets every event.

    :param batch: The :class:`~kasify_orders.dispatch.DispatchBatch`: ``batch.events`` (each
        event's id, hook, hook arguments and the plugins already done with it),
        ``batch.state`` (a plugin's notes for the batch, under its own name) and
        ``batch.on_commit(write)`` (a write committed with the outbox's record of the batch).
    """


@hookspec
def kasify_order_placed(order: Order, event_id: str) -> None:
    """An order was placed (its status is Pending).

    :param order: The order as stored when the hook runs (right after the change unless
        delivery was deferred to a worker).
    :param event_id: The outbox event's id: the same on every retry of this event, and
        unique to it, so a plugin can make its own side effect idempotent.
    """


@hookspec
def kasify_payment_confirmed(order: Order, event_id: str) -> None:
    """The merchant confirmed payment: Pending -> Processing.

    :param order: The order as stored when the hook runs (right after the change unless
        delivery was deferred to a worker).
    :param event_id: The outbox event's id: the same on every retry of this event, and
        unique to it, so a plugin can make its own side effect idempotent.
    """


@hookspec
def kasify_order_shipped(order: Order, shipment_id: str, event_id: str) -> None:
    """A parcel left: ``order.shipment_by_id(shipment_id)`` holds its lines, carrier and tracking.

    Called once per parcel. The order is Shipped once every unit is in a parcel; before that it
    is still Processing (``order.fulfilment_status`` is PARTIALLY_SHIPPED).

    :param order: The order as stored when the hook runs (right after the change unless
        delivery was deferred to a worker).
    :param shipment_id: The parcel that left ("" for an event queued before parcels existed:
        then ``order.shipment``).
    :param event_id: The outbox event's id: the same on every retry of this event, and
        unique to it, so a plugin can make its own side effect idempotent.
    """


@hookspec
def kasify_order_updated(order: Order, event_id: str) -> None:
    """The merchant edited the order before its first parcel shipped: address, quantities, lines.

    The totals are recomputed; a paid order may now show ``order.totals.amount_due`` (the new
    total is higher) or ``order.totals.refund_due`` (lower). What changed, old -> new, is the
    order's latest ``edited`` timeline entry (``data["changes"]``). The email plugin sends
    the customer the "order updated" email from here.

    :param order: The order as stored when the hook runs (right after the change unless
        delivery was deferred to a worker).
    :param event_id: The outbox event's id: the same on every retry of this event, and
        unique to it, so a plugin can make its own side effect idempotent.
    """


@hookspec
def kasify_return_updated(order: Order, return_id: str, step: str, event_id: str) -> None:
    """A return (RMA) moved on: ``order.return_by_id(return_id)`` is it as it is now.

    *step* is ``"opened"``, ``"received"`` (its units came back; ``restocked`` says whether they
    went back in stock), ``"refunded"`` (``refund_id`` names its refund by line, whose own
    ``kasify_order_refunded`` follows once it settles) or ``"closed"`` (without a refund). The
    email plugin sends the customer the "return received" email from here.

    :param order: The order as stored when the hook runs (right after the change unless
        delivery was deferred to a worker).
    :param return_id: The return that moved.
    :param step: What happened to it.
    :param event_id: The outbox event's id: the same on every retry of this event, and
        unique to it, so a plugin can make its own side effect idempotent.
    """


@hookspec
def kasify_tracking_updated(order: Order, previous: Shipment, event_id: str) -> None:
    """The tracking number or carrier of a shipped order was corrected.

    :param order: The order as stored when the hook runs (right after the change unless
        delivery was deferred to a worker).
    :param previous: The shipment before the correction.
    :param event_id: The outbox event's id: the same on every retry of this event, and
        unique to it, so a plugin can make its own side effect idempotent.
    """


@hookspec
def kasify_order_delivered(order: Order, event_id: str) -> None:
    """The order was marked delivered.

    :param order: The order as stored when the hook runs (right after the change unless
        delivery was deferred to a worker).
    :param event_id: The outbox event's id: the same on every retry of this event, and
        unique to it, so a plugin can make its own side effect idempotent.
    """


@hookspec
def kasify_order_cancelled(order: Order, event_id: str) -> None:
    """The order was cancelled.

    :param order: The order as stored when the hook runs (right after the change unless
        delivery was deferred to a worker).
    :param event_id: The outbox event's id: the same on every retry of this event, and
        unique to it, so a plugin can make its own side effect idempotent.
    """


@hookspec
def kasify_order_refunded(order: Order, refund: Refund, event_id: str) -> None:
    """A refund was issued (``order.payment_status`` says whether it was the last one).

    :param order: The order as stored when the hook runs (right after the change unless
        delivery was deferred to a worker).
    :param refund: The refund just issued; its ``note`` is internal, never for the customer.
    :param event_id: The outbox event's id: the same on every retry of this event, and
        unique to it, so a plugin can make its own side effect idempotent.
    """


@hookspec
def kasify_note_added(order: Order, entry: TimelineEvent, event_id: str) -> None:
    """The merchant added an internal note to the order's timeline.

    :param order: The order as stored when the hook runs (right after the change unless
        delivery was deferred to a worker).
    :param entry: The note's timeline entry: ``entry.message`` is the text, ``entry.actor``
        who wrote it (the Saleor adapter skips notes whose actor is ``"saleor"``).
    :param event_id: The outbox event's id: the same on every retry of this event, and
        unique to it, so a plugin can make its own side effect idempotent.
    """


@hookspec
def kasify_customer_emailed(order: Order, subject: str, body: str, message_key: str, event_id: str) -> None:
    """The merchant wrote a message to the customer ("Email customer" on the order page).

    kasify's email plugin sends it to ``order.customer.email``, once. ``Orders.email_customer``
    refuses the message (``EmailsNotConfigured``) when no plugin implements this hook, so a
    message is never recorded as written when nothing would send it.

    :param order: The order as stored when the hook runs (right after the change unless
        delivery was deferred to a worker).
    :param subject: The message's subject, one line.
    :param body: The message's text, as the merchant wrote it (plain text, several lines).
    :param message_key: Names this message among the order's others: the ``data["message_key"]``
        of its ``customer_emailed`` timeline entry (a resend finds the message by it).
    :param event_id: The outbox event's id: the same on every retry of this event, and
        unique to it, so a plugin can make its own side effect idempotent.
    """
