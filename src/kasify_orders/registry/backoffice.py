"""The back office's permissions beyond the registry's actions: coupons, inventory, settings, edits.

A host's ``authorize(permission, None)`` is asked for these names; Django grants them as
``kasify_orders.<codename>`` permissions (see :mod:`kasify_orders.adapters.django.permissions`).
"""

from __future__ import annotations

import attrs

__all__ = [
    "BACK_OFFICE_PERMISSIONS",
    "EDIT_ORDER",
    "MANAGE_COUPONS",
    "MANAGE_INVENTORY",
    "MANAGE_SETTINGS",
    "Permission",
]


@attrs.frozen
class Permission:
    """One back-office permission: the name kasify asks for and what it lets a merchant do."""

    #: The name passed to ``authorize`` (also the Django codename).
    name: str
    #: "Can <may>", as Django's admin lists it.
    may: str


#: See, create and edit coupons.
MANAGE_COUPONS = "manage_coupons"
#: See stock and its history, set or adjust it, start or stop tracking a SKU.
MANAGE_INVENTORY = "manage_inventory"
#: See and change the store's notification settings (their audit trail too).
MANAGE_SETTINGS = "manage_settings"
#: Edit an order before it ships (the Edit order page, ``POST /{order_id}/edit``): not a
#: registry action, so its permission is declared here.
EDIT_ORDER = "edit_order"

BACK_OFFICE_PERMISSIONS: tuple[Permission, ...] = (
    Permission(MANAGE_COUPONS, "manage coupons"),
    Permission(MANAGE_INVENTORY, "manage inventory"),
    Permission(MANAGE_SETTINGS, "manage the store's settings"),
    Permission(EDIT_ORDER, "edit an order before it ships"),
)
