"""What orders draw on besides themselves: discount codes (and tracked stock, ``service/inventory.py``)."""

from __future__ import annotations

import attrs

from kasify_orders.errors import ValidationError
from kasify_orders.model import Coupon
from kasify_orders.service.inventory import Inventory
from kasify_orders.storage.port import Store
from kasify_orders.validation import validate_coupon

__all__ = ["Coupons", "Inventory"]


class Coupons:
    """Discount codes: create, look up, change, disable."""

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
            raise ValidationError.single("code", f"no coupon {code.strip().upper()}")
        return coupon

    def all(self) -> list[Coupon]:
        """Every coupon, by code."""
        return self._store.coupons()

    def update(self, coupon: Coupon) -> Coupon:
        """Change a coupon's rules; its usage count is kept."""
        coupon = validate_coupon(coupon)
        self._store.update_coupon(coupon)
        return self.get(coupon.code)

    def disable(self, code: str) -> Coupon:
        """Stop a coupon from being used (orders that used it keep their discount)."""
        return self.update(attrs.evolve(self.get(code), active=False))
