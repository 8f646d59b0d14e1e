"""The Django adapter: a reusable Django app on the host's own database, transactions and mail.

::

    INSTALLED_APPS += ["kasify_orders.adapters.django"]
    KASIFY_ORDERS = {"SETTINGS": {"store_name": "My shop"}}
    urlpatterns = [
        path("admin/orders/", include("kasify_orders.adapters.django.urls")),  # before the admin's
        path("admin/", admin.site.urls),
    ]

    from kasify_orders.adapters.django import get_orders

    get_orders().place(...)  # commits or rolls back with the host's transaction.atomic()

``manage.py migrate`` creates kasify's tables; ``manage.py check`` explains misconfiguration
(``kasify_orders.E001``…). See docs/django.md.
"""

from __future__ import annotations

from kasify_orders._extras import missing

try:
    import django  # noqa: F401 - the import guard
except ImportError as error:  # pragma: no cover - depends on the installation
    missing("django", "the Django adapter", error)

from kasify_orders.adapters.django.orders import get_orders

__all__ = ["get_orders"]
