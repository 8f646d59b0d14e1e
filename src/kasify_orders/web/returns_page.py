"""The Returns page: every return waiting on the merchant (open or received), newest first.

Returns otherwise live on their orders' pages only; this page lists those the merchant still
has to receive, refund or close, each linking to its order, where the buttons are.
"""

from __future__ import annotations

from kasify_orders.registry.returns import OPEN_RETURN
from kasify_orders.web.pages import MerchantPages, Page
from kasify_orders.web.routes import PageRequest, Route

__all__ = ["LIMIT", "ROUTES"]

#: The sidebar section (and route name) of the page.
SECTION = "returns"
#: The most returns the page lists.
LIMIT = 50


def returns_list(pages: MerchantPages, request: PageRequest) -> Page:
    """The newest :data:`LIMIT` returns open or received, and how many more there are."""
    if not request.authorize(OPEN_RETURN.permission, None):
        return pages.refused()
    found, total = pages.orders.returns.needing_merchant(limit=LIMIT)
    return Page("returns.html", {"section": SECTION, "returns": found, "more": total - len(found)})


ROUTES: tuple[Route, ...] = (Route(SECTION, "returns", returns_list),)
