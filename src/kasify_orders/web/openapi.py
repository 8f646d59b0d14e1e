"""The OpenAPI 3.1 document of the JSON API, built from :data:`kasify_orders.web.api.ROUTES`.

The routes come from the action registry; request bodies are derived from the input classes
made from its fields (their limits and hints included) and the order schema mirrors
``ko.unstructure(order)``; the schemathesis tests hold the document to what the API does.
"""

from __future__ import annotations

import types
import typing
from decimal import Decimal
from typing import Any

import attrs

from kasify_orders import __version__
from kasify_orders.lifecycle import FulfilmentStatus, PaymentStatus, RefundStatus, Status
from kasify_orders.registry import ActionSpec
from kasify_orders.return_model import ReturnStatus
from kasify_orders.service import MAX_PAGE
from kasify_orders.service.listing import OrderSort
from kasify_orders.web import coupon_api, edit_api
from kasify_orders.web.api import PROBLEM_JSON, ROUTES, Route
from kasify_orders.web.coupon_openapi import COUPON_SCHEMAS, coupon_operation
from kasify_orders.web.edit_api import edit_operation

__all__ = ["openapi_document"]

_STR = {"type": "string"}
_NULLABLE_STR = {"type": ["string", "null"]}
_MONEY = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["25.00"]}
_TIME = {"type": "string", "format": "date-time"}


def _object(properties: dict[str, Any], *, required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_SCHEMAS: dict[str, Any] = {
    "Customer": _object({"name": _STR, "email": _STR}),
    "Address": _object(
        {"line1": _STR, "city": _STR, "postal_code": _STR, "country": _STR, "line2": _STR, "region": _STR}
    ),
    "Line": _object(
        {
            "id": {
                "type": "integer",
                "description": "The line's number in its order, from 1; kept through edits (never reused).",
            },
            "sku": _STR,
            "name": _STR,
            "variant": _STR,
            "quantity": {"type": "integer"},
            "unit_price": _MONEY,
            "total": _MONEY,
            "tax": {**_MONEY, "description": "The host's tax on the whole line (0 when none was given)."},
        }
    ),
    "Totals": _object(
        {
            name: _MONEY
            for name in (
                "subtotal",
                "shipping",
                "discount",
                "total",
                "refunded",
                "refund_pending",
                "refundable",
                "paid",
                "amount_due",
                "refund_due",
            )
        }
        | {
            "tax": {**_MONEY, "description": "The host's tax: the lines' plus the shipping's."},
            "shipping_tax": {**_MONEY, "description": "The part of tax on the shipping."},
            "prices_include_tax": {
                "type": "boolean",
                "description": "Whether subtotal and shipping include the tax (else total adds it).",
            },
        }
    ),
    "Shipment": _object(
        {
            "id": {"type": "string", "description": "The parcel's id (shipment_id); empty in a list."},
            "lines": {
                "type": "object",
                "description": "Units of each line in the parcel: {line id: quantity}.",
                "additionalProperties": {"type": "integer", "minimum": 1},
            },
            "carrier": _STR,
            "tracking_number": _STR,
            "tracking_url": _NULLABLE_STR,
            "shipped_at": _TIME,
            "delivered_at": {"type": ["string", "null"], "format": "date-time"},
            "reference": _NULLABLE_STR,
        }
    ),
    "Refund": _object(
        {
            "id": _STR,
            "amount": _MONEY,
            "created_at": _TIME,
            "note": _STR,
            "actor": _NULLABLE_STR,
            "reference": _NULLABLE_STR,
            "idempotency_key": _NULLABLE_STR,
            "status": {"type": "string", "enum": [s.value for s in RefundStatus]},
            "resolved_at": {"type": ["string", "null"], "format": "date-time"},
            "failure": _NULLABLE_STR,
            "lines": {
                "type": "object",
                "description": "A refund by line: the units of each line it refunds, {line id: quantity}.",
                "additionalProperties": {"type": "integer", "minimum": 1},
            },
            "line_amounts": {
                "type": "object",
                "description": "What it refunds of each of those lines, {line id: amount}.",
                "additionalProperties": _MONEY,
            },
            "shipping": {"type": "boolean", "description": "It refunds the order's shipping (once)."},
            "restock": {"type": "boolean", "description": "Its units go back in stock when it settles."},
        }
    ),
    "Return": _object(
        {
            "id": {"type": "string", "description": "The return's id (return_id)."},
            "lines": {
                "type": "object",
                "description": "Units of each line coming back: {line id: quantity}.",
                "additionalProperties": {"type": "integer", "minimum": 1},
            },
            "reason": _STR,
            "status": {"type": "string", "enum": [s.value for s in ReturnStatus]},
            "opened_at": _TIME,
            "received_at": {"type": ["string", "null"], "format": "date-time"},
            "closed_at": {"type": ["string", "null"], "format": "date-time"},
            "refund_id": {"type": ["string", "null"], "description": "The refund by line that refunded it."},
            "restocked": {"type": "boolean", "description": "Its units went back in stock when received."},
        }
    ),
    "TimelineEvent": _object(
        {"kind": _STR, "at": _TIME, "actor": _NULLABLE_STR, "message": _STR, "data": {"type": "object"}}
    ),
    "Order": _object(
        {
            "id": _STR,
            "number": {"type": "integer"},
            "status": {"type": "string", "enum": [s.value for s in Status]},
            "payment_status": {"type": "string", "enum": [s.value for s in PaymentStatus]},
            "customer": _ref("Customer"),
            "shipping_address": _ref("Address"),
            "lines": {"type": "array", "items": _ref("Line")},
            "currency": _STR,
            "totals": _ref("Totals"),
            "coupon_code": _NULLABLE_STR,
            "customer_note": _STR,
            "shipment": {
                "oneOf": [_ref("Shipment"), {"type": "null"}],
                "description": "The latest parcel (null before the first).",
            },
            "shipments": {"type": "array", "items": _ref("Shipment"), "description": "Every parcel."},
            "fulfilment_status": {"type": "string", "enum": [s.value for s in FulfilmentStatus]},
            "refunds": {"type": "array", "items": _ref("Refund")},
            "returns": {"type": "array", "items": _ref("Return"), "description": "The returns (RMAs)."},
            "timeline": {"type": "array", "items": _ref("TimelineEvent")},
            "created_at": _TIME,
            "paid_at": {"type": ["string", "null"], "format": "date-time"},
            "version": {"type": "integer", "description": "Pass back as expected_version."},
        }
    ),
    "OrderPage": _object(
        {
            "items": {"type": "array", "items": _ref("OrderSummary")},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass back as cursor; null on the last page.",
            },
        }
    ),
    "StatusCounts": _object({s.value: {"type": "integer", "minimum": 0} for s in Status}),
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details.",
        "properties": {
            "type": _STR,
            "title": _STR,
            "status": {"type": "integer"},
            "detail": _STR,
            "errors": {
                "type": "array",
                "description": "Field-level details.",
                "items": _object({"path": _STR, "message": _STR}),
            },
        },
        "required": ["type", "title", "status", "detail"],
    },
}


_SCHEMAS.update(COUPON_SCHEMAS)

# A list shows summaries: the order without its address, lines, refunds and timeline.
_SCHEMAS["OrderSummary"] = _object(
    {
        name: schema
        for name, schema in _SCHEMAS["Order"]["properties"].items()
        if name not in {"shipping_address", "lines", "shipments", "refunds", "returns", "timeline"}
    }
)


def _field_schema(annotation: Any, field: attrs.Attribute[Any]) -> dict[str, Any]:
    nullable = False
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(members) < len(typing.get_args(annotation))
        annotation = members[0]
    schema: dict[str, Any]
    if annotation is bool:
        schema = {"type": "boolean"}
    elif annotation is dict:
        schema = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}}
    elif annotation is int:
        schema = {"type": "integer"}
    elif annotation is Decimal:
        schema = {"type": ["string", "number"], "pattern": r"^\d+(\.\d+)?$", "exclusiveMinimum": 0}
    else:
        schema = {"type": "string"}
    if nullable:
        schema["type"] = [*([schema["type"]] if isinstance(schema["type"], str) else schema["type"]), "null"]
    if field.default is not attrs.NOTHING:
        schema["default"] = field.default
    return schema


def _body_schema(cls: type, spec: ActionSpec) -> dict[str, Any]:
    fields = attrs.fields(cls)
    properties = {f.name: _field_schema(f.type, f) for f in fields}
    for declared in spec.fields:
        schema = properties[declared.name]
        if declared.max_length is not None:
            schema["maxLength"] = declared.max_length
        if declared.hint:
            schema["description"] = declared.hint
        if declared.suggestions is not None:
            schema["examples"] = list(declared.suggestions())
    return {
        "type": "object",
        "description": (cls.__doc__ or "").strip(),
        "properties": properties,
        "required": [f.name for f in fields if f.default is attrs.NOTHING],
        "additionalProperties": False,
    }


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _ref("Problem")}}}


_ORDER_ID = {
    "name": "order_id",
    "in": "path",
    "required": True,
    "description": "The order's id (32 hex digits).",
    "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
}
_LIST_PARAMETERS = [
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": [s.value for s in Status]}},
    {
        "name": "payment_status",
        "in": "query",
        "schema": {"type": "string", "enum": [s.value for s in PaymentStatus]},
    },
    {
        "name": "search",
        "in": "query",
        "description": "Order number, tracking number, or the start of any word of the customer's name "
        "or email.",
        "schema": {"type": "string"},
    },
    {
        "name": "paid_before",
        "in": "query",
        "description": "Only orders paid before this moment (with a time zone).",
        "schema": _TIME,
    },
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 50},
    },
    {"name": "cursor", "in": "query", "description": "A next_cursor from the previous page.", "schema": _STR},
    *(
        {
            "name": name,
            "in": "query",
            "description": description,
            "schema": {"type": "string", "format": "date"},
        }
        for name, description in (
            ("placed_from", "Only orders placed on or after this day (the merchant's time zone)."),
            ("placed_to", "Only orders placed on or before this day (the merchant's time zone)."),
        )
    ),
    {
        "name": "coupon",
        "in": "query",
        "description": "Only orders placed with this coupon code.",
        "schema": _STR,
    },
    {
        "name": "country",
        "in": "query",
        "description": "Only orders shipped to this country (ISO 3166-1 alpha-2).",
        "schema": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
    },
    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": [s.value for s in OrderSort]}},
]


def _operation(route: Route) -> dict[str, Any]:
    if route.operation_id in coupon_api.OPERATIONS:
        return coupon_operation(route)
    if route.operation_id == edit_api.OPERATION:
        base = {
            "operationId": route.operation_id,
            "summary": route.summary,
            "x-kasify-permission": route.permission,
            "parameters": [_ORDER_ID],
            "responses": {
                "403": _problem("The host's authorize callable refused; nothing changed."),
                "404": _problem("No such order."),
            },
        }
        return edit_operation(base, _problem)
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "x-kasify-permission": route.permission,
        "responses": {"403": _problem("The host's authorize callable refused; nothing changed.")},
    }
    parameters: list[dict[str, Any]] = []
    if "{order_id}" in route.path:
        parameters.append(_ORDER_ID)
        operation["responses"]["404"] = _problem("No such order.")
    if route.operation_id == "listOrders":
        parameters.extend(_LIST_PARAMETERS)
        operation["responses"]["200"] = {
            "description": "A page of orders, newest first.",
            "content": {"application/json": {"schema": _ref("OrderPage")}},
        }
        operation["responses"]["400"] = _problem("A bad query parameter; errors names it.")
    elif route.operation_id == "countOrders":
        operation["responses"]["200"] = {
            "description": "Orders per status.",
            "content": {"application/json": {"schema": _ref("StatusCounts")}},
        }
    else:
        operation["responses"][str(route.status)] = {
            "description": "The order, as it is now.",
            "content": {"application/json": {"schema": _ref("Order")}},
        }
    if route.body is not None and route.spec is not None:
        operation["x-kasify-statuses"] = [s.value for s in Status if s in route.spec.statuses]
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _body_schema(route.body, route.spec)}},
        }
        operation["responses"].update(
            {
                "400": _problem("The body is not valid JSON."),
                "409": _problem("Not allowed in the order's status, or expected_version is stale."),
                "413": _problem("The body is larger than Settings.max_request_bytes (1 MiB)."),
                "415": _problem("The body is not application/json."),
                "422": _problem("Invalid input; errors names every bad field."),
            }
        )
        operation["responses"].update(
            {str(code): _problem(words) for code, words in route.spec.responses.items()}
        )
        if route.spec.idempotent:
            parameters.append(
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "description": "A retried request with the same key refunds nothing more (it "
                    "returns the order, finishing a refund left pending at the payment provider).",
                    "schema": {"type": "string", "maxLength": 255},
                }
            )
            operation["responses"]["502"] = _problem(
                "The payment provider refused the refund: it is recorded as failed (a refund_failed "
                "timeline entry), the balance is unchanged, and a cancel with refund does not cancel."
            )
    if parameters:
        operation["parameters"] = parameters
    return operation


def openapi_document(prefix: str, *, title: str = "kasify-orders") -> dict[str, Any]:
    """The OpenAPI 3.1 document for the API mounted at *prefix* (``"/api/orders"``)."""
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(prefix.rstrip("/") + route.path, {})[route.method.lower()] = _operation(route)
    paths[prefix.rstrip("/") + "/openapi.json"] = {
        "get": {
            "operationId": "openapiDocument",
            "summary": "This document",
            "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{title} orders API",
            "version": __version__,
            "description": "The merchant's order actions and coupons. Errors are application/problem+json "
            "(RFC 9457).",
        },
        "paths": paths,
        "components": {"schemas": _SCHEMAS},
    }
