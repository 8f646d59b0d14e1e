"""Returns on Django's order page (tests/adapters/returns_contract.py)."""

from __future__ import annotations

import pytest

from tests.adapters.contract import MerchantSite
from tests.adapters.django.test_contract import DjangoSite
from tests.adapters.returns_contract import ReturnPagesContract


@pytest.fixture
def site(host: str) -> MerchantSite:
    """The staff's view of a Django host's pages."""
    return DjangoSite(host)


class TestDjangoReturns(ReturnPagesContract):
    """Every return page test, on Django, on each of its backends."""
