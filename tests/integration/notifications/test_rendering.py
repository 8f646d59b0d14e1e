"""Rendering: escaping, money per locale, tracking links, branding and host templates (no database)."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import kasify_orders as ko
from kasify_orders import actions, carriers
from kasify_orders.notifications import Email, EmailKind, Renderer
from kasify_orders.notifications.money import parse_locale
from kasify_orders.notifications.render import default_locale
from tests.helpers import new_order

AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
EVIL = '<script>alert("x")</script>'


def placed(**cart: Any) -> ko.Order:
    country = cart.pop("country", "GB")
    cart_order = new_order(**cart)
    cart_order = attrs.evolve(
        cart_order, shipping_address=attrs.evolve(cart_order.shipping_address, country=country)
    )
    order = actions.place(cart_order, None, order_id="a" * 32, at=AT, actor=None).order
    return attrs.evolve(order, number=1042)


def shipped(order: ko.Order, carrier: str, number: str = "1Z999AA10123456784", **urls: str) -> ko.Order:
    order = actions.confirm_payment(order, at=AT, actor=None).order
    return actions.mark_shipped(
        order, carrier=carrier, tracking_number=number, at=AT, actor=None, tracking_urls=urls or None
    ).order


def render(
    kind: EmailKind, order: ko.Order, settings: ko.Settings | None = None, **extra: Any
) -> tuple[str, ...]:
    settings = settings or ko.Settings(store_name="Analytical Engines")
    email = Email(kind, order.customer.email, order.customer.name, order, **extra)
    return Renderer(settings).render(email, default_locale(settings, email, None))


def test_html_escapes_everything_the_customer_typed_and_text_keeps_it() -> None:
    line = ko.NewLine(
        sku="X", name=EVIL, variant='"><img src=x onerror=alert(1)>', quantity=1, unit_price=Decimal(5)
    )
    order = placed(name=f"Ada {EVIL}", note=f"Please {EVIL}", lines=[line])
    for kind in [EmailKind.ORDER_CONFIRMATION, EmailKind.NEW_ORDER_ALERT]:
        subject, text, body = render(kind, order)
        assert "<script>" not in body and "<img src=x" not in body
        assert body.count("&lt;script&gt;") >= 3
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in body
        assert f"Ada {EVIL}" in text and f"Please {EVIL}" in text  # plain text is not HTML
    subject, _, _ = render(EmailKind.NEW_ORDER_ALERT, order)
    assert subject == f"New order #1042: $10.00 from Ada {EVIL}"  # the merchant's: plain English


@pytest.mark.parametrize(
    ("locale", "currency", "price", "expected"),
    [
        ("en_US", "USD", "1234.50", "$1,234.50"),
        ("de_DE", "EUR", "1234.50", "1.234,50\xa0€"),
        ("en_GB", "GBP", "25.00", "£25.00"),
        ("ja_JP", "JPY", "2500", "￥2,500"),  # no decimals: JPY has none
        ("en_US", "KWD", "1.250", "KWD1.250"),  # three: the Kuwaiti dinar's minor unit
        ("fr_CA", "CAD", "19.99", "19,99\xa0$"),
    ],
)
def test_money_is_formatted_for_the_locale(locale: str, currency: str, price: str, expected: str) -> None:
    order = placed(currency=currency, unit_price=price, quantity=1, shipping="0")
    settings = ko.Settings(email_locale=locale)
    _, text, body = render(EmailKind.ORDER_CONFIRMATION, order, settings)
    total = "Gesamt" if locale.startswith("de") else "Total"  # German is shipped; French is not (yet)
    assert f"{total}: {expected}" in text
    assert html.escape(expected) in body


def test_without_an_email_locale_emails_follow_the_store_locale_as_the_pages_do() -> None:
    _, text, _ = render(EmailKind.ORDER_CONFIRMATION, placed(currency="EUR", country="DE"))
    assert "Total: €55.00" in text  # the store's locale (English), not the shipping country's
    _, text, _ = render(EmailKind.ORDER_CONFIRMATION, placed(currency="USD", country="CA"))
    assert "Total: $55.00" in text  # as the pages write it, never "US$55.00"
    subject, text, _ = render(EmailKind.ORDER_CONFIRMATION, placed(currency="USD"), ko.Settings(locale="de"))
    assert "Gesamt: 55,00\xa0$" in text and subject.endswith("Bestellung #1042 bestätigt")
    assert (
        str(
            default_locale(ko.Settings(), Email(EmailKind.NEW_ORDER_ALERT, "m@x.example", "", placed()), None)
        )
        == "en"
    )
    with pytest.raises(ValueError, match="unknown locale 'xx_YY'"):
        parse_locale("xx_YY")


@pytest.mark.parametrize("carrier", sorted(carriers.CARRIERS))
def test_shipping_emails_link_to_every_known_carrier(carrier: str) -> None:
    order = shipped(placed(), carrier)
    url = carriers.CARRIERS[carrier].url_template.format(number="1Z999AA10123456784")
    subject, text, body = render(EmailKind.SHIPPING_NOTIFICATION, order)
    assert subject == "Analytical Engines: order #1042 has shipped"
    assert carriers.CARRIERS[carrier].name in text
    assert f"Track your parcel: {url}" in text
    assert f'href="{html.escape(url)}"' in body


def test_custom_carriers_link_through_the_settings() -> None:
    template = "https://www.evri.com/track/parcel/{number}"
    settings = ko.Settings(tracking_urls={"Evri": template})
    order = shipped(placed(), "Evri", "H01HYA0012345678", Evri=template)
    _, text, _ = render(EmailKind.SHIPPING_NOTIFICATION, order, settings)
    assert "Track your parcel: https://www.evri.com/track/parcel/H01HYA0012345678" in text

    # Shipped before the merchant added the template: the email still gets the link.
    order = shipped(placed(), "Evri", "H01HYA0012345678")
    assert order.shipment is not None and order.shipment.tracking_url is None
    _, text, _ = render(EmailKind.SHIPPING_NOTIFICATION, order, settings)
    assert "https://www.evri.com/track/parcel/H01HYA0012345678" in text
    _, text, body = render(EmailKind.SHIPPING_NOTIFICATION, order)
    assert "Track your parcel" not in text and "Track your parcel" not in body
    assert "H01HYA0012345678" in text


def test_refund_email_shows_amount_and_the_balance_after_that_refund_never_the_note() -> None:
    order = actions.confirm_payment(placed(), at=AT, actor=None).order
    first = actions.refund(
        order, amount=Decimal("3.00"), note="SECRET", refund_id="r1", at=AT, actor=None
    ).order
    second = actions.refund(first, amount=Decimal("2.00"), note="", refund_id="r2", at=AT, actor=None).order
    # Delivered late, after the second refund: the first email still tells the first balance.
    subject, text, body = render(EmailKind.REFUND_CONFIRMATION, second, refund=second.refunds[0])
    assert subject == "Analytical Engines: refund of $3.00 for order #1042"
    assert "Remaining balance: $52.00" in text and "Refunded so far: $3.00" in text
    assert "SECRET" not in text + body + subject


def test_branding_and_the_merchant_link_come_from_the_settings() -> None:
    settings = ko.Settings(
        store_name="Analytical Engines",
        store_url="https://engines.example",
        logo_url="https://engines.example/logo.png",
        brand_color="#8a2be2",
        admin_base_url="https://engines.example/admin/orders/",
    )
    _, text, body = render(EmailKind.NEW_ORDER_ALERT, placed(), settings)
    assert "background:#8a2be2" in body
    assert '<img src="https://engines.example/logo.png" alt="Analytical Engines"' in body
    assert f"Open it: https://engines.example/admin/orders/{'a' * 32}" in text
    assert "Analytical Engines - https://engines.example" in text
    _, text, body = render(EmailKind.NEW_ORDER_ALERT, placed())
    assert "Open it" not in text and "Open the order" not in body


def test_a_host_templates_folder_overrides_single_templates(tmp_path: Path) -> None:
    (tmp_path / "order_confirmation_subject.txt").write_text(
        "Thanks from\n{{ store.name }}, {{ customer.name }}!\n"
    )
    (tmp_path / "base.html").write_text("<main>{% block content %}{% endblock %}</main>")
    settings = ko.Settings(store_name="Engines", email_templates_dir=str(tmp_path))
    subject, text, body = render(EmailKind.ORDER_CONFIRMATION, placed(name=EVIL), settings)
    assert subject == f"Thanks from Engines, {EVIL}!"  # folded onto one line
    assert body.startswith("<main>") and "&lt;script&gt;" in body  # overrides are autoescaped too
    assert "Thank you for your order #1042" in text  # the templates not overridden stay


def test_bad_email_settings_are_refused_naming_each_field() -> None:
    settings = ko.Settings(
        store_name="Engines\r\nBcc: all@example.com",
        from_email="orders@engines.example\nBcc: all@example.com",
        reply_to="not an address",
        new_order_alert_emails=["boss@engines.example", "Boss <boss@engines.example>"],
        disabled_emails={"order_confirmation", "welcome"},
        brand_color="red;background:url(x)",
        logo_url="javascript:alert(1)",
        email_locale="xx_YY",
        smtp_timeout_seconds=0,
        smtp_connection_lifetime_seconds=-1,
        inline_dispatch_budget_seconds=-0.5,
    )
    with pytest.raises(ko.ValidationError) as caught:
        Renderer(settings)
    assert [error.path for error in caught.value.errors] == [
        "settings.store_name",
        "settings.from_email",
        "settings.reply_to",
        "settings.new_order_alert_emails[1]",
        "settings.disabled_emails",
        "settings.brand_color",
        "settings.logo_url",
        "settings.email_locale",
        "settings.smtp_timeout_seconds",
        "settings.smtp_connection_lifetime_seconds",
        "settings.inline_dispatch_budget_seconds",
    ]
    assert "unknown kinds welcome" in str(caught.value)


def test_bad_email_settings_stop_connect(tmp_path: Path) -> None:
    settings = ko.Settings(smtp_url="smtp://127.0.0.1:1", brand_color="blue")
    with pytest.raises(ko.ValidationError, match="settings.brand_color"):
        ko.Orders.connect(f"sqlite:///{tmp_path / 'k.sqlite3'}", settings=settings, load_entrypoints=False)
