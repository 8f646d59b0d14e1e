"""The exception hierarchy: every error says what is wrong and what is allowed.

A call that raises one of these has changed nothing: no row, no stock, no timeline
entry, no hook call. Every error kasify raises on purpose is here and derives from
:class:`KasifyError`; where a caller might already catch a builtin (``LookupError``,
``RuntimeError``, ``ImportError``), the error is that builtin too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType

import attrs

from kasify_orders.i18n import gettext

__all__ = [
    "ConcurrentUpdate",
    "ConstraintViolation",
    "CouponNotApplicable",
    "DispatchDeferred",
    "DuplicateIdempotencyKey",
    "EmailDeliveryFailed",
    "EmailInFlight",
    "EmailsNotConfigured",
    "FieldError",
    "InvalidTransition",
    "KasifyError",
    "MissingExtraError",
    "NoStoragePlugin",
    "OrderNotFound",
    "OutOfStock",
    "OutboxItemUnreadable",
    "RefundExceedsBalance",
    "RefundFailed",
    "RefundPending",
    "StorageError",
    "TablesMissing",
    "ValidationError",
    "Word",
]


class KasifyError(Exception):
    """Base class of every error kasify-orders raises on purpose."""


class Word(str):
    """A message value that is itself a word of the catalog (a field's name): translated as well.

    Mark the word for the catalog where it is written: ``Word(N_("carrier"))``.
    """

    __slots__ = ()


_NO_VALUES: Mapping[str, object] = MappingProxyType({})


@attrs.frozen
class FieldError:
    """One bad input field: a dotted *path* such as ``lines[0].quantity`` and why.

    :attr:`message` is English (the API, logs and exceptions say it). An error built with
    :meth:`of` also keeps its gettext *template* and *values*, so a page can say it in the
    merchant's language with :meth:`translated`. Two errors are equal when path and message are.
    """

    path: str
    message: str
    template: str | None = attrs.field(default=None, kw_only=True, eq=False)
    values: Mapping[str, object] = attrs.field(default=_NO_VALUES, kw_only=True, eq=False)

    @classmethod
    def of(cls, path: str, template: str, **values: object) -> FieldError:
        """The error for *path* from a ``%(name)s`` *template*, its English message filled in.

        A literal *template* is extracted for the catalog (``of`` is a gettext keyword). A
        template without *values* is used as is (no ``%`` formatting), as gettext does.
        """
        return cls(path, _fill(template, values), template=template, values=MappingProxyType(values))

    def translated(self) -> str:
        """The message in the active locale (``i18n.gettext``); English when there is no template."""
        if self.template is None:
            return self.message
        values = {name: gettext(v) if isinstance(v, Word) else v for name, v in self.values.items()}
        return _fill(gettext(self.template), values)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def _fill(template: str, values: Mapping[str, object]) -> str:
    """*template* with its ``%(name)s`` *values*, or as it is when there are none."""
    return template % values if values else template


class ValidationError(KasifyError, ValueError):
    """The input is invalid; :attr:`errors` lists every bad field at once."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors: list[FieldError] = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors))

    @classmethod
    def single(cls, path: str, template: str, **values: object) -> ValidationError:
        """Build the error for one bad field, as :meth:`FieldError.of` does (a gettext keyword too)."""
        return cls([FieldError.of(path, template, **values)])


class OrderNotFound(KasifyError, LookupError):
    """No order has that id (or number)."""

    def __init__(self, order_ref: object) -> None:
        self.order_ref = order_ref
        super().__init__(f"no order {order_ref!r}")


class InvalidTransition(KasifyError):
    """The action is not allowed in the order's current status."""

    def __init__(self, action: str, status: str, allowed: Sequence[str], reason: str = "") -> None:
        self.action = action
        self.status = status
        self.allowed = tuple(allowed)
        why = f" ({reason})" if reason else ""
        where = ", ".join(self.allowed) if self.allowed else "no status"
        super().__init__(
            f"cannot {action.replace('_', ' ')} an order that is {status}{why}; "
            f"allowed when the order is: {where}"
        )


class RefundExceedsBalance(KasifyError):
    """The refund is larger than what is left to refund."""

    def __init__(self, requested: Decimal | None, refundable: Decimal, currency: str) -> None:
        self.requested = requested
        self.refundable = refundable
        self.currency = currency
        asked = "a refund" if requested is None else f"a refund of {requested} {currency}"
        super().__init__(f"cannot issue {asked}: the refundable balance is {refundable} {currency}")


class RefundFailed(KasifyError):
    """The payment provider refused the refund.

    The refund is kept as FAILED with the reason (a ``refund_failed`` timeline entry); the
    balance, the payment status and the order's status are as before, and no email is sent.
    A ``kasify_refund_payment`` implementation may raise it (or any other exception) to refuse.
    """


class RefundPending(KasifyError):
    """Raised by ``kasify_refund_payment``: the provider has not decided yet (or the outcome is unknown).

    The refund stays PENDING, its amount held against the balance; ``Orders.settle_pending_refunds``
    (run by ``deliver_pending``) asks the provider again later with the same idempotency key.
    """


class OutOfStock(KasifyError):
    """A tracked SKU has fewer units than an order asks for.

    :attr:`name` is the product's name (the inventory's, else the order line's) when known,
    so a customer reads which product ran short.
    """

    def __init__(self, sku: str, requested: int, available: int, *, name: str | None = None) -> None:
        self.sku = sku
        self.requested = requested
        self.available = available
        self.name = name
        product = f"{name} ({sku})" if name else sku
        super().__init__(f"{product} is out of stock: {requested} requested, {available} available")


class CouponNotApplicable(KasifyError):
    """The coupon cannot be used on this order; :attr:`reason` says why."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"coupon {code!r} cannot be used: {reason}")


class ConcurrentUpdate(KasifyError):
    """The order changed since the caller read it (its version moved on)."""

    def __init__(self, order_id: str, expected: int, actual: int) -> None:
        self.order_id = order_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"order {order_id} was changed by someone else (version {actual}, "
            f"you had {expected}): reload it and try again"
        )


class StorageError(KasifyError):
    """The database failed while kasify was doing :attr:`operation`.

    The driver's error is chained as ``__cause__`` for a developer's traceback; this error's
    own message never holds the statement's parameters (customers' names and emails), only
    the kind of failure and the database's error code.
    """

    def __init__(self, operation: str, reason: str) -> None:
        self.operation = operation
        self.reason = reason
        super().__init__(f"the database failed during {operation}: {reason}")


class ConstraintViolation(StorageError):
    """A write broke a constraint of kasify's tables (a duplicate key, a missing row it refers to)."""


class DuplicateIdempotencyKey(ConstraintViolation):
    """Another call placed an order with this idempotency key first (:attr:`key`).

    ``Orders.place_order`` answers it with that call's order; a store raises it from
    ``insert_order`` so the service can tell this race from any other broken constraint.
    """

    def __init__(self, key: str) -> None:
        super().__init__("place_order", "an order was placed with this idempotency key already")
        self.key = key


class TablesMissing(StorageError):
    """kasify's tables are not (all) in the database: its migrations have not been applied."""

    def __init__(self, operation: str, table: str | None) -> None:
        which = f"table {table}" if table else "a table of kasify's"
        super().__init__(
            operation,
            f"{which} does not exist in this database: run `kasify-orders db upgrade` "
            "(or `manage.py migrate` in a Django project) to create kasify's tables",
        )
        self.table = table


class NoStoragePlugin(KasifyError, LookupError):
    """No ``kasify_storage`` plugin accepts the database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(f"no storage plugin accepts {url!r}")


class MissingExtraError(KasifyError, ImportError):
    """An optional part of kasify was used without the extra that installs what it imports.

    An ``ImportError`` (what an import guard is expected to raise) and a ``KasifyError`` (so the
    command line reports it in one line); the message says what to ``pip install``.
    """


class DispatchDeferred(KasifyError):
    """An event hook ran out of the inline budget and finishes its work in the background.

    The event stays in the outbox, due at once, and the attempt is not counted. (Called
    ``DeliveryDeferred`` before the outbox's vocabulary became "dispatch"; that name still works.)
    """


class OutboxItemUnreadable(KasifyError):
    """An outbox row names a hook no event class is told to (written by a newer or foreign version)."""


class EmailsNotConfigured(KasifyError, RuntimeError):
    """No way to send mail: set ``Settings.smtp_url`` or register a ``kasify_send_email`` plugin."""


class EmailDeliveryFailed(KasifyError):
    """One or more emails could not be sent; the message says to whom and why."""


class EmailInFlight(KasifyError):
    """Another worker is sending this email right now; try again after its lease."""
