"""The demo shop's fresh start: its order list shows late orders; a restart adds nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("aiosmtpd")

import kasify_orders as ko
from kasify_orders.demo import create_app
from kasify_orders.demo.seeds import PLAN


def test_a_fresh_demo_shows_needs_attention_and_a_restart_adds_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    first = create_app(url)
    html = first.test_client().get("/admin/orders/").get_data(as_text=True)
    late = re.search(r"Needs attention\s*(?:<[^>]+>\s*)*(\d+)", html)
    assert late is not None and int(late.group(1)) > 0, html
    orders: ko.Orders = first.extensions["kasify_orders"].orders
    assert sum(orders.count_by_status().values()) == len(PLAN)
    orders.close()

    again = create_app(url)
    orders = again.extensions["kasify_orders"].orders
    assert sum(orders.count_by_status().values()) == len(PLAN)
    orders.close()
