"""What the Saleor adapter stores: installations, the Saleor order behind each kasify order, seen webhooks.

The tables are the Saleor App's own (:data:`~kasify_orders.adapters.saleor.tables.SALEOR_TABLES`,
its own migrations), on the order store's database and inside its units of work, reached
through the plugin-tables handle (:class:`~kasify_orders.storage.plugin_tables.PluginData`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Row

from kasify_orders.adapters.saleor.tables import SALEOR_TABLES
from kasify_orders.errors import ConstraintViolation
from kasify_orders.lifecycle import Status
from kasify_orders.model import TimelineEvent, utcnow
from kasify_orders.storage.plugin_tables import PluginTransaction
from kasify_orders.storage.port import Store, Transaction

__all__ = ["Installation", "Installations", "SaleorOrderLink"]


@attrs.frozen
class Installation:
    """One Saleor instance that installed the app."""

    #: The Saleor GraphQL endpoint (``https://shop.example.com/graphql/``): the installation's key.
    api_url: str
    #: The ``Saleor-Domain`` it installed from.
    domain: str
    #: The app's id in that Saleor (a GraphQL global id).
    app_id: str
    #: The token the app calls Saleor's GraphQL API with.
    app_token: str
    #: The cached JWKS (``{"keys": [...]}``) webhook signatures are checked against.
    jwks: Mapping[str, Any] | None
    jwks_fetched_at: datetime | None
    installed_at: datetime
    #: When the app was uninstalled (then webhooks from this URL are refused); None while installed.
    removed_at: datetime | None = None
    #: What the merchant must fix about Saleor's own customer emails (found at install); None: nothing.
    email_warning: str | None = None

    @property
    def active(self) -> bool:
        """Whether webhooks from this installation are accepted."""
        return self.removed_at is None


@attrs.frozen
class SaleorOrderLink:
    """The Saleor order a kasify order mirrors."""

    order_id: str
    api_url: str
    saleor_order_id: str
    saleor_number: str
    transaction_id: str | None = None
    fulfillment_id: str | None = None


class Installations:
    """Reads and writes the Saleor adapter's tables through the order store."""

    def __init__(self, store: Store) -> None:
        self.data = SALEOR_TABLES.bind(store)
        tables = self.data.tables
        self._installations = tables["installations"]
        self._links = tables["orders"]
        self._webhooks = tables["webhooks"]

    # -- installations ----------------------------------------------------------------------

    def get(self, api_url: str) -> Installation | None:
        """The installation for *api_url* (installed or removed), or None."""
        t = self._installations
        row = self.data.read(lambda tx: tx.execute(sa.select(t).where(t.c.api_url == api_url)).first())
        return None if row is None else _installation(row)

    def all(self) -> list[Installation]:
        """Every installation, by API URL."""
        t = self._installations
        rows = self.data.read(lambda tx: tx.execute(sa.select(t).order_by(t.c.api_url)).all())
        return [_installation(row) for row in rows]

    def save(
        self,
        *,
        api_url: str,
        domain: str,
        app_id: str,
        app_token: str,
        jwks: Mapping[str, Any] | None,
        email_warning: str | None = None,
    ) -> Installation:
        """Store (or replace, on reinstall) the installation for *api_url*; it is active again."""
        t = self._installations
        now = utcnow()
        values = {
            "email_warning": email_warning,
            "domain": domain,
            "app_id": app_id,
            "app_token": app_token,
            "jwks": dict(jwks) if jwks is not None else None,
            "jwks_fetched_at": now if jwks is not None else None,
            "installed_at": now,
            "removed_at": None,
        }

        def work(tx: PluginTransaction) -> None:
            updated = tx.execute(sa.update(t).where(t.c.api_url == api_url).values(values))
            if updated.rowcount == 0:
                tx.execute(sa.insert(t).values(api_url=api_url, **values))

        self.data.atomic(work)
        found = self.get(api_url)
        assert found is not None
        return found

    def save_jwks(self, api_url: str, jwks: Mapping[str, Any]) -> None:
        """Cache a freshly fetched JWKS for *api_url*."""
        t = self._installations
        self.data.atomic(
            lambda tx: tx.execute(
                sa.update(t).where(t.c.api_url == api_url).values(jwks=dict(jwks), jwks_fetched_at=utcnow())
            )
        )

    def remove(self, api_url: str, *, note: TimelineEvent | None = None) -> bool:
        """Mark *api_url* uninstalled: its webhooks are refused and nothing is written back to it.

        *note* is added, in the same transaction, to the timeline of each of its orders that
        is not finished (:meth:`open_orders_of`). Returns False when it was not installed.
        The row (and its orders' links) is kept, so a reinstall picks the orders up again.
        """
        t = self._installations

        def work(tx: PluginTransaction) -> bool:
            result = tx.execute(
                sa.update(t)
                .where(t.c.api_url == api_url, t.c.removed_at.is_(None))
                .values(removed_at=utcnow())
            )
            if not result.rowcount:
                return False
            if note is not None:
                for order_id in tx.scalars(self._open_orders(api_url)):
                    tx.core.append_timeline(order_id, [note])
            return True

        return self.data.atomic(work)

    # -- order links --------------------------------------------------------------------------

    def link(self, link: SaleorOrderLink) -> None:
        """Remember which Saleor order *link.order_id* mirrors (idempotent)."""
        try:
            self.data.atomic(lambda tx: self._link(tx, link))
        except ConstraintViolation:  # a concurrent delivery of the same event linked it first
            pass

    def link_in(self, tx: Transaction, link: SaleorOrderLink) -> None:
        """:meth:`link` inside *tx* (the transaction placing the order)."""
        self._link(self.data.within(tx), link)

    def _link(self, tx: PluginTransaction, link: SaleorOrderLink) -> None:
        t = self._links
        exists = tx.scalar(sa.select(t.c.order_id).where(t.c.order_id == link.order_id))
        if exists is None:
            tx.execute(sa.insert(t).values(attrs.asdict(link)))

    def open_orders_of(self, api_url: str) -> list[str]:
        """The ids of the unfinished (not delivered, cancelled or refunded) kasify orders from *api_url*."""
        return self.data.read(lambda tx: tx.scalars(self._open_orders(api_url)))

    def _open_orders(self, api_url: str) -> sa.Select[Any]:
        t, o = self._links, self.data.orders
        finished = [Status.DELIVERED.value, Status.CANCELLED.value, Status.REFUNDED.value]
        return (
            sa.select(o.c.id)
            .join(t, t.c.order_id == o.c.id)
            .where(t.c.api_url == api_url, o.c.status.notin_(finished))
            .order_by(o.c.number)
        )

    def update_link(self, order_id: str, **values: str | None) -> None:
        """Record Saleor ids learnt later (``transaction_id``, ``fulfillment_id``)."""
        t = self._links
        self.data.atomic(lambda tx: tx.execute(sa.update(t).where(t.c.order_id == order_id).values(values)))

    def link_for_order(self, order_id: str) -> SaleorOrderLink | None:
        """The Saleor order behind kasify order *order_id*, or None when it did not come from Saleor."""
        t = self._links
        row = self.data.read(lambda tx: tx.execute(sa.select(t).where(t.c.order_id == order_id)).first())
        return SaleorOrderLink(**row._asdict()) if row is not None else None

    def link_for_saleor(self, api_url: str, saleor_order_id: str) -> SaleorOrderLink | None:
        """The kasify order mirroring Saleor order *saleor_order_id* of *api_url*, or None."""
        t = self._links
        row = self.data.read(
            lambda tx: tx.execute(
                sa.select(t).where(t.c.api_url == api_url, t.c.saleor_order_id == saleor_order_id)
            ).first()
        )
        return SaleorOrderLink(**row._asdict()) if row is not None else None

    # -- processed webhooks ------------------------------------------------------------------

    def seen(self, digest: str) -> bool:
        """Whether a webhook with this digest was processed already."""
        t = self._webhooks
        return (
            self.data.read(lambda tx: tx.scalar(sa.select(t.c.digest).where(t.c.digest == digest)))
            is not None
        )

    def mark_seen(self, digest: str, *, api_url: str, event: str) -> None:
        """Record that the webhook with this digest was processed (a second record is a no-op)."""
        t = self._webhooks
        values = {"digest": digest, "api_url": api_url, "event": event, "received_at": utcnow()}
        try:
            self.data.atomic(lambda tx: tx.execute(sa.insert(t).values(values)))
        except ConstraintViolation:
            pass

    def forget_seen_before(self, moment: datetime) -> int:
        """Delete the digests of webhooks received before *moment*; returns how many.

        Saleor retries for hours, not weeks: pruning digests older than a few days keeps the
        table small without letting a retry through.
        """
        t = self._webhooks
        result = self.data.atomic(lambda tx: tx.execute(sa.delete(t).where(t.c.received_at < moment)))
        return int(result.rowcount)


def _installation(row: Row[Any]) -> Installation:
    """The :class:`Installation` of an installations row."""
    return Installation(
        api_url=row.api_url,
        domain=row.domain,
        app_id=row.app_id,
        app_token=row.app_token,
        jwks=row.jwks,
        jwks_fetched_at=row.jwks_fetched_at,
        installed_at=row.installed_at,
        removed_at=row.removed_at,
        email_warning=row.email_warning,
    )
