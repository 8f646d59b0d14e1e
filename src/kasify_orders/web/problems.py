"""One table from kasify's errors to HTTP answers, for the pages and the JSON API alike.

Each :class:`ErrorRule` says, for one exception class, the HTTP status, the problem's title
and type (RFC 9457, for the API), its extra members, the field errors, and the sentence the
order page shows. The pages re-show a form with its field errors as 400 where the API answers
422 (:func:`page_status`); every other status is the same for both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from kasify_orders.errors import (
    ConcurrentUpdate,
    EmailDeliveryFailed,
    EmailsNotConfigured,
    FieldError,
    InvalidTransition,
    KasifyError,
    OrderNotFound,
    OutOfStock,
    RefundExceedsBalance,
    RefundFailed,
    ValidationError,
)
from kasify_orders.i18n import gettext
from kasify_orders.model import Order
from kasify_orders.registry.spec import Money
from kasify_orders.web.formatting import status_label

__all__ = ["ERRORS", "HANDLED", "ErrorRule", "PageView", "page_status", "rule_for"]


@attrs.frozen(kw_only=True)
class PageView:
    """What a page's sentence about an error may need to say."""

    #: The words of the action's button (``"Mark as Shipped"``).
    label: str
    #: The order as it is now (after the failure, which changed nothing).
    current: Callable[[], Order]
    money: Money


@attrs.frozen(kw_only=True)
class ErrorRule:
    """How one kind of error is answered."""

    error: type[KasifyError]
    status: int
    title: str
    #: The tail of the problem's type URI (``"invalid-transition"``).
    kind: str
    #: Extra members of the API's problem body.
    details: Callable[[Any], Mapping[str, Any]] = lambda _error: {}
    #: Field-level errors (the API's ``errors`` list; beside the form's fields on the pages).
    field_errors: Callable[[Any], Sequence[FieldError]] = lambda _error: ()
    #: The pages' own words for the field errors, when not those of :attr:`field_errors`.
    page_field_errors: Callable[[Any, Money], Sequence[FieldError]] | None = None
    #: What the order page says on top of the form (None: the field errors say it all).
    sentence: Callable[[Any, PageView], str | None] = lambda _error, _view: None


def _transition_sentence(error: InvalidTransition, view: PageView) -> str:
    current = view.current()
    return gettext(
        "“%(action)s” isn't possible now: the order is %(status)s and its payment is %(payment)s."
        " Nothing was changed."
    ) % {
        "action": gettext(view.label),
        "status": status_label(current.status),
        "payment": status_label(current.payment_status).lower(),
    }


#: Every kasify error an action may raise, most specific first.
ERRORS: Sequence[ErrorRule] = (
    ErrorRule(
        error=RefundExceedsBalance,
        status=422,
        title="Refund exceeds the refundable balance",
        kind="refund-exceeds-balance",
        details=lambda error: {"refundable": str(error.refundable), "currency": error.currency},
        field_errors=lambda error: [FieldError("amount", f"the refundable balance is {error.refundable}")],
        page_field_errors=lambda error, money: [
            FieldError(
                "amount",
                gettext("That is more than the refundable balance, which is %(balance)s.")
                % {"balance": money(error.refundable, error.currency)},
            )
        ],
    ),
    ErrorRule(
        error=ValidationError,
        status=422,
        title="Invalid input",
        kind="validation-error",
        field_errors=lambda error: error.errors,
    ),
    ErrorRule(error=OrderNotFound, status=404, title="Order not found", kind="order-not-found"),
    ErrorRule(
        error=InvalidTransition,
        status=409,
        title="Not allowed in this status",
        kind="invalid-transition",
        details=lambda error: {"order_status": error.status, "allowed_statuses": list(error.allowed)},
        sentence=_transition_sentence,
    ),
    ErrorRule(
        error=ConcurrentUpdate,
        status=409,
        title="The order changed meanwhile",
        kind="concurrent-update",
        details=lambda error: {"current_version": error.actual},
        sentence=lambda _error, _view: gettext(
            "Someone else changed this order while you were looking at it. "
            "The page now shows the latest version: check it and try again."
        ),
    ),
    ErrorRule(
        error=OutOfStock,
        status=409,
        title="Out of stock",
        kind="out-of-stock",
        details=lambda error: {
            "sku": error.sku,
            "requested": error.requested,
            "available": error.available,
            "name": error.name,
        },
    ),
    ErrorRule(
        error=RefundFailed,
        status=502,
        title="The payment provider did not refund",
        kind="refund-failed",
        sentence=lambda error, _view: (
            gettext("The payment provider did not refund: %(reason)s") % {"reason": error}
        ),
    ),
    ErrorRule(
        error=EmailDeliveryFailed,
        status=502,
        title="The mail server did not take the email",
        kind="email-delivery-failed",
        sentence=lambda error, _view: (
            gettext(
                "The email could not be sent: %(reason)s. The failure is on the timeline; try again later."
            )
            % {"reason": error}
        ),
    ),
    ErrorRule(
        error=EmailsNotConfigured,
        status=503,
        title="Emails are not set up",
        kind="emails-not-configured",
        sentence=lambda _error, _view: gettext(
            "This shop cannot send emails yet (no mail server is set up): nothing was sent or recorded."
        ),
    ),
)


def rule_for(error: BaseException) -> ErrorRule | None:
    """The rule answering *error*, or None when it is not one an action raises on purpose."""
    return next((rule for rule in ERRORS if isinstance(error, rule.error)), None)


def page_status(rule: ErrorRule) -> int:
    """The status of the order page re-shown after *rule*'s error: 400 for a form's bad input."""
    return 400 if rule.status == 422 else rule.status


#: The exceptions the table answers, for ``except`` clauses.
HANDLED: tuple[type[KasifyError], ...] = tuple(rule.error for rule in ERRORS)
