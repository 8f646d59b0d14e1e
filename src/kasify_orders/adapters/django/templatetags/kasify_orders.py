"""``{% load kasify_orders %}``: a customer's orders, and money and statuses written as kasify writes them.

::

    {% load kasify_orders %}
    {% kasify_customer_orders user.email as orders %}
    {% for order in orders %}
      #{{ order.number }} {{ order.created_at|date:"j M Y" }} {{ order.status|kasify_status }}
      {{ order.totals.total|kasify_money:order.currency }}
    {% empty %}
      You have no orders yet.
    {% endfor %}
"""

from __future__ import annotations

from decimal import Decimal

from django import template

from kasify_orders.adapters.django import conf
from kasify_orders.adapters.django.customers import customer_orders
from kasify_orders.lifecycle import PaymentStatus, Status
from kasify_orders.model import OrderSummary
from kasify_orders.web.formatting import money_label, status_label

__all__ = ["kasify_customer_orders", "kasify_money", "kasify_status", "register"]

register = template.Library()


@register.simple_tag
def kasify_customer_orders(email: str | None, limit: int = 20) -> tuple[OrderSummary, ...]:
    """``{% kasify_customer_orders user.email as orders %}``: the customer's orders, newest first.

    See :func:`kasify_orders.adapters.django.customers.customer_orders` (``limit=20``).
    """
    return customer_orders(email, limit=limit)


@register.filter
def kasify_money(amount: Decimal, currency: str) -> str:
    """``{{ order.totals.total|kasify_money:order.currency }}`` -> ``$45.00``.

    kasify's own money formatting, in ``KASIFY_ORDERS["LOCALE"]``.
    """
    return money_label(amount, currency, conf.load().page_locale())


@register.filter
def kasify_status(status: Status | PaymentStatus | str) -> str:
    """``{{ order.status|kasify_status }}`` -> ``Processing``.

    Payment statuses too (``Partially refunded``), and their stored words (``"processing"``).
    """
    if isinstance(status, Status | PaymentStatus):
        return status_label(status)
    for kind in (Status, PaymentStatus):
        try:
            return status_label(kind(status))
        except ValueError:
            continue
    return str(status)
