"""Deprecated: the outbox's module is now :mod:`kasify_orders.dispatch`.

Its words were "delivery", which collides with a parcel's delivery; they are "dispatch" now.
``Delivery`` is :class:`~kasify_orders.dispatch.Dispatcher` and ``DeliveryDeferred`` is
:class:`~kasify_orders.errors.DispatchDeferred`; both still work here, with a DeprecationWarning.
"""

from __future__ import annotations

import warnings
from typing import Any

from kasify_orders import dispatch, errors

# The old names (Delivery, DeliveryDeferred, inline_deadline, outbox_items) come from __getattr__.
__all__: list[str] = []


class _Delivery(dispatch.Dispatcher):
    """:class:`~kasify_orders.dispatch.Dispatcher` under its old name, with its old method names."""

    def deliver(self, *args: Any, **kwargs: Any) -> int:
        """Deprecated name of :meth:`~kasify_orders.dispatch.Dispatcher.dispatch`."""
        return self.dispatch(*args, **kwargs)

    def deliver_inline(self, *args: Any, **kwargs: Any) -> int:
        """Deprecated name of :meth:`~kasify_orders.dispatch.Dispatcher.dispatch_inline`."""
        return self.dispatch_inline(*args, **kwargs)


_RENAMED: dict[str, tuple[str, Any]] = {
    "Delivery": ("kasify_orders.dispatch.Dispatcher", _Delivery),
    "DeliveryDeferred": ("kasify_orders.errors.DispatchDeferred", errors.DispatchDeferred),
    "inline_deadline": ("kasify_orders.dispatch.inline_deadline", dispatch.inline_deadline),
    "outbox_items": ("kasify_orders.dispatch.outbox_items", dispatch.outbox_items),
}


def __getattr__(name: str) -> Any:
    if name in _RENAMED:
        new, value = _RENAMED[name]
        warnings.warn(
            f"kasify_orders.delivery.{name} is deprecated: use {new}", DeprecationWarning, stacklevel=2
        )
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
