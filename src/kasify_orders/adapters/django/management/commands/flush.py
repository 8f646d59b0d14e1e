"""``manage.py flush``: Django's, emptying kasify's tables with the host's (see :mod:`..flush`)."""

from __future__ import annotations

from typing import Any

from django.core.management import CommandError
from django.core.management.commands import flush
from django.db import connections, transaction

from kasify_orders.adapters.django import flush as kasify_flush
from kasify_orders.adapters.django.conf import SettingError


class Command(flush.Command):
    """Django's ``flush``, with kasify's orders, outbox and every other kasify table emptied too."""

    help = f"{flush.Command.help} kasify-orders' tables are emptied too."

    def handle(self, **options: Any) -> None:
        """Ask once, then empty kasify's tables and Django's in one transaction (where DDL allows)."""
        database = options["database"]
        connection = connections[database]
        try:
            sql = kasify_flush.sql_flush(database, reset_sequences=options.get("reset_sequences", True))
        except SettingError as error:
            raise CommandError(f"cannot empty kasify-orders' tables: {error}") from error
        if not sql:
            super().handle(**options)
            return
        if options["interactive"] and input(_CONFIRM % connection.settings_dict["NAME"]) != "yes":
            self.stdout.write("Flush cancelled.")
            return
        with transaction.atomic(using=database, savepoint=connection.features.can_rollback_ddl):
            try:
                connection.ops.execute_sql_flush(sql)
            except Exception as error:
                name = connection.settings_dict["NAME"]
                raise CommandError(f"kasify-orders' tables in {name} couldn't be emptied: {error}") from error
            super().handle(**{**options, "interactive": False})


_CONFIRM = """You have requested a flush of the database.
This will IRREVERSIBLY DESTROY all data currently in the "%s" database,
kasify-orders' orders included, and return each table to an empty state.
Are you sure you want to do this?

    Type 'yes' to continue, or 'no' to cancel: """
