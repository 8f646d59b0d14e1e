"""A runnable Flask shop with kasify-orders: ``flask --app contrib/flask_shop/app.py run``.

The shop itself (catalogue, cart, checkout, caught emails) is ``kasify_orders.demo``, shipped in
the package so that ``kasify-orders demo`` works from an install; this file shows how a host
builds it with its own database and mail sink. Read ``kasify_orders/demo/shop.py`` for the
parts a real shop copies: ``KasifyOrders(app)``, ``@kasify.authorize`` and the checkout calling
``orders.place``.
"""

from __future__ import annotations

import atexit
import os

from kasify_orders.demo import MailSink, create_app

sink = MailSink().start()
atexit.register(sink.stop)
app = create_app(
    os.environ.get("KASIFY_ORDERS_DATABASE_URL", "sqlite:///kasify-demo.sqlite3"), mail_sink=sink
)
