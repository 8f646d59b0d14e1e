"""What each of kasify's Django migrations after ``0001`` runs: kasify's own Alembic chain.

kasify's schema is defined once, by its Alembic migrations (``kasify_orders/storage/
migrations``). A release that adds Alembic revisions ships a Django migration that runs
:func:`follow_alembic`, so ``manage.py migrate`` brings the tables up and reverting that Django
migration takes those revisions off again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

__all__ = ["follow_alembic"]


def _step(revision: str, *, up: bool) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        from kasify_orders.adapters.django.orders import store_for  # noqa: PLC0415
        from kasify_orders.storage import migrate  # noqa: PLC0415

        store = store_for(schema_editor.connection.alias)
        try:
            (migrate.upgrade if up else migrate.downgrade)(store, revision)
        finally:
            store.dispose()

    return run


def follow_alembic(back_to: str) -> migrations.RunPython:
    """Forwards: Alembic's newest revision; backwards: down to *back_to*.

    Forwards is "head" (as in ``0001``), so a database already upgraded by ``kasify-orders db
    upgrade`` or by an earlier Django migration is left as it is.
    """
    return migrations.RunPython(_step("head", up=True), _step(back_to, up=False), elidable=False)
