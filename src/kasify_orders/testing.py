"""A pytest plugin for host developers: an ``Orders`` on a fresh SQLite file per test.

Installed with kasify-orders (the ``pytest11`` entry point), so a shop's own tests can ask
for ``kasify_orders``::

    def test_checkout_places_an_order(kasify_orders):
        order = kasify_orders.place(...)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kasify_orders.service import Orders

__all__ = ["kasify_orders"]


@pytest.fixture
def kasify_orders(tmp_path: Path) -> Iterator[Orders]:
    """An :class:`~kasify_orders.Orders` on an empty SQLite database, closed after the test."""
    with Orders.connect(f"sqlite:///{tmp_path / 'kasify.sqlite3'}", load_entrypoints=False) as orders:
        yield orders
