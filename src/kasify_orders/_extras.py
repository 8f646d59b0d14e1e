"""One-line hints for the optional parts of kasify whose extra is not installed.

Every optional part guards its third-party imports the same way::

    try:
        import flask
    except ImportError as error:
        missing("flask", "the Flask adapter", error)

so a user without the extra reads ``the Flask adapter needs the flask extra (werkzeug is
missing): pip install 'kasify-orders[flask]'`` rather than ``No module named 'werkzeug'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from kasify_orders.errors import MissingExtraError

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["DRIVER_EXTRAS", "MissingExtraError", "missing", "missing_driver"]

#: The database drivers kasify's extras install, by SQLAlchemy driver name.
DRIVER_EXTRAS = {"psycopg": "postgresql", "pymysql": "mysql"}
#: The pip package of each other driver docs/operations.md lists, by SQLAlchemy driver name.
_DRIVER_PACKAGES = {"mysqldb": "mysqlclient"}
#: The URL and extra to suggest, per database, when a URL names a driver no extra installs.
_SUGGESTED = {
    "postgresql": ("postgresql+psycopg://", "postgresql"),
    "mysql": ("mysql+pymysql://", "mysql"),
    "mariadb": ("mariadb+pymysql://", "mysql"),
}


def _cause(error: ImportError) -> str:
    if isinstance(error, ModuleNotFoundError) and error.name:
        return f"{error.name} is missing"
    return str(error)  # an installed but unusable package: say what Python said


def _raise(message: str, error: ImportError) -> NoReturn:
    # A missing module is all the hint says; any other import failure keeps its traceback.
    cause = None if isinstance(error, ModuleNotFoundError) else error
    raise MissingExtraError(message, name=error.name) from cause


def missing(extra: str, feature: str, error: ImportError) -> NoReturn:
    """Raise :class:`MissingExtraError` for *feature*, whose import failed with *error*."""
    hint = f"pip install 'kasify-orders[{extra}]'"
    _raise(f"{feature} needs the {extra} extra ({_cause(error)}): {hint}", error)


def missing_driver(url: sa.engine.URL, error: ImportError) -> NoReturn:
    """Raise :class:`MissingExtraError` for a database *url* whose driver could not be imported."""
    backend, driver = url.get_backend_name(), url.get_driver_name()
    extra = DRIVER_EXTRAS.get(driver)
    if extra is not None:
        fix = f"pip install 'kasify-orders[{extra}]'"
    else:
        package = _DRIVER_PACKAGES.get(driver)
        fix = f"pip install {package}" if package else f"install the {driver} driver"
        if backend in _SUGGESTED:
            suggested, extra = _SUGGESTED[backend]
            fix += f", or use a {suggested} URL and pip install 'kasify-orders[{extra}]'"
    _raise(f"the {backend}+{driver} database driver is not installed ({_cause(error)}): {fix}", error)
