"""The merchant's order pages, free of any web framework: request data in, a page or a redirect out.

An adapter (Flask today, Django next) maps its requests onto :class:`MerchantPages`, renders
the returned :class:`Page` with :func:`kasify_orders.web.render.render` and turns a
:class:`Redirect` into its own redirect. Authorization, CSRF and the current user stay with
the adapter; everything a merchant sees and every rule about forms lives here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

import attrs

from kasify_orders.edit_actions import is_editable
from kasify_orders.errors import OrderNotFound
from kasify_orders.i18n import gettext
from kasify_orders.lifecycle import is_allowed
from kasify_orders.model import Order, utcnow
from kasify_orders.registry import MERCHANT_ACTIONS, ActionSpec, Context
from kasify_orders.service import Orders
from kasify_orders.shipping_actions import parcel_action_open
from kasify_orders.web.attention import attention_cutoff
from kasify_orders.web.edit_api import EDIT_ORDER
from kasify_orders.web.formatting import money_label
from kasify_orders.web.forms import (
    FORM_KEY,
    ActionForm,
    Failure,
    FormProblem,
    failure_from,
    form_for,
    form_key,
    read_form,
)
from kasify_orders.web.page_reuse import ShownPage, ShownPages
from kasify_orders.web.problems import HANDLED, PageView, page_status, rule_for
from kasify_orders.web.returns_view import return_rows
from kasify_orders.web.timeline_view import timeline_items

__all__ = [
    "ACTION_LABELS",
    "ATTENTION",
    "FORM_KEY",
    "VIEW",
    "Authorize",
    "MerchantPages",
    "Page",
    "Redirect",
    "Urls",
]

#: The authorization name for reading: the order list (``order`` is None), an order, its packing slip.
VIEW = "view"
#: The list's "Needs attention" tab, as its ``status`` query value.
ATTENTION = "attention"
#: ``authorize(action, order) -> bool``: *action* is :data:`VIEW` or a :class:`~kasify_orders.Action` value.
Authorize = Callable[[str, Order | None], bool]

#: The words on each action's button, exactly as the merchant reads them (from the registry).
ACTION_LABELS: Mapping[str, str] = {spec.action: spec.label for spec in MERCHANT_ACTIONS}


class Urls(Protocol):
    """Where the pages live; each adapter builds these with its own URL routing."""

    def order_list(self, **query: str) -> str:
        """The order list, with query parameters (``status``, ``q``, ``cursor``)."""

    def order(self, order_id: str) -> str:
        """An order's detail page."""

    def action(self, order_id: str, action: str) -> str:
        """Where an action's form posts."""

    def packing_slip(self, order_id: str) -> str:
        """The printable packing slip."""

    def static(self, filename: str) -> str:
        """A file of ``kasify_orders/web/static``."""

    def url(self, name: str, /, query: Mapping[str, str] | None = None, **params: str) -> str:
        """The page of route *name* (an order page's name or a :class:`~kasify_orders.web.routes.Route`'s).

        *params* fill the route's path parameters; *query* becomes the query string.
        """


@attrs.frozen
class Page:
    """A page to render: a template of ``kasify_orders/web/templates``, its context, an HTTP status."""

    template: str
    context: Mapping[str, Any]
    status: int = 200
    #: The kept page this one is (:mod:`~kasify_orders.web.page_reuse`): its HTML may be reused.
    reuse: ShownPage | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Redirect:
    """Go to *location* (after a successful action), showing *notice* there once."""

    location: str
    notice: str | None = None


class MerchantPages:
    """Builds every merchant page for one :class:`~kasify_orders.Orders`."""

    def __init__(
        self,
        orders: Orders,
        urls: Urls,
        *,
        locale: str = "en",
        page_size: int = 50,
        clock: Callable[[], datetime] = utcnow,
        shown: ShownPages | None = None,
    ) -> None:
        self.orders = orders
        self.urls = urls
        self.locale = locale
        self.page_size = page_size
        self.clock = clock
        #: The order pages kept to be shown again unchanged (an adapter that builds these pages
        #: per request passes one it keeps).
        self.shown = ShownPages() if shown is None else shown

    # -- reading ------------------------------------------------------------------------

    def order_list(self, query: Mapping[str, str], authorize: Authorize) -> Page:
        """The list: status tabs with counts, search, filters, sort, keyset pages (``order_list_page``)."""
        from kasify_orders.web.order_list_page import order_list  # noqa: PLC0415 - it imports this module

        return order_list(self, query, authorize)

    def _viewable(self, order_id: str, authorize: Authorize) -> Order | Page:
        """The order, or the page saying it is missing or not for this user."""
        try:
            order = self.orders.get(order_id)
        except OrderNotFound:
            return self.not_found()
        return order if authorize(VIEW, order) else self.refused()

    def order_detail(self, order_id: str, authorize: Authorize) -> Page:
        """An order: customer, items, totals, payment, the customer's notes, timeline and actions.

        The order, the saved settings and the sidebar's needs-attention count are one read
        (``MerchantSettings.order_page``), as the API's ``get`` is one. The page built for an
        order is kept and shown again while the order and the host's answers are the same
        (:mod:`~kasify_orders.web.page_reuse`).
        """
        cutoff = attention_cutoff(self.clock(), self.orders.settings.needs_attention_business_days)
        try:
            order, _settings, attention = self.orders.merchant_settings.order_page(order_id, cutoff)
        except OrderNotFound:
            return self.not_found()
        if not authorize(VIEW, order):
            return self.refused()
        shown = self.shown.page(
            order,
            (self.locale, self.urls.order(order.id)),
            authorize,
            lambda noting: self._detail(order, noting).context,
        )
        return Page("order_detail.html", {**shown.context, "attention": attention}, reuse=shown)

    def packing_slip(self, order_id: str, authorize: Authorize, *, parcel: str | None = None) -> Page:
        """The printable packing slip, with the customer's notes on it.

        With *parcel* (a shipment's id, the ``?parcel=`` of the page), the slip of that parcel
        alone: its lines and quantities, its carrier and tracking number.
        """
        order = self._viewable(order_id, authorize)
        if isinstance(order, Page):
            return order
        shipments = {shipment.id: shipment for shipment in order.shipments}
        if parcel is not None and parcel not in shipments:
            return self.not_found()
        return Page("packing_slip.html", {"order": order, "parcel": shipments.get(parcel or "")})

    # -- acting -------------------------------------------------------------------------

    def act(
        self, order_id: str, action: str, form: Mapping[str, str], *, actor: str | None, authorize: Authorize
    ) -> Page | Redirect:
        """Run one action from its form; on failure, the order page again with the errors beside the form.

        A failed action changes nothing (the core guarantees it), and the page shows the
        order as it is now with what the merchant typed still in the form.
        """
        spec = MERCHANT_ACTIONS.find(action)
        try:
            order = self.orders.get(order_id)
        except OrderNotFound:
            spec = None
        if spec is None:
            return self.not_found()
        if not authorize(spec.permission, order):
            return self.refused()
        version = form.get("version", "")
        if not version.isdigit():
            failure = Failure(
                400, message=gettext("This form is out of date. Reload the page and try again.")
            )
            return self._detail(order, authorize, failed=spec, failure=failure, form=form)
        try:
            notice = self._run(spec, order, form, actor=actor, version=int(version), authorize=authorize)
        except OrderNotFound:
            return self.not_found()
        except FormProblem as problem:
            failure = problem.failure
        except HANDLED as error:
            failure = self._failure(spec, order_id, error)
        else:
            return Redirect(self.urls.order(order.id), notice)
        return self._detail(self.orders.get(order_id), authorize, failed=spec, failure=failure, form=form)

    def _money(self, amount: Decimal, currency: str) -> str:
        return money_label(amount, currency, self.locale)

    def _failure(self, spec: ActionSpec, order_id: str, error: Exception) -> Failure:
        """What the page says about *error*, from the one error table the API uses too."""
        rule = rule_for(error)
        assert rule is not None
        view = PageView(label=spec.label, current=lambda: self.orders.get(order_id), money=self._money)
        errors = (
            rule.page_field_errors(error, self._money) if rule.page_field_errors else rule.field_errors(error)
        )
        failure = failure_from(errors, [f.name for f in spec.fields], status=page_status(rule))
        sentence = rule.sentence(error, view)
        return attrs.evolve(failure, message=sentence) if sentence else failure

    def _run(
        self,
        spec: ActionSpec,
        order: Order,
        form: Mapping[str, str],
        *,
        actor: str | None,
        version: int,
        authorize: Authorize,
    ) -> str:
        inputs = read_form(spec, form)
        for also in spec.also_needs(inputs):
            if not authorize(also, order):
                needed = MERCHANT_ACTIONS.permissions.get(also)
                what = needed.may if needed else also
                refusal = gettext("You may not %(what)s: nothing was changed.") % {"what": gettext(what)}
                raise FormProblem(Failure(403, message=refusal))
        key = form_key(form) if spec.uses_key(inputs) else None
        context = Context(actor=actor, expected_version=version, idempotency_key=key, money=self._money)
        done = spec.run(self.orders, order, inputs, context)
        return spec.notice(order, done, inputs, context)

    # -- the frame: header and sidebar ----------------------------------------------------

    def frame(self, page: Page, authorize: Authorize) -> dict[str, Any]:
        """What frames *page*: ``sidebar`` (Orders with its needs-attention count), ``store_name``.

        The count is the one the page already read (the order list's), else one O(1) read of
        the status counters, together with the saved settings: one read for the whole frame.
        """
        merchant = self.orders.merchant_settings
        attention: int | None = None
        if not authorize(VIEW, None):
            settings = merchant.effective()
        elif "attention" in page.context:
            settings, attention = merchant.effective(), int(page.context["attention"])
        else:
            cutoff = attention_cutoff(self.clock(), self.orders.settings.needs_attention_business_days)
            settings, _counts, attention = merchant.page_header(cutoff)
        from kasify_orders.web.navigation import sidebar  # noqa: PLC0415 - navigation imports this module

        section = page.context.get("section") or _section_of(page.template)
        links = sidebar(authorize, self.urls.url, current=section, attention=attention)
        return {"sidebar": links, "store_name": settings.store_name}

    # -- refusals -----------------------------------------------------------------------

    def refused(self) -> Page:
        """You may not: the host's ``authorize`` said no."""
        return Page("refused.html", {}, 403)

    def not_found(self) -> Page:
        """No such order (or no such action)."""
        return Page("not_found.html", {}, 404)

    def bad_form(self, reason: str) -> Page:
        """The form did not come from our page (CSRF token missing or wrong): nothing was done."""
        return Page("bad_form.html", {"reason": reason}, 400)

    # -- the detail page ----------------------------------------------------------------

    def _detail(
        self,
        order: Order,
        authorize: Authorize,
        *,
        failed: ActionSpec | None = None,
        failure: Failure | None = None,
        form: Mapping[str, str] | None = None,
    ) -> Page:
        """The order page; after a failed action, its form (*failed*) with *failure* and what was sent."""
        action_url = _action_urls(self.urls, order.id)
        forms: list[ActionForm] = []
        beside: list[ActionSpec] = []  # the buttons beside timeline entries (Resend, Retry)
        on_returns: list[ActionSpec] = []  # the buttons on each return (Receive, Refund, Close)
        for spec in MERCHANT_ACTIONS:
            if not _allowed_now(spec, order) or not authorize(spec.permission, order):
                continue
            if not spec.offered(order):
                continue
            if spec.placement == "entry":
                beside.append(spec)
                continue
            if spec.placement == "return":
                on_returns.append(spec)
                continue
            mine = spec is failed
            forms.append(
                form_for(
                    spec,
                    order,
                    url=action_url(spec.action.value),
                    may=lambda permission: authorize(permission, order),
                    amount=self._money,
                    failure=failure if mine else None,
                    sent=form if mine else None,
                )
            )
        shown = {f.action for f in forms} | {spec.action.value for spec in on_returns}
        lost = failure if failure and (failed is None or failed.action.value not in shown) else None
        return Page(
            "order_detail.html",
            {
                "order": order,
                "forms": {f.action: f for f in forms},
                "action_forms": [f for f in forms if f.placement == "actions"],
                "timeline_forms": [f for f in forms if f.placement == "timeline"],
                "returns_forms": [f for f in forms if f.placement == "returns"],
                "returns": return_rows(
                    order,
                    on_returns,
                    url=lambda action: self.urls.action(order.id, action),
                    may=lambda permission: authorize(permission, order),
                    amount=self._money,
                    failed=failed,
                    failure=failure,
                    sent=form,
                ),
                "timeline": timeline_items(
                    order,
                    beside,
                    url=action_url,
                    may=lambda permission: authorize(permission, order),
                    amount=self._money,
                ),
                "form_key": FORM_KEY,
                "edit_url": self.urls.url("order_edit", order_id=order.id)
                if is_editable(order) and authorize(EDIT_ORDER, order)
                else None,
                # A failure whose form is no longer offered (the order moved on) is shown on top.
                "page_error": lost.message or "; ".join(m for ms in lost.errors.values() for m in ms)
                if lost
                else None,
            },
            failure.status if failure else 200,
        )


#: Stands for the action while the order's action URL is built once per page.
_ACTION = "kasifyaction0"


def _action_urls(urls: Urls, order_id: str) -> Callable[[str], str]:
    """Where each action's form posts: the adapter's router asked once per page, not once per form.

    Action names are plain words (``mark_shipped``), which a router writes as they are; a URL
    the placeholder does not appear in once goes to the router for each action.
    """
    url = urls.action(order_id, _ACTION)
    if url.count(_ACTION) != 1:
        return lambda action: urls.action(order_id, action)
    before, _, after = url.partition(_ACTION)
    return lambda action: f"{before}{action}{after}"


def _section_of(template: str) -> str | None:
    """The order pages' section (their templates predate the ``section`` context key)."""
    return "order_list" if template.startswith("order_") else None


def _allowed_now(spec: ActionSpec, order: Order) -> bool:
    """The lifecycle's guards (status, a confirmed payment to refund); a parcel out may be edited."""
    return parcel_action_open(spec.action, order) or is_allowed(
        spec.action, order.status, order.payment_status
    )


def _query(**values: str | None) -> dict[str, str]:
    return {key: value for key, value in values.items() if value}
