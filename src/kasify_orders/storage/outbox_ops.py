"""A SQL store's outbox leases and search index (mixed into :class:`~kasify_orders.storage.store.SqlStore`).

Each method is one or more units of work of its own (:meth:`SqlStore.atomic`), never part of
a caller's: claiming, completing and failing events are the outbox runner's transactions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa

from kasify_orders.storage.records import OutboxItem
from kasify_orders.storage.rows import outbox_item_from_row
from kasify_orders.storage.search import terms_of
from kasify_orders.storage.statements import Statements
from kasify_orders.storage.tables import Tables
from kasify_orders.storage.transaction import SqlTransaction as Transaction

__all__ = ["OutboxAndSearch"]

T = TypeVar("T")


class OutboxAndSearch:
    """The outbox's claim/complete/fail/revive and the search index's count and rebuild."""

    tables: Tables
    statements: Statements

    if TYPE_CHECKING:

        def atomic(self, work: Callable[[Transaction], T]) -> T:
            """:meth:`SqlStore.atomic`."""
            ...

        def read(self, work: Callable[[Transaction], T], *, snapshot: bool = False) -> T:
            """:meth:`SqlStore.read`."""
            ...

    # -- outbox -------------------------------------------------------------------------

    def claim_due(
        self, *, token: str, now: datetime, lease_until: datetime, limit: int, retry_now: bool
    ) -> list[OutboxItem]:
        """Claim up to *limit* due events for this worker (skipping ones another worker holds)."""
        t = self.tables.outbox

        def work(tx: Transaction) -> list[OutboxItem]:
            free = sa.or_(t.c.claimed_until.is_(None), t.c.claimed_until < now)
            query = sa.select(t).where(~t.c.dead, free)
            if not retry_now:
                query = query.where(t.c.due_at <= now)
            query = query.order_by(t.c.due_at, t.c.created_at).limit(limit)
            rows = tx.conn.execute(query.with_for_update(skip_locked=True)).all()
            if rows:
                tx.conn.execute(
                    sa.update(t)
                    .where(t.c.id.in_([row.id for row in rows]))
                    .values(claim_token=token, claimed_until=lease_until)
                )
            return [outbox_item_from_row(row) for row in rows]

        return self.atomic(work)

    def complete(self, item_id: str, token: str) -> None:
        """Every hook handled the event: remove it (only if this worker still holds it)."""
        self.atomic(lambda tx: tx.complete_outbox([item_id], token))

    def fail(
        self,
        item: OutboxItem,
        *,
        token: str,
        done: Iterable[str],
        error: str,
        due_at: datetime,
        dead: bool,
    ) -> bool:
        """Record a failed attempt; returns False if another worker had taken the event over."""
        return self.atomic(
            lambda tx: tx.fail_outbox(item, token=token, done=done, error=error, due_at=due_at, dead=dead)
        )

    def revive_dead(self, now: datetime) -> int:
        """Make dead events due again; returns how many."""
        t = self.tables.outbox
        statement = sa.update(t).where(t.c.dead).values(dead=False, attempts=0, due_at=now)
        return int(self.atomic(lambda tx: tx.conn.execute(statement).rowcount))

    def outbox_items(self, *, dead: bool | None = None) -> list[OutboxItem]:
        """Events waiting in the outbox (all, or only the dead or the live ones)."""
        t = self.tables.outbox
        query = sa.select(t).order_by(t.c.created_at)
        if dead is not None:
            query = query.where(t.c.dead.is_(dead))
        return [outbox_item_from_row(row) for row in self.read(lambda tx: tx.conn.execute(query).all())]

    # -- the search index -----------------------------------------------------------------

    def _unindexed(self) -> sa.ColumnElement[bool]:
        terms = self.tables.search_terms
        return ~sa.exists().where(terms.c.number == self.tables.orders.c.number)

    def count_unindexed_orders(self) -> int:
        """How many orders have no search terms (placed by a version older than the index).

        One anti-join on the terms' ``(number, term)`` index; no order's data is read.
        """
        query = sa.select(sa.func.count()).select_from(self.tables.orders).where(self._unindexed())
        return int(self.read(lambda tx: tx.conn.scalar(query)) or 0)

    def rebuild_search_terms(self, *, only_missing: bool = False, batch_size: int = 1000) -> int:
        """Write the search terms of every order (or only those with none) again; returns how many.

        A batch of orders per transaction, oldest first, so it runs beside live traffic: an
        order placed meanwhile writes its own terms, and is never in a batch already read.
        """
        o, terms = self.tables.orders, self.tables.search_terms
        query = sa.select(o.c.number, o.c.customer_name, o.c.customer_email).order_by(o.c.number)
        if only_missing:
            query = query.where(self._unindexed())
        query = query.where(o.c.number > sa.bindparam("b_after")).limit(batch_size)

        def reindex(tx: Transaction, after: int) -> tuple[int, int]:
            """Re-index the batch after order *after*: (orders done, the last one's number)."""
            rows = tx.conn.execute(query, {"b_after": after}).all()
            if not rows:
                return 0, after
            numbers = [row.number for row in rows]
            tx.conn.execute(sa.delete(terms).where(terms.c.number.in_(numbers)))
            found = [
                {"term": term, "number": row.number}
                for row in rows
                for term in terms_of(row.customer_name, row.customer_email)
            ]
            if found:
                tx.conn.execute(self.statements.insert_search_terms, found)
            return len(rows), int(numbers[-1])

        total, after = 0, 0
        while True:
            count, after = self.atomic(functools.partial(reindex, after=after))
            if not count:
                return total
            total += count
