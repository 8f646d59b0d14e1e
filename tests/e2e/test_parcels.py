"""A merchant, in a real browser, ships an order in two parcels and delivers them one by one (Flask).

The two parcels' screenshot is docs/back-office/parcels.md's (parcels.png, from this run only).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")

import kasify_orders as ko
from tests.adapters.flask.conftest import make_app
from tests.e2e.parcels_flow import ship_two_parcels_and_deliver_each

DOCS = Path(__file__).resolve().parents[2] / "docs" / "back-office"


def test_merchant_ships_two_parcels_and_delivers_each(
    browser: Any, serve: Any, artifacts: Path, sqlite_orders: ko.Orders
) -> None:
    base = serve(make_app(sqlite_orders, authorize=lambda action, o: True))
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        ship_two_parcels_and_deliver_each(page, f"{base}/admin/orders", sqlite_orders, artifacts, "")
    finally:
        page.close()
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(artifacts / "parcels-02-two-parcels.png", DOCS / "parcels.png")
