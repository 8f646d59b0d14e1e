"""kasify's Alembic migration 0019 (returns and their lines) and the return permissions.

``kasify_orders.open_return_order``, ``receive_return_order``, ``refund_return_order`` and
``close_return_order`` come from the action registry (``registry/returns.py``); recording the
model's options as they now are makes ``migrate`` create them.
"""

from typing import ClassVar

from django.db import migrations

from kasify_orders.adapters.django.alembic_steps import follow_alembic


class Migration(migrations.Migration):
    """Newest Alembic revision (back to 0018 when reverted), and the return permissions."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0020_taxes")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [
        follow_alembic("0018"),
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
                    ("open_return_order", "Can open a return of an order"),
                    ("receive_return_order", "Can receive a return of an order"),
                    ("refund_return_order", "Can refund a return of an order"),
                    ("close_return_order", "Can close a return of an order"),
                    ("email_customer_order", "Can email the customer of an order"),
                    ("add_note_order", "Can add a note to an order"),
                    ("resend_notification_order", "Can resend the emails of an order"),
                    ("retry_email_order", "Can retry the failed emails of an order"),
                    ("manage_coupons", "Can manage coupons"),
                    ("manage_inventory", "Can manage inventory"),
                    ("manage_settings", "Can manage the store's settings"),
                    ("edit_order", "Can edit an order before it ships"),
                ),
                "verbose_name": "order",
                "verbose_name_plural": "orders",
            },
        ),
    ]
