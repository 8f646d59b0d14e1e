"""The merchant's saved settings and their audit trail, in SQL.

``<prefix>merchant_settings`` holds one row per field the merchant saved (its value as JSON);
``<prefix>settings_changes`` one row per field a save changed (who, when, old, new). A save
takes the ``merchant_settings`` counter row first, so two saves at once serialise and each
audit row's "old" is exactly what the other left. :class:`SettingsOps` is mixed into a
transaction, :class:`SettingsReads` into the store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from kasify_orders.editable_settings import SettingChange
from kasify_orders.lifecycle import Status
from kasify_orders.model import Order
from kasify_orders.storage import counters
from kasify_orders.storage.queries import upsert
from kasify_orders.storage.table_cache import per_tables
from kasify_orders.storage.tables import Tables

__all__ = ["SETTINGS_LOCK", "SettingsOps", "SettingsReads"]

T = TypeVar("T")

#: The counter row a save updates first: it serialises saves (and counts them).
SETTINGS_LOCK = "merchant_settings"


@per_tables
def _saved_query(s: sa.Table) -> sa.Select[tuple[str, Any]]:
    """Built once per table: every merchant page reads the saved settings."""
    return sa.select(s.c.name, s.c.value)


class SettingsOps:
    """The saved settings read and written inside one transaction."""

    conn: Connection
    t: Tables

    def saved_settings(self) -> dict[str, Any]:
        """Every saved value by field name, as stored (JSON: str, list or None)."""
        return {name: value for name, value in self.conn.execute(_saved_query(self.t.merchant_settings))}

    def lock_settings(self) -> None:
        """Hold the settings until this transaction ends (a concurrent save waits here)."""
        c = self.t.counters
        bump = sa.update(c).where(c.c.name == SETTINGS_LOCK).values(value=c.c.value + 1)
        if self.conn.execute(bump).rowcount:
            return
        dialect = self.conn.dialect.name
        seed: Any = (
            sa.insert(c).prefix_with("IGNORE")
            if dialect in {"mysql", "mariadb"}
            else (
                postgresql.insert(c) if dialect == "postgresql" else sqlite.insert(c)
            ).on_conflict_do_nothing()
        )
        self.conn.execute(seed.values(name=SETTINGS_LOCK, value=0))
        self.conn.execute(bump)

    def write_settings(self, values: Mapping[str, Any], *, at: datetime, actor: str | None) -> None:
        """Save each of *values* (field name -> value as stored) over what was saved."""
        s = self.t.merchant_settings
        for name, value in values.items():
            row = {"name": name, "value": value, "updated_at": at, "updated_by": actor}
            self.conn.execute(upsert(self.conn, s, row, ["name"]))

    def record_setting_changes(self, changes: Sequence[SettingChange]) -> None:
        """Add *changes* to the audit trail."""
        if changes:
            self.conn.execute(
                sa.insert(self.t.settings_changes),
                [
                    {"at": c.at, "actor": c.actor, "field": c.field, "old": c.old, "new": c.new}
                    for c in changes
                ],
            )

    def setting_changes(self, *, limit: int, before: int | None = None) -> list[tuple[int, SettingChange]]:
        """Up to *limit* changes, newest first, with their ids (those below *before*, for the next page)."""
        a = self.t.settings_changes
        query = sa.select(a).order_by(a.c.id.desc()).limit(limit)
        if before is not None:
            query = query.where(a.c.id < before)
        return [
            (int(row.id), SettingChange(row.at, row.actor, row.field, row.old, row.new))
            for row in self.conn.execute(query)
        ]


class SettingsReads:
    """The saved settings and their history, read outside any unit of work the caller holds."""

    read: Callable[..., Any]
    tables: Tables

    def saved_settings(self) -> dict[str, Any]:
        """Every saved value by field name, as stored: one statement."""
        result: dict[str, Any] = self.read(lambda tx: tx.saved_settings())
        return result

    def page_header(self, paid_before: datetime) -> tuple[dict[str, Any], dict[Status, int], int]:
        """See :meth:`~kasify_orders.storage.port.SettingsStore.page_header`."""
        result: tuple[dict[str, Any], dict[Status, int], int] = self.read(
            lambda tx: _frame(tx.conn, self.tables, paid_before)
        )
        return result

    def order_page(self, order_id: str, paid_before: datetime) -> tuple[Order, dict[str, Any], int]:
        """See :meth:`~kasify_orders.storage.port.SettingsStore.order_page`."""

        def work(tx: Any) -> tuple[Order, dict[str, Any], int]:
            order = tx.order(order_id)
            saved, _counts, attention = _frame(tx.conn, self.tables, paid_before)
            return order, saved, attention

        result: tuple[Order, dict[str, Any], int] = self.read(work)
        return result

    def setting_changes(self, *, limit: int, before: int | None = None) -> list[tuple[int, SettingChange]]:
        """Up to *limit* audit entries, newest first, with their ids (below *before*)."""
        result: list[tuple[int, SettingChange]] = self.read(
            lambda tx: tx.setting_changes(limit=limit, before=before)
        )
        return result


def _frame(
    conn: Connection, t: Tables, paid_before: datetime
) -> tuple[dict[str, Any], dict[Status, int], int]:
    """The saved settings, the tab counts and the needs-attention count: a page's frame, one statement.

    The settings' rows follow the counters' (``counters.tabs_query``), with no counter value
    and their JSON as text: a round trip less on every merchant page.
    """
    rows = conn.execute(_frame_query(t), {"b_cutoff": paid_before}).all()
    settings = [(name, text) for name, value, *_, text in rows if value is None]
    saved = {name: None if text is None else json.loads(text) for name, text in settings}
    counted = [row[:4] for row in rows if row[1] is not None]
    return saved, *counters.tabs_of(conn, t, paid_before, counted)


@per_tables
def _frame_query(t: Tables) -> sa.CompoundSelect[Any]:
    """Built once per store: the tab counts' statement, then the saved settings' rows."""
    s = t.merchant_settings
    nothing = sa.cast(sa.null(), sa.BigInteger)
    tabs = counters.tabs_query(t).add_columns(sa.cast(sa.null(), sa.Text))
    return sa.union_all(tabs, sa.select(s.c.name, nothing, nothing, nothing, sa.cast(s.c.value, sa.Text)))
