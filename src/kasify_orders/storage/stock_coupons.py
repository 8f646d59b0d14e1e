"""A write transaction's coupon and outbox statements (its stock ones: ``storage/stock.py``).

Mixed into :class:`~kasify_orders.storage.transaction.SqlTransaction`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kasify_orders.errors import CouponNotApplicable
from kasify_orders.model import Coupon
from kasify_orders.storage.records import OutboxItem
from kasify_orders.storage.rows import coupon_from_row, outbox_item_from_row
from kasify_orders.storage.statements import Statements
from kasify_orders.storage.tables import Tables

__all__ = ["StockCouponsOutbox"]


class StockCouponsOutbox:
    """Coupons locked and redeemed, outbox events queued, revived and ended: in one transaction."""

    conn: Connection
    t: Tables
    sql: Statements

    # -- coupons ----------------------------------------------------------------------------

    def lock_coupon(self, code: str) -> Coupon | None:
        """The coupon, locked so its usage count cannot race."""
        c = self.t.coupons
        row = self.conn.execute(sa.select(c).where(c.c.code == code).with_for_update()).first()
        return coupon_from_row(row) if row else None

    def coupon_used_by(self, code: str, email: str) -> bool:
        """Whether this customer (by email, case-insensitive) already used the coupon."""
        r = self.t.redemptions
        query = sa.select(r.c.id).where(
            r.c.coupon_code == code, sa.func.lower(r.c.customer_email) == email.lower()
        )
        return self.conn.execute(query.limit(1)).first() is not None

    def redeem_coupon(self, coupon: Coupon, email: str, order_id: str, at: datetime) -> None:
        """Count one use of the coupon (refusing past its usage limit)."""
        c = self.t.coupons
        statement = sa.update(c).where(c.c.code == coupon.code).values(times_used=c.c.times_used + 1)
        if coupon.usage_limit is not None:
            statement = statement.where(c.c.times_used < coupon.usage_limit)
        if self.conn.execute(statement).rowcount != 1:
            raise CouponNotApplicable(coupon.code, f"it has been used the maximum {coupon.usage_limit} times")
        self.conn.execute(
            sa.insert(self.t.redemptions).values(
                coupon_code=coupon.code, customer_email=email, order_id=order_id, at=at
            )
        )

    # -- outbox -----------------------------------------------------------------------------

    def enqueue(
        self,
        items: Sequence[OutboxItem],
        *,
        now: datetime,
        token: str | None,
        lease_until: datetime | None,
    ) -> None:
        """Queue events; with a *token* they start claimed by the caller, who delivers them after commit."""
        if not items:
            return
        self.conn.execute(
            self.sql.insert_outbox,
            [
                {
                    "id": item.id,
                    "order_id": item.order_id,
                    "hook": item.hook,
                    "arguments": dict(item.arguments),
                    "created_at": now,
                    "due_at": now,
                    "attempts": 0,
                    "claim_token": token,
                    "claimed_until": lease_until,
                    "done": [],
                    "last_error": None,
                    "dead": False,
                }
                for item in items
            ],
        )

    def revive(
        self,
        item_id: str,
        *,
        order_id: str,
        now: datetime,
        token: str | None,
        lease_until: datetime | None,
    ) -> OutboxItem | None:
        """Make the order's event *item_id* due now with fresh attempts (dead or backing off).

        With a *token* it is claimed by the caller until *lease_until*, to dispatch at once after
        the commit. None when the event is not waiting (done already, another order's, or held
        by a worker right now).
        """
        t = self.t.outbox
        free = sa.or_(t.c.claimed_until.is_(None), t.c.claimed_until < now)
        revived = self.conn.execute(
            sa.update(t)
            .where(t.c.id == item_id, t.c.order_id == order_id, free)
            .values(dead=False, attempts=0, due_at=now, claim_token=token, claimed_until=lease_until)
        )
        if revived.rowcount != 1:
            return None
        row = self.conn.execute(sa.select(t).where(t.c.id == item_id)).one()
        return outbox_item_from_row(row)

    def complete_outbox(self, item_ids: Sequence[str], token: str) -> int:
        """Remove handled events still held by *token* (one statement); returns how many."""
        if not item_ids:
            return 0
        t = self.t.outbox
        statement = sa.delete(t).where(t.c.id.in_(list(item_ids)), t.c.claim_token == token)
        return int(self.conn.execute(statement).rowcount)

    def commit_without_waiting(self) -> None:
        """PostgreSQL: ``synchronous_commit = off`` for this transaction only, on kasify's own engine.

        SQLite commits so already (WAL with ``synchronous=NORMAL``, :mod:`.engine`); MySQL and
        MariaDB only have the setting server-wide; a host's transaction (Django's) is the host's.
        """
        conn = self.conn
        if conn.dialect.name == "postgresql" and conn.get_execution_options().get("kasify_own_transaction"):
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")

    def fail_outbox(
        self,
        item: OutboxItem,
        *,
        token: str,
        done: Iterable[str],
        error: str,
        due_at: datetime,
        dead: bool,
    ) -> bool:
        """Record a failed attempt at *item*; False when *token* no longer holds it."""
        t = self.t.outbox
        values = {
            "attempts": item.attempts + 1,
            "done": sorted(done),
            "last_error": error[:4000],
            "due_at": due_at,
            "dead": dead,
            "claim_token": None,
            "claimed_until": None,
        }
        statement = sa.update(t).where(t.c.id == item.id, t.c.claim_token == token).values(values)
        return bool(self.conn.execute(statement).rowcount)
