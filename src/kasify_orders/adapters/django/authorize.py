"""``AUTHORIZE`` rules built on Django's permissions (see :mod:`.permissions`).

::

    KASIFY_ORDERS = {"AUTHORIZE": "kasify_orders.adapters.django.authorize.by_permission"}

Then give users or groups ``kasify_orders.view_order`` to see the orders, and one permission
per action they may take (``kasify_orders.refund_order``, ``ship_order``…), in Django's admin.
"""

from __future__ import annotations

from django.http import HttpRequest

from kasify_orders.adapters.django.permissions import CODENAMES, permission_for
from kasify_orders.model import Order
from kasify_orders.registry.backoffice import BACK_OFFICE_PERMISSIONS, EDIT_ORDER
from kasify_orders.web.pages import VIEW

__all__ = ["by_permission"]

#: The back office's own pages: they need no ``view_order`` (an edit, made from an order, does).
_BACK_OFFICE = frozenset(permission.name for permission in BACK_OFFICE_PERMISSIONS) - {EDIT_ORDER}


def by_permission(request: HttpRequest, action: str, order: Order | None) -> bool:
    """May the signed-in user do *action*: ``kasify_orders.view_order``, and the action's own permission.

    Seeing an order is needed for every order action (an action is taken from its order's page),
    not for the back office's own pages (``manage_coupons``…). Django's
    rules apply as everywhere (inactive users have no permission, active superusers every
    one), and staff status is not needed. An action kasify has no permission for is refused.
    """
    user = getattr(request, "user", None)
    if user is None or action not in CODENAMES:
        return False
    needed = (
        {permission_for(action)} if action in _BACK_OFFICE else {permission_for(VIEW), permission_for(action)}
    )
    return bool(user.has_perms(sorted(needed)))
