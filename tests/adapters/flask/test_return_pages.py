"""Returns on Flask's order page (tests/adapters/returns_contract.py)."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from tests.adapters.contract import MerchantSite
from tests.adapters.flask.test_contract import FlaskSite
from tests.adapters.returns_contract import ReturnPagesContract


@pytest.fixture
def site(orders: ko.Orders) -> MerchantSite:
    """The staff's view of a Flask host's pages."""
    return FlaskSite(orders)


class TestFlaskReturns(ReturnPagesContract):
    """Every return page test, on Flask, on each database."""
