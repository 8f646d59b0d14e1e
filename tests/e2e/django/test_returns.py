"""A merchant takes a T-shirt back through the Returns section, in Chromium on the Django host.

Django's own SMTP backend sends kasify's emails, to a real aiosmtpd server on loopback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.django.conftest import DjangoSite
from tests.e2e.edit_order_flow import inbox_of
from tests.e2e.returns_flow import (
    beyond_what_shipped_is_refused_and_closing_unreceived_frees_the_units,
    return_receive_and_refund_one_tee,
)
from tests.integration.notifications.conftest import SmtpServer

pytestmark = pytest.mark.parametrize("alias", ["sqlite"], indirect=True)


def test_merchant_opens_receives_into_stock_and_refunds_a_return(
    mail_server: SmtpServer, django_site: DjangoSite, artifacts: Path
) -> None:
    page, admin, orders = django_site.page, django_site.admin, django_site.orders
    return_receive_and_refund_one_tee(
        page, admin, orders, inbox_of(mail_server), shots=artifacts, prefix="django-"
    )


def test_a_return_beyond_what_shipped_is_refused_and_closing_an_open_one_frees_its_units(
    django_site: DjangoSite,
) -> None:
    page, admin, orders = django_site.page, django_site.admin, django_site.orders
    beyond_what_shipped_is_refused_and_closing_unreceived_frees_the_units(page, admin, orders)
