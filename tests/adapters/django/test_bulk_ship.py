"""The bulk-ship pages on Django (tests/adapters/bulk_ship_contract.py)."""

from __future__ import annotations

import pytest

from tests.adapters.bulk_ship_contract import BulkShipPagesContract
from tests.adapters.contract import MerchantSite
from tests.adapters.django.test_contract import DjangoSite


@pytest.fixture
def site(host: str) -> MerchantSite:
    """The staff's view of a Django host's pages."""
    return DjangoSite(host)


class TestDjangoBulkShip(BulkShipPagesContract):
    """Every bulk-ship page test, on Django, on each of its backends."""
