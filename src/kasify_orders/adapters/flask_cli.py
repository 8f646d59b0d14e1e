"""``flask kasify …``: the ``kasify-orders`` commands on the app's own ``ko.Orders``.

The Flask extension adds this group to ``app.cli`` (as Flask-Migrate adds ``flask db``), so a
deploy step or a delivery worker runs with the app's config, its plugins and its mail set-up::

    flask --app shop kasify db upgrade
    flask --app shop kasify deliver --worker
    flask --app shop kasify export --output orders.csv
    flask --app shop kasify check

The commands are those of :mod:`kasify_orders.cli` (one body for both); only where their
``Orders`` comes from differs, so they take no ``--url``: the app's config names the database.
"""

from __future__ import annotations

import copy
from contextlib import nullcontext

import click
from flask.cli import AppGroup, with_appcontext

from kasify_orders import cli
from kasify_orders.adapters.flask_views import _state

__all__ = ["kasify"]


def _app_command(command: click.Command) -> click.Command:
    """*command* without ``--url``, which the app's config replaces."""
    adapted = copy.copy(command)
    adapted.params = [param for param in command.params if param.name != "url"]
    return adapted


@click.group("kasify", cls=AppGroup)
@with_appcontext
@click.pass_context
def kasify(ctx: click.Context) -> None:
    """kasify-orders on this app's database, with its config and plugins."""
    try:
        orders = _state().orders
    except RuntimeError as error:  # the group was added to an app without the extension
        raise click.ClickException(str(error)) from None
    ctx.meta[cli.SOURCE] = cli.OrdersSource(
        url=orders.store.location(),
        open=lambda: nullcontext(orders),  # the app's Orders: the app closes it, not the command
        upgrade_command="flask kasify db upgrade",
    )


@kasify.group("db", cls=click.Group)
def db() -> None:
    """Apply, inspect or revert the migrations of kasify's tables (beside the app's 'flask db')."""


db.add_command(_app_command(cli.db_upgrade), "upgrade")
db.add_command(_app_command(cli.db_current), "current")
db.add_command(_app_command(cli.db_downgrade), "downgrade")
db.add_command(_app_command(cli.db_rebuild_search), "rebuild-search")
db.add_command(_app_command(cli.db_rebuild_counters), "rebuild-counters")
kasify.add_command(_app_command(cli.outbox_run), "deliver")
kasify.add_command(_app_command(cli.orders_export), "export")
kasify.add_command(_app_command(cli.check), "check")
