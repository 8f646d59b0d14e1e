"""The Django pages talk to the customer (tests/adapters/customer_emails.py).

The host's own mail backend sends kasify's emails: here Django's SMTP backend, pointed at a
real aiosmtpd server on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from tests.adapters.contract import MerchantSite
from tests.adapters.customer_emails import CustomerEmailPagesContract
from tests.adapters.django.test_contract import DjangoSite
from tests.integration.notifications.conftest import SmtpServer


@pytest.fixture
def mail_server(host: str) -> Iterator[SmtpServer]:
    """A real SMTP server on loopback, running, that Django's SMTP backend sends to."""
    server = SmtpServer()
    server.start()
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": server.port,
        "EMAIL_TIMEOUT": 2,
    }
    with override_settings(**smtp):
        yield server
    server.stop()


@pytest.fixture
def site(host: str, mail_server: SmtpServer) -> MerchantSite:
    """The staff's view of a Django host's pages."""
    return DjangoSite(host)


class TestDjangoCustomerEmails(CustomerEmailPagesContract):
    """Email customer, Resend and Retry on the Django adapter, on each of Django's backends."""
