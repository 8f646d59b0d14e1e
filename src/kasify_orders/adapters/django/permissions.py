"""kasify's permissions as Django permissions: one to see orders, one per merchant action.

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
from kasify_orders.web.pages import VIEW

__all__ = ["APP_LABEL", "CODENAMES", "PERMISSIONS", "permission_for"]

#: The app label the permissions belong to.
APP_LABEL = "kasify_orders"

#: kasify's authorization name (``"view"`` or an :class:`~kasify_orders.Action` value) -> codename.
CODENAMES: Mapping[str, str] = {
    VIEW: "view_order",
    Action.CONFIRM_PAYMENT.value: "confirm_payment_order",
    Action.MARK_SHIPPED.value: "ship_order",
    Action.UPDATE_TRACKING.value: "update_tracking_order",
    Action.MARK_DELIVERED.value: "deliver_order",
    Action.CANCEL.value: "cancel_order",
    Action.REFUND.value: "refund_order",
    Action.ADD_NOTE.value: "add_note_order",
}

#: ``(codename, name)`` of each action's permission, as ``Meta.permissions`` lists them
#: (``view_order`` is Django's own default permission of the model).
PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("confirm_payment_order", "Can confirm the payment of an order"),
    ("ship_order", "Can mark an order shipped"),
    ("update_tracking_order", "Can edit the tracking of an order"),
    ("deliver_order", "Can mark an order delivered"),
    ("cancel_order", "Can cancel an order"),
    ("refund_order", "Can refund an order"),
    ("add_note_order", "Can add a note to an order"),
)


def permission_for(action: str) -> str:
    """The Django permission (``"kasify_orders.refund_order"``) for kasify's *action*.

    :raises KeyError: *action* is not ``"view"`` or one of kasify's actions (the message lists them).
    """
    try:
        return f"{APP_LABEL}.{CODENAMES[action]}"
    except KeyError:
        raise KeyError(f"{action!r} is not one of kasify's actions: {', '.join(CODENAMES)}") from None
