"""Shipping in parcels on Django's pages (tests/adapters/parcels_contract.py)."""

from __future__ import annotations

import pytest

from tests.adapters.contract import MerchantSite
from tests.adapters.django.test_contract import DjangoSite
from tests.adapters.parcels_contract import ParcelPagesContract


@pytest.fixture
def site(host: str) -> MerchantSite:
    """The staff's view of a Django host's pages."""
    return DjangoSite(host)


class TestDjangoParcels(ParcelPagesContract):
    """Every parcel page test, on Django, on each of its backends."""
