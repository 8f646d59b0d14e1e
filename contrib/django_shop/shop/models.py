"""The shop's own record of a sale, written in the same transaction as kasify's order."""

from django.db import models


class Receipt(models.Model):
    """What the shop keeps about a checkout (its own table, beside kasify's)."""

    order_id = models.CharField(max_length=32, unique=True)
    number = models.PositiveIntegerField()
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Receipt for order #{self.number}"
