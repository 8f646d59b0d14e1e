"""The JSON API, free of any web framework: the merchant's actions as JSON in and JSON out.

An adapter hands each request under its API prefix to :meth:`JsonApi.handle` and writes back
the :class:`ApiResponse`. Routing lives here, in :data:`ROUTES`, made from the action registry
(:data:`kasify_orders.registry.MERCHANT_ACTIONS`); the OpenAPI document
(:mod:`kasify_orders.web.openapi`) is built from the same table, so the two cannot drift, and
errors are answered from the one table of :mod:`kasify_orders.web.problems`.

Errors are ``application/problem+json`` (RFC 9457) with an ``errors`` list of
``{"path", "message"}`` for field-level details. Every POST must be ``application/json``:
browsers cannot send that cross-site without a CORS preflight, which is what protects
cookie-authenticated hosts from cross-site request forgery on the API.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from kasify_orders.convert import structure, unstructure
from kasify_orders.errors import FieldError, OrderNotFound, ValidationError
from kasify_orders.i18n import formats
from kasify_orders.model import Order
from kasify_orders.registry import MERCHANT_ACTIONS, ActionSpec, Context
from kasify_orders.service import Orders
from kasify_orders.validation import unknown_name
from kasify_orders.web import coupon_api, edit_api
from kasify_orders.web.inputs import BODIES, body_class, inputs_of
from kasify_orders.web.list_query import FILTER_PARAMS, read_list_query
from kasify_orders.web.pages import VIEW, Authorize
from kasify_orders.web.problems import HANDLED, rule_for

__all__ = [  # noqa: PLE0604 - the body classes come from the registry (see __getattr__)
    "PROBLEM_JSON",
    "ROUTES",
    "ApiRequest",
    "ApiResponse",
    "JsonApi",
    "Route",
    *BODIES,
]

PROBLEM_JSON = "application/problem+json"
_PROBLEM = "tag:kasify-orders,2025:problem:"


# -- requests, responses, routes ----------------------------------------------------------


@attrs.frozen
class ApiRequest:
    """One HTTP request, as the adapter saw it. *path* is what follows the API prefix."""

    method: str
    path: str
    query: Mapping[str, str] = attrs.field(factory=dict)
    #: Header names in lower case.
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes = b""


@attrs.frozen
class ApiResponse:
    """What to send back: a status, a JSON-ready body and its media type."""

    status: int
    body: Any
    content_type: str = "application/json"
    headers: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Route:
    """One operation of the API (also one operation of the OpenAPI document)."""

    method: str
    #: Relative to the prefix: ``""``, ``"/{order_id}"``, ``"/{order_id}/refund"``.
    path: str
    operation_id: str
    summary: str
    #: The authorization name passed to ``authorize``.
    permission: str
    body: type | None = None
    #: Success status.
    status: int = 200
    #: The action it runs (None: a reading operation).
    spec: ActionSpec | None = None


#: The reading operations; each registry action adds its own ``POST`` after them.
_READING: Sequence[Route] = (
    Route("GET", "", "listOrders", "Orders, newest first, one page at a time", VIEW),
    Route("GET", "/counts", "countOrders", "How many orders are in each status", VIEW),
    Route("GET", "/{order_id}", "getOrder", "One order with its timeline", VIEW),
)


def _action_route(spec: ActionSpec) -> Route:
    return Route(
        "POST",
        f"/{{order_id}}/{spec.api_path}",
        spec.operation_id,
        spec.summary,
        spec.permission,
        body_class(spec),
        spec.api_status,
        spec,
    )


#: The coupon book (:mod:`kasify_orders.web.coupon_api`), for those who may manage coupons.
_COUPONS: Sequence[Route] = (
    Route("GET", "/coupons", "listCoupons", "Every coupon, by code", coupon_api.MANAGE_COUPONS),
    Route("POST", "/coupons", "createCoupon", "Create a coupon", coupon_api.MANAGE_COUPONS, status=201),
    Route(
        "GET",
        "/coupons/{code}",
        "getCoupon",
        "One coupon, with how often it was used",
        coupon_api.MANAGE_COUPONS,
    ),
    Route(
        "PUT",
        "/coupons/{code}",
        "updateCoupon",
        "Change a coupon's rules (and its code, while no order used it); its use count is kept",
        coupon_api.MANAGE_COUPONS,
    ),
)

#: Editing an order before it ships (:mod:`kasify_orders.web.edit_api`; not a registry action).
_EDIT = Route(
    "POST",
    "/{order_id}/edit",
    edit_api.OPERATION,
    "Edit an order before it ships: address, quantities, added and removed lines",
    edit_api.EDIT_ORDER,
)

#: Every operation of the API, from :data:`kasify_orders.registry.MERCHANT_ACTIONS`, and the coupons'.
ROUTES: Sequence[Route] = (
    *_READING,
    *(_action_route(spec) for spec in MERCHANT_ACTIONS),
    _EDIT,
    *_COUPONS,
)

#: The list's parameters, the pages' filters and sort (``list_query.FILTER_PARAMS``) among them.
_LIST_PARAMS = ("status", "search", "paid_before", "limit", "cursor", *FILTER_PARAMS)


def problem(status: int, title: str, detail: str, kind: str | None = None, **extra: Any) -> ApiResponse:
    """An RFC 9457 problem response."""
    body = {"type": f"{_PROBLEM}{kind}" if kind else "about:blank", "title": title, "status": status}
    body["detail"] = detail
    body.update(extra)
    return ApiResponse(status, body, PROBLEM_JSON)


def _field_errors(errors: Sequence[FieldError]) -> list[dict[str, str]]:
    return [{"path": error.path, "message": error.message} for error in errors]


class JsonApi:
    """Serves :data:`ROUTES` for one :class:`~kasify_orders.Orders`."""

    def __init__(
        self,
        orders: Orders,
        *,
        openapi: Callable[[], Mapping[str, Any]],
        timezone: Callable[[], str] | None = None,
    ) -> None:
        self.orders = orders
        self.openapi = openapi
        #: Gives the shop's time zone, which the list's ``placed_from``/``placed_to`` days are in,
        #: as on the pages (asked only when a day is given); None: the request's clock.
        self.timezone = timezone

    @property
    def max_body_bytes(self) -> int:
        """The largest request body to read (``Settings.max_request_bytes``).

        An adapter reads no more than this (a larger ``Content-Length`` is refused unread,
        a stream without one is cut there) and answers :meth:`too_large` instead.
        """
        return self.orders.settings.max_request_bytes

    def too_large(self) -> ApiResponse:
        """The 413 answer to a body larger than :attr:`max_body_bytes`."""
        limit = self.max_body_bytes
        return problem(
            413,
            "Content Too Large",
            f"the request body is larger than {limit} bytes, the most this API reads",
            "content-too-large",
            max_bytes=limit,
        )

    def handle(self, request: ApiRequest, *, actor: str | None, authorize: Authorize) -> ApiResponse:
        """Route *request*, check the caller may, run the action, and say what happened."""
        if request.method in {"GET", "HEAD"} and request.path == "/openapi.json":
            return ApiResponse(200, dict(self.openapi()))
        route, params, allowed = _match(request.method, request.path)
        if route is None:
            if allowed:
                return ApiResponse(
                    405,
                    problem(405, "Method Not Allowed", f"use {', '.join(allowed)}").body,
                    PROBLEM_JSON,
                    {"Allow": ", ".join(allowed)},
                )
            return problem(404, "Not Found", f"no API operation at {request.path or '/'}")
        if len(request.body) > self.max_body_bytes:  # an adapter that read it all anyway
            return self.too_large()
        try:
            return self._run(route, params, request, actor=actor, authorize=authorize)
        except HANDLED as error:
            rule = rule_for(error)
            assert rule is not None
            extra = dict(rule.details(error))
            errors = rule.field_errors(error)
            if errors:
                extra["errors"] = _field_errors(errors)
            return problem(rule.status, rule.title, str(error), rule.kind, **extra)

    def _run(  # noqa: PLR0911 - one answer per kind of operation
        self,
        route: Route,
        params: Mapping[str, str],
        request: ApiRequest,
        *,
        actor: str | None,
        authorize: Authorize,
    ) -> ApiResponse:
        if route.operation_id in coupon_api.OPERATIONS:
            return self._coupons(route, params, request, authorize)
        order: Order | None = None
        if "order_id" in params:
            order = self.orders.get(_order_id(params["order_id"]))
        if route.operation_id == edit_api.OPERATION:
            if not authorize(route.permission, order):
                return _forbidden()
            data = _json_body(request)
            if isinstance(data, ApiResponse):
                return data
            assert order is not None
            return ApiResponse(200, unstructure(edit_api.run_edit(self.orders, order, data, actor=actor)))
        if route.body is not None:
            # Refuse unauthorised callers before telling them anything about their input.
            if not authorize(route.permission, order):
                return _forbidden()
            data = _json_body(request)
            if isinstance(data, ApiResponse):
                return data
            assert order is not None
            done = self._act(route, order, data, request, actor, authorize)
            if isinstance(done, ApiResponse):
                return done
            return ApiResponse(route.status, unstructure(done))
        if not authorize(route.permission, order):
            return _forbidden()
        if route.operation_id == "listOrders":
            return self._list(request.query)
        if route.operation_id == "countOrders":
            counts = self.orders.count_by_status()
            return ApiResponse(200, {status.value: count for status, count in counts.items()})
        return ApiResponse(200, unstructure(order))

    def _act(  # noqa: PLR0917 - the request's parts
        self,
        route: Route,
        order: Order,
        data: Any,
        request: ApiRequest,
        actor: str | None,
        authorize: Authorize,
    ) -> Order | ApiResponse:
        spec = route.spec
        assert spec is not None and route.body is not None
        inputs, version = inputs_of(spec, structure(data, route.body))
        if not all(authorize(also, order) for also in spec.also_needs(inputs)):
            return _forbidden()  # may cancel, may not refund
        key = request.headers.get("idempotency-key") if spec.uses_key(inputs) else None
        context = Context(actor=actor, expected_version=version, idempotency_key=key)
        return spec.run(self.orders, order, inputs, context)

    def _coupons(
        self, route: Route, params: Mapping[str, str], request: ApiRequest, authorize: Authorize
    ) -> ApiResponse:
        if not authorize(route.permission, None):
            return _forbidden()
        data = None
        if route.method != "GET":
            data = _json_body(request)
            if isinstance(data, ApiResponse):
                return data
        answer = coupon_api.run(self.orders, route.operation_id, params, data)
        if answer is None:
            return problem(404, "Coupon not found", f"no coupon {params['code'][:64]!r}", "coupon-not-found")
        return ApiResponse(*answer)

    def _list(self, query: Mapping[str, str]) -> ApiResponse:
        errors = [
            FieldError(name, unknown_name("parameter", name, _LIST_PARAMS))
            for name in query
            if name not in _LIST_PARAMS
        ]
        limit = 50
        if "limit" in query:
            text = query["limit"]
            if text.isdigit() and len(text) < 10:
                limit = int(text)
            else:
                errors.append(FieldError("limit", f"must be a whole number, got {text!r}"))
        paid_before = None
        if "paid_before" in query:
            try:
                paid_before = datetime.fromisoformat(query["paid_before"])
            except ValueError:
                errors.append(FieldError("paid_before", "must be an ISO 8601 date-time"))
            else:
                if paid_before.tzinfo is None:
                    errors.append(FieldError("paid_before", "needs a time zone: add Z or +00:00"))
        for name in ("search", "cursor", "status", *FILTER_PARAMS):
            if name in query and not query[name].isprintable():
                errors.append(FieldError(name, "must not contain control characters"))
        with formats.on_clock(self.timezone) if self.timezone else contextlib.nullcontext():
            _, filters, wrong_days = read_list_query(query)  # asks the zone only for a day given
        errors.extend(wrong_days)
        try:
            if errors:
                raise ValidationError(errors)
            page = self.orders.list(
                **filters,
                status=query.get("status"),
                search=query.get("search"),
                paid_before=paid_before,
                limit=limit,
                cursor=query.get("cursor"),
            )
        except ValidationError as error:
            # The query string is the request's address, not its content: a 400, not a 422.
            return problem(
                400, "Bad query parameter", str(error), "bad-query", errors=_field_errors(error.errors)
            )
        return ApiResponse(
            200, {"items": [unstructure(o) for o in page.items], "next_cursor": page.next_cursor}
        )


def _order_id(text: str) -> str:
    """Refuse ids no store could hold (control characters, absurd lengths) before any query."""
    if not text.isprintable() or len(text) > 64:
        raise OrderNotFound(text)
    return text


def _forbidden() -> ApiResponse:
    return problem(403, "Forbidden", "you are not allowed to do this; nothing was changed", "forbidden")


def _json_body(request: ApiRequest) -> Any:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        return problem(
            415,
            "Unsupported Media Type",
            "send a JSON body with Content-Type: application/json (an empty object {} if nothing else)",
        )
    try:
        data = json.loads(request.body or b"null", parse_float=Decimal)
        # Lone surrogates ("\\ud800") parse but can never be stored: refuse them here.
        json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    except (ValueError, RecursionError) as error:
        return problem(400, "Malformed JSON", f"the body is not valid JSON: {error}", "malformed-json")
    return data


def _match(method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
    """The route for *method* and *path*, its path parameters, and the methods allowed there."""
    parts = path.strip("/").split("/") if path.strip("/") else []
    allowed: list[str] = []
    found: tuple[Route, dict[str, str]] | None = None
    for literal_first in (True, False):
        for route in ROUTES:
            template = route.path.strip("/").split("/") if route.path.strip("/") else []
            params = _bind(template, parts, literal_only=literal_first)
            if params is None:
                continue
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                found = found or (route, params)
            elif route.method not in allowed:
                allowed.append(route.method)
        if found or allowed:
            break
    if found:
        return found[0], found[1], allowed
    return None, {}, allowed


def _bind(template: list[str], parts: list[str], *, literal_only: bool) -> dict[str, str] | None:
    if len(template) != len(parts):
        return None
    params: dict[str, str] = {}
    for expected, actual in zip(template, parts, strict=True):
        if expected.startswith("{"):
            if literal_only or not actual:
                return None
            params[expected.strip("{}")] = actual
        elif expected != actual:
            return None
    return params


def __getattr__(name: str) -> type:
    """The request body classes by their names (``CancelInput``; ``NoteInput`` is ``AddNoteInput``)."""
    body = BODIES.get("AddNoteInput" if name == "NoteInput" else name)
    if body is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return body
