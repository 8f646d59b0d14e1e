"""A pytest plugin for host developers: an ``Orders`` on a fresh SQLite file per test.

Installed with kasify-orders (the ``pytest11`` entry point, plugin name ``kasify_orders``; turn
it off with ``-p no:kasify_orders``), so a shop's own tests can ask for ``kasify_orders``::

    def test_checkout_places_an_order(kasify_orders, cart):
        order = kasify_orders.place(cart)
        assert kasify_orders.get(order.id).status is ko.Status.PENDING

docs/testing.md documents each fixture, with examples for Flask and Django hosts.

pytest loads this module in every run of a host's tests, so it imports nothing heavy: the
service (and with it SQLAlchemy, Alembic and jinja2) is imported by the fixture, in the tests
that ask for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

    from kasify_orders.service import Orders

__all__ = ["kasify_orders"]


@pytest.fixture
def kasify_orders(tmp_path: Path) -> Iterator[Orders]:
    """An :class:`~kasify_orders.Orders` on an empty SQLite database, closed after the test.

    Function scope: each test has its own migrated file in ``tmp_path``. Default settings (events
    delivered inline, after each commit), no entry-point plugins, no mail transport. Define a
    fixture of the same name in a ``conftest.py`` for other settings or another database.
    """
    from kasify_orders.service import Orders  # noqa: PLC0415 - only the tests that use it pay for the store

    with Orders.connect(f"sqlite:///{tmp_path / 'kasify.sqlite3'}", load_entrypoints=False) as orders:
        yield orders
