"""The permissions of talking to the customer (no table changes).

``kasify_orders.email_customer_order`` ("Email customer"), ``resend_notification_order``
("Resend" beside a sent email) and ``retry_email_order`` ("Retry" beside a failed one). The
permissions come from the action registry (``adapters/django/permissions.py``); this records
the model's options as they now are, so ``migrate`` creates the new ones.
"""

from typing import ClassVar

from django.db import migrations


class Migration(migrations.Migration):
    """Record the email permissions on the read-only ``Order`` model."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0013_stock_history")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [
        migrations.AlterModelOptions(
            name="order",
            options={
                "default_permissions": ("view",),
                "managed": False,
                "ordering": ("-number",),
                "permissions": (
                    ("confirm_payment_order", "Can confirm the payment of an order"),
                    ("ship_order", "Can mark an order shipped"),
                    ("update_tracking_order", "Can edit the tracking of an order"),
                    ("deliver_order", "Can mark an order delivered"),
                    ("hold_order", "Can put an order on hold"),
                    ("release_order", "Can release an order from hold"),
                    ("refund_order", "Can refund an order"),
                    ("cancel_order", "Can cancel an order"),
                    ("email_customer_order", "Can email the customer of an order"),
                    ("add_note_order", "Can add a note to an order"),
                    ("resend_notification_order", "Can resend the emails of an order"),
                    ("retry_email_order", "Can retry the failed emails of an order"),
                    ("manage_coupons", "Can manage coupons"),
                    ("manage_inventory", "Can manage inventory"),
                    ("manage_settings", "Can manage the store's settings"),
                ),
                "verbose_name": "order",
                "verbose_name_plural": "orders",
            },
        ),
    ]
