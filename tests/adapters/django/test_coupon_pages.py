"""The Django adapter holds to the Coupons pages' contract (tests/adapters/coupon_contract.py)."""

from __future__ import annotations

import pytest

from tests.adapters.contract import MerchantSite
from tests.adapters.coupon_contract import CouponPagesContract
from tests.adapters.django.test_contract import DjangoSite


@pytest.fixture
def site(host: str) -> MerchantSite:
    """The staff's view of a Django host's pages."""
    return DjangoSite(host)


class TestDjangoCouponPages(CouponPagesContract):
    """Every Coupons contract test, on the Django adapter, on each of Django's backends."""
