"""A merchant edits an order before it ships, in Chromium on the Django host (Django's SMTP backend)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.django.conftest import DjangoSite
from tests.e2e.edit_order_flow import (
    edit_below_what_was_paid_shows_the_refund_due,
    edit_quantity_lines_address_and_note,
    inbox_of,
    overselling_is_refused_and_a_shipped_order_has_no_edit,
)
from tests.integration.notifications.conftest import SmtpServer

pytestmark = pytest.mark.parametrize("alias", ["sqlite"], indirect=True)


def test_merchant_edits_an_order_before_it_ships_and_the_customer_is_told(
    mail_server: SmtpServer, django_site: DjangoSite, artifacts: Path
) -> None:
    page, admin, orders = django_site.page, django_site.admin, django_site.orders
    inbox = inbox_of(mail_server)
    edited = edit_quantity_lines_address_and_note(
        page, admin, orders, inbox, shots=artifacts, prefix="django-"
    )
    overselling_is_refused_and_a_shipped_order_has_no_edit(page, admin, orders, inbox, edited)


def test_an_edit_below_what_was_paid_shows_the_refund_due_until_it_is_refunded(
    mail_server: SmtpServer, django_site: DjangoSite
) -> None:
    page, admin, orders = django_site.page, django_site.admin, django_site.orders
    edit_below_what_was_paid_shows_the_refund_due(page, admin, orders, inbox_of(mail_server))
