"""The merchant's order pages, free of any web framework: request data in, a page or a redirect out.

An adapter (Flask today, Django next) maps its requests onto :class:`MerchantPages`, renders
the returned :class:`Page` with :func:`kasify_orders.web.render.render` and turns a
:class:`Redirect` into its own redirect. Authorization, CSRF and the current user stay with
the adapter; everything a merchant sees and every rule about forms lives here, once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

import attrs

from kasify_orders import carriers, money
from kasify_orders.errors import (
    ConcurrentUpdate,
    InvalidTransition,
    OrderNotFound,
    RefundExceedsBalance,
    RefundFailed,
    ValidationError,
)
from kasify_orders.lifecycle import Action, RefundStatus, Status, allowed_actions
from kasify_orders.model import Order, Refund, utcnow
from kasify_orders.service import Orders
from kasify_orders.web.attention import attention_cutoff
from kasify_orders.web.formatting import money_label, plain_amount, sentence, status_label

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

#: The words on each action's button, exactly as the merchant reads them.
ACTION_LABELS: Mapping[Action, str] = {
    Action.CONFIRM_PAYMENT: "Confirm payment",
    Action.MARK_SHIPPED: "Mark as Shipped",
    Action.UPDATE_TRACKING: "Edit tracking",
    Action.MARK_DELIVERED: "Mark as Delivered",
    Action.CANCEL: "Cancel order",
    Action.REFUND: "Issue Refund",
    Action.ADD_NOTE: "Add note",
}

#: The form fields of each action (they are also the core's error paths).
_FIELDS: Mapping[Action, tuple[str, ...]] = {
    Action.CONFIRM_PAYMENT: (),
    Action.MARK_SHIPPED: ("tracking_number", "carrier"),
    Action.UPDATE_TRACKING: ("tracking_number", "carrier"),
    Action.MARK_DELIVERED: (),
    Action.CANCEL: ("reason", "restock", "refund"),
    Action.REFUND: ("amount", "note"),
    Action.ADD_NOTE: ("text",),
}

_TABS: tuple[tuple[str, str], ...] = (
    ("", "All"),
    *((status.value, status_label(status)) for status in Status),
)
#: The hidden field of the refund and cancel forms: a key made when the page is rendered, so a
#: double click or a browser's retry of one submission refunds once.
FORM_KEY = "idempotency_key"
_TICKED = {"on", "true", "1", "yes"}


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


@attrs.frozen
class Page:
    """A page to render: a template of ``kasify_orders/web/templates``, its context, an HTTP status."""

    template: str
    context: Mapping[str, Any]
    status: int = 200


@attrs.frozen
class Redirect:
    """Go to *location* (after a successful action), showing *notice* there once."""

    location: str
    notice: str | None = None


@attrs.frozen
class Tab:
    """One tab of the order list."""

    key: str
    label: str
    count: str
    url: str
    current: bool


@attrs.frozen
class ActionForm:
    """An action the merchant may take now, with what its form shows."""

    action: str
    label: str
    url: str
    values: Mapping[str, str]
    errors: Mapping[str, list[str]]
    error: str | None
    #: The form is shown open: it failed and the merchant should see why.
    open: bool


@attrs.frozen
class _Failure:
    status: int
    errors: dict[str, list[str]] = attrs.field(factory=dict)
    message: str | None = None


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
    ) -> None:
        self.orders = orders
        self.urls = urls
        self.locale = locale
        self.page_size = page_size
        self.clock = clock

    # -- reading ------------------------------------------------------------------------

    def order_list(self, query: Mapping[str, str], authorize: Authorize) -> Page:
        """The list: status tabs with counts, "Needs attention", search, newest first, keyset paging."""
        if not authorize(VIEW, None):
            return self.refused()
        tab = query.get("status", "").strip()
        search = query.get("q", "").strip()
        cursor = query.get("cursor") or None
        problem = None
        if tab not in {key for key, _ in _TABS} | {ATTENTION}:
            problem = f"There is no “{tab}” tab; showing all orders."
            tab = ""
        filters: dict[str, Any] = {"search": search or None}
        cutoff = attention_cutoff(self.clock(), self.orders.settings.needs_attention_business_days)
        if tab == ATTENTION:
            filters.update(status=Status.PROCESSING, paid_before=cutoff)
        elif tab:
            filters["status"] = Status(tab)
        try:
            page = self.orders.list(**filters, limit=self.page_size, cursor=cursor)
        except ValidationError:
            problem = "That page link is out of date; showing the newest orders."
            page = self.orders.list(**filters, limit=self.page_size)
        counts = self.orders.count_by_status()
        late = self.orders.count(status=Status.PROCESSING, paid_before=cutoff)
        tabs = [
            Tab(key, label, str(counts.get(Status(key)) if key else sum(counts.values())), "", key == tab)
            for key, label in _TABS
        ]
        tabs.append(
            Tab(
                ATTENTION,
                "Needs attention",
                str(late),
                "",
                tab == ATTENTION,
            )
        )
        tabs = [attrs.evolve(t, url=self.urls.order_list(**_query(status=t.key, q=search))) for t in tabs]
        next_url = (
            self.urls.order_list(**_query(status=tab, q=search, cursor=page.next_cursor))
            if page.next_cursor
            else None
        )
        return Page(
            "order_list.html",
            {
                "tabs": tabs,
                "tab": tab,
                "search": search,
                "orders": page.items,
                "next_url": next_url,
                "first_url": self.urls.order_list(**_query(status=tab, q=search)) if cursor else None,
                "problem": problem,
                "attention_days": self.orders.settings.needs_attention_business_days,
            },
            400 if problem else 200,
        )

    def _viewable(self, order_id: str, authorize: Authorize) -> Order | Page:
        """The order, or the page saying it is missing or not for this user."""
        try:
            order = self.orders.get(order_id)
        except OrderNotFound:
            return self.not_found()
        return order if authorize(VIEW, order) else self.refused()

    def order_detail(self, order_id: str, authorize: Authorize) -> Page:
        """An order: customer, items, totals, payment, the customer's notes, timeline and actions."""
        order = self._viewable(order_id, authorize)
        return order if isinstance(order, Page) else self._detail(order, authorize)

    def packing_slip(self, order_id: str, authorize: Authorize) -> Page:
        """The printable packing slip, with the customer's notes on it."""
        order = self._viewable(order_id, authorize)
        return order if isinstance(order, Page) else Page("packing_slip.html", {"order": order})

    # -- acting -------------------------------------------------------------------------

    def act(
        self, order_id: str, action: str, form: Mapping[str, str], *, actor: str | None, authorize: Authorize
    ) -> Page | Redirect:
        """Run one action from its form; on failure, the order page again with the errors beside the form.

        A failed action changes nothing (the core guarantees it), and the page shows the
        order as it is now with what the merchant typed still in the form.
        """
        try:
            kind = Action(action)
            order = self.orders.get(order_id)
        except (ValueError, OrderNotFound):
            return self.not_found()
        if not authorize(kind.value, order):
            return self.refused()
        version = form.get("version", "")
        if not version.isdigit():
            failure = _Failure(400, message="This form is out of date. Reload the page and try again.")
            return self._detail(order, authorize, failed=kind, failure=failure, form=form)
        try:
            notice = self._run(kind, order, form, actor=actor, version=int(version), authorize=authorize)
        except OrderNotFound:
            return self.not_found()
        except _FormProblem as problem:
            failure = problem.failure
        except ConcurrentUpdate:
            failure = _Failure(
                409,
                message="Someone else changed this order while you were looking at it. "
                "The page now shows the latest version: check it and try again.",
            )
        except InvalidTransition:
            current = self.orders.get(order_id)
            failure = _Failure(
                409,
                message=f"“{ACTION_LABELS[kind]}” isn't possible now: the order is "
                f"{status_label(current.status)} and its payment is "
                f"{status_label(current.payment_status).lower()}. Nothing was changed.",
            )
        except RefundExceedsBalance as error:
            balance = money_label(error.refundable, error.currency, self.locale)
            failure = _Failure(
                400, {"amount": [f"That is more than the refundable balance, which is {balance}."]}
            )
        except RefundFailed as error:
            failure = _Failure(502, message=f"The payment provider did not refund: {error}")
        except ValidationError as error:
            failure = _failure_from(error, _FIELDS[kind])
        else:
            return Redirect(self.urls.order(order.id), notice)
        return self._detail(self.orders.get(order_id), authorize, failed=kind, failure=failure, form=form)

    def _run(  # noqa: PLR0911 - one branch per action
        self,
        kind: Action,
        order: Order,
        form: Mapping[str, str],
        *,
        actor: str | None,
        version: int,
        authorize: Authorize,
    ) -> str:
        common: dict[str, Any] = {"actor": actor, "expected_version": version}
        if kind is Action.CONFIRM_PAYMENT:
            self.orders.confirm_payment(order.id, **common)
            return "Payment confirmed: the order is now Processing."
        if kind is Action.MARK_SHIPPED:
            done = self.orders.mark_shipped(
                order.id,
                tracking_number=form.get("tracking_number", ""),
                carrier=form.get("carrier", ""),
                **common,
            )
            number = done.shipment.tracking_number if done.shipment else ""
            return f"Marked as shipped, tracking number {number}."
        if kind is Action.UPDATE_TRACKING:
            done = self.orders.update_tracking(
                order.id,
                tracking_number=form.get("tracking_number", ""),
                carrier=form.get("carrier", ""),
                **common,
            )
            return f"Tracking number changed to {done.shipment.tracking_number if done.shipment else ''}."
        if kind is Action.MARK_DELIVERED:
            self.orders.mark_delivered(order.id, **common)
            return "Marked as delivered."
        if kind is Action.CANCEL:
            return self._cancel(order, form, common, authorize=authorize)
        if kind is Action.REFUND:
            amount = _amount(form.get("amount", ""))
            key = _form_key(form)
            done = self.orders.refund(
                order.id, amount, note=form.get("note", ""), idempotency_key=key, **common
            )
            made = _refund_with_key(done, key)
            if made is not None and made.status is RefundStatus.PENDING:
                return (
                    f"Refund of {money_label(made.amount, order.currency, self.locale)} sent to the payment "
                    "provider: it shows as pending until the provider confirms it."
                )
            return f"Refunded {money_label(made.amount if made else amount, order.currency, self.locale)}."
        self.orders.add_note(order.id, form.get("text", ""), actor=actor)
        return "Note added to the timeline."

    def _cancel(
        self, order: Order, form: Mapping[str, str], common: dict[str, Any], *, authorize: Authorize
    ) -> str:
        """Cancel, and with the form's ``refund`` ticked refund the balance in the same action."""
        restock = form.get("restock") in _TICKED
        refund = form.get("refund") in _TICKED
        if refund and not authorize(Action.REFUND.value, order):
            raise _FormProblem(_Failure(403, message="You may cancel this order but not refund it."))
        done = self.orders.cancel(
            order.id,
            reason=form.get("reason", ""),
            restock=restock,
            refund=refund,
            idempotency_key=_form_key(form) if refund else None,
            **common,
        )
        if done.status is not Status.CANCELLED:  # the refund is pending at the provider
            return (
                "The refund was sent to the payment provider: the order is cancelled once the provider "
                "confirms it."
            )
        refunded = done.totals.refunded - order.totals.refunded
        if refund and refunded:
            amount = money_label(refunded, order.currency, self.locale)
            return f"Order cancelled and {amount} refunded" + (
                "; its items are back in stock." if restock else "."
            )
        return "Order cancelled" + (" and its items put back in stock." if restock else ".")

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
        failed: Action | None = None,
        failure: _Failure | None = None,
        form: Mapping[str, str] | None = None,
    ) -> Page:
        forms = []
        for kind in allowed_actions(order.status, order.payment_status):
            if not authorize(kind.value, order) or not _possible(kind, order):
                continue
            values = _defaults(kind, order, may_refund=authorize(Action.REFUND.value, order))
            if kind is failed and form is not None:
                values.update({name: form.get(name, "") for name in _FIELDS[kind] if name in values})
            errors = failure.errors if failure and kind is failed else {}
            forms.append(
                ActionForm(
                    kind.value,
                    ACTION_LABELS[kind],
                    self.urls.action(order.id, kind.value),
                    values,
                    errors,
                    failure.message if failure and kind is failed else None,
                    kind is failed,
                )
            )
        shown = {f.action for f in forms}
        lost = failure if failure and (failed is None or failed.value not in shown) else None
        return Page(
            "order_detail.html",
            {
                "order": order,
                "forms": {f.action: f for f in forms},
                "carriers": list(carriers.CARRIERS.values()),
                # A failure whose form is no longer offered (the order moved on) is shown on top.
                "page_error": lost.message or "; ".join(m for ms in lost.errors.values() for m in ms)
                if lost
                else None,
            },
            failure.status if failure else 200,
        )


class _FormProblem(Exception):
    def __init__(self, failure: _Failure) -> None:
        self.failure = failure


def _amount(text: str) -> Decimal:
    text = text.strip()
    if not text:
        raise _FormProblem(_Failure(400, {"amount": ["Enter the amount to refund."]}))
    try:
        return money.parse_amount(text)
    except ValueError:
        message = f"Enter an amount in digits, such as 12.50, not “{text[:40]}”."
        raise _FormProblem(_Failure(400, {"amount": [message]})) from None


def _possible(kind: Action, order: Order) -> bool:
    """Whether the page should offer *kind* at all: no refund form when nothing is left to refund."""
    if kind is Action.REFUND:
        return order.totals.refundable > 0
    return True


def _form_key(form: Mapping[str, str]) -> str | None:
    """The submission's key, if the form carried one (an older page's form may not)."""
    key = form.get(FORM_KEY, "").strip()
    return key or None


def _refund_with_key(order: Order, key: str | None) -> Refund | None:
    """The refund made with *key* (else the latest refund)."""
    if key is not None:
        found = next((refund for refund in order.refunds if refund.idempotency_key == key), None)
        if found is not None:
            return found
    return order.refunds[-1] if order.refunds else None


def _defaults(kind: Action, order: Order, *, may_refund: bool = True) -> dict[str, str]:
    """What a form shows before the merchant types; refund and cancel forms get a fresh key each render."""
    if kind is Action.REFUND:
        return {
            "amount": plain_amount(order.totals.refundable, order.currency),
            "note": "",
            FORM_KEY: uuid.uuid4().hex,
        }
    if kind is Action.UPDATE_TRACKING and order.shipment is not None:
        return {
            "tracking_number": order.shipment.tracking_number,
            "carrier": carriers.display_name(order.shipment.carrier),
        }
    if kind is Action.CANCEL:
        values = {"reason": "", "restock": "on", FORM_KEY: uuid.uuid4().hex}
        if may_refund and order.payment_status.was_paid and order.totals.refundable > 0:
            values["refund"] = "on"  # offered, and ticked: "Cancel and refund"
        return values
    return dict.fromkeys(_FIELDS[kind], "")


_LABELS = {
    "tracking_number": "Tracking number",
    "carrier": "Carrier",
    "amount": "Amount",
    "note": "Internal note",
    "text": "Note",
    "reason": "Reason",
}


def _failure_from(error: ValidationError, fields: tuple[str, ...]) -> _Failure:
    errors: dict[str, list[str]] = {}
    loose = []
    for field_error in error.errors:
        message = sentence(field_error.message)
        if field_error.path in fields:
            errors.setdefault(field_error.path, []).append(message)
        else:
            loose.append(f"{_LABELS.get(field_error.path, field_error.path)}: {message}")
    return _Failure(400, errors, " ".join(loose) or None)


def _query(**values: str | None) -> dict[str, str]:
    return {key: value for key, value in values.items() if value}
