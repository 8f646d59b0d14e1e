"""The back office's permissions: ``manage_coupons``, ``manage_inventory``, ``manage_settings`` (no tables).

They come from ``registry/backoffice.py`` (``adapters/django/permissions.py``); this records the
model's options as they now are, so ``migrate`` creates them.
"""

from typing import ClassVar

from django.db import migrations


class Migration(migrations.Migration):
    """Record the back office's permissions on the read-only ``Order`` model."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0009_sent_emails_handed_over")]
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
                    ("add_note_order", "Can add a note to an order"),
                    ("manage_coupons", "Can manage coupons"),
                    ("manage_inventory", "Can manage inventory"),
                    ("manage_settings", "Can manage the store's settings"),
                ),
                "verbose_name": "order",
                "verbose_name_plural": "orders",
            },
        ),
    ]
