"""The carrier select and badge words on the Flask pages (tests/adapters/carrier_contract.py)."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from tests.adapters.carrier_contract import CarrierSelectContract
from tests.adapters.contract import MerchantSite
from tests.adapters.flask.test_contract import FlaskSite


@pytest.fixture
def site(orders: ko.Orders) -> MerchantSite:
    """The staff's view of a Flask host's pages."""
    return FlaskSite(orders)


class TestFlaskCarrierSelect(CarrierSelectContract):
    """Every carrier-select test, on Flask, on each database."""
