"""``manage.py kasify_deliver [--worker]``: deliver kasify's outbox (hooks and emails)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kasify_orders.adapters.django import get_orders


class Command(BaseCommand):
    """Deliver due outbox events once, or keep delivering them as a worker."""

    help = (
        "Deliver kasify's due outbox events (event hooks and emails) once; with --worker, keep "
        "delivering them as they become due. Run workers when KASIFY_ORDERS['SETTINGS'] has "
        "deliver_inline=False, or to retry events whose first delivery failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """--worker, --interval, --retry-now."""
        parser.add_argument("--worker", action="store_true", help="Keep running (stop with Ctrl-C).")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between polls with --worker (2)."
        )
        parser.add_argument(
            "--retry-now", action="store_true", help="Also deliver events waiting out their retry backoff."
        )

    def handle(self, *args: Any, worker: bool, interval: float, retry_now: bool, **options: Any) -> None:
        """Deliver, report how many, and repeat when a worker."""
        orders = get_orders()
        self.stdout.write(f"Delivered {orders.deliver_pending(retry_now=retry_now)} events")
        try:
            while worker:
                time.sleep(interval)
                delivered = orders.deliver_pending()
                if delivered:
                    self.stdout.write(f"Delivered {delivered} events")
        except KeyboardInterrupt:
            self.stdout.write("Stopped")
