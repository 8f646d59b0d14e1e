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
from typing import Any, Concatenate, ParamSpec, TypeVar

__all__ = ["per_tables"]

P = ParamSpec("P")
R = TypeVar("R")
Owner = TypeVar("Owner")


def per_tables(build: Callable[Concatenate[Owner, P], R]) -> Callable[Concatenate[Owner, P], R]:
    """Cache *build*'s value per first argument (in its ``info``) and the other arguments.

    A first argument without ``info`` (a light ``sa.table()``, as a migration passes) is
    built for each call. Two threads building at once both build, and both get the first value
    stored: a value whose identity matters (the plugin tables' ``MetaData``) is one per store.
    """
    name = f"kasify_orders:{build.__module__}.{build.__qualname__}"

    @functools.wraps(build)
    def cached(owner: Owner, /, *args: P.args, **kwargs: P.kwargs) -> R:
        info: dict[Any, Any] | None = getattr(owner, "info", None)
        if info is None:
            return build(owner, *args, **kwargs)
        kept: dict[Any, R] = info.setdefault(name, {})
        key = (args, tuple(sorted(kwargs.items())))
        try:
            return kept[key]
        except KeyError:
            return kept.setdefault(key, build(owner, *args, **kwargs))

    return cached
