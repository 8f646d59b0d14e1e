"""The OpenAPI document's coupon operations (:mod:`kasify_orders.web.coupon_api`): schemas and operations.

:mod:`kasify_orders.web.openapi` adds :data:`COUPON_SCHEMAS` to its components and asks
:func:`coupon_operation` for each coupon route, so the document describes what the API answers.
"""

from __future__ import annotations

from typing import Any

from kasify_orders.model import CouponKind
from kasify_orders.web import coupon_api
from kasify_orders.web.api import PROBLEM_JSON, Route

__all__ = ["COUPON_SCHEMAS", "coupon_operation"]

_STR = {"type": "string"}
_NULLABLE_STR = {"type": ["string", "null"]}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _ref("Problem")}}}


#: The components a coupon's answers refer to.
COUPON_SCHEMAS: dict[str, Any] = {
    "Coupon": _object(
        {
            "code": _STR,
            "kind": {"type": "string", "enum": [k.value for k in CouponKind]},
            "value": {"type": ["string", "null"], "description": "Percent off or amount off, as a decimal."},
            "minimum_order": {"type": ["string", "null"], "description": "An amount, as a decimal."},
            "currency": _NULLABLE_STR,
            "usage_limit": {"type": ["integer", "null"]},
            "once_per_customer": {"type": "boolean"},
            "starts_at": {"type": ["string", "null"], "format": "date-time"},
            "ends_at": {"type": ["string", "null"], "format": "date-time"},
            "active": {"type": "boolean"},
            "times_used": {"type": "integer", "minimum": 0},
        }
    ),
    "CouponList": _object({"items": {"type": "array", "items": _ref("Coupon")}}),
}


_COUPON_CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": "The coupon's code (case-insensitive).",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"},
}


def _coupon_body() -> dict[str, Any]:
    properties = {
        name: schema
        for name, schema in COUPON_SCHEMAS["Coupon"]["properties"].items()
        if name in coupon_api.COUPON_FIELDS
    }
    return {
        "type": "object",
        "description": "A coupon's rules: percentage (value 0-100), fixed (value an amount) or free_shipping "
        "(no value), each with an optional minimum_order. times_used is counted by kasify.",
        "properties": properties,
        "required": ["code", "kind"],
        "additionalProperties": False,
    }


def coupon_operation(route: Route) -> dict[str, Any]:
    """The OpenAPI operation of one coupon route: its answers, its path parameter, its body."""
    single = {"content": {"application/json": {"schema": _ref("Coupon")}}}
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "x-kasify-permission": route.permission,
        "responses": {"403": _problem("The host's authorize callable refused; nothing changed.")},
    }
    responses = operation["responses"]
    if route.operation_id == "listCoupons":
        responses["200"] = {
            "description": "Every coupon, by code.",
            "content": {"application/json": {"schema": _ref("CouponList")}},
        }
    else:
        responses[str(route.status)] = {"description": "The coupon, as it is now.", **single}
    if "{code}" in route.path:
        operation["parameters"] = [_COUPON_CODE]
        responses["404"] = _problem("No such coupon.")
    if route.method != "GET":
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _coupon_body()}},
        }
        responses.update(
            {
                "400": _problem("The body is not valid JSON."),
                "413": _problem("The body is larger than Settings.max_request_bytes (1 MiB)."),
                "415": _problem("The body is not application/json."),
                "422": _problem(
                    "Invalid input (a taken code, a used coupon's new code); errors names every bad field."
                ),
            }
        )
    return operation
