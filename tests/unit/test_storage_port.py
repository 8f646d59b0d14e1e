"""The storage port stays free of SQLAlchemy; stores meet it without private overrides; old names warn."""

from __future__ import annotations

import ast
import importlib.util
import inspect
from pathlib import Path

import pytest

from kasify_orders import errors
from kasify_orders.storage import port
from kasify_orders.storage.store import SqlStore

SRC = Path(port.__file__).parent


def test_the_port_module_imports_no_database_library() -> None:
    tree = ast.parse(Path(port.__file__).read_text())
    imported = {
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
        )
    }
    assert not {name for name in imported if name.split(".")[0] in {"sqlalchemy", "alembic", "django"}}


def test_every_method_of_the_port_is_implemented_by_the_sql_store() -> None:
    wanted = {
        name
        for protocol in (port.Store, port.Transaction)
        for name, _ in inspect.getmembers(protocol, inspect.isfunction)
        if not name.startswith("_")
    }
    from kasify_orders.storage.transaction import SqlTransaction

    assert len(wanted) > 40
    assert wanted <= set(dir(SqlStore)) | set(dir(SqlTransaction))


@pytest.mark.skipif(importlib.util.find_spec("django") is None, reason="needs Django")
def test_the_django_store_overrides_no_private_method_of_the_sql_store() -> None:
    from kasify_orders.adapters.django.store import DjangoStore

    private = {name for name in vars(DjangoStore) if name.startswith("_") and not name.startswith("__")}
    assert private == set()
    assert set(vars(DjangoStore)) & set(vars(SqlStore)) <= {"__init__", "__doc__", "__module__", "reconnects"}


def test_duplicate_idempotency_key_is_a_kasify_constraint_violation_and_its_old_path_warns() -> None:
    assert issubclass(errors.DuplicateIdempotencyKey, errors.ConstraintViolation)
    duplicate = errors.DuplicateIdempotencyKey("checkout-1")
    assert duplicate.key == "checkout-1" and "idempotency key" in str(duplicate)
    with pytest.warns(DeprecationWarning, match="moved to kasify_orders.errors"):
        from kasify_orders.storage.store import DuplicateIdempotencyKey
    assert DuplicateIdempotencyKey is errors.DuplicateIdempotencyKey


def test_no_storage_module_is_over_400_lines() -> None:
    sizes = {path.name: len(path.read_text().splitlines()) for path in SRC.glob("*.py")}
    assert {name: size for name, size in sizes.items() if size > 400} == {}
