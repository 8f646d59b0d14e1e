"""Sent-markers: one row per (event, kind, recipient), so an email goes out once.

Before sending, a worker claims the email's row (``sending``, with a lease); after the
server accepts it, the row becomes ``sent`` in the same transaction that adds
``email_sent`` to the order's timeline. A retry, or a second worker, finds the row and
skips a sent email, or waits while another worker holds the claim. Only a crash between the
server accepting an email and the marker being written can send it again, after the lease
ends; it then carries the same ``Message-ID``, so mail systems can recognise the duplicate.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import attrs
import sqlalchemy as sa

from kasify_orders.errors import ConstraintViolation
from kasify_orders.model import TimelineEvent, utcnow
from kasify_orders.storage.store import SqlStore, Transaction

__all__ = ["EmailInFlight", "Ledger", "SentEmail", "State"]


class State(enum.StrEnum):
    """Where one email stands."""

    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class EmailInFlight(Exception):
    """Another worker is sending this email right now; try again after its lease."""


@attrs.frozen
class SentEmail:
    """One marker row, as read back (for the merchant's pages and for tests)."""

    event_id: str
    kind: str
    recipient: str
    order_id: str
    message_id: str
    state: State
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@attrs.frozen
class Claim:
    """This worker's right to send one email now."""

    token: str
    #: Which attempt this is (1 for the first).
    attempt: int
    #: The ``Message-ID`` chosen at the first attempt: every attempt sends the same one.
    message_id: str


class Ledger:
    """Reads and writes the ``<prefix>sent_emails`` table."""

    def __init__(
        self, store: SqlStore, *, lease_seconds: float, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.store = store
        self.table = store.tables.sent_emails
        self.lease = timedelta(seconds=lease_seconds)
        #: The time of the ``Orders``: a claim's lease is measured by it.
        self.clock = clock

    def _key(self, event_id: str, kind: str, recipient: str) -> sa.ColumnElement[bool]:
        t = self.table
        return sa.and_(t.c.event_id == event_id, t.c.kind == kind, t.c.recipient == recipient)

    def claim(
        self, event_id: str, kind: str, recipient: str, *, order_id: str, message_id: str
    ) -> Claim | None:
        """Claim the email for sending; None when it was already sent.

        :raises EmailInFlight: another worker holds an unexpired claim on it.
        """
        now = self.clock()
        token = uuid.uuid4().hex
        values: dict[str, Any] = {
            "event_id": event_id,
            "kind": kind,
            "recipient": recipient,
            "order_id": order_id,
            "message_id": message_id,
            "state": State.SENDING.value,
            "claim_token": token,
            "claimed_until": now + self.lease,
            "attempts": 1,
            "last_error": None,
            "created_at": now,
            "sent_at": None,
        }
        try:
            self.store.atomic(lambda tx: tx.conn.execute(sa.insert(self.table).values(values)))
        except ConstraintViolation:
            pass  # claimed before: see what became of it
        else:
            return Claim(token, 1, message_id)

        def take_over(tx: Transaction) -> Claim | None:
            key = self._key(event_id, kind, recipient)
            row = tx.conn.execute(sa.select(self.table).where(key).with_for_update()).one()
            if row.state == State.SENT:
                return None
            if row.state == State.SENDING and row.claimed_until is not None and row.claimed_until > now:
                raise EmailInFlight(f"{kind} to {recipient} is being sent by another worker")
            attempt = row.attempts + 1
            tx.conn.execute(
                sa.update(self.table)
                .where(key)
                .values(
                    state=State.SENDING.value,
                    claim_token=token,
                    claimed_until=now + self.lease,
                    attempts=attempt,
                )
            )
            return Claim(token, attempt, row.message_id)

        return self.store.atomic(take_over)

    def sent(self, event_id: str, kind: str, recipient: str, *, entry: TimelineEvent, order_id: str) -> None:
        """Mark the email sent and put *entry* on the order's timeline, in one transaction."""

        def work(tx: Transaction) -> None:
            result = tx.conn.execute(
                sa.update(self.table)
                .where(self._key(event_id, kind, recipient), self.table.c.state != State.SENT.value)
                .values(
                    state=State.SENT.value,
                    sent_at=entry.at,
                    claim_token=None,
                    claimed_until=None,
                    last_error=None,
                )
            )
            if result.rowcount == 1:  # a worker that lost its lease may have marked it already
                tx.append_timeline(order_id, [entry])

        self.store.atomic(work)

    def failed(
        self, event_id: str, kind: str, recipient: str, *, claim: Claim, entry: TimelineEvent, order_id: str
    ) -> None:
        """Release the claim, keep the reason, and put *entry* on the order's timeline."""

        def work(tx: Transaction) -> None:
            result = tx.conn.execute(
                sa.update(self.table)
                .where(self._key(event_id, kind, recipient), self.table.c.claim_token == claim.token)
                .values(
                    state=State.FAILED.value,
                    claim_token=None,
                    claimed_until=None,
                    last_error=entry.data.get("error", "")[:4000],
                )
            )
            if result.rowcount == 1:
                tx.append_timeline(order_id, [entry])

        self.store.atomic(work)

    def for_order(self, order_id: str) -> list[SentEmail]:
        """Every email recorded for the order, oldest first."""
        t = self.table
        query = sa.select(t).where(t.c.order_id == order_id).order_by(t.c.created_at, t.c.kind, t.c.recipient)
        with self.store.engine.connect() as conn:
            return [
                SentEmail(
                    event_id=row.event_id,
                    kind=row.kind,
                    recipient=row.recipient,
                    order_id=row.order_id,
                    message_id=row.message_id,
                    state=State(row.state),
                    attempts=row.attempts,
                    last_error=row.last_error,
                    created_at=row.created_at,
                    sent_at=row.sent_at,
                )
                for row in conn.execute(query)
            ]
