"""kasify-orders: the order-management job a merchant does every day, as one package.

Everything a host application needs is importable from here::

    import kasify_orders as ko

    orders = ko.Orders.connect()
"""

from kasify_orders.convert import structure, unstructure
from kasify_orders.errors import (
    ConcurrentUpdate,
    ConstraintViolation,
    CouponNotApplicable,
    FieldError,
    InvalidTransition,
    KasifyError,
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
from kasify_orders.lifecycle import Action, PaymentStatus, RefundStatus, Status, allowed_actions
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
from kasify_orders.service import Orders
from kasify_orders.settings import Settings

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
    "FieldError",
    "InvalidTransition",
    "KasifyError",
    "Line",
    "NewLine",
    "NewOrder",
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
    "Settings",
    "Shipment",
    "Status",
    "StorageError",
    "TablesMissing",
    "TimelineEvent",
    "Totals",
    "ValidationError",
    "__version__",
    "allowed_actions",
    "hookimpl",
    "structure",
    "unstructure",
]
