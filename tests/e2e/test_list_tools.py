"""The order list's filters, bulk actions and exports in Chromium on the Flask demo shop.

Its screenshots are docs/back-office/orders-list.md's (copied there from test-artifacts/).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")

import kasify_orders as ko
from kasify_orders.demo import create_app
from tests.e2e.list_tools_flow import filter_select_confirm_print_export

DOCS = Path(__file__).resolve().parents[2] / "docs" / "back-office"
SHOTS = ("orders-list.png", "orders-list-selection.png", "orders-list-phone.png")


def test_filter_select_confirm_print_and_export_on_the_list(
    browser: Any, serve: Any, artifacts: Path, tmp_path: Path
) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    orders: ko.Orders = app.extensions["kasify_orders"].orders
    base = serve(app)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:
        filter_select_confirm_print_export(page, f"{base}/admin/orders", orders, tmp_path, artifacts)
    finally:
        page.close()
    DOCS.mkdir(parents=True, exist_ok=True)
    for name in SHOTS:  # only once the whole flow passed: the docs never show a failed run
        shutil.copyfile(artifacts / name, DOCS / name)
