"""What orders draw on besides themselves: discount codes (and tracked stock, ``service/inventory.py``)."""

from __future__ import annotations

from kasify_orders.errors import ValidationError
from kasify_orders.model import Coupon
from kasify_orders.service.inventory import Inventory
from kasify_orders.storage.port import Store
from kasify_orders.validation import validate_coupon

__all__ = ["Coupons", "Inventory"]


class Coupons:
    """Discount codes: create, look up, change, disable and enable."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def create(self, coupon: Coupon) -> Coupon:
        """Store a new coupon; raises :class:`ValidationError` for bad rules or a taken code."""
        coupon = validate_coupon(coupon)
        self._store.create_coupon(coupon)
        return self.get(coupon.code)

    def get(self, code: str) -> Coupon:
        """The coupon with this code (case-insensitive)."""
        coupon = self._store.coupon(code)
        if coupon is None:
            raise ValidationError.single("code", "no coupon %(code)s", code=code.strip().upper())
        return coupon

    def all(self) -> list[Coupon]:
        """Every coupon, by code."""
        return self._store.coupons()

    def update(self, coupon: Coupon, *, code: str | None = None) -> Coupon:
        """Change a coupon's rules; its usage count is kept.

        *code*: the coupon to change, when *coupon* gives it a new code (refused once the
        coupon has been used, or when another coupon has that code: ``ValidationError`` on
        ``code``). Every rule is checked as :meth:`create` checks it.
        """
        coupon = validate_coupon(coupon)
        self._store.update_coupon(coupon, code=code)
        return self.get(coupon.code)

    def disable(self, code: str) -> Coupon:
        """Stop a coupon from being used (orders that used it keep their discount)."""
        self._store.set_coupon_active(code, False)
        return self.get(code)

    def enable(self, code: str) -> Coupon:
        """Let customers use a disabled coupon again (its other rules still apply)."""
        self._store.set_coupon_active(code, True)
        return self.get(code)
