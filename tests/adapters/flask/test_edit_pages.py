"""The Edit order page on Flask (tests/adapters/edit_contract.py)."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from tests.adapters.contract import MerchantSite
from tests.adapters.edit_contract import EditPagesContract
from tests.adapters.flask.test_contract import FlaskSite


@pytest.fixture
def site(orders: ko.Orders) -> MerchantSite:
    """The staff's view of a Flask host's pages."""
    return FlaskSite(orders)


class TestFlaskEditPages(EditPagesContract):
    """Every Edit order page test, on Flask, on each database."""
