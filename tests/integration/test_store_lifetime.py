"""An ``Orders`` that is closed and let go takes its tables with it (nothing process-wide keeps them).

A process that makes many (a test suite, a host building one per task) otherwise keeps every
one's tables and statements, thousands of objects each, and the interpreter's full garbage
collections, which pause every thread, grow with them: past a mail server's timeout in CI.
"""

from __future__ import annotations

import gc
import weakref

import kasify_orders as ko
from kasify_orders.model import utcnow
from tests.conftest import wipe
from tests.helpers import new_order


def test_a_closed_orders_tables_are_freed_with_it(database_url: str) -> None:
    settings = ko.Settings(smtp_url="smtp://127.0.0.1:1", deliver_inline=False, from_email="o@shop.example")
    shop = ko.Orders.connect(database_url, settings=settings, load_entrypoints=False, migrate=False)
    try:
        placed = shop.place(new_order())  # the status counters' upsert, the outbox
        shop.merchant_settings.order_page(placed.id, utcnow())  # a page's frame: settings, tab counts
        shop.merchant_settings.page_header(utcnow())
        assert ko.notifications.sent_emails(shop, placed.id) == []  # the emails' own tables
        tables = weakref.ref(shop.store.tables.metadata)  # type: ignore[attr-defined]
        shop.close()
        del shop, placed
        gc.collect()
        assert tables() is None
    finally:
        wipe(database_url)
