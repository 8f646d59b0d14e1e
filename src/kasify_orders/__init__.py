"""kasify-orders: the order-management job a merchant does every day, as one package.

Everything a host application needs is importable from here::

    import kasify_orders as ko

    orders = ko.Orders.connect()

The import is light: the domain and its types load at once, while the names that need the
database, the migrations or the templates (``Orders``, ``structure``, ``unstructure``) are
imported the first time they are used (a module ``__getattr__``, PEP 562). A host's
``import kasify_orders``, and the pytest plugin, pay for SQLAlchemy and jinja2 only when a
store is opened.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kasify_orders.errors import (
    ConcurrentUpdate,
    ConstraintViolation,
    CouponNotApplicable,
    DispatchDeferred,
    DuplicateIdempotencyKey,
    FieldError,
    InvalidTransition,
    KasifyError,
    NoStoragePlugin,
    OrderNotFound,
    OutOfStock,
    RefundExceedsBalance,
    RefundFailed,
    RefundPending,
    StorageError,
    TablesMissing,
    ValidationError,
)
from kasify_orders.hookspecs import hookimpl
from kasify_orders.lifecycle import (
    Action,
    FulfilmentStatus,
    PaymentStatus,
    RefundStatus,
    Status,
    allowed_actions,
)
from kasify_orders.model import (
    Address,
    Coupon,
    CouponKind,
    Customer,
    Line,
    NewLine,
    NewOrder,
    Order,
    OrderSummary,
    Page,
    Refund,
    Shipment,
    TimelineEvent,
    Totals,
)
from kasify_orders.return_model import Return, ReturnStatus, ReturnSummary
from kasify_orders.settings import Settings
from kasify_orders.stock import StockItem, StockKind, StockMove
from kasify_orders.timeline import TimelineKind

if TYPE_CHECKING:
    from kasify_orders.convert import structure, unstructure
    from kasify_orders.service import Orders

__version__ = "0.1.0.dev0"

__all__ = [
    "Action",
    "Address",
    "ConcurrentUpdate",
    "ConstraintViolation",
    "Coupon",
    "CouponKind",
    "CouponNotApplicable",
    "Customer",
    "DispatchDeferred",
    "DuplicateIdempotencyKey",
    "FieldError",
    "FulfilmentStatus",
    "InvalidTransition",
    "KasifyError",
    "Line",
    "NewLine",
    "NewOrder",
    "NoStoragePlugin",
    "Order",
    "OrderNotFound",
    "OrderSummary",
    "Orders",
    "OutOfStock",
    "Page",
    "PaymentStatus",
    "Refund",
    "RefundExceedsBalance",
    "RefundFailed",
    "RefundPending",
    "RefundStatus",
    "Return",
    "ReturnStatus",
    "ReturnSummary",
    "Settings",
    "Shipment",
    "Status",
    "StockItem",
    "StockKind",
    "StockMove",
    "StorageError",
    "TablesMissing",
    "TimelineEvent",
    "TimelineKind",
    "Totals",
    "ValidationError",
    "__version__",
    "allowed_actions",
    "hookimpl",
    "structure",
    "unstructure",
]

#: The public names imported on first use, and the module each comes from.
_LAZY = {
    "Orders": "kasify_orders.service",
    "structure": "kasify_orders.convert",
    "unstructure": "kasify_orders.convert",
}


def __getattr__(name: str) -> object:
    """Import a heavy public name (``Orders``, ``structure``, ...) the first time it is asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    """The public names, the lazy ones included, for ``dir()`` and completion."""
    return sorted({*globals(), *_LAZY})
