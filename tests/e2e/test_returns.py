"""A merchant, in a real browser, takes a T-shirt back through the Returns section (Flask, real SMTP).

The Returns section's screenshot is docs/back-office/returns.md's (returns.png).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")

import kasify_orders as ko
from tests.adapters.flask.conftest import make_app
from tests.e2e.edit_order_flow import inbox_of
from tests.e2e.returns_flow import (
    beyond_what_shipped_is_refused_and_closing_unreceived_frees_the_units,
    return_receive_and_refund_one_tee,
)
from tests.integration.notifications.conftest import SmtpServer, shop_settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "back-office"


def test_merchant_opens_receives_into_stock_and_refunds_a_return(
    browser: Any, serve: Any, artifacts: Path, tmp_path: Path, mail_server: SmtpServer
) -> None:
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    with ko.Orders.connect(url, settings=shop_settings(mail_server.url), load_entrypoints=False) as orders:
        base = serve(make_app(orders, authorize=lambda action, o: True))
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        try:
            return_receive_and_refund_one_tee(
                page, f"{base}/admin/orders", orders, inbox_of(mail_server), shots=artifacts, prefix=""
            )
        finally:
            page.close()
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(artifacts / "returns-01-received.png", DOCS / "returns.png")


def test_a_return_beyond_what_shipped_is_refused_and_closing_an_open_one_frees_its_units(
    browser: Any, serve: Any, sqlite_orders: ko.Orders
) -> None:
    base = serve(make_app(sqlite_orders, authorize=lambda action, o: True))
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        beyond_what_shipped_is_refused_and_closing_unreceived_frees_the_units(
            page, f"{base}/admin/orders", sqlite_orders
        )
    finally:
        page.close()
