"""What a host's own pages show a customer: their orders, found by their email."""

from __future__ import annotations

from kasify_orders.adapters.django.orders import get_orders
from kasify_orders.errors import ValidationError
from kasify_orders.model import OrderSummary

__all__ = ["customer_orders"]


def customer_orders(email: str | None, *, limit: int = 20) -> tuple[OrderSummary, ...]:
    """The orders placed with *email* (exact, case-insensitive), newest first; at most *limit*.

    For a "my orders" page: ``customer_orders(request.user.email)``. No email (a signed-out
    visitor's, or an account without one) and an address kasify would not accept at checkout
    have no orders. Show it only to someone who proved they own the address (a signed-in
    user whose email you verified): kasify does not know who the visitor is.

    :raises TypeError: *email* is not a string (``user`` given instead of ``user.email``).
    """
    if email is None or email == "":
        return ()
    if not isinstance(email, str):
        raise TypeError(f"customer_orders() takes an email address (str), got {type(email).__name__}")
    try:
        return get_orders().list(customer_email=email, limit=limit).items
    except ValidationError as error:
        if {problem.path for problem in error.errors} == {"customer_email"}:
            return ()  # every order's email was checked at checkout: none has this one
        raise
