"""The Returns page on Flask (tests/adapters/returns_page_contract.py), and who sees it in the sidebar."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from kasify_orders.web.returns_page import LIMIT
from tests.adapters.contract import MerchantSite, readable
from tests.adapters.flask.conftest import ADMIN, make_app
from tests.adapters.flask.test_contract import FlaskSite
from tests.adapters.returns_contract import shipped
from tests.adapters.returns_page_contract import ReturnsPageContract, sidebar


@pytest.fixture
def site(orders: ko.Orders) -> MerchantSite:
    """The staff's view of a Flask host's pages."""
    return FlaskSite(orders)


class TestFlaskReturnsPage(ReturnsPageContract):
    """Every Returns page test, on Flask, on each database."""


def test_the_returns_entry_is_only_for_who_may_open_a_return(orders: ko.Orders) -> None:
    viewer = make_app(orders, authorize=lambda action, order: action == "view").test_client()
    keeper = make_app(orders, authorize=lambda action, order: action in {"view", "open_return"}).test_client()

    assert "Returns" not in sidebar(viewer.get(f"{ADMIN}/").get_data(as_text=True))
    assert viewer.get(f"{ADMIN}/returns").status_code == 403
    assert f'href="{ADMIN}/returns">Returns' in sidebar(keeper.get(f"{ADMIN}/").get_data(as_text=True))
    assert keeper.get(f"{ADMIN}/returns").status_code == 200


def test_past_the_limit_the_page_says_how_many_more_wait(orders: ko.Orders) -> None:
    opened = []
    for _ in range(18):  # three returns each (two T-shirts and a mug shipped): 54 open returns
        order = shipped(orders)
        for lines in ({1: 1}, {1: 1}, {2: 1}):
            opened.append(orders.returns.open(order.id, lines=lines, reason="spare").returns[-1].id)
    client = make_app(orders, authorize=lambda action, order: True).test_client()

    raw = client.get(f"{ADMIN}/returns").get_data(as_text=True)

    assert raw.count("data-return=") == LIMIT
    assert "4 more returns are waiting" in readable(raw)
    assert all(f'data-return="{found}"' in raw for found in opened[4:])  # the newest 50
    assert not any(found in raw for found in opened[:4])
