"""Every GraphQL document the adapter sends to Saleor or subscribes with, and a small client.

The documents are plain strings validated against Saleor's schema (3.24) by the tests, so a
typo or a field Saleor removed fails the test suite, not a merchant's shipment. The client
is stdlib ``urllib``: one POST per call, the app token as a bearer token, and every failure
(network, HTTP status, GraphQL ``errors``, a mutation's own ``errors`` list) raised as
:class:`SaleorError` so the outbox retries the call later.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

__all__ = [
    "APP_ID",
    "CUSTOMER_EMAIL_PLUGINS",
    "CUSTOMER_EMAIL_PLUGIN_STATE",
    "FULFILL",
    "GRANT_REFUND",
    "MARK_AS_PAID",
    "NOTE_ADD",
    "NOTE_CONTEXT",
    "ORDER",
    "ORDER_CANCEL",
    "ORDER_EVENTS_SUBSCRIPTION",
    "ORDER_STATE",
    "PROCESS_GRANTED_REFUND",
    "REFUND_CONTEXT",
    "UPDATE_METADATA",
    "UPDATE_TRACKING",
    "SaleorClient",
    "SaleorError",
    "SaleorTokenRejected",
]

#: The order fields kasify reads: the same fragment for webhooks and for fetching an order.
ORDER_FRAGMENTS = """
fragment KasifyMoney on Money { amount currency }
fragment KasifyTaxedMoney on TaxedMoney {
  currency
  gross { ...KasifyMoney }
  net { ...KasifyMoney }
  tax { ...KasifyMoney }
}
fragment KasifyAddress on Address {
  firstName lastName companyName streetAddress1 streetAddress2
  city cityArea postalCode countryArea phone
  country { code }
}
fragment KasifyOrder on Order {
  id number created updatedAt status origin userEmail languageCodeEnum
  channel { slug currencyCode }
  chargeStatus authorizeStatus isPaid voucherCode customerNote shippingMethodName
  billingAddress { ...KasifyAddress }
  shippingAddress { ...KasifyAddress }
  subtotal { ...KasifyTaxedMoney }
  shippingPrice { ...KasifyTaxedMoney }
  undiscountedShippingPrice { ...KasifyMoney }
  total { ...KasifyTaxedMoney }
  undiscountedTotal { ...KasifyTaxedMoney }
  totalCharged { ...KasifyMoney }
  totalGrantedRefund { ...KasifyMoney }
  totalRefunded { ...KasifyMoney }
  totalBalance { ...KasifyMoney }
  discounts { id type valueType value name reason total { ...KasifyMoney } }
  lines {
    id productName variantName productSku productVariantId quantity quantityFulfilled taxRate
    unitDiscountType unitDiscountValue unitDiscountReason
    unitPrice { ...KasifyTaxedMoney }
    undiscountedUnitPrice { ...KasifyTaxedMoney }
    totalPrice { ...KasifyTaxedMoney }
    variant { id sku trackInventory }
  }
  transactions { id name pspReference chargedAmount { ...KasifyMoney } refundedAmount { ...KasifyMoney } }
  grantedRefunds {
    id status reason shippingCostsIncluded amount { ...KasifyMoney }
    lines { quantity orderLine { id } }
  }
  fulfillments {
    id status trackingNumber created metadata { key value }
    lines { quantity orderLine { id } }
  }
  metadata { key value }
}
"""

#: The subscription the manifest declares: one webhook for every order event kasify follows.
#: Its root field is ``event``, so Saleor posts the event object itself (no ``data`` wrapper).
ORDER_EVENTS_SUBSCRIPTION = (
    """
subscription KasifyOrderEvents {
  event {
    __typename
    ... on OrderCreated { issuedAt version order { ...KasifyOrder } }
    ... on OrderConfirmed { issuedAt version order { ...KasifyOrder } }
    ... on OrderFullyPaid { issuedAt version order { ...KasifyOrder } }
    ... on OrderCancelled { issuedAt version order { ...KasifyOrder } }
    ... on OrderFulfilled { issuedAt version order { ...KasifyOrder } }
    ... on OrderUpdated { issuedAt version order { ...KasifyOrder } }
    ... on OrderRefunded { issuedAt version order { ...KasifyOrder } }
    ... on OrderFullyRefunded { issuedAt version order { ...KasifyOrder } }
    ... on FulfillmentTrackingNumberUpdated {
      issuedAt version
      fulfillment {
        id status trackingNumber created metadata { key value }
        lines { quantity orderLine { id } }
      }
      order { ...KasifyOrder }
    }
    ... on AppDeleted { issuedAt version app { id } }
  }
}
"""
    + ORDER_FRAGMENTS
)

#: Proves an app token works (at install) and tells the app its own id.
APP_ID = "query KasifyAppId { app { id } }"

#: Saleor's own plugins that email customers about their orders (the ids of ``plugin(id:)``).
CUSTOMER_EMAIL_PLUGINS = {
    "mirumee.notifications.user_email": "User emails",
    "mirumee.notifications.sendgrid_email": "Sendgrid",
}

#: Whether Saleor's own customer-email plugins are active, per channel (needs MANAGE_PLUGINS).
CUSTOMER_EMAIL_PLUGIN_STATE = """
query KasifyCustomerEmailPlugins {
  userEmail: plugin(id: "mirumee.notifications.user_email") { ...KasifyPluginState }
  sendgrid: plugin(id: "mirumee.notifications.sendgrid_email") { ...KasifyPluginState }
}
fragment KasifyPluginState on Plugin {
  id name
  globalConfiguration { active }
  channelConfigurations { active channel { slug name } }
}
"""

#: The whole order, for events whose payload does not carry it (an order kasify never saw).
ORDER = "query KasifyFetchOrder($id: ID!) { order(id: $id) { ...KasifyOrder } }\n" + ORDER_FRAGMENTS

#: What shipping, cancelling or confirming payment needs to know about the Saleor order now.
ORDER_STATE = """
query KasifyOrderState($id: ID!) {
  order(id: $id) {
    id status chargeStatus
    channel { warehouses { id } }
    lines { id quantity quantityToFulfill allocations { quantity warehouse { id } } }
    fulfillments { id status trackingNumber created }
  }
}
"""

FULFILL = """
mutation KasifyOrderFulfill(
  $order: ID!, $lines: [OrderFulfillLineInput!]!, $trackingNumber: String, $notifyCustomer: Boolean
) {
  orderFulfill(
    order: $order
    input: {
      lines: $lines, trackingNumber: $trackingNumber, notifyCustomer: $notifyCustomer
      allowStockToBeExceeded: false
    }
  ) {
    fulfillments { id fulfillmentOrder status trackingNumber }
    order { id status }
    errors { field code message orderLines warehouse }
  }
}
"""

UPDATE_TRACKING = """
mutation KasifyUpdateTracking($fulfillment: ID!, $trackingNumber: String, $notifyCustomer: Boolean) {
  orderFulfillmentUpdateTracking(
    id: $fulfillment, input: { trackingNumber: $trackingNumber, notifyCustomer: $notifyCustomer }
  ) {
    fulfillment { id trackingNumber }
    errors { field code message }
  }
}
"""

#: Saleor has no carrier field: kasify keeps the carrier (and tracking link) in the fulfillment's metadata.
UPDATE_METADATA = """
mutation KasifyUpdateMetadata($id: ID!, $input: [MetadataInput!]!) {
  updateMetadata(id: $id, input: $input) { errors { field code message } }
}
"""

#: The order's lines and transactions and the refunds already granted (to find one kasify granted
#: before, and which Saleor line is which kasify line for a refund by line).
REFUND_CONTEXT = """
query KasifyRefundContext($id: ID!) {
  order(id: $id) {
    id
    lines { id productSku productVariantId quantity variant { sku } }
    transactions { id chargedAmount { amount currency } refundedAmount { amount currency } }
    grantedRefunds {
      id status reason shippingCostsIncluded amount { amount currency } transaction { id }
      lines { quantity orderLine { id } }
    }
  }
}
"""

#: A granted refund of kasify's amount; by line, also its lines (``OrderGrantRefundCreateLineInput``)
#: and whether it refunds the shipping, so Saleor knows which units are refunded.
GRANT_REFUND = """
mutation KasifyGrantRefund(
  $order: ID!, $transaction: ID!, $amount: Decimal, $reason: String
  $lines: [OrderGrantRefundCreateLineInput!], $shipping: Boolean
) {
  orderGrantRefundCreate(
    id: $order
    input: {
      transactionId: $transaction, amount: $amount, reason: $reason
      lines: $lines, grantRefundForShipping: $shipping
    }
  ) {
    grantedRefund {
      id status amount { amount currency } reason shippingCostsIncluded
      lines { quantity orderLine { id } }
    }
    errors { field code message }
  }
}
"""

PROCESS_GRANTED_REFUND = """
mutation KasifyProcessGrantedRefund($grantedRefund: ID!, $transaction: ID) {
  transactionRequestRefundForGrantedRefund(grantedRefundId: $grantedRefund, id: $transaction) {
    transaction { id refundedAmount { amount currency } refundPendingAmount { amount currency } }
    errors { field code message }
  }
}
"""

#: The notes already on the Saleor order (so a retried note is not added twice).
NOTE_CONTEXT = """
query KasifyNoteContext($id: ID!) {
  order(id: $id) { id events { id type message app { id } } }
}
"""

NOTE_ADD = """
mutation KasifyNoteAdd($order: ID!, $message: String!) {
  orderNoteAdd(order: $order, input: { message: $message }) {
    event { id type date message }
    errors { field code message }
  }
}
"""

ORDER_CANCEL = """
mutation KasifyCancel($id: ID!) {
  orderCancel(id: $id) { order { id status } errors { field code message } }
}
"""

MARK_AS_PAID = """
mutation KasifyMarkAsPaid($id: ID!, $ref: String) {
  orderMarkAsPaid(id: $id, transactionReference: $ref) {
    order { id chargeStatus }
    errors { field code message }
  }
}
"""

#: Every document sent to Saleor, by name (the tests validate each against the schema).
DOCUMENTS: Mapping[str, str] = {
    "ORDER_EVENTS_SUBSCRIPTION": ORDER_EVENTS_SUBSCRIPTION,
    "APP_ID": APP_ID,
    "CUSTOMER_EMAIL_PLUGIN_STATE": CUSTOMER_EMAIL_PLUGIN_STATE,
    "ORDER": ORDER,
    "ORDER_STATE": ORDER_STATE,
    "FULFILL": FULFILL,
    "UPDATE_TRACKING": UPDATE_TRACKING,
    "UPDATE_METADATA": UPDATE_METADATA,
    "REFUND_CONTEXT": REFUND_CONTEXT,
    "GRANT_REFUND": GRANT_REFUND,
    "PROCESS_GRANTED_REFUND": PROCESS_GRANTED_REFUND,
    "NOTE_CONTEXT": NOTE_CONTEXT,
    "NOTE_ADD": NOTE_ADD,
    "ORDER_CANCEL": ORDER_CANCEL,
    "MARK_AS_PAID": MARK_AS_PAID,
}

_MAX_RESPONSE = 5_000_000


class SaleorError(Exception):
    """A call to Saleor failed; the message says how (retry later, or fix what it names)."""


class SaleorUnreachable(SaleorError):
    """Saleor gave no answer (unreachable, or HTTP 5xx): whether it acted is unknown, so ask again later."""


class SaleorTokenRejected(SaleorError):
    """Saleor refused the app's token (HTTP 401): the app was uninstalled there, or its token revoked."""


class SaleorClient:
    """Calls one Saleor's GraphQL API with the app's token."""

    def __init__(self, api_url: str, token: str, *, timeout: float = 15.0) -> None:
        self.api_url = api_url
        self._token = token
        self.timeout = timeout

    def execute(self, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run *document*; return its ``data``. Raises :class:`SaleorError` on any failure."""
        body = json.dumps({"query": document, "variables": dict(variables or {})}).encode()
        request = urllib.request.Request(
            self.api_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self._token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(_MAX_RESPONSE)
        except urllib.error.HTTPError as error:
            detail = error.read(500).decode("utf-8", "replace")
            kind = (
                SaleorTokenRejected
                if error.code == 401
                else SaleorUnreachable
                if error.code >= 500
                else SaleorError
            )
            raise kind(f"{self.api_url} answered HTTP {error.code}: {detail}") from None
        except OSError as error:
            raise SaleorUnreachable(f"could not reach {self.api_url}: {error}") from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise SaleorError(f"{self.api_url} did not answer with JSON") from None
        if not isinstance(answer, dict):
            raise SaleorError(f"{self.api_url} answered with {type(answer).__name__}, not an object")
        if answer.get("errors"):
            messages = "; ".join(str(error.get("message", error)) for error in answer["errors"])
            raise SaleorError(f"Saleor refused the request: {messages}")
        data = answer.get("data")
        if not isinstance(data, dict):
            raise SaleorError(f"{self.api_url} answered without data")
        return data

    def mutate(self, document: str, field: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """Run a mutation; return its *field* result, raising when its ``errors`` list is not empty."""
        result = self.execute(document, variables).get(field)
        if not isinstance(result, dict):
            raise SaleorError(f"Saleor returned no {field} result")
        errors = result.get("errors") or []
        if errors:
            details = "; ".join(
                f"{error.get('field') or 'input'}: {error.get('message') or error.get('code')}"
                for error in errors
            )
            raise SaleorError(f"{field} failed: {details}")
        return result
