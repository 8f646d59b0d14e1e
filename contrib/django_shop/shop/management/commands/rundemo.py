"""``manage.py rundemo``: migrate, a staff login, stock and demo orders, then the development server."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from kasify_orders.adapters.django import get_orders
from kasify_orders.demo.seed import seed


class Command(BaseCommand):
    """Everything the demo needs, in one command."""

    help = "Migrate, create the staff user demo/demo, seed orders in every status, and run the server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-server", action="store_true", help="Prepare everything, then stop.")

    def handle(self, *args: Any, addrport: str, no_server: bool, **options: Any) -> None:
        call_command("migrate", verbosity=0)
        users = get_user_model()
        if not users.objects.filter(username="demo").exists():
            users.objects.create_superuser("demo", "demo@shop.example", "demo")
        orders = get_orders()
        for sku, units in {"TEE-RED-M": 20, "TEE-BLUE-L": 3, "MUG-WHITE": 50}.items():
            if orders.inventory.stock(sku) is None:
                orders.inventory.set_stock(sku, units)
        placed = seed(orders)
        self.stdout.write(f"Seeded {placed} orders. Sign in as demo / demo at http://{addrport}/admin/orders/")
        if not no_server:
            call_command("runserver", addrport)
