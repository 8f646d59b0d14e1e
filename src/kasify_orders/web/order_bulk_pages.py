"""The order list's bulk actions and its export: confirm payment, packing slips, CSV.

``POST orders/bulk``: the list's form, with a checkbox per row (``order``, one value per
order) or "all matching the filter" (``all_matching``, the list's query carried in ``view``)
and the chosen ``bulk_action``:

- ``confirm_payment``: each selected order runs the registry's confirm-payment action on its
  own (its own transaction, timeline entry and email, with the order's version), and the
  result page says which were confirmed and which were refused and why;
- ``packing_slips``: one printable HTML document, one slip (the single slip's template) per order;
- ``export``: the CSV of exactly the selection, with the CLI export's columns.

``GET orders/export.csv``: the CSV of the list's current filter, streamed.

Who may: reading (the slips, the exports) is the list's ``view``; confirming is the action's
own permission, asked for each order.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import parse_qsl

import attrs

from kasify_orders import money
from kasify_orders.errors import ValidationError
from kasify_orders.export import csv_chunks
from kasify_orders.i18n import gettext
from kasify_orders.lifecycle import allowed_actions
from kasify_orders.model import Order
from kasify_orders.registry import Context
from kasify_orders.registry.shipping import CONFIRM_PAYMENT
from kasify_orders.service.listing import order_filter
from kasify_orders.storage.records import OrderFilter, OrderSort
from kasify_orders.web.formatting import money_label, sentence, status_label
from kasify_orders.web.order_list_page import errors_sentence, list_selection
from kasify_orders.web.pages import VIEW, MerchantPages, Page, Redirect
from kasify_orders.web.problems import HANDLED
from kasify_orders.web.routes import Download, PageRequest, Route

__all__ = ["MAX_BULK", "ROUTES", "Confirmed"]

#: The most orders one confirm or one packing-slip document takes ("all matching" above it is refused).
MAX_BULK = 500
_SECTION = "order_list"
_ACTIONS = ("confirm_payment", "packing_slips", "export")


@attrs.frozen
class Confirmed:
    """One order's result of a bulk confirm: confirmed, or refused and why."""

    order: Order
    confirmed: bool
    message: str


def _problem(pages: MerchantPages, message: str, status: int = 400) -> Page:
    return Page("orders_bulk_problem.html", {"section": _SECTION, "message": message}, status)


def _view_query(form: Mapping[str, str]) -> dict[str, str]:
    """The list's query the form carries (``view``: its query string)."""
    return dict(parse_qsl(form.get("view", ""), keep_blank_values=False))


def _where(pages: MerchantPages, request: PageRequest) -> OrderFilter | str:
    """The selection as a store filter, or what is wrong with it."""
    if request.form.get("all_matching") == "1":
        return _filter_of(pages, _view_query(request.form))
    ids = [i for i in request.form_lists.get("order", ()) if i]
    if not ids:
        return gettext("Select at least one order, or “all matching the filter”.")
    if len(ids) > MAX_BULK:
        return gettext("Select at most %(most)d orders at once.") % {"most": MAX_BULK}
    return OrderFilter(ids=frozenset(ids))


def _filter_of(pages: MerchantPages, query: Mapping[str, str]) -> OrderFilter | str:
    """The list query's selection as a store filter, or the sentence naming its bad fields."""
    _tab, _search, _written, filters, errors, _problem_text = list_selection(pages, query)
    if not errors:
        try:
            return order_filter(filters)  # type: ignore[arg-type]  # the list's filters
        except ValidationError as error:
            errors = error.errors
    return errors_sentence(errors)


def _in_view_order(orders: list[Order], sort: str | None) -> list[Order]:
    """*orders* as the list showed them (its ``sort``, newest first by default), for the slips."""
    try:
        order_by = OrderSort(sort or OrderSort.DATE_DESC)
    except ValueError:
        order_by = OrderSort.DATE_DESC
    if order_by.by_total:
        ranked = sorted(orders, key=lambda o: (money.to_minor(o.totals.total, o.currency), o.number))
    else:
        ranked = sorted(orders, key=lambda o: o.number)
    return ranked[::-1] if order_by.descending else ranked


def bulk(pages: MerchantPages, request: PageRequest) -> Page | Redirect | Download:  # noqa: PLR0911
    """Run the chosen bulk action on the selected orders (or all matching the list's filter)."""
    if not request.authorize(VIEW, None):
        return pages.refused()
    action = request.form.get("bulk_action", "")
    if action not in _ACTIONS:
        return _problem(pages, gettext("Choose what to do with the selected orders."))
    where = _where(pages, request)
    if isinstance(where, str):
        return _problem(pages, where)
    if action == "export":
        return _download(pages, where, "orders-selected")
    if pages.orders.store.count_orders(where, at_most=MAX_BULK) > MAX_BULK:
        too_many = gettext("More than %(most)d orders match: narrow the filter and try again.")
        return _problem(pages, too_many % {"most": MAX_BULK})
    found = [o for o in pages.orders.store.iter_orders(where) if request.authorize(VIEW, o)]
    orders = _in_view_order(found, _view_query(request.form).get("sort"))
    if action == "packing_slips":
        return Page("packing_slips.html", {"orders": orders, "back_url": _back(pages, request)})
    return _confirm(pages, request, orders)


def _confirm(pages: MerchantPages, request: PageRequest, orders: list[Order]) -> Page:
    def money(amount: Decimal, currency: str) -> str:
        return money_label(amount, currency, pages.locale)

    results = []
    for order in orders:
        if not request.authorize(CONFIRM_PAYMENT.permission, order):
            refusal = gettext("You may not %(what)s.") % {"what": gettext(CONFIRM_PAYMENT.may)}
            results.append(Confirmed(order, False, refusal))
            continue
        if CONFIRM_PAYMENT.action not in allowed_actions(order.status, order.payment_status):
            why = gettext("Its payment is %(payment)s and it is %(status)s: there is no payment to confirm.")
            values = {"payment": status_label(order.payment_status), "status": status_label(order.status)}
            results.append(Confirmed(order, False, why % values))
            continue
        context = Context(actor=request.actor, expected_version=order.version, money=money)
        try:
            after = CONFIRM_PAYMENT.run(pages.orders, order, {}, context)
        except HANDLED as error:
            results.append(Confirmed(order, False, sentence(str(error))))
        else:
            results.append(Confirmed(after, True, CONFIRM_PAYMENT.notice(order, after, {}, context)))
    done = sum(result.confirmed for result in results)
    return Page(
        "orders_bulk_result.html",
        {
            "section": _SECTION,
            "results": results,
            "confirmed": done,
            "refused": len(results) - done,
            "back_url": _back(pages, request),
        },
    )


def _back(pages: MerchantPages, request: PageRequest) -> str:
    return pages.urls.order_list(**_view_query(request.form))


def _download(pages: MerchantPages, where: OrderFilter, name: str) -> Download:
    stamp = pages.clock().strftime("%Y%m%d-%H%M")
    return Download(f"{name}-{stamp}.csv", "text/csv; charset=utf-8", csv_chunks(pages.orders.store, where))


def export(pages: MerchantPages, request: PageRequest) -> Page | Redirect | Download:
    """The CSV of the list's current filter (its query), streamed: the CLI export's columns."""
    if not request.authorize(VIEW, None):
        return pages.refused()
    where = _filter_of(pages, request.args)
    if isinstance(where, str):
        return pages.order_list(request.args, request.authorize)
    return _download(pages, where, "orders")


ROUTES: tuple[Route, ...] = (
    Route("orders_export", "orders/export.csv", export),
    Route("orders_bulk", "orders/bulk", bulk, methods=("POST",)),
)
