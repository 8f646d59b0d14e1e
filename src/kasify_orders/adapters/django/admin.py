"""kasify's orders in Django's admin: a read-only list whose rows open kasify's own order page.

Orders change only through kasify (its pages and ``get_orders()``), so the admin offers no
second way to edit them: no add, change or delete, no bulk actions, and an order's admin
page sends the user on to kasify's order page (``kasify_orders:order_detail``). The list
searches by order number (``1042`` or ``#1042``), customer email and name, and filters by
status and payment status. Who sees it is Django's ``kasify_orders.view_order`` permission
(superusers always do); what they may do on kasify's page is ``KASIFY_ORDERS["AUTHORIZE"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from kasify_orders import money
from kasify_orders.adapters.django import conf
from kasify_orders.adapters.django.models import Order
from kasify_orders.lifecycle import PaymentStatus, Status
from kasify_orders.web.formatting import money_label

__all__ = ["OrderAdmin", "order_page_url"]

#: The longest order number a search looks up (a BIGINT has 19 digits).
_NUMBER_DIGITS = 18

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Order]
else:
    _ModelAdmin = admin.ModelAdmin


def order_page_url(order_id: str) -> str | None:
    """The URL of kasify's page of the order, or None when kasify's pages are not in the URLconf."""
    try:
        return reverse("kasify_orders:order_detail", args=[order_id])
    except NoReverseMatch:
        return None


class _ChoiceFilter(admin.SimpleListFilter):
    """Filter by one of kasify's status enums (their labels, in their order)."""

    statuses: type[Status | PaymentStatus]

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(status.value, status.label) for status in self.statuses]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(**{str(self.parameter_name): value}) if value else queryset


class StatusFilter(_ChoiceFilter):
    title = "status"
    parameter_name = "status"
    statuses = Status


class PaymentStatusFilter(_ChoiceFilter):
    title = "payment status"
    parameter_name = "payment_status"
    statuses = PaymentStatus


@admin.register(Order)
class OrderAdmin(_ModelAdmin):
    """The read-only order list; each row links to kasify's order page."""

    list_display = ("order", "created_at", "customer", "status_label", "payment_label", "total_label")
    list_display_links = None
    list_filter = (StatusFilter, PaymentStatusFilter)
    search_fields = ("customer_email", "customer_name")
    search_help_text = "Order number, customer email or name"
    ordering = ("-number",)
    actions = None
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        """The orders, on the database kasify uses (``KASIFY_ORDERS["DATABASE"]``)."""
        return super().get_queryset(request).using(conf.load().database)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Order], search_term: str
    ) -> tuple[QuerySet[Order], bool]:
        """Email and name contain the term, or the order's number is it (``1042`` or ``#1042``)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = search_term.strip().removeprefix("#")
        if number.isdigit() and len(number) <= _NUMBER_DIGITS:
            found = found | queryset.filter(Q(number=int(number)))
        return found, may_have_duplicates

    @admin.display(description="order", ordering="number")
    def order(self, row: Order) -> str:
        """``#1042``, linking to kasify's order page."""
        url = order_page_url(row.order_id)
        return format_html('<a href="{}">#{}</a>', url, row.number) if url else f"#{row.number}"

    @admin.display(description="customer", ordering="customer_name")
    def customer(self, row: Order) -> str:
        """The customer's name over their email."""
        return format_html("{}<br><small>{}</small>", row.customer_name, row.customer_email)

    @admin.display(description="status", ordering="status")
    def status_label(self, row: Order) -> str:
        """``Processing``, as kasify's pages write it."""
        return _label(Status, row.status)

    @admin.display(description="payment", ordering="payment_status")
    def payment_label(self, row: Order) -> str:
        """``Partially refunded``, as kasify's pages write it."""
        return _label(PaymentStatus, row.payment_status)

    @admin.display(description="total", ordering="total")
    def total_label(self, row: Order) -> str:
        """``$45.00``: kasify's money formatting, in ``KASIFY_ORDERS["LOCALE"]``."""
        return money_label(money.from_minor(row.total, row.currency), row.currency, conf.load().page_locale())

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Orders are placed through kasify (``get_orders().place``), never in the admin."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        """Orders change on kasify's own pages only."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        """An order is never deleted: it is cancelled or refunded on kasify's pages."""
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Send the user to kasify's page of the order (the admin's read-only page if it is not mounted)."""
        row = self.get_object(request, unquote(object_id))
        allowed = row is not None and self.has_view_permission(request, row)
        url = order_page_url(row.order_id) if row is not None and allowed else None
        if url is not None:
            return HttpResponseRedirect(url)
        return super().change_view(request, object_id, form_url, extra_context)


def _label(kind: type[Status | PaymentStatus], value: str) -> str:
    """The label of a stored status (the stored word itself if this kasify does not know it)."""
    try:
        return kind(value).label
    except ValueError:
        return value
