"""The Flask adapter holds to the Coupons pages' contract (tests/adapters/coupon_contract.py)."""

from __future__ import annotations

import pytest

import kasify_orders as ko
from tests.adapters.contract import MerchantSite
from tests.adapters.coupon_contract import CouponPagesContract
from tests.adapters.flask.test_contract import FlaskSite


@pytest.fixture
def site(orders: ko.Orders) -> MerchantSite:
    """The staff's view of a Flask host's pages."""
    return FlaskSite(orders)


class TestFlaskCouponPages(CouponPagesContract):
    """Every Coupons contract test, on the Flask adapter, on each database."""
