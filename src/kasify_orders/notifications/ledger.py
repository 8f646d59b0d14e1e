"""Sent-markers: one row per (event, kind, recipient), so an email goes out once.

Before sending, a worker claims the email's row (``sending``, with a lease); after the
server accepts it, the row becomes ``sent`` in the same transaction that adds
``email_sent`` to the order's timeline. The emails of an outbox batch (one action's events
inline, a worker's claim) are claimed together in one transaction and, once each of them was
tried, recorded in the batch's own transaction, the one that ends their events in the outbox
(:meth:`record_within`). A retry, or a second worker, finds the row and skips a sent email,
or waits while another worker holds the claim. Only a crash between the server accepting an
email and the batch's record being written (while its other emails are sent) can send it
again, after the lease ends; it then carries the same ``Message-ID``, so mail systems can
recognise the duplicate.

On PostgreSQL the claims, and the outbox's record of their batch (which marks them sent),
commit without waiting for the disk (``synchronous_commit = off`` for those transactions
only, as SQLite's ``synchronous=NORMAL`` does every commit; the plugin allows it for the
batch with :meth:`~kasify_orders.dispatch.DispatchBatch.may_lose_on_crash`): for speed, as a
commit that waits for the disk is most of an inline email's time on a loaded PostgreSQL. A
worker's crash loses nothing; a crash of the database server right after may lose the last
commits, in log order, so a batch's marks go with its outbox record, never one without the
other: the events are delivered again once their claims end, the emails with the same
``Message-ID``. An inline new event's emails are claimed by its outbox lease alone
(:mod:`.unclaimed`). The action's own commit waits for the disk, and so does a resend.

The table is the email plugin's own (:data:`~kasify_orders.notifications.tables.EMAIL_TABLES`,
its own Alembic chain), reached through the plugin-tables handle
(:class:`~kasify_orders.storage.plugin_tables.PluginData`), never the core's connection.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import attrs
import sqlalchemy as sa

from kasify_orders.errors import ConstraintViolation, EmailInFlight
from kasify_orders.model import TimelineEvent, utcnow
from kasify_orders.notifications.tables import EMAIL_TABLES
from kasify_orders.storage.engine import EngineConnections
from kasify_orders.storage.plugin_tables import PluginTransaction as Transaction
from kasify_orders.storage.port import Store
from kasify_orders.storage.port import Transaction as CoreTransaction
from kasify_orders.storage.store import sql_store

T = TypeVar("T")

__all__ = ["Claim", "EmailInFlight", "Ledger", "Outcome", "SentEmail", "State", "Wanted"]


#: The databases whose ``UPDATE`` says which rows it changed (``RETURNING``).
_RETURNING = frozenset({"postgresql", "sqlite"})


class State(enum.StrEnum):
    """Where one email stands."""

    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class _ClaimLost(Exception):
    """A claim this worker took is no longer its own (recording starts over, row by row)."""


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


@attrs.frozen
class Wanted:
    """One email to claim."""

    event_id: str
    kind: str
    recipient: str
    order_id: str
    message_id: str


@attrs.frozen
class Outcome:
    """What became of one claimed email, to record."""

    event_id: str
    kind: str
    recipient: str
    order_id: str
    claim: Claim
    #: ``email_sent`` or ``email_failed``, for the order's timeline.
    entry: TimelineEvent
    sent: bool


class Ledger:
    """Reads and writes the ``<prefix>sent_emails`` table."""

    def __init__(self, store: Store, *, lease_seconds: float, clock: Callable[[], datetime] = utcnow) -> None:
        self.store = sql_store(store)
        #: The plugin's handle on its table (units of work of the store's).
        self.data = EMAIL_TABLES.bind(store)
        self.table = self.data.tables["sent"]
        self.lease = timedelta(seconds=lease_seconds)
        #: The time of the ``Orders``: a claim's lease is measured by it.
        self.clock = clock

    @property
    def any_thread(self) -> bool:
        """Whether any thread may use the ledger: a store with its own connection pool.

        A host's store (Django's) is bound to each thread's connection of the host.
        """
        return isinstance(self.store.connections, EngineConnections)

    def _atomic(self, work: Callable[[Transaction], T], *, durable: bool) -> T:
        """*work* in one transaction; unless *durable*, committed without waiting for the disk.

        Only on PostgreSQL, and only when the store runs its own transactions on its own engine
        (a host's store, Django's, joins the host's transaction, whose commit is the host's).
        """
        if durable or self.store.dialect != "postgresql" or not self.any_thread:
            return self.data.atomic(work)

        def relaxed(tx: Transaction) -> T:
            tx.execute(sa.text("SET LOCAL synchronous_commit = off"))  # this transaction only
            return work(tx)

        return self.data.atomic(relaxed)

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
            self.data.atomic(lambda tx: tx.execute(sa.insert(self.table).values(values)))
        except ConstraintViolation:
            pass  # claimed before: see what became of it
        else:
            return Claim(token, 1, message_id)

        def take_over(tx: Transaction) -> Claim | None:
            key = self._key(event_id, kind, recipient)
            row = tx.execute(sa.select(self.table).where(key).with_for_update()).one()
            if row.state == State.SENT:
                return None
            if row.state == State.SENDING and row.claimed_until is not None and row.claimed_until > now:
                raise EmailInFlight(f"{kind} to {recipient} is being sent by another worker")
            attempt = row.attempts + 1
            tx.execute(
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

        return self.data.atomic(take_over)

    def claim_all(
        self, wanted: Sequence[Wanted], *, durable: bool = True
    ) -> list[Claim | EmailInFlight | None]:
        """Claim several emails (one event's), each as :meth:`claim` would.

        *durable* False: the outbox commits after this (see the module's docstring).

        For each: a :class:`Claim`, the :class:`EmailInFlight` saying another worker holds it,
        or None (sent already). One transaction when none of them was claimed before (an
        event's first attempt); otherwise each is claimed on its own.
        """
        if not wanted:
            return []
        now = self.clock()
        claims = [Claim(uuid.uuid4().hex, 1, email.message_id) for email in wanted]
        rows = [
            {
                "event_id": email.event_id,
                "kind": email.kind,
                "recipient": email.recipient,
                "order_id": email.order_id,
                "message_id": email.message_id,
                "state": State.SENDING.value,
                "claim_token": claim.token,
                "claimed_until": now + self.lease,
                "attempts": 1,
                "last_error": None,
                "created_at": now,
                "sent_at": None,
            }
            for email, claim in zip(wanted, claims, strict=True)
        ]
        try:
            self._atomic(lambda tx: tx.execute(sa.insert(self.table), rows), durable=durable)
        except ConstraintViolation:
            pass  # a retry: some were claimed before, so claim each on its own
        else:
            return list(claims)
        results: list[Claim | EmailInFlight | None] = []
        for email in wanted:
            try:
                results.append(
                    self.claim(
                        email.event_id,
                        email.kind,
                        email.recipient,
                        order_id=email.order_id,
                        message_id=email.message_id,
                    )
                )
            except EmailInFlight as error:
                results.append(error)
        return results

    def record(self, outcomes: Sequence[Outcome], *, durable: bool = True) -> None:
        """Mark each email sent or failed and put its entry on its order's timeline, in one transaction.

        A sent email is marked even by a worker that lost its lease (it did go out); a failed
        one only by its claim's holder, whose claim is released. When this worker still holds
        every sent email's claim (nearly always), one ``UPDATE`` marks them all. *durable*
        False: the outbox commits after this (see the module's docstring).
        """
        if not outcomes:
            return
        try:
            self._atomic(lambda tx: self._record(tx, outcomes, together=True), durable=durable)
        except _ClaimLost:  # another worker took one over: mark each on its own
            self._atomic(lambda tx: self._record(tx, outcomes, together=False), durable=durable)

    def record_within(self, core: CoreTransaction, outcomes: Sequence[Outcome]) -> None:
        """:meth:`record` inside *core*, the outbox batch's transaction that ends the emails' events.

        Nothing is undone inside a transaction that is not the ledger's own: where the database
        says which rows an ``UPDATE`` changed (``RETURNING``), one ``UPDATE`` marks every sent
        email whose claim is still held and the others are marked one by one; elsewhere the
        claims still held are locked first, so the one ``UPDATE`` never meets a claim another
        worker took over meanwhile.
        """
        if not outcomes:
            return
        tx = self.data.within(core)
        sent = [outcome for outcome in outcomes if outcome.sent]
        if not sent:
            self._record(tx, outcomes, together=False)
            return
        t = self.table
        if self.store.dialect in _RETURNING:
            returning = self._mark_sent(sent).returning(t.c.event_id, t.c.kind, t.c.recipient)
            marked = {(row.event_id, row.kind, row.recipient) for row in tx.execute(returning)}
            self._record(tx, outcomes, together=True, marked=marked)
            return
        tokens = [outcome.claim.token for outcome in sent]
        held = sa.select(t.c.claim_token).where(t.c.claim_token.in_(tokens), t.c.state != State.SENT.value)
        together = len(set(tx.scalars(held.with_for_update()))) == len(set(tokens))
        self._record(tx, outcomes, together=together)

    def _mark_sent(self, sent: Sequence[Outcome]) -> sa.Update:
        """One ``UPDATE`` marking every *sent* email this worker still holds the claim of."""
        t = self.table
        at_type = t.c.sent_at.type
        by_token = {o.claim.token: sa.bindparam(None, o.entry.at, type_=at_type) for o in sent}
        return (
            sa.update(t)
            .where(t.c.claim_token.in_(list(by_token)), t.c.state != State.SENT.value)
            # sent_at first: MySQL's SET sees the values assigned before it (claim_token).
            .ordered_values(
                (t.c.sent_at, sa.case(by_token, value=t.c.claim_token)),
                (t.c.state, State.SENT.value),
                (t.c.claim_token, None),
                (t.c.claimed_until, None),
                (t.c.last_error, None),
            )
        )

    def _record(
        self,
        tx: Transaction,
        outcomes: Sequence[Outcome],
        *,
        together: bool,
        marked: set[tuple[str, str, str]] | None = None,
    ) -> None:
        """Mark *outcomes* (*together*: with one ``UPDATE``; *marked*: the keys it marked already)."""
        t = self.table
        entries: dict[str, list[TimelineEvent]] = {}
        sent = [outcome for outcome in outcomes if outcome.sent]
        if together and sent and marked is None:
            if tx.execute(self._mark_sent(sent)).rowcount != len({o.claim.token for o in sent}):
                raise _ClaimLost
            marked = {(o.event_id, o.kind, o.recipient) for o in sent}
        for outcome in outcomes:  # the timeline entries in the emails' order
            if outcome.sent and (outcome.event_id, outcome.kind, outcome.recipient) in (marked or ()):
                entries.setdefault(outcome.order_id, []).append(outcome.entry)
                continue
            key = self._key(outcome.event_id, outcome.kind, outcome.recipient)
            if outcome.sent:
                statement = (
                    sa.update(t)
                    .where(key, t.c.state != State.SENT.value)
                    .values(
                        state=State.SENT.value,
                        sent_at=outcome.entry.at,
                        claim_token=None,
                        claimed_until=None,
                        last_error=None,
                    )
                )
            else:
                statement = (
                    sa.update(t)
                    .where(key, t.c.claim_token == outcome.claim.token)
                    .values(
                        state=State.FAILED.value,
                        claim_token=None,
                        claimed_until=None,
                        last_error=str(outcome.entry.data.get("error", ""))[:4000],
                    )
                )
            if tx.execute(statement).rowcount == 1:
                entries.setdefault(outcome.order_id, []).append(outcome.entry)
        for order_id, added in entries.items():
            tx.core.append_timeline(order_id, added)

    def for_order(self, order_id: str) -> list[SentEmail]:
        """Every email recorded for the order, oldest first."""
        t = self.table
        query = sa.select(t).where(t.c.order_id == order_id).order_by(t.c.created_at, t.c.kind, t.c.recipient)

        def read(tx: Transaction) -> list[SentEmail]:
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
                for row in tx.execute(query)
            ]

        return self.data.read(read)
