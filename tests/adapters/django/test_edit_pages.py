"""The Edit order page on Django (tests/adapters/edit_contract.py)."""

from __future__ import annotations

import pytest

from tests.adapters.contract import MerchantSite
from tests.adapters.django.test_contract import DjangoSite
from tests.adapters.edit_contract import EditPagesContract


@pytest.fixture
def site(host: str) -> MerchantSite:
    """The staff's view of a Django host's pages."""
    return DjangoSite(host)


class TestDjangoEditPages(EditPagesContract):
    """Every Edit order page test, on Django, on each of its backends."""
