"""The Flask pages talk to the customer (tests/adapters/customer_emails.py), mail through aiosmtpd."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import kasify_orders as ko
from tests.adapters.contract import MerchantSite
from tests.adapters.customer_emails import CustomerEmailPagesContract
from tests.adapters.flask.test_contract import FlaskSite
from tests.helpers import wipe
from tests.integration.notifications.conftest import SmtpServer, shop_settings


@pytest.fixture
def orders(database_url: str, mail_server: SmtpServer) -> Iterator[ko.Orders]:
    """An ``Orders`` on each database that emails through *mail_server*."""
    settings = shop_settings(mail_server.url, smtp_timeout_seconds=2.0)
    connected = ko.Orders.connect(database_url, settings=settings, load_entrypoints=False, migrate=False)
    with connected:
        yield connected
    wipe(database_url)


@pytest.fixture
def site(orders: ko.Orders) -> MerchantSite:
    """The staff's view of a Flask host's pages."""
    return FlaskSite(orders)


class TestFlaskCustomerEmails(CustomerEmailPagesContract):
    """Email customer, Resend and Retry on the Flask adapter, on each database."""
