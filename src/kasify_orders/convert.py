"""The cattrs converter: JSON-like data <-> kasify's value objects, with field-level errors.

:func:`structure` is strict (a quantity of ``2.5`` or ``"2"`` is an error, not a 2), refuses
unknown keys, and reports every bad field at once as a :class:`ValidationError` whose paths
read like ``lines[0].quantity``. Structuring a :class:`NewOrder` also runs the same checks as
``Orders.place``, so an API can refuse bad input before touching the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn
from cattrs.preconf.json import make_converter

from kasify_orders.errors import FieldError, ValidationError
from kasify_orders.model import Coupon, NewOrder, Totals
from kasify_orders.validation import validate_coupon, validate_new_order

__all__ = ["converter", "structure", "unstructure"]

T = TypeVar("T")

converter = make_converter(forbid_extra_keys=True, detailed_validation=True)


def _structure_decimal(value: object, _type: type) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise TypeError(f"must be a decimal number or string, got {type(value).__name__}")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None


def _structure_int(value: object, _type: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"must be a whole number, got {type(value).__name__}")
    return value


def _structure_bool(value: object, _type: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"must be true or false, got {type(value).__name__}")
    return value


def _structure_str(value: object, _type: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"must be a string, got {type(value).__name__}")
    return value


def _structure_datetime(value: object, _type: type) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"must be an ISO 8601 date-time string, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone: add Z or an offset such as +00:00")
    return parsed


def _unstructure_totals(totals: Totals) -> dict[str, str]:
    return {
        "subtotal": str(totals.subtotal),
        "shipping": str(totals.shipping),
        "discount": str(totals.discount),
        "total": str(totals.total),
        "refunded": str(totals.refunded),
        "refund_pending": str(totals.refund_pending),
        "refundable": str(totals.refundable),
    }


def _objects_only(cls: type) -> Callable[[Any, type], Any]:
    """Structure attrs classes from mappings only, so a list or a string gets a plain message."""
    generated: Callable[[Any, type], Any] = make_dict_structure_fn(cls, converter)

    def structure_object(value: Any, type_: type) -> Any:
        if not isinstance(value, Mapping):
            raise TypeError(f"must be an object, got {type(value).__name__}")
        return generated(value, type_)

    return structure_object


converter.register_structure_hook_factory(attrs.has, _objects_only)
converter.register_structure_hook(Decimal, _structure_decimal)
converter.register_unstructure_hook(Decimal, str)
converter.register_structure_hook(int, _structure_int)
converter.register_structure_hook(bool, _structure_bool)
converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(datetime, _structure_datetime)
converter.register_unstructure_hook(Totals, _unstructure_totals)


def _field_errors(error: BaseException, path: str) -> Iterator[FieldError]:
    if isinstance(error, cattrs.ForbiddenExtraKeysError):
        for key in sorted(error.extra_fields):
            yield FieldError(_join(path, key), "is not a known field")
    elif isinstance(error, cattrs.ClassValidationError):
        with_notes, without = error.group_exceptions()
        for inner, note in with_notes:
            yield from _field_errors(inner, _join(path, note.name))
        for inner in without:
            yield from _field_errors(inner, path)
    elif isinstance(error, cattrs.IterableValidationError):
        indexed, unindexed = error.group_exceptions()
        for inner, index_note in indexed:
            yield from _field_errors(inner, f"{path}[{index_note.index}]")
        for inner in unindexed:
            yield from _field_errors(inner, path)
    elif isinstance(error, KeyError):
        yield FieldError(path, "is required")
    elif isinstance(error, cattrs.BaseValidationError):
        for inner in error.exceptions:
            yield from _field_errors(inner, path)
    else:
        yield FieldError(path, str(error))


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def structure(data: Any, cls: type[T]) -> T:
    """Build a *cls* from JSON-like *data*, or raise :class:`ValidationError` naming every bad field."""
    try:
        value = converter.structure(data, cls)
    except (cattrs.BaseValidationError, cattrs.ForbiddenExtraKeysError) as error:
        raise ValidationError(list(_field_errors(error, ""))) from None
    except (TypeError, ValueError) as error:
        raise ValidationError.single("", str(error)) from None
    if isinstance(value, NewOrder):
        return validate_new_order(value)  # type: ignore[return-value]
    if isinstance(value, Coupon):
        return validate_coupon(value)  # type: ignore[return-value]
    return value


def unstructure(value: object) -> Any:
    """Turn a value object into JSON-ready data (Decimals and datetimes as strings)."""
    return converter.unstructure(value)
