"""The ``kasify-orders`` group: where its commands get their ``Orders``, and how failures read.

See :mod:`kasify_orders.cli` for the command as a whole.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click
import sqlalchemy as sa
from rich.console import Console

from kasify_orders.errors import KasifyError, StorageError, ValidationError
from kasify_orders.service import DATABASE_URL_ENV, DEFAULT_DATABASE_URL, Orders
from kasify_orders.settings import Settings

__all__ = ["SOURCE", "OrdersSource", "console", "main"]

F = TypeVar("F", bound=Callable[..., Any])

console = Console(highlight=False)

#: Settings read from the environment when no ``--settings`` object is given.
_ENV_SETTINGS = {
    "KASIFY_ORDERS_STORE_NAME": "store_name",
    "KASIFY_ORDERS_FROM_EMAIL": "from_email",
    "KASIFY_ORDERS_SMTP_URL": "smtp_url",
    "KASIFY_ORDERS_TABLE_PREFIX": "table_prefix",
    "KASIFY_ORDERS_DB_SCHEMA": "db_schema",
    "KASIFY_ORDERS_ADMIN_BASE_URL": "admin_base_url",
}


def _settings(spec: str | None) -> Settings:
    if spec:
        module_name, _, attribute = spec.partition(":")
        try:
            value = getattr(importlib.import_module(module_name), attribute or "SETTINGS")
        except (ImportError, AttributeError) as error:
            raise click.BadParameter(f"cannot import {spec!r}: {error}", param_hint="--settings") from None
        if not isinstance(value, Settings):
            raise click.BadParameter(f"{spec!r} is not a kasify_orders.Settings", param_hint="--settings")
        return value
    values: dict[str, Any] = {
        field: os.environ[env] for env, field in _ENV_SETTINGS.items() if os.environ.get(env)
    }
    alerts = os.environ.get("KASIFY_ORDERS_NEW_ORDER_ALERT_EMAILS")
    if alerts:
        values["new_order_alert_emails"] = tuple(a.strip() for a in alerts.split(",") if a.strip())
    return Settings(deliver_inline=False, **values)


#: The ``ctx.meta`` key of the :class:`OrdersSource` the commands use, when not ``--url``'s.
SOURCE = "kasify_orders.cli.source"


@attrs.frozen
class OrdersSource:
    """Where the commands get their ``Orders``: ``flask kasify`` sets the app's in ``ctx.meta``."""

    #: The database, as messages name it.
    url: str
    #: Opens the ``Orders``; leaving the context closes it if it is the command's own.
    open: Callable[[], AbstractContextManager[Orders]]
    #: The command that applies the migrations, for messages saying to run it.
    upgrade_command: str = "kasify-orders db upgrade"


def _source(ctx: click.Context, *, creating: bool = False) -> OrdersSource:
    """The ``Orders`` of ``--url`` and ``--settings``, unless a host's command group gave its own.

    A SQLite file that does not exist is refused unless *creating* (``db upgrade``): a typo in
    the URL must not quietly make an empty database.
    """
    source = ctx.meta.get(SOURCE)
    if isinstance(source, OrdersSource):
        return source
    url, spec = ctx.obj["url"], ctx.obj["settings"]

    def connect() -> Orders:
        settings = _settings(spec)
        if not creating:
            _refuse_missing_sqlite_file(url)
        return Orders.connect(url, settings=settings, migrate=False)

    return OrdersSource(url=url, open=connect)


def _refuse_missing_sqlite_file(url: str) -> None:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return  # Orders.connect says what is wrong with it
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return
    if database.startswith("file:") or parsed.query.get("uri"):
        return  # SQLite's own URI syntax: its mode= says whether to create
    if not Path(database).is_file():
        raise click.ClickException(
            f"no SQLite database at {database} (from {url}): check the URL, "
            "or create it with 'kasify-orders db upgrade'"
        )


def _one_line(error: BaseException) -> str:
    """The first line of what went wrong: a database driver's message, without SQL or links."""
    cause = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


@contextmanager
def _orders(ctx: click.Context, *, migrate_now: bool = False, creating: bool = False) -> Iterator[Orders]:
    """Connect to the database, turning every failure into a one-line message (exit 1)."""
    source = _source(ctx, creating=creating)
    try:
        with source.open() as orders:
            if migrate_now:
                orders.migrate()
            yield orders
    except ValidationError as error:
        raise click.ClickException("; ".join(str(e) for e in error.errors)) from None
    except StorageError as error:
        raise click.ClickException(f"database {_shown(source.url)}: {error}") from None
    except KasifyError as error:
        raise click.ClickException(str(error)) from None
    except sa.exc.SQLAlchemyError as error:  # unreachable, refused, not migrated, a bad URL ...
        hint = f" (run '{source.upgrade_command}'?)" if _missing_table(error) else ""
        raise click.ClickException(f"database {_shown(source.url)}: {_one_line(error)}{hint}") from None


def _missing_table(error: sa.exc.SQLAlchemyError) -> bool:
    text = str(getattr(error, "orig", error)).lower()
    return any(sign in text for sign in ("no such table", "does not exist", "doesn't exist"))


def _shown(url: str) -> str:
    """*url* with its password hidden."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return repr(url)


def _url_option(function: F) -> F:
    """``--url`` after the subcommand too: ``kasify-orders orders list --url ...``."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value is not None and isinstance(ctx.obj, dict):
            ctx.obj["url"] = value

    return click.option(
        "--url",
        metavar="URL",
        expose_value=False,
        callback=remember,
        help=f"Database URL (as before the command; or ${DATABASE_URL_ENV}).",
    )(function)


def _with_orders(function: F) -> F:
    """Pass the connected ``Orders`` as the command's first argument."""

    @click.pass_context
    def wrapper(ctx: click.Context, /, *args: Any, **kwargs: Any) -> Any:
        with _orders(ctx) as orders:
            return function(orders, *args, **kwargs)

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return _url_option(wrapper)  # type: ignore[return-value]


@click.group()
@click.version_option(package_name="kasify-orders")
@click.option(
    "--url",
    envvar=DATABASE_URL_ENV,
    default=DEFAULT_DATABASE_URL,
    show_default=True,
    help=f"Database URL (or ${DATABASE_URL_ENV}).",
)
@click.option("--settings", "settings_spec", metavar="MODULE:ATTR", help="A kasify_orders.Settings to use.")
@click.pass_context
def main(ctx: click.Context, url: str, settings_spec: str | None) -> None:
    """Order management for Flask, Django and Saleor shops."""
    ctx.ensure_object(dict)
    ctx.obj.update(url=url, settings=settings_spec)
