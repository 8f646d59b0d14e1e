"""The ``kasify-orders`` command: the demo, migrations, orders, the outbox and a health check.

Every command but ``demo`` works on the database named by ``--url`` (before or after the
subcommand) or ``KASIFY_ORDERS_DATABASE_URL``; a database it cannot use is one line on
stderr. Settings come from ``--settings module:attribute`` (a :class:`~kasify_orders.Settings`)
or, for the common ones, from environment variables (``KASIFY_ORDERS_SMTP_URL``,
``KASIFY_ORDERS_FROM_EMAIL``, ...): a delivery worker must send emails exactly as the web app
would. Exit status: 0 done, 1 refused or failed (the message says why), 2 bad usage.

The commands live in :mod:`kasify_orders.commands`: :mod:`~.commands.base` (the group, where
``Orders`` comes from), :mod:`~.commands.orders` (list, show, export),
:mod:`~.commands.actions` (one command per registry action: ``ship``, ``refund``, ``hold``…),
:mod:`~.commands.operations` (demo, db, outbox) and :mod:`~.commands.health` (saleor, check).
"""

from __future__ import annotations

from kasify_orders.commands import actions as _actions  # registers one command per action
from kasify_orders.commands.base import SOURCE, OrdersSource, main
from kasify_orders.commands.edit import orders_edit  # registers ``orders edit``
from kasify_orders.commands.health import check, saleor
from kasify_orders.commands.operations import (
    db,
    db_current,
    db_downgrade,
    db_rebuild_counters,
    db_rebuild_search,
    db_upgrade,
    demo,
    outbox,
    outbox_run,
)
from kasify_orders.commands.orders import orders_export, orders_group, orders_list, orders_show

__all__ = [
    "SOURCE",
    "OrdersSource",
    "check",
    "db",
    "db_current",
    "db_downgrade",
    "db_rebuild_counters",
    "db_rebuild_search",
    "db_upgrade",
    "demo",
    "main",
    "orders_edit",
    "orders_export",
    "orders_group",
    "orders_list",
    "orders_show",
    "outbox",
    "outbox_run",
    "saleor",
]

#: The ``orders`` subcommands made from the action registry, by name.
ACTION_COMMANDS = _actions.COMMANDS
