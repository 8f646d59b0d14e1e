"""The Flask extension's contract: factories, several apps, config, refusal of double registration, mail."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import flask
import pytest

import kasify_orders as ko
from kasify_orders.adapters.flask import EXTENSION, KasifyOrders
from tests.helpers import new_order


def factory(kasify: KasifyOrders, database: Path, **config: object) -> flask.Flask:
    app = flask.Flask(f"shop-{database.stem}")
    app.config.update(
        SECRET_KEY="s",
        KASIFY_ORDERS_DATABASE_URL=f"sqlite:///{database}",
        KASIFY_ORDERS_LOAD_ENTRYPOINTS=False,
        **config,
    )
    kasify.init_app(app)
    return app


def test_one_extension_serves_several_apps_each_with_its_own_orders(tmp_path: Path) -> None:
    kasify = KasifyOrders()
    kasify.authorize(lambda action, order: True)
    north = factory(kasify, tmp_path / "north.sqlite3", KASIFY_ORDERS_SETTINGS={"store_name": "North"})
    south = factory(kasify, tmp_path / "south.sqlite3", KASIFY_ORDERS_ADMIN_URL_PREFIX="/staff/orders")
    with north.app_context():
        placed = kasify.orders.place(new_order(name="Northern Nell"))
        assert kasify.orders.settings.store_name == "North"
    with south.app_context():
        assert kasify.orders.list().items == ()
        assert kasify.orders is not north.extensions[EXTENSION].orders
    assert "Northern Nell" in north.test_client().get("/admin/orders/").get_data(as_text=True)
    assert south.test_client().get("/staff/orders/").status_code == 200
    assert south.test_client().get("/admin/orders/").status_code == 404
    assert north.test_client().get(f"/api/orders/{placed.id}").json["customer"]["name"] == "Northern Nell"
    for app in (north, south):
        app.extensions[EXTENSION].orders.close()


def test_registering_twice_is_refused(tmp_path: Path) -> None:
    kasify = KasifyOrders()
    app = factory(kasify, tmp_path / "k.sqlite3")
    with pytest.raises(RuntimeError, match="already registered"):
        kasify.init_app(app)
    with pytest.raises(RuntimeError, match="already registered"):
        KasifyOrders(app)
    app.extensions[EXTENSION].orders.close()


def test_every_config_key_has_a_default_and_is_documented(sqlite_orders: ko.Orders) -> None:
    app = flask.Flask("host")
    KasifyOrders(app, orders=sqlite_orders)
    keys = {key for key in app.config if key.startswith("KASIFY_ORDERS_")}
    assert keys >= {
        "KASIFY_ORDERS_DATABASE_URL",
        "KASIFY_ORDERS_ADMIN_URL_PREFIX",
        "KASIFY_ORDERS_API_URL_PREFIX",
    }
    doc = KasifyOrders.init_app.__doc__ or ""
    for key in keys:
        assert f"``{key}``" in doc, key


def test_pages_and_api_can_be_left_out(sqlite_orders: ko.Orders) -> None:
    app = flask.Flask("host")
    app.config.update(KASIFY_ORDERS_ADMIN_URL_PREFIX=None, KASIFY_ORDERS_API_URL_PREFIX=None)
    KasifyOrders(app, orders=sqlite_orders)
    client = app.test_client()
    assert client.get("/admin/orders/").status_code == 404
    assert client.get("/api/orders").status_code == 404


def test_orders_outside_an_app_context_says_what_to_do() -> None:
    with pytest.raises(RuntimeError, match="application context"):
        _ = KasifyOrders().orders


def test_emails_go_through_the_hosts_flask_mailman(sqlite_orders: ko.Orders) -> None:
    mailman = pytest.importorskip("flask_mailman")
    app = flask.Flask("host")
    app.config.update(MAIL_BACKEND="locmem", MAIL_DEFAULT_SENDER="shop@example.com")
    mail = mailman.Mail(app)
    KasifyOrders(app, orders=sqlite_orders)
    message = EmailMessage()
    message["Subject"] = "Your order #1001 has shipped"
    message["From"] = "Shop <orders@shop.example>"
    message["To"] = "Ada Lovelace <ada@example.com>"
    message["Reply-To"] = "help@shop.example"
    message.set_content("Track it here.")
    message.add_alternative("<p>Track it <b>here</b>.</p>", subtype="html")

    sqlite_orders.hooks.send_email(message)  # outside any request: the plugin opens the app context

    with app.app_context():
        (sent,) = mail.outbox
    assert sent.subject == "Your order #1001 has shipped"
    assert sent.to == ["Ada Lovelace <ada@example.com>"] and sent.reply_to == ["help@shop.example"]
    assert sent.from_email == "Shop <orders@shop.example>" and sent.body.strip() == "Track it here."
    assert sent.alternatives[0][0].strip() == "<p>Track it <b>here</b>.</p>"


def test_without_host_mail_the_settings_smtp_sends(sqlite_orders: ko.Orders) -> None:
    app = flask.Flask("host")
    KasifyOrders(app, orders=sqlite_orders)  # no Flask-Mailman on this app
    message = EmailMessage()
    message["To"] = "ada@example.com"
    message.set_content("hi")
    results = sqlite_orders.plugins.hook.kasify_send_email.get_hookimpls()
    host = [impl for impl in results if impl.plugin_name.startswith("kasify_orders.flask.mail")]
    assert host and host[0].function(message=message) is None  # passes to the SMTP plugin
