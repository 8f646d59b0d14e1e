"""Talking to the customer: write to them, send a notification again, retry a failed email.

A mixin of :class:`~kasify_orders.service.orders.Orders`, so the facade stays small. Writing
is an action like any other (one transaction: the timeline entry and the outbox event
together); a retry revives the failed email's outbox event and dispatches it at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from kasify_orders.customer_messages import email_customer
from kasify_orders.dispatch import Dispatcher, hook_name
from kasify_orders.errors import EmailsNotConfigured, ValidationError
from kasify_orders.events import CustomerEmailed
from kasify_orders.model import Order, TimelineEvent
from kasify_orders.plugins import Hooks
from kasify_orders.service.writes import Step
from kasify_orders.settings import Settings
from kasify_orders.storage.port import Store, Transaction
from kasify_orders.storage.records import OutboxItem
from kasify_orders.timeline import TimelineKind

__all__ = ["CustomerEmails"]

_EMAILS_OFF = (
    "emails are off: set Settings.smtp_url, or register a kasify_send_email plugin"
    " and call kasify_orders.notifications.install(orders)"
)


class _Orders(Protocol):
    store: Store
    settings: Settings
    hooks: Hooks
    dispatcher: Dispatcher
    clock: Callable[[], datetime]

    def _act(self, order_id: str, expected_version: int | None, step: Step) -> Order: ...

    def get(self, order_id: str) -> Order: ...


class CustomerEmails:
    """``orders.email_customer`` and ``orders.retry_email``."""

    def email_customer(
        self: _Orders,
        order_id: str,
        *,
        subject: str = "",
        body: str = "",
        template: str | None = None,
        actor: str | None = None,
    ) -> Order:
        """Write to the customer: the message is on the timeline now and emailed through the outbox.

        With a *template* (``"delay"``) a blank subject or body is filled from it. The email
        goes out once, after the commit (inline by default, else by the outbox worker).

        :raises ValidationError: a bad subject, body or template (each named); nothing is recorded.
        :raises EmailsNotConfigured: nothing would send it (no email plugin); nothing is recorded.
        :raises OrderNotFound: no such order.
        """
        if not self.hooks.event_impls(hook_name(CustomerEmailed)):
            raise EmailsNotConfigured(_EMAILS_OFF)
        key = uuid.uuid4().hex
        return self._act(
            order_id,
            None,
            lambda tx, order, now: email_customer(
                order, subject=subject, body=body, template=template, message_key=key, at=now, actor=actor
            ),
        )

    def retry_email(self: _Orders, order_id: str, event_id: str, *, actor: str | None = None) -> Order:
        """Try the failed emails of the outbox event *event_id* again now (dead or backing off).

        Its attempts start over; the retry is on the timeline (``email_retried``), and the email
        is sent at once when the outbox delivers inline (else by the next worker run). Only the
        recipients still without it get it (the sent-markers skip the others).

        :raises ValidationError: (field ``event_id``) no event of this order waits with that id:
            it was sent meanwhile, or is being tried right now.
        :raises OrderNotFound: no such order.
        """
        inline = self.settings.deliver_inline

        def work(tx: Transaction) -> OutboxItem:
            tx.require_order(order_id)
            now = self.clock()
            item = tx.revive(
                str(event_id),
                order_id=order_id,
                now=now,
                token=self.dispatcher.token if inline else None,
                lease_until=self.dispatcher.lease_until(now) if inline else None,
            )
            if item is None:
                raise ValidationError.single(
                    "event_id",
                    "nothing waits to be retried with this id: the email was sent meanwhile, "
                    "or is being tried right now",
                )
            entry = TimelineEvent(
                TimelineKind.EMAIL_RETRIED,
                now,
                actor,
                "Asked to try the failed email again",
                {"event_id": item.id, "hook": item.hook},
            )
            tx.append_timeline(order_id, [entry])
            return item

        item = self.store.atomic(work)
        if inline:
            self.store.after_commit(lambda: self.dispatcher.dispatch_inline([item], self.get))
        return self.get(order_id)
