"""A merchant, in a real browser, refunds one line of a shipped order with its shipping (Flask).

The refund form's screenshot is docs/back-office/refunds-by-line.md's (refunds-by-line.png).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")

import kasify_orders as ko
from tests.adapters.flask.conftest import make_app
from tests.e2e.line_refund_flow import (
    refund_one_tee_with_shipping_and_restock,
    refunding_more_than_is_left_is_refused,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "back-office"


def test_merchant_refunds_one_line_with_shipping_and_restock_then_cannot_again(
    browser: Any, serve: Any, artifacts: Path, sqlite_orders: ko.Orders
) -> None:
    base = serve(make_app(sqlite_orders, authorize=lambda action, o: True))
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        admin = f"{base}/admin/orders"
        refunded = refund_one_tee_with_shipping_and_restock(page, admin, sqlite_orders, artifacts, "")
        refunding_more_than_is_left_is_refused(page, admin, sqlite_orders, refunded)
    finally:
        page.close()
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(artifacts / "refunds-by-line-01-form.png", DOCS / "refunds-by-line.png")
