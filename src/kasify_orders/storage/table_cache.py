"""What is built once from a store's tables, kept on those tables, so it goes when they go.

Building a statement costs more than running the small ones a page asks, so each is built once
per store. ``functools.cache`` would keep it in a process-wide dictionary, and with it the tables
it was built from: a process that makes many stores (a test suite, a host that builds an
``Orders`` per task) kept every one's tables, and the interpreter's full garbage collections,
which pause every thread, grew past seconds. :func:`per_tables` keeps each value in the ``info``
dictionary of its first argument (a ``Table``, a ``MetaData`` or kasify's ``Tables``), which
dies with them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

__all__ = ["per_tables"]

F = TypeVar("F", bound=Callable[..., Any])


def per_tables(build: F) -> F:
    """Cache *build*'s value per first argument (in its ``info``) and the other (positional) ones.

    A first argument without ``info`` (a light ``sa.table()``, as a migration passes) is
    built for each call. Two threads building at once both build, and both get the first value
    stored: a value whose identity matters (the plugin tables' ``MetaData``) is one per store.
    """
    name = f"kasify_orders:{build.__module__}.{build.__qualname__}"

    @functools.wraps(build)
    def cached(owner: Any, /, *args: Any) -> Any:
        info: dict[Any, Any] | None = getattr(owner, "info", None)
        if info is None:
            return build(owner, *args)
        kept = info.get(name)
        if kept is None:
            kept = info.setdefault(name, {})
        try:
            return kept[args]
        except KeyError:
            return kept.setdefault(args, build(owner, *args))

    return cast("F", cached)
