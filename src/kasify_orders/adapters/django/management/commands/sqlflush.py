"""``manage.py sqlflush``: Django's, with the statements that empty kasify's tables."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import sqlflush

from kasify_orders.adapters.django import flush as kasify_flush


class Command(sqlflush.Command):
    """The SQL ``manage.py flush`` runs, kasify's tables included."""

    def handle(self, **options: Any) -> str:
        """Django's statements, then kasify's."""
        ours = kasify_flush.sql_flush(options["database"], reset_sequences=True, style=self.style)
        django = super().handle(**options)
        return "\n".join(part for part in (*ours, django) if part)
