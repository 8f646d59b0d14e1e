"""The carrier select and badge words on the Django pages (tests/adapters/carrier_contract.py)."""

from __future__ import annotations

import pytest

from tests.adapters.carrier_contract import CarrierSelectContract
from tests.adapters.contract import MerchantSite
from tests.adapters.django.test_contract import DjangoSite


@pytest.fixture
def site(host: str) -> MerchantSite:
    """The staff's view of a Django host's pages."""
    return DjangoSite(host)


class TestDjangoCarrierSelect(CarrierSelectContract):
    """Every carrier-select test, on Django, on each of its backends."""
