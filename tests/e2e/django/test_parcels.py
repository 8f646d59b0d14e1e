"""A merchant ships an order in two parcels and delivers each, in Chromium on the Django host."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.django.conftest import DjangoSite
from tests.e2e.parcels_flow import ship_two_parcels_and_deliver_each

pytestmark = pytest.mark.parametrize("alias", ["sqlite"], indirect=True)


def test_merchant_ships_two_parcels_and_delivers_each(django_site: DjangoSite, artifacts: Path) -> None:
    ship_two_parcels_and_deliver_each(
        django_site.page, django_site.admin, django_site.orders, artifacts, "django-"
    )
