"""``manage.py kasify_export_orders``: every order as a CSV row (or JSON Lines), oldest first."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kasify_orders import export
from kasify_orders.adapters.django import get_orders
from kasify_orders.lifecycle import Status
from kasify_orders.storage.records import OrderFilter


class Command(BaseCommand):
    """Export orders to a file or standard output, streamed in batches."""

    help = "Export orders, oldest first: CSV, one row per order (or --format jsonl, whole orders)."

    def add_arguments(self, parser: CommandParser) -> None:
        """--output, --format, --status."""
        parser.add_argument("--output", "-o", help="The file to write (default: standard output).")
        parser.add_argument("--format", dest="kind", choices=["csv", "jsonl"], default="csv")
        parser.add_argument("--status", choices=[status.value for status in Status], help="Only this status.")

    def handle(self, *args: Any, output: str | None, kind: str, status: str | None, **options: Any) -> None:
        """Write the orders; say how many on standard error."""
        orders = get_orders()
        where = OrderFilter(status=Status(status) if status else None)
        with ExitStack() as stack:
            out = cast("IO[str]", self.stdout._out)  # the stream under Django's wrapper
            if output:
                try:
                    out = stack.enter_context(Path(output).open("w", encoding="utf-8", newline=""))
                except OSError as error:
                    raise CommandError(f"cannot write {output}: {error.strerror}") from None
            if kind == "csv":
                written = export.export_csv(orders.store, where, out)
            else:
                written = export.write_jsonl(orders.store.iter_orders(where), out)
        self.stderr.write(f"Exported {written} orders" + (f" to {output}" if output else ""))
