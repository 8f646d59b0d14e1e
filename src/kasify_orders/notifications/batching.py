"""A worker's batch of events: every email claimed in one transaction, then sent side by side.

``kasify_dispatch_batch`` hands the email plugin a worker's batch before its event hooks run.
:func:`prepare` claims every email of the batch in one transaction and renders them in turn,
each queued as soon as it is rendered for one of a few sending lanes (pool threads, each
sending over a pooled SMTP connection), so the next one renders while the first is on the
wire and the mail server always has work. Each event's hook then only waits for its own
emails (:func:`finish`), and their sent-markers are written with the outbox's record of the
batch (:meth:`~kasify_orders.dispatch.DispatchBatch.on_commit`).

A worker killed mid-batch leaves every email of the batch claimed: once the claims' lease is
over, the next worker sends again those the server had accepted, with the same ``Message-ID``.
Inline delivery (one action's events, within a budget) keeps to the event hooks' own path.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from concurrent.futures import Future, wait
from email.utils import parseaddr
from typing import TYPE_CHECKING

import attrs

from kasify_orders.dispatch import DispatchBatch
from kasify_orders.errors import EmailDeliveryFailed, EmailInFlight
from kasify_orders.notifications.ledger import Wanted
from kasify_orders.notifications.render import Email, message_id
from kasify_orders.notifications.sending import Sending, describe

if TYPE_CHECKING:
    from kasify_orders.notifications.plugin import Notifier

__all__ = ["LANES", "Prepared", "finish", "prepare"]

#: Emails of a batch on the wire at once (each lane keeps one pooled SMTP connection busy).
LANES = 4

#: A lane's work: send one email (the outcome is kept by its Sending), then resolve its future.
_Work = tuple[Callable[[], None], "Future[None]"] | None


@attrs.define
class Prepared:
    """One event's emails of a prepared batch: claimed, and queued for sending."""

    sending: Sending
    futures: list[Future[None]]


def prepare(notifier: Notifier, batch: DispatchBatch, key: str) -> None:
    """Claim and start sending every email of *batch*'s events; kept in ``batch.state[key]``.

    Only for two events or more (one event's hook sends its emails side by side already).
    """
    events: list[tuple[str, list[Email]]] = []
    for event in batch.events:
        if key in event.done:
            continue
        emails = notifier.event_emails(event.hook, event.arguments)
        wanted = [] if emails is None else notifier.wanted(emails)
        if wanted:
            events.append((event.event_id, wanted))
    if len(events) < 2:
        return
    sender = notifier.settings.from_email
    rows = [
        Wanted(
            event_id,
            email.kind,
            recipient,
            email.order.id,
            message_id(event_id, email.kind, recipient, sender),
        )
        for event_id, emails in events
        for email in emails
        for recipient in [parseaddr(email.to)[1].lower()]
    ]
    claims = iter(notifier.ledger.claim_all(rows, durable=False))
    prepared: dict[str, Prepared] = batch.state.setdefault(key, {})
    work: queue.SimpleQueue[_Work] = queue.SimpleQueue()
    lanes = min(LANES, len(rows))
    for _ in range(lanes):
        notifier._start(lambda: _lane(work))
    try:
        for event_id, emails in events:
            sending = Sending(notifier, event_id, None, False)
            futures: list[Future[None]] = []
            prepared[event_id] = Prepared(sending, futures)
            for email in emails:
                claim = next(claims)
                recipient = parseaddr(email.to)[1].lower()
                if isinstance(claim, EmailInFlight):
                    sending.early_errors.append(f"{email.kind} to {email.to}: {describe(claim)}")
                    continue
                if claim is None:
                    continue  # sent already
                send = sending.prepare(email, recipient, claim)
                if send is not None:
                    future: Future[None] = Future()
                    futures.append(future)
                    work.put((send, future))
    finally:
        for _ in range(lanes):
            work.put(None)


def _lane(work: queue.SimpleQueue[_Work]) -> None:
    """Send queued emails one after another until told to stop."""
    while (got := work.get()) is not None:
        send, future = got
        try:
            send()  # records its own outcome, never raises for a refused email
        except BaseException as error:
            future.set_exception(error)
            raise
        future.set_result(None)


def finish(batch: DispatchBatch, prepared: Prepared) -> list[str]:
    """Wait for one event's prepared emails; their markers go with the batch's record.

    :raises EmailDeliveryFailed: some failed (the outbox retries the event, sending only those).
    """
    wait(prepared.futures)
    sending = prepared.sending
    outcomes = sending.outcomes
    ledger = sending.notifier.ledger
    batch.on_commit(lambda tx: ledger.record_within(tx, outcomes))
    if sending.errors:
        raise EmailDeliveryFailed("; ".join(sending.errors))
    return sending.sent
