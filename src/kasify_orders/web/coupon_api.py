"""The JSON API's coupon operations: list, read, create and change coupons (``manage_coupons``).

Bodies are a coupon as ``ko.unstructure(coupon)`` writes it, without ``times_used`` (kasify
counts the uses); :func:`kasify_orders.structure` and the domain's ``validate_coupon`` check
them, so the API refuses what the pages and the Python API refuse, field by field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kasify_orders.convert import structure, unstructure
from kasify_orders.errors import FieldError, ValidationError
from kasify_orders.model import Coupon, CouponKind
from kasify_orders.registry.backoffice import MANAGE_COUPONS
from kasify_orders.service import Orders
from kasify_orders.validation import unknown_name

__all__ = ["COUPON_FIELDS", "MANAGE_COUPONS", "OPERATIONS", "coupon_json", "run"]

#: The operation ids this module answers.
OPERATIONS = ("listCoupons", "createCoupon", "getCoupon", "updateCoupon")
#: The fields of a coupon's body (``code`` and ``kind`` required).
COUPON_FIELDS = (
    "code",
    "kind",
    "value",
    "minimum_order",
    "currency",
    "usage_limit",
    "once_per_customer",
    "starts_at",
    "ends_at",
    "active",
)


def coupon_json(coupon: Coupon) -> dict[str, Any]:
    """A coupon as the API answers it (``times_used`` included)."""
    body: dict[str, Any] = unstructure(coupon)
    body["kind"] = coupon.kind.value
    return body


def _coupon_body(data: Any) -> Coupon:
    """The coupon of a request body; every bad field named at once."""
    if not isinstance(data, Mapping):
        raise ValidationError.single("", f"must be a JSON object, got {type(data).__name__}")
    errors = [
        FieldError(
            name,
            "is counted by kasify; leave it out"
            if name == "times_used"
            else unknown_name("field", name, COUPON_FIELDS),
        )
        for name in data
        if name not in COUPON_FIELDS
    ]
    kind = data.get("kind")
    if "kind" in data and kind not in set(CouponKind):
        allowed = ", ".join(k.value for k in CouponKind)
        errors.append(FieldError("kind", f"must be one of {allowed}, got {str(kind)[:40]!r}"))
    if errors:
        raise ValidationError(errors)
    return structure(dict(data), Coupon)


def _found(orders: Orders, code: str) -> Coupon | None:
    if len(code) > 64 or not code.isprintable():
        return None
    try:
        return orders.coupons.get(code)
    except ValidationError:
        return None


def run(orders: Orders, operation_id: str, params: Mapping[str, str], data: Any) -> tuple[int, Any] | None:
    """Answer one coupon operation: ``(status, body)``, or None when the coupon does not exist.

    :raises ValidationError: a bad body (answered 422 by the API's error table).
    """
    if operation_id == "listCoupons":
        return 200, {"items": [coupon_json(coupon) for coupon in orders.coupons.all()]}
    if operation_id == "createCoupon":
        return 201, coupon_json(orders.coupons.create(_coupon_body(data)))
    current = _found(orders, params["code"])
    if current is None:
        return None
    if operation_id == "getCoupon":
        return 200, coupon_json(current)
    return 200, coupon_json(orders.coupons.update(_coupon_body(data), code=current.code))
