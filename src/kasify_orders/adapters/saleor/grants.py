"""Refunds by line between kasify and Saleor: kasify's lines as a granted refund's, and back.

kasify → Saleor: a refund by line made in kasify is granted in Saleor *with its lines*
(``OrderGrantRefundCreateLineInput``: the Saleor order line and quantity) and
``grantRefundForShipping``, and **with kasify's amount**. Saleor would otherwise compute the
amount itself (each line's ``unitPrice`` gross times the quantity, plus the whole shipping),
which can differ from kasify's by a cent of rounding, or more where kasify shares the
order's discount across lines differently from Saleor's voucher; kasify recorded and showed its
amount before asking, so that amount is what is paid out, and the lines tell Saleor (and its
dashboard) which units were refunded, so they are not granted twice there either.

Saleor → kasify: a refund granted in Saleor's dashboard with lines, once paid out (status
``SUCCESS``), is recorded in kasify as a refund by line of the same units (and the shipping),
keyed by the granted refund's id, so a repeated webhook records it once. kasify's amount for
those units is used; when it would be more than Saleor refunded (Saleor's grant amount, or its
refunded total), the grant is left to the refund by amount that brings kasify to Saleor's
refunded total, so kasify never shows more refunded than Saleor paid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kasify_orders import line_refunds
from kasify_orders.adapters.saleor.names import ACTOR, SALEOR_REFUND_KEY_PREFIX
from kasify_orders.adapters.saleor.parcels import kasify_line_ids
from kasify_orders.adapters.saleor.payloads import SaleorGrantedRefund, SaleorLine, SaleorOrder
from kasify_orders.errors import InvalidTransition, RefundExceedsBalance, ValidationError
from kasify_orders.model import Order, Refund
from kasify_orders.service import Orders

__all__ = [
    "KASIFY_GRANT_MARKER",
    "grant_kasify_lines",
    "grant_key",
    "grant_lines",
    "record_granted_refunds",
    "recordable_grant",
]

#: How the reason of a refund kasify granted in Saleor names it (``kasify refund <key>``).
KASIFY_GRANT_MARKER = "kasify refund "


def _context_order(context: Mapping[str, Any]) -> SaleorOrder:
    """The lines of a ``KasifyRefundContext`` answer, as :func:`kasify_line_ids` reads them."""
    lines = []
    for raw in context.get("lines") or []:
        variant = raw.get("variant") or {}
        sku = raw.get("productSku") or variant.get("sku") or raw.get("productVariantId") or ""
        lines.append(
            SaleorLine(
                id=str(raw.get("id") or ""),
                sku=str(sku)[:100],
                name="",
                variant="",
                quantity=int(raw.get("quantity") or 0),
                unit_price=None,
            )
        )
    return SaleorOrder(id=str(context.get("id") or ""), number="", lines=tuple(lines))


def grant_lines(order: Order, context: Mapping[str, Any], refund: Refund) -> list[dict[str, Any]]:
    """*refund*'s lines as ``OrderGrantRefundCreateLineInput`` values (``id``, ``quantity``).

    :raises ValueError: a line of the refund has no Saleor order line (the order was edited
        in kasify), naming it.
    """
    saleor_ids = {
        kasify: saleor for saleor, kasify in kasify_line_ids(order, _context_order(context)).items()
    }
    found = []
    for line_id, quantity in refund.lines.items():
        if line_id not in saleor_ids:
            raise ValueError(f"line {line_id} of order #{order.number} is not a line of the Saleor order")
        found.append({"id": saleor_ids[line_id], "quantity": quantity})
    return found


def grant_key(saleor_order_id: str, grant_id: str) -> str:
    """The idempotency key of the kasify refund recording Saleor's granted refund *grant_id*."""
    return f"{SALEOR_REFUND_KEY_PREFIX}{saleor_order_id}:grant:{grant_id}"[:255]


def _made_by_kasify(order: Order, grant: SaleorGrantedRefund) -> bool:
    return KASIFY_GRANT_MARKER in grant.reason or any(r.reference == grant.id for r in order.refunds)


def grant_kasify_lines(
    order: Order, saleor: SaleorOrder, grant: SaleorGrantedRefund
) -> dict[int, int] | None:
    """``{kasify line id: quantity}`` of *grant*, or None when a line is not kasify's."""
    ids = kasify_line_ids(order, saleor)
    lines: dict[int, int] = {}
    for saleor_line, quantity in grant.lines:
        if saleor_line not in ids:
            return None
        lines[ids[saleor_line]] = lines.get(ids[saleor_line], 0) + quantity
    return lines


def recordable_grant(
    order: Order, saleor: SaleorOrder, grant: SaleorGrantedRefund
) -> tuple[dict[int, int], bool] | None:
    """``(kasify lines, shipping)`` to record *grant* as, or None to leave it to the refund by amount."""
    lines = grant_kasify_lines(order, saleor, grant)
    if lines is None:
        return None
    shipping = grant.shipping and not order.shipping_refunded and order.totals.shipping > 0
    try:
        checked = line_refunds.refund_lines(order, lines, shipping=shipping)
    except ValidationError:  # units kasify refunded already, or nothing kasify can name
        return None
    amount = line_refunds.line_refund(order, checked, shipping=shipping).amount
    paid_out = saleor.total_refunded
    if amount > grant.amount or (paid_out is not None and order.totals.refunded + amount > paid_out):
        return None
    return checked, shipping


def record_granted_refunds(orders: Orders, order: Order, saleor: SaleorOrder) -> Order | None:
    """Record each settled refund Saleor granted by line that kasify does not have yet.

    Returns the order after the last one recorded, or None when none was. Refunds kasify granted
    itself (their reason names kasify's refund) are skipped: kasify has them.
    """
    recorded = None
    for grant in saleor.granted_refunds:
        if not grant.settled or not (grant.lines or grant.shipping) or _made_by_kasify(order, grant):
            continue
        key = grant_key(saleor.id, grant.id)
        if any(refund.idempotency_key == key for refund in order.refunds):
            continue
        recordable = recordable_grant(order, saleor, grant)
        if recordable is None:
            continue
        lines, shipping = recordable
        try:
            order = orders.refund(
                order.id,
                lines=lines,
                shipping=shipping,
                note="Refunded in Saleor",
                idempotency_key=key,
                provider_reference=grant.id,
                actor=ACTOR,
            )
        except (InvalidTransition, RefundExceedsBalance, ValidationError):
            continue  # left to the refund by amount (which notes a conflict when it cannot follow)
        recorded = order
    return recorded
