"""The order list's filters and sort as a URL query: read, checked, and written back into links.

The pages and the JSON API read the same parameters (the pages' search is ``q``, the API's
``search``), so a bookmarked list and an API call select the same orders. Dates are whole
days (``2026-12-01``); :func:`day_start` is the one place a day becomes a moment, so the
merchant's time zone only has to be passed in there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import attrs

from kasify_orders.errors import FieldError
from kasify_orders.i18n import formats

__all__ = ["FILTER_PARAMS", "ListQuery", "day_start", "read_list_query"]

#: The query parameters of the list's filters and sort (besides ``status`` and the search).
FILTER_PARAMS = ("payment_status", "placed_from", "placed_to", "coupon", "country", "sort")


def day_start(text: str, tz: tzinfo = UTC) -> datetime:
    """The first moment of the day *text* (``YYYY-MM-DD``) in *tz*, as an aware UTC datetime.

    Raises ``ValueError`` when *text* is not such a date.
    """
    day = date.fromisoformat(text) if len(text) == 10 else None
    if day is None:
        raise ValueError(text)
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


@attrs.frozen
class ListQuery:
    """The list's filters and sort as the merchant wrote them (strings, "" when not set)."""

    payment_status: str = ""
    placed_from: str = ""
    placed_to: str = ""
    coupon: str = ""
    country: str = ""
    sort: str = ""

    def params(self) -> dict[str, str]:
        """The query parameters that are set, for links that keep this view."""
        return {name: value for name, value in attrs.asdict(self).items() if value}

    @property
    def filtered(self) -> bool:
        """Whether any filter is set (the sort alone does not filter)."""
        return any(value for name, value in self.params().items() if name != "sort")


def read_list_query(
    query: Mapping[str, str], *, tz: tzinfo | None = None
) -> tuple[ListQuery, dict[str, Any], list[FieldError]]:
    """The list's filters and sort in *query*: as written, as :class:`~kasify_orders.OrderFilters`, errors.

    *tz*: the zone the days are the merchant's in (default: the request's clock,
    :func:`kasify_orders.i18n.formats.active_timezone`), so "placed from 2 December" means the
    merchant's 2 December, as every date on the pages is shown.

    The dates are checked here (the error names ``placed_from`` / ``placed_to``); payment
    status, country and sort are checked by :meth:`Orders.list`, with the same field names.
    ``placed_to`` is inclusive: the orders placed on that day are in.
    """
    written = ListQuery(**{name: query.get(name, "").strip() for name in FILTER_PARAMS})
    errors: list[FieldError] = []
    filters: dict[str, Any] = {
        "payment_status": written.payment_status or None,
        "coupon_code": written.coupon or None,
        "country": written.country or None,
        "sort": written.sort or None,
    }
    for name, key, days in (("placed_from", "created_from", 0), ("placed_to", "created_to", 1)):
        text = getattr(written, name)
        if not text:
            continue
        tz = tz or formats.zone(formats.active_timezone())  # asked only for a day given
        try:
            filters[key] = day_start(text, tz) if not days else day_start(_next_day(text), tz)
        except ValueError:
            errors.append(
                FieldError.of(name, "must be a date written YYYY-MM-DD, got %(given)s", given=repr(text[:40]))
            )
    start, end = filters.get("created_from"), filters.get("created_to")
    if start is not None and end is not None and end <= start:
        errors.append(FieldError.of("placed_to", "must be on or after placed_from"))
    return written, {key: value for key, value in filters.items() if value is not None}, errors


def _next_day(text: str) -> str:
    """The day after *text* (raises ``ValueError`` when it is no date)."""
    if len(text) != 10:
        raise ValueError(text)
    return (date.fromisoformat(text) + timedelta(days=1)).isoformat()
