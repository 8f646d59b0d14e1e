"""The merchant's actions, each declared once (see :mod:`kasify_orders.registry.spec`).

The order here is the order of the buttons on the order page.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from kasify_orders import i18n, money
from kasify_orders.lifecycle import Action, RefundStatus, Status
from kasify_orders.model import Order, Refund
from kasify_orders.registry.returns import CLOSE_RETURN, OPEN_RETURN, RECEIVE_RETURN, REFUND_RETURN
from kasify_orders.registry.shipping import CONFIRM_PAYMENT, MARK_DELIVERED, MARK_SHIPPED, UPDATE_TRACKING
from kasify_orders.registry.spec import ActionSpec, Context, Field, Inputs, Registry, Widget
from kasify_orders.registry.talking import EMAIL_CUSTOMER, RESEND_NOTIFICATION, RETRY_EMAIL
from kasify_orders.validation import MAX_NOTE, MAX_REASON

if TYPE_CHECKING:
    from kasify_orders.service import Orders

__all__ = ["MARK_SHIPPED", "MERCHANT_ACTIONS"]

# -- hold and release ----------------------------------------------------------------------------

HOLD = ActionSpec(
    action=Action.HOLD,
    label="Put on hold",
    summary="Put a Processing order on hold (an address check, a fraud review): Processing -> On hold",
    may="put an order on hold",
    timeline_kind="held",
    fields=(
        Field(
            name="reason",
            type=str,
            label="Reason",
            required=True,
            max_length=MAX_REASON,
            hint="Why it must wait; shown on the timeline.",
        ),
    ),
    confirm="Put on hold",
    operation_id="holdOrder",
    run=lambda orders, order, inputs, context: orders.hold(
        order.id, reason=inputs["reason"], actor=context.actor, expected_version=context.expected_version
    ),
    notice=lambda before, after, inputs, context: i18n.gettext(
        "The order is on hold: it will not ship until released."
    ),
)

RELEASE = ActionSpec(
    action=Action.RELEASE,
    label="Release hold",
    summary="Release a held order: On hold -> Processing",
    may="release an order from hold",
    timeline_kind="released",
    operation_id="releaseOrder",
    style="primary",
    run=lambda orders, order, inputs, context: orders.release(
        order.id, actor=context.actor, expected_version=context.expected_version
    ),
    notice=lambda before, after, inputs, context: i18n.gettext(
        "Released from hold: the order is Processing again."
    ),
)

# -- refund and cancel ---------------------------------------------------------------------------


def _made_with(order: Order, key: str | None) -> Refund | None:
    """The refund made with *key* (else the latest refund)."""
    if key is not None:
        found = next((refund for refund in order.refunds if refund.idempotency_key == key), None)
        if found is not None:
            return found
    return order.refunds[-1] if order.refunds else None


def _refund_notice(before: Order, after: Order, inputs: Inputs, context: Context) -> str:
    made = _made_with(after, context.idempotency_key)
    if made is not None and made.status is RefundStatus.PENDING:
        return i18n.gettext(
            "Refund of %(amount)s sent to the payment provider: it shows as pending until the provider"
            " confirms it."
        ) % {"amount": context.money(made.amount, after.currency)}
    amount = made.amount if made else inputs.get("amount") or Decimal(0)
    return i18n.gettext("Refunded %(amount)s.") % {"amount": context.money(amount, after.currency)}


def _refund_report(before: Order, after: Order, inputs: Inputs, context: Context) -> str:
    made = _made_with(after, context.idempotency_key)
    if made is not None and made.status is RefundStatus.PENDING:
        return (
            f"Order #{after.number}: refund of {context.money(made.amount, after.currency)} sent to the "
            f"payment provider, pending its answer. To finish it, repeat with --idempotency-key "
            f"{context.idempotency_key} (or run `kasify-orders outbox run`)."
        )
    return (
        f"Order #{after.number}: refunded {context.money(after.totals.refunded, after.currency)} in all, "
        f"{after.totals.refundable} left; payment {after.payment_status.label}"
    )


def _by_line_or_amount(inputs: Inputs) -> Inputs:
    """The refund form: lines ticked or the shipping refund those, not the prefilled amount."""
    if inputs.get("lines") or inputs.get("shipping"):
        return {**inputs, "amount": None}
    return inputs


def _amount_to_refund(order: Order) -> Decimal:
    """The refund form's amount: what an edit left to refund, else the whole refundable balance.

    An order edited below what was paid owes the customer the difference, not everything.
    """
    return order.totals.refund_due or order.totals.refundable


REFUND = ActionSpec(
    action=Action.REFUND,
    label="Issue Refund",
    summary="Issue a full or partial refund",
    may="refund an order",
    timeline_kind="refunded",
    fields=(
        Field(
            name="amount",
            type=Decimal,
            label="Amount",
            nullable=True,
            hint="Amount to refund; the whole refundable balance when left out.",
            blank_message="Enter the amount to refund.",
        ),
        Field(
            name="lines",
            type=dict,
            label="Or refund by line",
            nullable=True,
            widget=Widget.LINES,
            hint=(
                "Units of each line to refund, each at its price after its share of the discount;"
                " instead of an amount (command line: --line 1=2)."
            ),
            cli_flag="--line",
            line_quantities=lambda order: order.refundable_quantities(),
            pick_lines=True,
        ),
        Field(
            name="shipping",
            type=bool,
            label="Refund the shipping",
            default=False,
            widget=Widget.CHECKBOX,
            hint="Also refund the shipping (once per order); instead of an amount.",
        ),
        Field(
            name="restock",
            type=bool,
            label="Put the refunded items back in stock",
            default=False,
            widget=Widget.CHECKBOX,
            hint="Put the refunded lines' units back on their tracked SKUs.",
        ),
        Field(
            name="note",
            type=str,
            label="Internal note",
            default="",
            max_length=2000,
            widget=Widget.TEXTAREA,
            hint="Only your team sees this.",
        ),
    ),
    confirm="Confirm Refund",
    operation_id="refundOrder",
    idempotent=True,
    run=lambda orders, order, inputs, context: orders.refund(
        order.id,
        inputs.get("amount"),
        note=inputs.get("note", ""),
        lines=inputs.get("lines") or None,
        shipping=bool(inputs.get("shipping")),
        restock=bool(inputs.get("restock")),
        idempotency_key=context.idempotency_key,
        actor=context.actor,
        expected_version=context.expected_version,
    ),
    notice=_refund_notice,
    cli_report=_refund_report,
    offered=lambda order: order.totals.refundable > 0,
    defaults=lambda order, may: {
        "amount": str(money.quantize(_amount_to_refund(order), order.currency)),
        **({"lines": ""} if order.refundable_quantities() else {}),
        **({"shipping": ""} if order.totals.shipping > 0 and not order.shipping_refunded else {}),
        **({"restock": ""} if order.refundable_quantities() else {}),
        "note": "",
    },
    from_form=_by_line_or_amount,
    page_hints={
        "amount": lambda order, amount: (
            i18n.gettext("Refundable balance: %(amount)s")
            % {"amount": amount(order.totals.refundable, order.currency)}
        )
    },
)


def _cancel(orders: Orders, order: Order, inputs: Inputs, context: Context) -> Order:
    refund = bool(inputs.get("refund"))
    return orders.cancel(
        order.id,
        reason=inputs.get("reason", ""),
        restock=bool(inputs.get("restock", True)),
        refund=refund,
        idempotency_key=context.idempotency_key if refund else None,
        actor=context.actor,
        expected_version=context.expected_version,
    )


def _cancel_notice(before: Order, after: Order, inputs: Inputs, context: Context) -> str:
    restock = bool(inputs.get("restock", True))
    if after.status is not Status.CANCELLED:  # the refund is pending at the provider
        return i18n.gettext(
            "The refund was sent to the payment provider: the order is cancelled once the provider "
            "confirms it."
        )
    refunded = after.totals.refunded - before.totals.refunded
    if inputs.get("refund") and refunded:
        amount = {"amount": context.money(refunded, after.currency)}
        if restock:
            return (
                i18n.gettext("Order cancelled and %(amount)s refunded; its items are back in stock.") % amount
            )
        return i18n.gettext("Order cancelled and %(amount)s refunded.") % amount
    if restock:
        return i18n.gettext("Order cancelled and its items put back in stock.")
    return i18n.gettext("Order cancelled.")


def _cancel_report(before: Order, after: Order, inputs: Inputs, context: Context) -> str:
    if after.status is not Status.CANCELLED:
        return (
            f"Order #{after.number}: the refund is pending at the payment provider; the order is "
            "cancelled once it confirms."
        )
    refunded = after.totals.refunded - before.totals.refunded
    suffix = f" and {context.money(refunded, after.currency)} refunded" if refunded else ""
    return f"Order #{after.number} cancelled{suffix}"


def _cancel_defaults(order: Order, may: Callable[[str], bool]) -> dict[str, str]:
    values = {"reason": "", "restock": "on"}
    if may(Action.REFUND.value) and order.payment_status.was_paid and order.totals.refundable > 0:
        values["refund"] = "on"  # offered, and ticked: "Cancel and refund"
    return values


CANCEL = ActionSpec(
    action=Action.CANCEL,
    label="Cancel order",
    summary="Cancel a Pending, Processing or On hold order, and refund its balance if asked",
    description=(
        "With a payment plugin the order is cancelled once the provider has paid the refund; if it "
        "refuses, the order is not cancelled (502). Send an Idempotency-Key header to retry safely."
    ),
    may="cancel an order",
    timeline_kind="cancelled",
    fields=(
        Field(
            name="reason",
            type=str,
            label="Reason",
            default="",
            max_length=MAX_REASON,
            hint="Optional; shown on the timeline.",
        ),
        Field(
            name="restock",
            type=bool,
            label="Put the items back in stock",
            default=True,
            widget=Widget.CHECKBOX,
            hint="Put the tracked items back in stock.",
        ),
        Field(
            name="refund",
            type=bool,
            label="Refund the balance to the customer",
            default=False,
            widget=Widget.CHECKBOX,
            hint="Also refund the whole balance (cancel and refund, one action).",
        ),
    ),
    confirm="Cancel order",
    style="danger",
    page_label=lambda order, values: (
        i18n.gettext("Cancel and refund") if "refund" in values else i18n.gettext("Cancel order")
    ),
    page_labels={
        "refund": lambda order, amount: (
            i18n.gettext("Refund the balance of %(amount)s to the customer")
            % {"amount": amount(order.totals.refundable, order.currency)}
        )
    },
    operation_id="cancelOrder",
    idempotent=True,
    key_needs="refund",
    run=_cancel,
    notice=_cancel_notice,
    cli_report=_cancel_report,
    defaults=_cancel_defaults,
    also_needs=lambda inputs: (Action.REFUND.value,) if inputs.get("refund") else (),
)

ADD_NOTE = ActionSpec(
    action=Action.ADD_NOTE,
    label="Add note",
    summary="Add an internal note to the timeline",
    may="add a note to an order",
    timeline_kind="note",
    fields=(
        Field(
            name="text",
            type=str,
            label="Note",
            required=True,
            max_length=MAX_NOTE,
            widget=Widget.TEXTAREA,
            hint="What happened; only your team sees it.",
        ),
    ),
    confirm="Add note",
    api_path="notes",
    api_status=201,
    cli_name="note",
    versioned=False,
    placement="timeline",
    run=lambda orders, order, inputs, context: orders.add_note(order.id, inputs["text"], actor=context.actor),
    notice=lambda before, after, inputs, context: i18n.gettext("Note added to the timeline."),
)

#: Every merchant action, in the order of the order page's buttons.
MERCHANT_ACTIONS = Registry(
    [
        CONFIRM_PAYMENT,
        MARK_SHIPPED,
        UPDATE_TRACKING,
        MARK_DELIVERED,
        HOLD,
        RELEASE,
        REFUND,
        CANCEL,
        OPEN_RETURN,
        RECEIVE_RETURN,
        REFUND_RETURN,
        CLOSE_RETURN,
        EMAIL_CUSTOMER,
        ADD_NOTE,
        RESEND_NOTIFICATION,
        RETRY_EMAIL,
    ]
)
