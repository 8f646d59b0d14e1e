"""The merchant's order list: status tabs, search, filters, sort, keyset pages, bulk selection.

Every filter and the sort live in the URL query (a view can be bookmarked), and each link
the page makes (tabs, pages, "Clear", the export) keeps the others. The tab counts and the
needs-attention count come from the O(1) status counters; a filtered list shows a bounded
count (:data:`COUNT_UP_TO`, then "1,000+"), so no page scans without a limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from babel.numbers import format_decimal

from kasify_orders.errors import FieldError, ValidationError
from kasify_orders.i18n import N_, gettext, ngettext
from kasify_orders.lifecycle import PaymentStatus, Status
from kasify_orders.service.listing import OrderSort
from kasify_orders.web.attention import attention_cutoff
from kasify_orders.web.formatting import status_label
from kasify_orders.web.list_query import ListQuery, read_list_query
from kasify_orders.web.pages import ATTENTION, VIEW, Authorize, MerchantPages, Page

__all__ = ["COUNT_UP_TO", "FIELD_LABELS", "SORTS", "Tab", "errors_sentence", "list_selection", "order_list"]

#: A filtered list counts its orders up to this many (past the bulk actions' 500): a bounded scan.
COUNT_UP_TO = 1_000

TABS: tuple[tuple[str, str], ...] = (
    ("", N_("All")),
    *((status.value, status.label) for status in Status),
)
#: The sort choices, as the select offers them.
SORTS: tuple[tuple[str, str], ...] = (
    (OrderSort.DATE_DESC.value, N_("Newest first")),
    (OrderSort.DATE_ASC.value, N_("Oldest first")),
    (OrderSort.TOTAL_DESC.value, N_("Highest total")),
    (OrderSort.TOTAL_ASC.value, N_("Lowest total")),
)
#: Each query parameter as the merchant reads it, for the error beside a bad one.
FIELD_LABELS: Mapping[str, str] = {
    "placed_from": N_("Placed from"),
    "placed_to": N_("Placed to"),
    "payment_status": N_("Payment"),
    "coupon": N_("Coupon"),
    "country": N_("Country"),
    "sort": N_("Sort"),
    "cursor": N_("Page"),
}


@attrs.frozen
class Tab:
    """One tab of the order list."""

    key: str
    label: str
    count: str
    url: str
    current: bool


def list_selection(
    pages: MerchantPages, query: Mapping[str, str]
) -> tuple[str, str, ListQuery, dict[str, Any], list[FieldError], str | None]:
    """What a list query selects: tab, search, the filters as written and as ``Orders.list`` takes them.

    Also the errors of its dates and the problem with its tab (None: none). The bulk actions'
    "all matching the filter" reads its selection through here too, so it is the list's.
    """
    tab = query.get("status", "").strip()
    search = query.get("q", "").strip()
    problem = None
    if tab not in {key for key, _ in TABS} | {ATTENTION}:
        problem = gettext("There is no “%(tab)s” tab; showing all orders.") % {"tab": tab}
        tab = ""
    written, filters, errors = read_list_query(query)
    filters["search"] = search or None
    if tab == ATTENTION:
        cutoff = attention_cutoff(pages.clock(), pages.orders.settings.needs_attention_business_days)
        filters.update(status=Status.PROCESSING, paid_before=cutoff)
    elif tab:
        filters["status"] = Status(tab)
    return tab, search, written, filters, errors, problem


def errors_sentence(errors: list[FieldError]) -> str:
    """The filters' errors as one sentence each, in the merchant's language: ``Country: ...``."""
    return " ".join(f"{gettext(FIELD_LABELS.get(e.path, e.path))}: {e.translated()}." for e in errors)


def order_list(pages: MerchantPages, query: Mapping[str, str], authorize: Authorize) -> Page:
    """The list: tabs with counts, "Needs attention", search, filters, sort, newest first, keyset paging.

    Its reads (the orders, the header with the tab counts, a filter's count) share one unit of
    work: the API's list is one.
    """
    if not authorize(VIEW, None):
        return pages.refused()
    with pages.orders.reads_together():
        return _order_list(pages, query)


def _order_list(pages: MerchantPages, query: Mapping[str, str]) -> Page:
    tab, search, written, filters, errors, problem = list_selection(pages, query)
    cursor = query.get("cursor") or None
    items: tuple[Any, ...] = ()
    next_cursor = None
    field_errors: dict[str, str] = {}
    if not errors:
        try:
            page = pages.orders.list(**filters, limit=pages.page_size, cursor=cursor)
        except ValidationError as error:
            errors = [e for e in error.errors if e.path != "cursor"]
            if not errors:  # only the cursor: an old link
                problem = gettext("That page link is out of date; showing the first page.")
                page = pages.orders.list(**filters, limit=pages.page_size)
        if not errors:
            items, next_cursor = page.items, page.next_cursor
    if errors:
        field_errors = {e.path: f"{e.translated()}." for e in errors}
        problem = " ".join(filter(None, [problem, errors_sentence(errors)]))
    cutoff = attention_cutoff(pages.clock(), pages.orders.settings.needs_attention_business_days)
    _settings, counts, late = pages.orders.merchant_settings.page_header(cutoff)  # the frame's read too
    keep = {**written.params(), **({"q": search} if search else {})}
    tabs = [
        Tab(
            key, gettext(label), str(counts.get(Status(key)) if key else sum(counts.values())), "", key == tab
        )
        for key, label in TABS
    ]
    tabs.append(Tab(ATTENTION, gettext("Needs attention"), str(late), "", tab == ATTENTION))
    tabs = [attrs.evolve(t, url=pages.urls.order_list(**_query(status=t.key, **keep))) for t in tabs]
    here = _query(status=tab, **keep)
    matching = matching_text = None
    if (written.filtered or search) and not errors:
        if cursor is None and next_cursor is None:  # the whole selection is on this page: no count
            found, bounded = len(items), False
        elif cursor is None:  # the first page: its orders, and the rest counted from its end on
            rest = (
                0  # more than the bound on the page already
                if len(items) > COUNT_UP_TO
                else pages.orders.count(**filters, at_most=COUNT_UP_TO - len(items), cursor=next_cursor)
            )
            found = len(items) + rest
            bounded = found > COUNT_UP_TO
        else:
            where = {k: v for k, v in filters.items() if k != "sort"}
            found = pages.orders.count(**where, at_most=COUNT_UP_TO)
            bounded = found > COUNT_UP_TO
        shown = format_decimal(COUNT_UP_TO if bounded else found, locale=pages.locale)  # "1.000" in German
        matching = f"{shown}+" if bounded else shown
        matching_text = ngettext("%(count)s matching order", "%(count)s matching orders", found) % {
            "count": matching
        }
    return Page(
        "order_list.html",
        {
            "tabs": tabs,
            "tab": tab,
            "search": search,
            "filters": written,
            "field_errors": field_errors,
            "here": here,
            "sorts": [(value, gettext(label)) for value, label in SORTS],
            "payment_statuses": [(p.value, status_label(p)) for p in PaymentStatus],
            "matching": matching,
            "matching_text": matching_text,
            "orders": items,
            "next_url": pages.urls.order_list(**here, cursor=next_cursor) if next_cursor else None,
            "first_url": pages.urls.order_list(**here) if cursor else None,
            "clear_url": pages.urls.order_list(**_query(status=tab)),
            "export_url": pages.urls.url("orders_export", query=here),
            "bulk_url": pages.urls.url("orders_bulk"),
            "problem": problem,
            "attention_days": pages.orders.settings.needs_attention_business_days,
            "attention": late,
        },
        400 if problem else 200,
    )


def _query(**values: str | None) -> dict[str, str]:
    return {key: value for key, value in values.items() if value}
