"""The storage port: what the service, the outbox runner, the CLI and hosts need from a store.

``Orders``, :mod:`kasify_orders.delivery`, the ``kasify_storage`` hook, the CLI and the Django
management commands depend on these protocols, not on
:class:`~kasify_orders.storage.store.SqlStore`: a new store implements :class:`Store` (its
units of work hand out a :class:`Transaction`) and proves it by running the conformance suite
(``tests/conformance``, see its module docstring). No database library is imported here.

A :class:`Transaction` is one unit of work: everything it reads and writes commits together
or not at all. Writes lock what they change (``order(..., lock=True)``, ``take_stock``,
``lock_coupon``, every stock change) so concurrent units of work serialise instead of losing updates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol, TypeVar

from kasify_orders.lifecycle import Status
from kasify_orders.model import Coupon, Order, OrderSummary, TimelineEvent
from kasify_orders.return_model import ReturnSummary
from kasify_orders.stock import StockCause, StockItem, StockMove
from kasify_orders.storage.port_outbox import OutboxOps, OutboxStore
from kasify_orders.storage.port_settings import SettingsOps, SettingsStore
from kasify_orders.storage.records import Keyset, OrderFilter, OrderSort

__all__ = [
    "CouponOps",
    "CouponStore",
    "InventoryStore",
    "OrderOps",
    "OrderReads",
    "OutboxOps",
    "OutboxStore",
    "RefundStore",
    "SearchIndex",
    "SettingsOps",
    "SettingsStore",
    "StatusCounts",
    "StockOps",
    "Store",
    "Transaction",
    "UnitOfWork",
]

T = TypeVar("T")


# -- inside one unit of work ----------------------------------------------------------------


class OrderOps(Protocol):
    """Orders, their refunds and timelines, read and written inside one transaction."""

    def order(self, order_id: str, *, lock: bool = False) -> Order:
        """The order (locked until the transaction ends when *lock*); raises ``OrderNotFound``."""
        ...

    def require_order(self, order_id: str) -> None:
        """Raise ``OrderNotFound`` unless the order exists (without reading it)."""
        ...

    def order_by_number(self, number: int) -> Order:
        """The order with this human number; raises ``OrderNotFound``."""
        ...

    def orders_by_id(self, order_ids: Sequence[str]) -> dict[str, Order]:
        """The orders with these ids, by id (ids of no order are left out): the outbox's batch load."""
        ...

    def order_by_idempotency_key(self, key: str) -> Order | None:
        """The order placed with this idempotency key, if any."""
        ...

    def list_orders(
        self,
        where: OrderFilter,
        *,
        limit: int,
        after: int | Keyset | None,
        sort: OrderSort = OrderSort.DATE_DESC,
    ) -> list[OrderSummary]:
        """Up to *limit* orders in *sort*'s order, after the key *after* (a keyset page)."""
        ...

    def count_orders(
        self,
        where: OrderFilter,
        *,
        at_most: int | None = None,
        after: Keyset | None = None,
        sort: OrderSort = OrderSort.DATE_DESC,
    ) -> int:
        """How many orders match *where* (with *at_most*: counting no further than *at_most* + 1).

        *after*: only those after this key in *sort*'s order (the rest of a list from a page on).
        """
        ...

    def insert_order(self, order: Order, idempotency_key: str | None) -> Order:
        """Insert a new order; returns it with its number. Raises ``DuplicateIdempotencyKey``."""
        ...

    def update_order(self, before: Order, after: Order) -> None:
        """Write *after* over *before* (only if still at *before*'s version: else ``ConcurrentUpdate``)."""
        ...

    def refund_id_by_key(self, order_id: str, idempotency_key: str) -> str | None:
        """The id of the order's refund asked for with this key, if any."""
        ...

    def has_refund(self, order_id: str, idempotency_key: str) -> bool:
        """Whether a refund with this key was already recorded on the order."""
        ...

    def plan_cancel(self, refund_id: str, plan: Mapping[str, Any]) -> None:
        """Remember to cancel the refund's order once the refund settles."""
        ...

    def planned_cancel(self, refund_id: str) -> Mapping[str, Any] | None:
        """What :meth:`plan_cancel` saved for this refund, or None."""
        ...

    def append_timeline(self, order_id: str, entries: Iterable[TimelineEvent]) -> None:
        """Add entries to an order's timeline."""
        ...


class StockOps(Protocol):
    """Tracked stock, taken and given back inside one transaction."""

    def take_stock(self, wanted: Mapping[str, int], cause: StockCause) -> None:
        """Decrement every tracked SKU, or raise ``OutOfStock`` with its ``name`` (and take nothing).

        Each SKU taken gets a history row (*cause*, its delta and the count after).
        """
        ...

    def return_stock(self, returned: Mapping[str, int], cause: StockCause) -> None:
        """Put units back for SKUs that are (still) tracked, each with a history row."""
        ...

    def lock_stock(self, skus: Iterable[str]) -> None:
        """Lock the tracked SKUs among *skus* in SKU order (an edit taking some, returning others)."""
        ...

    def set_stock(
        self,
        sku: str,
        quantity: int,
        cause: StockCause,
        *,
        name: str | None = None,
        low_stock_at: int | None = None,
    ) -> StockMove:
        """Make the count *quantity*, computed on the locked row (tracking the SKU if it was not).

        A *cause* of kind ``tracked`` refuses a tracked SKU (``ValidationError`` on ``sku``).
        *name* / *low_stock_at* replace the SKU's when given.
        """
        ...

    def adjust_stock(self, sku: str, delta: int, cause: StockCause) -> StockMove:
        """Add *delta* units (or remove them) on the locked row.

        ``ValidationError`` on ``delta`` when fewer than zero would be left, on ``sku`` when untracked.
        """
        ...

    def untrack(self, sku: str, cause: StockCause) -> StockMove | None:
        """Stop tracking (the history stays, with a last ``untracked`` row); None when untracked."""
        ...

    def describe_stock(self, sku: str, *, name: str | None, low_stock_at: int) -> bool:
        """Change a tracked SKU's name and low-stock threshold; False when it is not tracked."""
        ...


class CouponOps(Protocol):
    """Coupons locked and redeemed inside one transaction."""

    def lock_coupon(self, code: str) -> Coupon | None:
        """The coupon, locked so its usage count cannot race; None when there is none."""
        ...

    def coupon_used_by(self, code: str, email: str) -> bool:
        """Whether this customer (by email, case-insensitive) already used the coupon."""
        ...

    def redeem_coupon(self, coupon: Coupon, email: str, order_id: str, at: datetime) -> None:
        """Count one use (``CouponNotApplicable`` past its usage limit)."""
        ...


class Transaction(OrderOps, StockOps, CouponOps, OutboxOps, SettingsOps, Protocol):
    """One unit of work: every read and write the service makes inside :meth:`UnitOfWork.atomic`."""


# -- the store ------------------------------------------------------------------------------


class UnitOfWork(Protocol):
    """Running work in one transaction."""

    def atomic(self, work: Callable[[Transaction], T]) -> T:
        """Run *work* in one write transaction (retried on a deadlock); raises ``StorageError``."""
        ...

    def read(self, work: Callable[[Transaction], T], *, snapshot: bool = False) -> T:
        """Run *work* without locks; with *snapshot* all its statements read the same snapshot."""
        ...

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Run *callback* once the last :meth:`atomic`'s changes are committed (never on rollback)."""
        ...

    def reads_together(self) -> AbstractContextManager[None]:
        """Inside the block, every :meth:`read` (but a *snapshot* one) runs on one connection.

        A page that makes several reads (the list, its header, its count) pays for one
        connection and one transaction instead of one each. Only for blocks that write nothing.
        """
        ...


class OrderReads(Protocol):
    """Orders read outside any unit of work the caller holds."""

    def get_order(self, order_id: str) -> Order:
        """The order with this id; raises ``OrderNotFound``."""
        ...

    def get_order_by_number(self, number: int) -> Order:
        """The order with this human number; raises ``OrderNotFound``."""
        ...

    def order_of_return(self, return_id: str) -> str | None:
        """The id of the order the return *return_id* belongs to, or None."""

    def returns_needing_merchant(self, *, limit: int) -> tuple[list[ReturnSummary], int]:
        """The newest *limit* returns open or received (newest first), and how many there are."""
        ...

    def list_orders(
        self,
        where: OrderFilter,
        *,
        limit: int,
        after: int | Keyset | None,
        sort: OrderSort = OrderSort.DATE_DESC,
    ) -> list[OrderSummary]:
        """Up to *limit* orders in *sort*'s order (newest first), after the key *after* (keyset paging)."""
        ...

    def iter_orders(self, where: OrderFilter, *, batch_size: int = 500) -> Iterator[Order]:
        """Every matching order, oldest first, in batches (constant memory)."""
        ...

    def iter_summaries(self, where: OrderFilter, *, batch_size: int = 2000) -> Iterator[OrderSummary]:
        """Like :meth:`iter_orders`, summaries only."""
        ...

    def count_orders(
        self,
        where: OrderFilter,
        *,
        at_most: int | None = None,
        after: Keyset | None = None,
        sort: OrderSort = OrderSort.DATE_DESC,
    ) -> int:
        """How many orders match *where* (with *at_most*: counting no further than *at_most* + 1).

        *after*: only those after this key in *sort*'s order (the rest of a list from a page on).
        """
        ...

    def count_by_status(self) -> dict[Status, int]:
        """How many orders are in each status (every status, zeros included)."""
        ...

    def count_tabs(self, paid_before: datetime) -> tuple[dict[Status, int], int]:
        """:meth:`count_by_status`, and how many Processing orders were paid before *paid_before*.

        Read together (the list page's tabs and its "Needs attention" count), in one statement.
        """
        ...


class InventoryStore(Protocol):
    """Tracked SKUs, their stock and its history (changed inside a transaction: ``StockOps``)."""

    def stock(self, sku: str) -> int | None:
        """Units in stock; None when the SKU is not tracked."""
        ...

    def stock_item(self, sku: str) -> StockItem | None:
        """The tracked SKU (count, name, low-stock threshold), or None."""
        ...

    def stock_items(self, *, low_only: bool = False) -> list[StockItem]:
        """Every tracked SKU by SKU; only those at or below their threshold when *low_only*."""
        ...

    def stock_history(self, sku: str, *, limit: int) -> list[StockMove]:
        """The SKU's last *limit* changes, newest first, each with its order's number if any."""
        ...


class CouponStore(Protocol):
    """The coupon book."""

    def coupon(self, code: str) -> Coupon | None:
        """The coupon with this code (case-insensitive), or None."""
        ...

    def coupons(self) -> list[Coupon]:
        """Every coupon, by code."""
        ...

    def create_coupon(self, coupon: Coupon) -> None:
        """Store a new coupon; ``ValidationError`` on ``code`` when it exists."""
        ...

    def update_coupon(self, coupon: Coupon, *, code: str | None = None) -> None:
        """Change the coupon *code* (default ``coupon.code``) to *coupon*'s rules and code.

        Its usage count is kept. ``ValidationError`` on ``code`` when there is no such coupon,
        when the new code is another coupon's, or when a used coupon would change its code.
        """
        ...

    def set_coupon_active(self, code: str, active: bool) -> None:
        """Enable or disable a coupon (nothing else changes); ``ValidationError`` when there is none."""
        ...


class RefundStore(Protocol):
    """Refunds the provider has not answered yet."""

    def pending_refunds(self, *, asked_before: datetime, limit: int) -> list[tuple[str, str]]:
        """``(order_id, refund_id)`` of pending refunds asked for before *asked_before*, oldest first."""
        ...


class SearchIndex(Protocol):
    """The words orders are found by."""

    def count_unindexed_orders(self) -> int:
        """How many orders have no search terms."""
        ...

    def rebuild_search_terms(self, *, only_missing: bool = False, batch_size: int = 1000) -> int:
        """Index every order (or only unindexed ones) again; returns how many."""
        ...


class StatusCounts(Protocol):
    """The per-status counts behind the list's tabs, kept with each order change."""

    def rebuild_status_counts(self) -> dict[str, int]:
        """Count every order again and store the counts (safe while the shop runs); returns them."""
        ...

    def status_count_drift(self) -> dict[str, tuple[int, int]]:
        """The counts that differ from the orders: ``{name: (stored, counted)}``; empty when exact."""
        ...


class Store(
    UnitOfWork,
    OrderReads,
    InventoryStore,
    CouponStore,
    RefundStore,
    OutboxStore,
    SearchIndex,
    StatusCounts,
    SettingsStore,
    Protocol,
):
    """Everything kasify keeps: what a ``kasify_storage`` plugin returns."""

    def location(self) -> str:
        """Where the data is, for an operator to read (a URL without its password)."""
        ...

    def dispose(self) -> None:
        """Close every pooled connection."""
        ...
