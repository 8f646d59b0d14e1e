"""The outbox worker's side of :class:`~kasify_orders.Orders`: dispatch what is due, revive the dead."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import datetime, timedelta

from kasify_orders.dispatch import Dispatcher
from kasify_orders.model import Order
from kasify_orders.service.refunds import REFUND_RETRY_AFTER, Refunds
from kasify_orders.storage.port import Store

__all__ = ["OutboxRuns"]


class OutboxRuns:
    """The methods an outbox worker calls (``deliver_pending``, the CLI, Celery); mixed into ``Orders``."""

    store: Store
    clock: Callable[[], datetime]
    dispatcher: Dispatcher
    _refunds: Refunds

    def get(self, order_id: str) -> Order:
        """The order with this id (see :meth:`Orders.get <kasify_orders.Orders.get>`)."""
        return self.store.get_order(order_id)

    def settle_pending_refunds(self, *, older_than: timedelta = REFUND_RETRY_AFTER, limit: int = 100) -> int:
        """Finish refunds left pending by asking the provider again, with the same key.

        Returns how many settled or failed.

        A refund stays pending when the process died (or the database failed) between asking
        the provider and recording its answer, or when the provider said its answer comes
        later (:class:`~kasify_orders.RefundPending`). :meth:`deliver_pending` calls this, so
        an outbox worker finishes them; call it yourself if you deliver the outbox inline
        only. *older_than* leaves alone refunds asked for so recently that their first call
        may still be running (asking again would be safe, only needless).
        """
        return self._refunds.settle_pending(older_than=older_than, limit=limit)

    def deliver_pending(self, *, retry_now: bool = False, limit: int = 100) -> int:
        """Deliver due outbox events now; returns how many were delivered.

        Refunds left pending at the payment provider are finished first
        (:meth:`settle_pending_refunds`), so the worker that delivers the outbox settles them too.

        :param retry_now: Also deliver events waiting out their retry backoff (and settle pending
            refunds however recently they were asked for).
        :param limit: Claim at most this many events per round trip.
        """
        self.settle_pending_refunds(older_than=timedelta(0) if retry_now else REFUND_RETRY_AFTER)
        return self.dispatcher.dispatch_due(self.get, retry_now=retry_now, limit=limit)

    def retry_dead(self) -> int:
        """Make events that exhausted their attempts due again; returns how many."""
        return self.store.revive_dead(self.clock())

    @property
    def delivery(self) -> Dispatcher:
        """Deprecated name of :attr:`dispatcher`."""
        warnings.warn(
            "Orders.delivery is deprecated: use Orders.dispatcher", DeprecationWarning, stacklevel=2
        )
        return self.dispatcher
