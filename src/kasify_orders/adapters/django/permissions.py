"""kasify's permissions as Django permissions: one to see orders, one per merchant action, the back office's.

They are made from the action registry (:data:`kasify_orders.registry.MERCHANT_ACTIONS`): a new
action brings its permission, named ``<permission>_order``, "Can <what it does>".

They belong to the app ``kasify_orders`` (on its unmanaged ``Order`` model, see :mod:`.models`),
so ``manage.py migrate`` creates them, and they can be given to users and groups in Django's
admin like any other permission::

    user.has_perm("kasify_orders.refund_order")
    user.has_perm(permission_for("refund"))  # the same, from kasify's action name

:func:`kasify_orders.adapters.django.authorize.by_permission` is the ``AUTHORIZE`` rule that
checks them.
"""

from __future__ import annotations

from collections.abc import Mapping

from kasify_orders.lifecycle import Action
from kasify_orders.registry import MERCHANT_ACTIONS
from kasify_orders.registry.backoffice import BACK_OFFICE_PERMISSIONS
from kasify_orders.web.pages import VIEW

__all__ = ["APP_LABEL", "CODENAMES", "PERMISSIONS", "permission_for"]

#: The app label the permissions belong to.
APP_LABEL = "kasify_orders"

#: The codenames kept from before the registry named them (``ship_order``, not ``mark_shipped_order``).
_LEGACY_CODENAMES = {Action.MARK_SHIPPED.value: "ship_order", Action.MARK_DELIVERED.value: "deliver_order"}


def _codename(permission: str) -> str:
    return _LEGACY_CODENAMES.get(permission, f"{permission}_order")


#: kasify's authorization name (``"view"`` or a registry action's permission) -> codename.
CODENAMES: Mapping[str, str] = {
    VIEW: "view_order",
    **{spec.permission: _codename(spec.permission) for spec in MERCHANT_ACTIONS},
    **{permission.name: permission.name for permission in BACK_OFFICE_PERMISSIONS},
}

#: ``(codename, name)`` of each action's permission, as ``Meta.permissions`` lists them
#: (``view_order`` is Django's own default permission of the model).
PERMISSIONS: tuple[tuple[str, str], ...] = (
    *((_codename(spec.permission), f"Can {spec.may}") for spec in MERCHANT_ACTIONS),
    *((permission.name, f"Can {permission.may}") for permission in BACK_OFFICE_PERMISSIONS),
)


def permission_for(action: str) -> str:
    """The Django permission (``"kasify_orders.refund_order"``) for kasify's *action*.

    :raises KeyError: *action* is not ``"view"`` or one of kasify's actions (the message lists them).
    """
    try:
        return f"{APP_LABEL}.{CODENAMES[action]}"
    except KeyError:
        raise KeyError(f"{action!r} is not one of kasify's actions: {', '.join(CODENAMES)}") from None
