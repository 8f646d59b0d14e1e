"""An order page built and rendered once, and reused while nothing it shows has changed.

The order page is a pure function of what it is built from: the order as read for this
request, the host's answers to the permissions the page asks, the language its money is
written in and where its forms post; and, for its HTML, the frame around it (template,
language, time zone, sidebar, store name, notices). :class:`ShownPages` keeps, per order, the
page's context with what it was built from, and each context keeps the HTML it rendered to,
per frame.

Every request still reads the order (that read is what makes the reuse exact) and asks the
host the same permissions again: only when the order compares equal, field by field, and
every answer and the frame are the same is the kept page used, with this request's CSRF
token written into it (:func:`kasify_orders.web.render.render`). Anything else builds the page
anew. A page after a failed action is never kept, nor one with a notice on it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from kasify_orders.model import Order

__all__ = ["ShownPage", "ShownPages"]

#: ``authorize(permission, order) -> bool``, as :data:`kasify_orders.web.pages.Authorize`.
_Authorize = Callable[[str, Order | None], bool]
#: How many frames' HTML one kept page holds (languages, users whose sidebars differ).
_RENDERS_KEPT = 4


class ShownPage:
    """One order page's context, what it was built from, and the HTML it rendered to per frame."""

    __slots__ = ("_html", "asked", "context", "made_for", "order")

    def __init__(
        self,
        order: Order,
        made_for: tuple[object, ...],
        asked: tuple[tuple[str, bool, bool], ...],
        context: Mapping[str, Any],
    ) -> None:
        #: The order the page was built from.
        self.order = order
        #: The rest it was built from: the money's language, where its forms post.
        self.made_for = made_for
        #: Each permission it asked: (permission, asked of the order (not of None), the answer).
        self.asked = asked
        #: The page's template context.
        self.context = context
        self._html: tuple[tuple[object, str], ...] = ()

    def still_shows(self, order: Order, made_for: tuple[object, ...], authorize: _Authorize) -> bool:
        """Whether building the page for *order* now would give this same context."""
        return (
            made_for == self.made_for
            and order == self.order
            and all(
                bool(authorize(permission, order if of_order else None)) is answer
                for permission, of_order, answer in self.asked
            )
        )

    def html(self, frame: object, make: Callable[[], str]) -> str:
        """The HTML this page rendered to in *frame* (compared by equality), else ``make()``'s, kept."""
        for kept_frame, html in self._html:
            if kept_frame == frame:
                return html
        html = make()
        self._html = ((frame, html), *self._html[: _RENDERS_KEPT - 1])
        return html


class ShownPages:
    """The last order pages built, at most *size* (the least recently shown go first)."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._kept: OrderedDict[str, ShownPage] = OrderedDict()
        self._lock = threading.Lock()

    def page(
        self,
        order: Order,
        made_for: tuple[object, ...],
        authorize: _Authorize,
        build: Callable[[_Authorize], Mapping[str, Any]],
    ) -> ShownPage:
        """The page of *order*: the kept one if it still shows the same, else ``build(authorize)``'s.

        *made_for*: what besides the order and the answers the page is built from. *build*
        gets an ``authorize`` that notes each permission asked, so that the next request asks
        the host exactly those again.
        """
        with self._lock:
            kept = self._kept.get(order.id)
            if kept is not None:
                self._kept.move_to_end(order.id)
        if kept is not None and kept.still_shows(order, made_for, authorize):
            return kept
        asked: dict[tuple[str, bool], bool] = {}
        reusable = True

        def noting(permission: str, subject: Order | None) -> bool:
            nonlocal reusable
            answer = bool(authorize(permission, subject))
            if subject is not None and subject is not order:
                reusable = False  # asked about another order: not a function of this one alone
            asked[(permission, subject is not None)] = answer
            return answer

        context = build(noting)
        shown = ShownPage(order, made_for, tuple((p, of, a) for (p, of), a in asked.items()), context)
        if reusable:
            with self._lock:
                self._kept[order.id] = shown
                self._kept.move_to_end(order.id)
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        return shown
