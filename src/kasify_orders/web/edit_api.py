"""``POST /{order_id}/edit``: change an order before it ships (address, quantities, lines), as JSON.

Not a registry action (its inputs are an address, a quantity per line and new lines, which the
registry's one-form fields do not describe), so the API routes it here and the OpenAPI document
takes :func:`edit_operation`. The permission is :data:`EDIT_ORDER`, as on the Edit order page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kasify_orders.convert import structure
from kasify_orders.model import Address, NewLine, Order
from kasify_orders.registry.backoffice import EDIT_ORDER
from kasify_orders.service import Orders

__all__ = ["EDIT_ORDER", "OPERATION", "EditInput", "edit_operation", "run_edit"]

#: The API operation's id.
OPERATION = "editOrder"


@attrs.frozen(kw_only=True)
class EditInput:
    """The body of ``POST /{order_id}/edit``; every part optional, at least one change."""

    #: The new address, whole (None: unchanged).
    shipping_address: Address | None = None
    #: ``{line id: new quantity}``: JSON object keys are text, so the ids are ("1"); the core
    #: reads digits as the id and names any other key as not a line of the order.
    set_quantity: dict[str, int] = attrs.field(factory=dict)
    add_lines: tuple[NewLine, ...] = ()
    #: Line ids to remove.
    remove_lines: tuple[int, ...] = ()
    #: Why (on the timeline, never for the customer).
    note: str = ""
    #: The order's version as the caller read it (None: do not check).
    expected_version: int | None = None


def run_edit(orders: Orders, order: Order, data: Any, *, actor: str | None) -> Order:
    """Structure *data* as :class:`EditInput` (every bad field named) and edit *order* with it."""
    body = structure(data, EditInput)
    return orders.edit(
        order.id,
        shipping_address=body.shipping_address,
        set_quantity=body.set_quantity,
        add_lines=body.add_lines,
        remove_lines=body.remove_lines,
        note=body.note,
        actor=actor,
        expected_version=body.expected_version,
    )


_STR = {"type": "string"}
_AMOUNT = {"type": "string", "description": 'An amount, as a decimal (e.g. "12.50").'}


def _body() -> dict[str, Any]:
    line = {
        "type": "object",
        "properties": {
            "sku": _STR,
            "name": _STR,
            "quantity": {"type": "integer", "minimum": 1},
            "unit_price": _AMOUNT,
            "variant": _STR,
        },
        "required": ["sku", "name", "quantity", "unit_price"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "description": "What to change; give at least one change. Allowed while the order is pending, "
        "processing or on hold and no parcel has shipped.",
        "properties": {
            "shipping_address": {"oneOf": [{"$ref": "#/components/schemas/Address"}, {"type": "null"}]},
            "set_quantity": {
                "type": "object",
                "description": "{line id: new quantity}.",
                "additionalProperties": {"type": "integer", "minimum": 1},
            },
            "add_lines": {"type": "array", "items": line},
            "remove_lines": {"type": "array", "items": {"type": "integer"}},
            "note": {"type": "string", "maxLength": 500},
            "expected_version": {"type": ["integer", "null"]},
        },
        "additionalProperties": False,
    }


def edit_operation(base: Mapping[str, Any], problem: Any) -> dict[str, Any]:
    """The OpenAPI operation: *base* (id, summary, 403/404, path parameter) and the edit's own parts."""
    operation = dict(base)
    operation["description"] = (
        "Stock moves with the edit for tracked SKUs (never oversold); the totals are added up again and "
        "a coupon's minimum re-checked. What was paid stays: the order then shows totals.amount_due or "
        "totals.refund_due. The customer gets the order updated email."
    )
    operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _body()}}}
    responses = dict(operation["responses"])
    responses["200"] = {
        "description": "The order as edited.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}},
    }
    responses["409"] = problem(
        "A parcel has shipped or the order is closed; a tracked SKU is short (named); or "
        "expected_version is out of date. Nothing changed."
    )
    responses["422"] = problem(
        "Invalid input: errors names every bad field (set_quantity[<id>], remove_lines[<i>], "
        "add_lines[<i>].sku, shipping_address.<field>, coupon_code) or nothing to change."
    )
    responses["415"] = problem("The body is not application/json.")
    responses["400"] = problem("The body is not valid JSON.")
    operation["responses"] = responses
    return operation
