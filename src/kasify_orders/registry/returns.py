"""The return actions: open a return (RMA), receive it, refund it by line, close it.

Opening sits in the order page's Returns section (its shipped lines ticked, with quantities and
the customer's reason); receiving, refunding and closing are buttons on each return there,
carrying its ``return_id``. On the command line they are ``orders returns open|receive|refund|close``.
"""

from __future__ import annotations

from kasify_orders import i18n
from kasify_orders.lifecycle import Action
from kasify_orders.model import Order
from kasify_orders.registry.spec import ActionSpec, Context, Field, Inputs, Widget
from kasify_orders.return_model import Return, ReturnStatus
from kasify_orders.validation import MAX_REASON

__all__ = ["CLOSE_RETURN", "OPEN_RETURN", "RECEIVE_RETURN", "REFUND_RETURN", "RETURN_ACTIONS", "offered_for"]

_RETURN_ID = Field(
    name="return_id",
    type=str,
    label="Return",
    required=True,
    max_length=64,
    widget=Widget.HIDDEN,
    hint="The return's id (returns[].id).",
)
_NOTE = Field(
    name="note",
    type=str,
    label="Internal note",
    default="",
    max_length=MAX_REASON,
    widget=Widget.TEXTAREA,
    hint="Only your team sees this.",
)


def _latest(after: Order, inputs: Inputs) -> Return | None:
    wanted = inputs.get("return_id")
    return (
        after.return_by_id(wanted)
        if isinstance(wanted, str)
        else (after.returns[-1] if after.returns else None)
    )


def _opened_notice(before: Order, after: Order, inputs: Inputs, context: Context) -> str:
    made = after.returns[-1]
    return i18n.ngettext(
        "Return opened for %(num)d item.", "Return opened for %(num)d items.", made.units
    ) % {"num": made.units}


def _refunded_notice(before: Order, after: Order, inputs: Inputs, context: Context) -> str:
    found = _latest(after, inputs)
    made = after.refund(found.refund_id) if found and found.refund_id else None
    if made is None:
        return i18n.gettext("Return refunded.")
    return i18n.gettext("Return refunded: %(amount)s.") % {
        "amount": context.money(made.amount, after.currency)
    }


def _report(before: Order, after: Order, inputs: Inputs, context: Context) -> str:
    found = _latest(after, inputs)
    status = found.status.value if found else "?"
    ident = found.id if found else "?"
    return f"Order #{after.number}: return {ident} is {status}"


def _on(order: Order, statuses: tuple[ReturnStatus, ...]) -> bool:
    return any(found.status in statuses for found in order.returns)


OPEN_RETURN = ActionSpec(
    action=Action.OPEN_RETURN,
    label="Open a return",
    summary="Open a return (RMA) of shipped units, with the customer's reason",
    may="open a return of an order",
    timeline_kind="return_opened",
    fields=(
        Field(
            name="lines",
            type=dict,
            label="Items coming back",
            nullable=True,
            widget=Widget.LINES,
            hint="Units of each shipped line the customer sends back (command line: --line 1=2).",
            cli_flag="--line",
            line_quantities=lambda order: order.returnable_quantities(),
            pick_lines=True,
        ),
        Field(
            name="reason",
            type=str,
            label="Reason",
            required=True,
            max_length=MAX_REASON,
            hint="Why the customer sends it back (too small, damaged…); shown on the timeline.",
        ),
    ),
    confirm="Open return",
    api_path="returns",
    api_status=201,
    cli_name="open",
    cli_group="returns",
    placement="returns",
    run=lambda orders, order, inputs, context: orders.returns.open(
        order.id,
        lines=inputs.get("lines"),
        reason=inputs["reason"],
        actor=context.actor,
        expected_version=context.expected_version,
    ),
    notice=_opened_notice,
    cli_report=_report,
    offered=lambda order: bool(order.returnable_quantities()),
    defaults=lambda order, may: {"lines": "", "reason": ""},
)

RECEIVE_RETURN = ActionSpec(
    action=Action.RECEIVE_RETURN,
    label="Receive",
    summary="The return's units came back (put back in stock with restock): Open -> Received",
    may="receive a return of an order",
    timeline_kind="return_received",
    fields=(
        _RETURN_ID,
        Field(
            name="restock",
            type=bool,
            label="Put back in stock",
            default=False,
            widget=Widget.CHECKBOX,
            hint="Put the returned units back on their tracked SKUs.",
        ),
    ),
    confirm="Mark as received",
    style="primary",
    api_path="returns/receive",
    cli_name="receive",
    cli_group="returns",
    placement="return",
    run=lambda orders, order, inputs, context: orders.returns.receive(
        inputs["return_id"],
        restock=bool(inputs.get("restock")),
        order_id=order.id,
        actor=context.actor,
        expected_version=context.expected_version,
    ),
    notice=lambda before, after, inputs, context: (
        i18n.gettext("Return received; its items are back in stock.")
        if inputs.get("restock")
        else i18n.gettext("Return received.")
    ),
    cli_report=_report,
    offered=lambda order: _on(order, (ReturnStatus.OPEN,)),
    defaults=lambda order, may: {"return_id": "", "restock": "on"},
)

REFUND_RETURN = ActionSpec(
    action=Action.REFUND_RETURN,
    label="Refund",
    summary="Refund a received return by line (its lines, the shipping if asked): Received -> Refunded",
    may="refund a return of an order",
    timeline_kind="return_refunded",
    fields=(
        _RETURN_ID,
        Field(
            name="shipping",
            type=bool,
            label="Refund the shipping too",
            default=False,
            widget=Widget.CHECKBOX,
            hint="Also refund the shipping (once per order).",
        ),
        _NOTE,
    ),
    confirm="Refund return",
    api_path="returns/refund",
    cli_name="refund",
    cli_group="returns",
    placement="return",
    idempotent=True,
    run=lambda orders, order, inputs, context: orders.returns.refund(
        inputs["return_id"],
        shipping=bool(inputs.get("shipping")),
        note=inputs.get("note", ""),
        idempotency_key=context.idempotency_key,
        order_id=order.id,
        actor=context.actor,
        expected_version=context.expected_version,
    ),
    notice=_refunded_notice,
    cli_report=_report,
    offered=lambda order: _on(order, (ReturnStatus.RECEIVED,)),
    defaults=lambda order, may: {"return_id": "", "shipping": "", "note": ""},
    also_needs=lambda inputs: (Action.REFUND.value,),
)

CLOSE_RETURN = ActionSpec(
    action=Action.CLOSE_RETURN,
    label="Close",
    summary="Close a return without a refund (an open one frees its units): Open or Received -> Closed",
    may="close a return of an order",
    timeline_kind="return_closed",
    fields=(_RETURN_ID, _NOTE),
    confirm="Close without refund",
    style="danger",
    api_path="returns/close",
    cli_name="close",
    cli_group="returns",
    placement="return",
    run=lambda orders, order, inputs, context: orders.returns.close(
        inputs["return_id"],
        note=inputs.get("note", ""),
        order_id=order.id,
        actor=context.actor,
        expected_version=context.expected_version,
    ),
    notice=lambda before, after, inputs, context: i18n.gettext("Return closed without a refund."),
    cli_report=_report,
    offered=lambda order: _on(order, (ReturnStatus.OPEN, ReturnStatus.RECEIVED)),
    defaults=lambda order, may: {"return_id": "", "note": ""},
)

#: The statuses of a return each per-return action may start from.
_FROM = {
    Action.RECEIVE_RETURN: (ReturnStatus.OPEN,),
    Action.REFUND_RETURN: (ReturnStatus.RECEIVED,),
    Action.CLOSE_RETURN: (ReturnStatus.OPEN, ReturnStatus.RECEIVED),
}


def offered_for(spec: ActionSpec, found: Return) -> bool:
    """Whether the per-return action *spec* is offered on the return *found* (its status allows it)."""
    return found.status in _FROM.get(spec.action, ())


RETURN_ACTIONS = (OPEN_RETURN, RECEIVE_RETURN, REFUND_RETURN, CLOSE_RETURN)
