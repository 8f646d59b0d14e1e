"""The demo shop: seeded in every status, a checkout places an order, its emails are caught."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

pytest.importorskip("aiosmtpd")

import kasify_orders as ko
from kasify_orders.cli import main
from kasify_orders.demo import MailSink, create_app
from tests.helpers import new_order


@pytest.fixture
def sink() -> Iterator[MailSink]:
    """A running SMTP sink."""
    running = MailSink().start()
    yield running
    running.stop()


def test_seed_covers_every_status_and_the_checkout_places_an_order(tmp_path: Path, sink: MailSink) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'demo.sqlite3'}", mail_sink=sink)
    orders: ko.Orders = app.extensions["kasify_orders"].orders
    counts = orders.count_by_status()
    assert all(counts[status] > 0 for status in ko.Status)
    partly = orders.list(payment_status="partially_refunded").items
    assert partly

    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True))
    assert token is not None
    assert (
        client.post("/cart/add", data={"csrf_token": token.group(1), "sku": "MUG-ENAMEL"}).status_code == 303
    )
    refused = client.post("/checkout", data={"name": "No Token"})
    assert refused.status_code == 400  # the shop's own forms are CSRF-protected too
    response = client.post(
        "/checkout",
        data={
            "csrf_token": token.group(1),
            "checkout_id": "c1",
            "name": "Test Person",
            "email": "test@example.com",
            "line1": "1 Road",
            "city": "Town",
            "postal_code": "12345",
            "country": "us",
            "coupon_code": "tenoff",
            "customer_note": "Ring twice",
        },
    )
    assert response.status_code == 303
    number = int(response.headers["Location"].rsplit("/", 1)[1])
    order = orders.get_by_number(number)
    assert order.coupon_code == "TENOFF" and order.totals.discount == Decimal("10.00")
    assert order.customer_note == "Ring twice"
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you, Test Person!" in thanks and f"<strong>#{number}</strong>" in thanks
    assert "<dt>Discount (TENOFF)</dt><dd>\N{MINUS SIGN}$10.00</dd>" in thanks
    assert f'data-field="total">${order.totals.total}</dd>' in thanks
    assert 'data-field="tax"' not in thanks  # the demo's checkout adds no tax
    assert "Test Person" in client.get("/admin/orders/").get_data(as_text=True)
    assert client.get("/mail/").status_code == 200
    orders.close()


@pytest.mark.parametrize(
    ("inclusive", "total", "shown"),
    [
        (False, "29.75", '<dt>Tax</dt><dd data-field="tax">$4.75</dd>'),
        (True, "25.00", '<dt>incl. tax</dt><dd data-field="tax">$4.75</dd>'),
    ],
)
def test_the_thank_you_page_shows_the_order_s_tax(
    tmp_path: Path, sink: MailSink, inclusive: bool, total: str, shown: str
) -> None:
    """A host's tax as the order page shows it: added, a Tax line before the total; included, after it."""
    app = create_app(f"sqlite:///{tmp_path / 'demo.sqlite3'}", mail_sink=sink, seed_orders=False)
    orders: ko.Orders = app.extensions["kasify_orders"].orders
    cart = new_order(sku="TAXED", quantity=1, unit_price="20.00")
    cart = attrs.evolve(
        cart,
        lines=[attrs.evolve(cart.lines[0], tax=Decimal("3.80"))],
        shipping_tax=Decimal("0.95"),
        prices_include_tax=inclusive,
    )
    order = orders.place(cart)
    assert order.totals.total == Decimal(total)
    html = app.test_client().get(f"/thanks/{order.number}").get_data(as_text=True)
    assert shown in html  # the lines' tax and the shipping's
    assert f'<dt class="grand">Total</dt><dd class="grand" data-field="total">${total}</dd>' in html
    tax_at, total_at = html.index(shown), html.index('data-field="total"')
    assert (tax_at > total_at) is inclusive
    assert html.count('data-field="tax"') == 1
    orders.close()


def test_checkout_errors_are_shown_beside_the_fields(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'demo.sqlite3'}", seed_orders=False)
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True))
    assert token is not None
    client.post("/cart/add", data={"csrf_token": token.group(1), "sku": "CAP-WOOL"})
    page = client.post("/checkout", data={"csrf_token": token.group(1), "email": "nope", "country": "XX"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Please check the highlighted fields." in html
    # Shown as written: codes in upper case, what the shopper typed as typed.
    assert "Must be an ISO 3166-1 alpha-2 code such as GB or US, got &#39;XX&#39;." in html
    assert "iso 3166" not in html
    assert app.extensions["kasify_orders"].orders.count_by_status() == dict.fromkeys(ko.Status, 0)
    app.extensions["kasify_orders"].orders.close()


def test_the_cli_has_a_demo_command() -> None:
    result = CliRunner().invoke(main, ["demo", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--database"):
        assert option in result.output


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "shop.example"])
def test_the_demo_refuses_a_public_host_without_being_told(host: str) -> None:
    # A database URL no engine takes: past the host check the command fails fast, serving nothing.
    result = CliRunner().invoke(main, ["demo", "--host", host, "--database", "nope://"])
    assert result.exit_code == 2
    assert "--i-know-this-is-public" in result.output and "no login" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["--host", "127.0.0.1"],
        ["--host", "::1"],
        ["--host", "localhost"],
        [],
        ["--host", "0.0.0.0", "--i-know-this-is-public"],
    ],
)
def test_the_demo_serves_on_loopback_by_default_or_where_told(args: list[str]) -> None:
    result = CliRunner().invoke(main, ["demo", *args, "--database", "nope://"])
    assert result.exit_code == 1 and isinstance(result.exception, Exception)  # the bad database, not the host
    assert "--i-know-this-is-public" not in result.output
