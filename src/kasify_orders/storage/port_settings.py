"""The storage port's merchant settings: saved values and their audit trail, and the pages' header reads.

Part of :mod:`kasify_orders.storage.port` (which re-exports both protocols); apart only to keep
each module small.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from kasify_orders.editable_settings import SettingChange
from kasify_orders.lifecycle import Status
from kasify_orders.model import Order

__all__ = ["SettingsOps", "SettingsStore"]


class SettingsOps(Protocol):
    """The merchant's saved settings and their audit trail, inside one transaction."""

    def saved_settings(self) -> dict[str, Any]:
        """Every saved value by field name, as stored (JSON: str, list or None)."""
        ...

    def lock_settings(self) -> None:
        """Hold the settings until the transaction ends, so concurrent saves serialise."""
        ...

    def write_settings(self, values: Mapping[str, Any], *, at: datetime, actor: str | None) -> None:
        """Save each of *values* (field name -> value as stored)."""
        ...

    def record_setting_changes(self, changes: Sequence[SettingChange]) -> None:
        """Add *changes* to the audit trail."""
        ...

    def setting_changes(self, *, limit: int, before: int | None = None) -> list[tuple[int, SettingChange]]:
        """Up to *limit* audit entries, newest first, with their ids (below *before*)."""
        ...


class SettingsStore(Protocol):
    """The merchant's saved settings and their audit trail, read on their own."""

    def saved_settings(self) -> dict[str, Any]:
        """Every saved value by field name, as stored, in one statement."""
        ...

    def page_header(self, paid_before: datetime) -> tuple[dict[str, Any], dict[Status, int], int]:
        """:meth:`saved_settings` and :meth:`~OrderQueries.count_tabs` (the tab counts, needs attention).

        What every merchant page's header (the store's name) and sidebar (Orders with its
        count) show, and the order list its tabs, read in one unit of work: a page pays one
        round trip for all of them.
        """
        ...

    def order_page(self, order_id: str, paid_before: datetime) -> tuple[Order, dict[str, Any], int]:
        """The order (as :meth:`~OrderReads.get_order`), :meth:`saved_settings` and the needs-attention count.

        What the order page shows, with its header and sidebar, read in one unit of work: the
        page pays one round trip, as the API's ``get`` does. Raises ``OrderNotFound``.
        """
        ...

    def setting_changes(self, *, limit: int, before: int | None = None) -> list[tuple[int, SettingChange]]:
        """Up to *limit* audit entries, newest first, with their ids (below *before*)."""
        ...
