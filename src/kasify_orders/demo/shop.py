"""The demo shop's Flask app: catalogue, cart, checkout through kasify-orders, caught emails."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from kasify_orders.adapters.flask import KasifyOrders
from kasify_orders.demo.catalogue import CATALOGUE, Product
from kasify_orders.demo.mailsink import MailSink
from kasify_orders.demo.seed import seed
from kasify_orders.errors import CouponNotApplicable, KasifyError, OutOfStock, ValidationError
from kasify_orders.model import Address, Customer, NewLine, NewOrder
from kasify_orders.service import Orders
from kasify_orders.web.formatting import sentence

__all__ = ["CATALOGUE", "SHIPPING", "Product", "create_app"]

SHIPPING = Decimal("5.00")


_CART = "demo_cart"

shop = flask.Blueprint("shop", __name__, template_folder="templates")


def _orders() -> Orders:
    orders: Orders = flask.current_app.extensions["kasify_orders"].orders
    return orders


def create_app(
    database_url: str | None = None,
    *,
    mail_sink: MailSink | None = None,
    seed_orders: bool = True,
    config: Mapping[str, Any] | None = None,
) -> flask.Flask:
    """The demo shop, with the merchant's pages at ``/admin/orders`` and emails sent to *mail_sink*.

    Everyone is staff here: the demo's ``authorize`` allows every action (a real shop asks
    its own login system).
    """
    app = flask.Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_hex(16),
        KASIFY_ORDERS_DATABASE_URL=database_url or "sqlite:///kasify-demo.sqlite3",
        KASIFY_ORDERS_SETTINGS={
            "store_name": "Kasify Demo Shop",
            "from_email": "Kasify Demo Shop <orders@demo.example>",
            "new_order_alert_emails": ("merchant@demo.example",),
            "smtp_url": mail_sink.url if mail_sink else None,
        },
        KASIFY_ORDERS_MIGRATE=True,
    )
    app.config.update(config or {})
    CSRFProtect(app)
    kasify = KasifyOrders(app)
    kasify.authorize(lambda action, order: True)
    kasify.actor(lambda: "staff:demo")
    app.extensions["kasify_demo_mail"] = mail_sink
    if seed_orders:
        with app.app_context():
            seed(kasify.orders)

    app.register_blueprint(shop)
    return app


def _cart() -> dict[str, int]:
    cart = flask.session.get(_CART, {})
    return {sku: int(n) for sku, n in cart.items() if sku in CATALOGUE}


def _cart_view() -> dict[str, Any]:
    lines = [(CATALOGUE[sku], quantity, CATALOGUE[sku].price * quantity) for sku, quantity in _cart().items()]
    subtotal = sum((total for _, _, total in lines), Decimal(0))
    return {"lines": lines, "subtotal": subtotal, "shipping": SHIPPING}


def _new_order(form: Mapping[str, str]) -> NewOrder:
    return NewOrder(
        customer=Customer(name=form.get("name", ""), email=form.get("email", "")),
        shipping_address=Address(
            line1=form.get("line1", ""),
            line2=form.get("line2", ""),
            city=form.get("city", ""),
            region=form.get("region", ""),
            postal_code=form.get("postal_code", ""),
            country=form.get("country", "").upper(),
        ),
        lines=[
            NewLine(sku, product.name, quantity=quantity, unit_price=product.price, variant=product.variant)
            for sku, quantity in _cart().items()
            for product in [CATALOGUE[sku]]
        ],
        currency="USD",
        shipping_cost=SHIPPING,
        coupon_code=form.get("coupon_code", "").strip() or None,
        customer_note=form.get("customer_note", ""),
    )


@shop.app_context_processor
def shop_context() -> dict[str, Any]:
    return {"cart_count": sum(_cart().values()), "store_name": "Kasify Demo Shop"}


@shop.get("/")
def catalogue() -> str:
    return flask.render_template("catalogue.html", products=CATALOGUE.values())


@shop.post("/cart/add")
def add_to_cart() -> Response:
    sku = flask.request.form.get("sku", "")
    if sku in CATALOGUE:
        cart = _cart()
        cart[sku] = cart.get(sku, 0) + 1
        flask.session[_CART] = cart
        flask.flash(f"Added {CATALOGUE[sku].name} ({CATALOGUE[sku].variant}) to your cart.")
    return flask.redirect(flask.url_for("shop.cart"), 303)


@shop.post("/cart/remove")
def remove_from_cart() -> Response:
    cart = _cart()
    cart.pop(flask.request.form.get("sku", ""), None)
    flask.session[_CART] = cart
    return flask.redirect(flask.url_for("shop.cart"), 303)


@shop.get("/cart")
def cart() -> str:
    return flask.render_template("cart.html", **_cart_view())


@shop.route("/checkout", methods=["GET", "POST"])
def checkout() -> str | Response:
    view = _cart_view()
    if not view["lines"]:
        return flask.redirect(flask.url_for("shop.catalogue"), 303)
    form = flask.request.form
    errors: dict[str, str] = {}
    problem = None
    if flask.request.method == "POST":
        try:
            order = _orders().place(_new_order(form), idempotency_key=form.get("checkout_id") or None)
        except ValidationError as error:
            errors = {e.path.split(".")[-1]: sentence(e.message) for e in error.errors}
            problem = "Please check the highlighted fields."
        except CouponNotApplicable as error:
            errors = {"coupon_code": sentence(error.reason)}
        except OutOfStock as error:
            problem = str(error)
        except KasifyError as error:
            problem = str(error)
        else:
            flask.session.pop(_CART, None)
            return flask.redirect(flask.url_for("shop.thanks", number=order.number), 303)
    return flask.render_template(
        "checkout.html",
        **view,
        form=form,
        errors=errors,
        problem=problem,
        checkout_id=form.get("checkout_id") or secrets.token_hex(8),
    )


@shop.get("/thanks/<int:number>")
def thanks(number: int) -> str:
    return flask.render_template("thanks.html", order=_orders().get_by_number(number))


@shop.get("/mail/")
def mailbox() -> str:
    sink: MailSink | None = flask.current_app.extensions["kasify_demo_mail"]
    return flask.render_template("mailbox.html", messages=list(enumerate(sink.snapshot() if sink else [])))


@shop.get("/mail/<int:index>")
def mail_message(index: int) -> str:
    sink: MailSink | None = flask.current_app.extensions["kasify_demo_mail"]
    messages = sink.snapshot() if sink else []
    if not 0 <= index < len(messages):
        flask.abort(404)
    message = messages[index]
    html = message.get_body(("html",))
    text = message.get_body(("plain",))
    return flask.render_template(
        "mail_message.html",
        message=message,
        html=html.get_content() if html is not None else None,
        text=text.get_content() if text is not None else "",
    )
