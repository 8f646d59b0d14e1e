"""The storage port's outbox: events queued with an order's change, then claimed, ended or revived.

Part of :mod:`kasify_orders.storage.port` (which re-exports both protocols); apart only to keep
each module small.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from kasify_orders.storage.records import OutboxItem

__all__ = ["OutboxOps", "OutboxStore"]


class OutboxOps(Protocol):
    """Events queued with the change they announce; ended together (the outbox runner's batch)."""

    def enqueue(
        self,
        items: Sequence[OutboxItem],
        *,
        now: datetime,
        token: str | None,
        lease_until: datetime | None,
    ) -> None:
        """Queue events; with a *token* they start claimed by the caller until *lease_until*."""
        ...

    def complete_outbox(self, item_ids: Sequence[str], token: str) -> int:
        """Remove handled events (those *token* still holds); returns how many."""
        ...

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
        """Record a failed attempt; False when another worker had taken the event over."""
        ...

    def commit_without_waiting(self) -> None:
        """Let this transaction's commit return before its log is on disk, where that is safe.

        For the outbox's record of a batch whose plugins all accept a crash of the database
        server sending them the batch again (:meth:`DispatchBatch.may_lose_on_crash`). A store
        without such a commit, or one inside a host's transaction, does nothing.
        """
        ...

    def revive(
        self,
        item_id: str,
        *,
        order_id: str,
        now: datetime,
        token: str | None,
        lease_until: datetime | None,
    ) -> OutboxItem | None:
        """Make the order's waiting event due now with fresh attempts (claimed with a *token*).

        None when no event of that order with that id waits (done, or held by a worker now).
        """
        ...


class OutboxStore(Protocol):
    """The outbox's leases: claim, complete or fail, revive."""

    def claim_due(
        self, *, token: str, now: datetime, lease_until: datetime, limit: int, retry_now: bool
    ) -> list[OutboxItem]:
        """Claim up to *limit* due events for *token* until *lease_until* (skipping held ones)."""
        ...

    def complete(self, item_id: str, token: str) -> None:
        """Remove a handled event (only while *token* still holds it)."""
        ...

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
        """Record a failed attempt; False when another worker had taken the event over."""
        ...

    def revive_dead(self, now: datetime) -> int:
        """Make dead events due again; returns how many."""
        ...

    def outbox_items(self, *, dead: bool | None = None) -> list[OutboxItem]:
        """Events waiting (all, or only the dead or the live ones)."""
        ...
