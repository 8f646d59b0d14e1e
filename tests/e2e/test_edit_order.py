"""A merchant, in a real browser, edits an order before it ships (Flask, mailing a real SMTP server).

The Edit order page's screenshot is docs/back-office/edit-order.md's (edit-order.png).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")

import kasify_orders as ko
from tests.adapters.flask.conftest import make_app
from tests.e2e.edit_order_flow import (
    edit_below_what_was_paid_shows_the_refund_due,
    edit_quantity_lines_address_and_note,
    inbox_of,
    overselling_is_refused_and_a_shipped_order_has_no_edit,
)
from tests.integration.notifications.conftest import SmtpServer, shop_settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "back-office"


def test_merchant_edits_an_order_before_it_ships_and_the_customer_is_told(
    browser: Any, serve: Any, artifacts: Path, tmp_path: Path, mail_server: SmtpServer
) -> None:
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    with ko.Orders.connect(url, settings=shop_settings(mail_server.url), load_entrypoints=False) as orders:
        base = serve(make_app(orders, authorize=lambda action, o: True))
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        inbox = inbox_of(mail_server)
        try:
            admin = f"{base}/admin/orders"
            edited = edit_quantity_lines_address_and_note(
                page, admin, orders, inbox, shots=artifacts, prefix=""
            )
            overselling_is_refused_and_a_shipped_order_has_no_edit(page, admin, orders, inbox, edited)
        finally:
            page.close()
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(artifacts / "edit-order-01-form.png", DOCS / "edit-order.png")


def test_an_edit_below_what_was_paid_shows_the_refund_due_until_it_is_refunded(
    browser: Any, serve: Any, tmp_path: Path, mail_server: SmtpServer
) -> None:
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    with ko.Orders.connect(url, settings=shop_settings(mail_server.url), load_entrypoints=False) as orders:
        base = serve(make_app(orders, authorize=lambda action, o: True))
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        try:
            edit_below_what_was_paid_shows_the_refund_due(
                page, f"{base}/admin/orders", orders, inbox_of(mail_server)
            )
        finally:
            page.close()
