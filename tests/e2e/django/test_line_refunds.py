"""A merchant refunds one line of a shipped order with its shipping, in Chromium on the Django host."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.django.conftest import DjangoSite
from tests.e2e.line_refund_flow import (
    refund_one_tee_with_shipping_and_restock,
    refunding_more_than_is_left_is_refused,
)

pytestmark = pytest.mark.parametrize("alias", ["sqlite"], indirect=True)


def test_merchant_refunds_one_line_with_shipping_and_restock_then_cannot_again(
    django_site: DjangoSite, artifacts: Path
) -> None:
    page, admin, orders = django_site.page, django_site.admin, django_site.orders
    refunded = refund_one_tee_with_shipping_and_restock(page, admin, orders, artifacts, "django-")
    refunding_more_than_is_left_is_refused(page, admin, orders, refunded)
