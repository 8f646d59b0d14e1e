"""Timezone-aware UTC datetimes on the value objects: their attrs converter and validator.

:mod:`kasify_orders.model` and :mod:`kasify_orders.return_model` both hold datetimes; model
imports return_model (``Order.returns``), so these live here, where both import them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs

__all__ = ["aware", "to_utc"]


def to_utc(value: datetime | None) -> datetime | None:
    """An aware *value* in UTC (a naive one is left for :func:`aware` to refuse; None stays None)."""
    if value is None or value.tzinfo is None or value.tzinfo is UTC:
        return value
    return value.astimezone(UTC)


def aware(_instance: object, attribute: attrs.Attribute[Any], value: datetime | None) -> None:
    """Refuse a naive datetime, naming the field."""
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{attribute.name} must be timezone-aware (UTC), got {value!r}")
