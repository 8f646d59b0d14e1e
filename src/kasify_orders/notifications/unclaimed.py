"""Emails claimed by their outbox event's own lease: an action's new event, inline, without a budget.

The action's commit queues the event already claimed by this process (until the outbox lease
ends), so nobody else dispatches it, and with no budget no background thread outlives its
hook: a claim row per email, in a transaction of its own before the first is sent, would
guard against nobody. Its emails get claims written nowhere (:func:`claims`), and their
markers, sent or failed, are written once, with their timeline entries, in the batch's
record that ends the event (:func:`record`). A crash before that record leaves no marker;
the event's next dispatch, once its lease ends, sends the emails again with the same
``Message-ID`` (made of the event, the kind, the recipient and the sender): the crash
window of :mod:`.ledger`, with one transaction fewer per order.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from kasify_orders.model import TimelineEvent
from kasify_orders.notifications.ledger import Claim, Ledger, Outcome, State, Wanted
from kasify_orders.storage.plugin_tables import PluginTransaction as Transaction

__all__ = ["claims", "record"]


def claims(wanted: Sequence[Wanted]) -> list[Claim]:
    """The first attempt's claims of *wanted*, held by their event's lease (nothing is written)."""
    return [Claim(uuid.uuid4().hex, 1, email.message_id) for email in wanted]


def _error(outcome: Outcome) -> str:
    return str(outcome.entry.data.get("error", ""))[:4000]


def record(ledger: Ledger, tx: Transaction, outcomes: Sequence[Outcome]) -> None:
    """Write the markers of :func:`claims`' emails, sent or failed, and their timeline entries.

    One ``INSERT``. An email that has a row already (an event revived after a worker died
    with its claims) is taken over by its key, its attempt counted, as a claim would be.
    """
    if not outcomes:
        return
    t = ledger.table
    events = list({outcome.event_id for outcome in outcomes})
    query = sa.select(t.c.event_id, t.c.kind, t.c.recipient).where(t.c.event_id.in_(events))
    existing = {(row.event_id, row.kind, row.recipient) for row in tx.execute(query.with_for_update())}
    rows = [
        {
            "event_id": o.event_id,
            "kind": o.kind,
            "recipient": o.recipient,
            "order_id": o.order_id,
            "message_id": o.claim.message_id,
            "state": (State.SENT if o.sent else State.FAILED).value,
            "claim_token": None,
            "claimed_until": None,
            "attempts": 1,
            "last_error": None if o.sent else _error(o),
            "created_at": o.entry.at,
            "sent_at": o.entry.at if o.sent else None,
        }
        for o in outcomes
        if (o.event_id, o.kind, o.recipient) not in existing
    ]
    if rows:
        tx.execute(sa.insert(t), rows)
    entries: dict[str, list[TimelineEvent]] = {}
    for o in outcomes:
        key = (o.event_id, o.kind, o.recipient)
        if key in existing:  # claimed by an earlier attempt: this one takes it over
            values: dict[str, Any] = {
                "claim_token": None,
                "claimed_until": None,
                "attempts": t.c.attempts + 1,
            }
            if o.sent:
                values.update(state=State.SENT.value, sent_at=o.entry.at, last_error=None)
            else:
                values.update(state=State.FAILED.value, last_error=_error(o))
            where = sa.and_(t.c.event_id == o.event_id, t.c.kind == o.kind, t.c.recipient == o.recipient)
            if (
                tx.execute(sa.update(t).where(where, t.c.state != State.SENT.value).values(values)).rowcount
                != 1
            ):
                continue
        entries.setdefault(o.order_id, []).append(o.entry)
    for order_id, added in entries.items():
        tx.core.append_timeline(order_id, added)
