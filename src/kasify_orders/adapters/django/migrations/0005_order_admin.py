"""The unmanaged ``Order`` model's state and kasify's permissions: no table is created or changed.

kasify's orders table is made by its own migrations (``0001``); this records the model Django's
admin lists and the permissions that ``migrate`` creates for it (``kasify_orders.view_order``,
``refund_order``…, see ``adapters/django/permissions.py``).
"""

from typing import ClassVar

from django.db import migrations, models


class Migration(migrations.Migration):
    """Record the read-only ``Order`` model (``managed=False``) and its permissions."""

    dependencies: ClassVar[list[tuple[str, str]]] = [("kasify_orders", "0004_saleor_removed")]
    operations: ClassVar[list[migrations.operations.base.Operation]] = [
        migrations.CreateModel(
            name="Order",
            fields=[
                ("number", models.BigIntegerField(primary_key=True, serialize=False)),
                ("order_id", models.CharField(db_column="id", max_length=32, unique=True)),
                ("status", models.CharField(max_length=20)),
                ("payment_status", models.CharField(max_length=20)),
                ("customer_name", models.CharField(max_length=200)),
                ("customer_email", models.CharField(max_length=254)),
                ("currency", models.CharField(max_length=3)),
                ("total", models.BigIntegerField()),
                ("created_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "order",
                "verbose_name_plural": "orders",
                "db_table": "kasify_orders",
                "ordering": ("-number",),
                "permissions": (
                    ("confirm_payment_order", "Can confirm the payment of an order"),
                    ("ship_order", "Can mark an order shipped"),
                    ("update_tracking_order", "Can edit the tracking of an order"),
                    ("deliver_order", "Can mark an order delivered"),
                    ("cancel_order", "Can cancel an order"),
                    ("refund_order", "Can refund an order"),
                    ("add_note_order", "Can add a note to an order"),
                ),
                "default_permissions": ("view",),
                "managed": False,
            },
        ),
    ]
