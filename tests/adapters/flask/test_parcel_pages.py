"""Shipping in parcels on Flask's pages (tests/adapters/parcels_contract.py)."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from tests.adapters.contract import MerchantSite
from tests.adapters.flask.test_contract import FlaskSite
from tests.adapters.parcels_contract import ParcelPagesContract


@pytest.fixture
def site(orders: ko.Orders) -> MerchantSite:
    """The staff's view of a Flask host's pages."""
    return FlaskSite(orders)


class TestFlaskParcels(ParcelPagesContract):
    """Every parcel page test, on Flask, on each database."""
