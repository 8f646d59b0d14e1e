"""A fake Saleor on loopback: real HTTP, its GraphQL answered by executing against Saleor's schema.

Every request is parsed, validated and executed by graphql-core against the shipped
``schema.graphql`` with resolvers over a small in-memory shop, so the adapter gets
schema-valid answers, and a document Saleor would reject is recorded as an error (the tests
assert there are none). ``/.well-known/jwks.json`` serves the public keys of the signing keys
the test publishes, and counts how often it was fetched.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, graphql_sync, parse, validate
from joserfc import jws
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

#: ``shared/fixtures/saleor`` beside the checkout (where CI lays it), else the workplace's copy.
_BESIDE = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "saleor"
FIXTURES = _BESIDE if _BESIDE.is_dir() else Path("/work/shared/fixtures/saleor")
#: How Saleor refuses a request its token lacks the permission for.
NO_PERMISSION = "You need one of the following permissions: MANAGE_PLUGINS"
#: The name Saleor gives the transaction ``orderMarkAsPaid`` creates (no payment app owns it).
MARK_AS_PAID_TRANSACTION = "Mark-as-paid transaction"
NO_PAYMENT_APP = "No app or plugin is configured to handle payment action requests."
APP_ID = "QXBwOjEy"
TOKEN = "saleor-app-token-7f3a"
WAREHOUSE = "V2FyZWhvdXNlOjJiOGQ0ZjZhLTBjMWUtNGEzYi05ZDVmLTdlOGMxYTJiM2Q0Zg=="
NOW = "2026-03-15T09:00:00+00:00"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    return json.loads(fixture_bytes(name))


def sign(body: bytes, key: RSAKey, *, kid: str | None = None, **header: Any) -> str:
    """A detached JWS over *body*, exactly as Saleor makes one (RS256, ``b64: false``)."""
    protected = {"alg": "RS256", "b64": False, "crit": ["b64"], "kid": kid or key.kid, "typ": "JWT", **header}
    return jws.detach_content(jws.serialize_compact(protected, body, key))


def public_jwk(key: RSAKey) -> dict[str, Any]:
    return {**key.as_dict(private=False), "use": "sig", "alg": "RS256", "key_ops": ["verify"]}


class FakeSaleor:
    """The Saleor a test installs the app on."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.published: list[RSAKey] = []
        self.jwks_fetches = 0
        #: (operation name, variables) of every GraphQL request, in order.
        self.calls: list[tuple[str, dict[str, Any]]] = []
        #: Validation or execution errors of requests (should stay empty).
        self.errors: list[str] = []
        #: operation name -> how many of its next requests answer HTTP 500.
        self.failures: dict[str, int] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        #: Raw JWKs served besides the published keys (a recorded Saleor's, say).
        self.extra_jwks: list[dict[str, Any]] = []
        #: Saleor's plugins by id, as ``plugin(id:)`` returns them: a stock Saleor's User emails
        #: plugin is active in its default channel.
        self.plugins: dict[str, dict[str, Any]] = {
            "mirumee.notifications.user_email": {
                "id": "mirumee.notifications.user_email",
                "name": "User emails",
                "globalConfiguration": None,
                "channelConfigurations": [
                    {"active": True, "channel": {"slug": "default-channel", "name": "Default Channel"}}
                ],
            }
        }
        #: False: the app's token lacks MANAGE_PLUGINS (an install from an older manifest).
        self.may_read_plugins = True
        #: The webhooks queued after the app's mutations: (event, the fulfillment then, order id).
        self.queued: list[tuple[str, dict[str, Any], str]] = []
        #: Set once the app is deleted: its token is refused from then on.
        self.app_deleted = False
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.port = self._server.server_port
        self.api_url = f"http://127.0.0.1:{self.port}/graphql/"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @contextmanager
    def running(self) -> Iterator[FakeSaleor]:
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()

    # -- the shop ----------------------------------------------------------------------------

    def add_order(self, order: dict[str, Any]) -> dict[str, Any]:
        """Keep a Saleor order (GraphQL shape, as fixture 02 holds it) and what queries need besides."""
        order = copy.deepcopy(order)
        order.setdefault("channel", {}).setdefault("warehouses", [{"id": WAREHOUSE}])
        for line in order.get("lines", []):
            line.setdefault("quantityFulfilled", 0)
            line["quantityToFulfill"] = line["quantity"] - line["quantityFulfilled"]
            line.setdefault(
                "allocations", [{"quantity": line["quantityToFulfill"], "warehouse": {"id": WAREHOUSE}}]
            )
        for fulfillment in order.setdefault("fulfillments", []):
            fulfillment.setdefault("created", NOW)
            fulfillment.setdefault("metadata", [])
        order.setdefault("grantedRefunds", [])
        order.setdefault("events", [])
        self.orders[order["id"]] = order
        return order

    def delete_app(self) -> bytes:
        """Delete the app, as ``appDelete`` does: the APP_DELETED body Saleor posts; the token dies."""
        self.app_deleted = True
        body = {"__typename": "AppDeleted", "issuedAt": NOW, "version": "3.23.28", "app": {"id": APP_ID}}
        return json.dumps(body).encode()

    def queued_bodies(self, shape: dict[str, Any]) -> list[tuple[str, bytes]]:
        """The queued webhooks as Saleor posts them once its worker renders them, oldest first.

        The fulfillment is the one the event was raised with; the order is read when the body is
        rendered, later, with only the fields *shape* (a recorded order payload) has.
        """
        bodies = []
        for event, fulfillment, order_id in self.queued:
            order = {
                key: copy.deepcopy(value) for key, value in self.orders[order_id].items() if key in shape
            }
            body = {
                "__typename": "FulfillmentTrackingNumberUpdated",
                "issuedAt": NOW,
                "version": "3.23.28",
                "fulfillment": fulfillment,
                "order": order,
            }
            bodies.append((event, json.dumps(body).encode()))
        self.queued.clear()
        return bodies

    def calls_named(self, name: str) -> list[dict[str, Any]]:
        return [variables for operation, variables in self.calls if operation == name]

    def mutations(self) -> list[str]:
        return [name for name, _ in self.calls if name not in _QUERIES]

    # -- resolvers ---------------------------------------------------------------------------

    def _root(self) -> dict[str, Any]:
        return {
            "app": lambda _info: {"id": APP_ID},
            "order": lambda _info, id: self.orders.get(id),
            "plugin": self._plugin,
            "orderFulfill": self._fulfill,
            "orderFulfillmentUpdateTracking": self._update_tracking,
            "updateMetadata": self._update_metadata,
            "orderGrantRefundCreate": self._grant_refund,
            "transactionRequestRefundForGrantedRefund": self._process_grant,
            "orderNoteAdd": self._note_add,
            "orderCancel": self._cancel,
            "orderMarkAsPaid": self._mark_paid,
        }

    def _fulfillments(self) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        for order in self.orders.values():
            for fulfillment in order["fulfillments"]:
                yield order, fulfillment

    def _fulfill(self, _info: Any, order: str, input: dict[str, Any]) -> dict[str, Any]:
        saleor = self.orders[order]
        by_id = {line["id"]: line for line in saleor["lines"]}
        for wanted in input["lines"]:
            line = by_id[wanted["orderLineId"]]
            quantity = sum(stock["quantity"] for stock in wanted["stocks"])
            line["quantityFulfilled"] += quantity
            line["quantityToFulfill"] -= quantity
        number = sum(1 for _ in self._fulfillments()) + 1
        fulfillment = {
            "id": f"RnVsZmlsbG1lbnQ6{number}",
            "fulfillmentOrder": number,
            "status": "FULFILLED",
            "trackingNumber": input.get("trackingNumber") or "",
            "created": NOW,
            "metadata": [],
        }
        saleor["fulfillments"].append(fulfillment)
        saleor["status"] = "FULFILLED"
        if fulfillment["trackingNumber"]:
            snapshot = copy.deepcopy(fulfillment)
            del snapshot["fulfillmentOrder"]
            self.queued.append(("fulfillment_tracking_number_updated", snapshot, order))
        return {"fulfillments": [fulfillment], "order": saleor, "errors": []}

    def _update_tracking(self, _info: Any, id: str, input: dict[str, Any]) -> dict[str, Any]:
        for _order, fulfillment in self._fulfillments():
            if fulfillment["id"] == id:
                fulfillment["trackingNumber"] = input["trackingNumber"]
                snapshot = {
                    key: copy.deepcopy(fulfillment[key])
                    for key in ("id", "status", "trackingNumber", "created", "metadata")
                }
                self.queued.append(("fulfillment_tracking_number_updated", snapshot, _order["id"]))
                return {"fulfillment": fulfillment, "errors": []}
        return {
            "fulfillment": None,
            "errors": [{"field": "id", "code": "NOT_FOUND", "message": "no fulfillment"}],
        }

    def _update_metadata(self, _info: Any, id: str, input: list[dict[str, str]]) -> dict[str, Any]:
        for _order, fulfillment in self._fulfillments():
            if fulfillment["id"] == id:
                kept = {item["key"]: item["value"] for item in fulfillment["metadata"]}
                kept.update({item["key"]: item["value"] for item in input})
                fulfillment["metadata"] = [{"key": k, "value": v} for k, v in kept.items()]
                return {"errors": []}
        return {"errors": [{"field": "id", "code": "NOT_FOUND", "message": "no such object"}]}

    def _grant_refund(self, _info: Any, id: str, input: dict[str, Any]) -> dict[str, Any]:
        """As Saleor's: the amount given, else each line's ``unitPrice`` gross x quantity (+ shipping)."""
        saleor = self.orders[id]
        by_id = {line["id"]: line for line in saleor["lines"]}
        lines = input.get("lines") or []
        granted: dict[str, int] = {}
        for grant in saleor["grantedRefunds"]:
            for line in grant.get("lines") or []:
                granted[line["orderLine"]["id"]] = granted.get(line["orderLine"]["id"], 0) + line["quantity"]
        for wanted in lines:
            line = by_id.get(wanted["id"])
            if line is None or wanted["quantity"] > line["quantity"] - granted.get(wanted["id"], 0):
                error = {
                    "field": "lines",
                    "code": "INVALID",
                    "message": "Provided input for lines is invalid.",
                }
                return {"grantedRefund": None, "errors": [error]}
        shipping = bool(input.get("grantRefundForShipping"))
        amount = input.get("amount")
        if amount is None:
            amount = sum(by_id[w["id"]]["unitPrice"]["gross"]["amount"] * w["quantity"] for w in lines)
            amount += saleor["shippingPrice"]["gross"]["amount"] if shipping else 0
        grant = {
            "id": f"T3JkZXJHcmFudGVkUmVmdW5kOj{len(saleor['grantedRefunds']) + 1}",
            "status": "NONE",
            "reason": input.get("reason"),
            "amount": {"amount": float(amount), "currency": saleor["channel"]["currencyCode"]},
            "transaction": {"id": input["transactionId"]},
            "shippingCostsIncluded": shipping,
            "lines": [
                {
                    "id": f"T3JkZXJHcmFudGVkUmVmdW5kTGluZTo{n}",
                    "quantity": w["quantity"],
                    "orderLine": {"id": w["id"]},
                }
                for n, w in enumerate(lines, 1)
            ],
        }
        saleor["grantedRefunds"].append(grant)
        return {"grantedRefund": grant, "errors": []}

    def _process_grant(self, _info: Any, grantedRefundId: str, id: str | None = None) -> dict[str, Any]:
        for saleor in self.orders.values():
            for grant in saleor["grantedRefunds"]:
                if grant["id"] == grantedRefundId:
                    transaction_id = id or grant["transaction"]["id"]
                    owner = next((t for t in saleor.get("transactions", []) if t["id"] == transaction_id), {})
                    if owner.get("name") == MARK_AS_PAID_TRANSACTION:
                        # No payment app owns the transaction: Saleor fails the request, and the grant.
                        grant["status"] = "FAILURE"
                        error = {"field": None, "code": "MISSING_TRANSACTION_ACTION_REQUEST_WEBHOOK"}
                        return {"transaction": None, "errors": [{**error, "message": NO_PAYMENT_APP}]}
                    grant["status"] = "PENDING"
                    pending = {"amount": grant["amount"]["amount"], "currency": grant["amount"]["currency"]}
                    transaction = {
                        "id": transaction_id,
                        "refundedAmount": {"amount": 0.0, "currency": pending["currency"]},
                        "refundPendingAmount": pending,
                    }
                    return {"transaction": transaction, "errors": []}
        return {"transaction": None, "errors": [{"field": "id", "code": "NOT_FOUND", "message": "no grant"}]}

    def _plugin(self, _info: Any, id: str) -> dict[str, Any] | None:
        if not self.may_read_plugins:
            raise PermissionError(NO_PERMISSION)
        return self.plugins.get(id)

    def _note_add(self, _info: Any, order: str, input: dict[str, Any]) -> dict[str, Any]:
        saleor = self.orders[order]
        event = {
            "id": f"T3JkZXJFdmVudDo{len(saleor['events']) + 1}",
            "type": "NOTE_ADDED",
            "date": NOW,
            "message": input["message"],
            "app": {"id": APP_ID},
        }
        saleor["events"].append(event)
        return {"event": event, "errors": []}

    def _cancel(self, _info: Any, id: str) -> dict[str, Any]:
        saleor = self.orders[id]
        saleor["status"] = "CANCELED"
        return {"order": saleor, "errors": []}

    def _mark_paid(self, _info: Any, id: str, transactionReference: str | None = None) -> dict[str, Any]:
        saleor = self.orders[id]
        saleor["chargeStatus"] = "FULL"
        total = saleor["total"]["gross"]
        saleor.setdefault("transactions", []).append(
            {
                "id": f"VHJhbnNhY3Rpb25JdGVtOm1hcms{len(saleor['transactions'])}",
                "name": MARK_AS_PAID_TRANSACTION,
                "pspReference": transactionReference,
                "chargedAmount": dict(total),
                "refundedAmount": {"amount": 0.0, "currency": total["currency"]},
            }
        )
        return {"order": saleor, "errors": []}

    # -- HTTP ---------------------------------------------------------------------------------

    def _wsgi(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/.well-known/jwks.json":
            with self._lock:
                self.jwks_fetches += 1
                document = {"keys": [public_jwk(key) for key in self.published] + self.extra_jwks}
            response = Response(json.dumps(document), mimetype="application/json")
        elif request.path == "/graphql/" and request.method == "POST":
            response = self._graphql(request)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def _graphql(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}" or self.app_deleted:
            body = {
                "errors": [
                    {"message": "Invalid token", "extensions": {"exception": {"code": "InvalidTokenError"}}}
                ]
            }
            return Response(json.dumps(body), status=401, mimetype="application/json")
        payload = request.get_json()
        document = parse(payload["query"])
        operation = next(d.name.value for d in document.definitions if getattr(d, "name", None) is not None)
        with self._lock:
            self.calls.append((operation, payload.get("variables") or {}))
            problems = validate(self.schema, document)
            if problems:
                self.errors.extend(f"{operation}: {problem.message}" for problem in problems)
            if self.failures.get(operation):
                self.failures[operation] -= 1
                return Response('{"errors": [{"message": "boom"}]}', status=500, mimetype="application/json")
            result = graphql_sync(
                self.schema,
                payload["query"],
                root_value=self._root(),
                variable_values=payload.get("variables"),
            )
            if result.errors:
                self.errors.extend(
                    f"{operation}: {error.message}"
                    for error in result.errors
                    if error.message != NO_PERMISSION
                )
        return Response(json.dumps(result.formatted), mimetype="application/json")


_QUERIES = {
    "KasifyAppId",
    "KasifyCustomerEmailPlugins",
    "KasifyFetchOrder",
    "KasifyOrderState",
    "KasifyRefundContext",
    "KasifyNoteContext",
}
