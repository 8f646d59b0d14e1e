"""The cattrs converter: JSON-like data <-> kasify's value objects, with field-level errors.

:func:`structure` is strict (a quantity of ``2.5`` or ``"2"`` is an error, not a 2), refuses
unknown keys, and reports every bad field at once as a :class:`ValidationError` whose paths
read like ``lines[0].quantity``. Structuring a :class:`NewOrder` also runs the same checks as
``Orders.place``, so an API can refuse bad input before touching the database.
"""

from __future__ import annotations

import enum
import functools
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn
from cattrs.preconf.json import make_converter

from kasify_orders import money
from kasify_orders.errors import FieldError, ValidationError
from kasify_orders.model import Coupon, NewOrder, Order, Shipment, Totals
from kasify_orders.validation import unknown_name, validate_coupon, validate_new_order

__all__ = ["converter", "structure", "unstructure"]

T = TypeVar("T")

converter = make_converter(forbid_extra_keys=True, detailed_validation=True)


def _structure_decimal(value: object, _type: type) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise TypeError(f"must be a number or a string of {money.AMOUNT_HINT}, got {type(value).__name__}")
    if isinstance(value, str):
        return money.parse_amount(value)
    return Decimal(str(value))


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


def _unstructure_totals(totals: Totals) -> dict[str, str | bool]:
    return {
        "subtotal": str(totals.subtotal),
        "shipping": str(totals.shipping),
        "discount": str(totals.discount),
        "total": str(totals.total),
        "refunded": str(totals.refunded),
        "refund_pending": str(totals.refund_pending),
        "refundable": str(totals.refundable),
        "paid": str(totals.paid),
        "amount_due": str(totals.amount_due),
        "refund_due": str(totals.refund_due),
        "tax": str(totals.tax),
        "shipping_tax": str(totals.shipping_tax),
        "prices_include_tax": totals.prices_include_tax,
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


def _structure_parcel_lines(value: object, _type: type) -> dict[int, int]:
    """A parcel's ``{line_id: quantity}``; JSON (the outbox) makes its keys strings."""
    if not isinstance(value, Mapping):
        raise TypeError(f"must be an object, got {type(value).__name__}")
    lines = {}
    for key, quantity in value.items():
        if not (isinstance(key, int) or (isinstance(key, str) and key.isdigit())):
            raise TypeError(f"a line id must be a whole number, got {key!r}")
        lines[int(key)] = _structure_int(quantity, int)
    return lines


converter.register_structure_hook_func(lambda t: t == Mapping[int, int], _structure_parcel_lines)
_structure_shipment_fields = _objects_only(Shipment)


def _structure_shipment(value: object, type_: type) -> Shipment:
    """A parcel; one stored before parcels (an old outbox row) has no ``id`` nor ``lines``."""
    if isinstance(value, Mapping) and "id" not in value:
        value = {"id": "", "lines": {}, **value}
    shipment: Shipment = _structure_shipment_fields(value, type_)
    return shipment


converter.register_structure_hook(Shipment, _structure_shipment)
_unstructure_order_fields = converter.gen_unstructure_attrs_fromdict(Order)


def _unstructure_order(order: Order) -> dict[str, Any]:
    """An order's JSON: its fields, and its latest parcel (``shipment``) and ``fulfilment_status``."""
    data: dict[str, Any] = _unstructure_order_fields(order)
    data["shipment"] = converter.unstructure(order.shipment, unstructure_as=Shipment | None)
    data["fulfilment_status"] = order.fulfilment_status.value
    return data


converter.register_unstructure_hook(Order, _unstructure_order)


def _field_errors(error: BaseException, path: str) -> Iterator[FieldError]:
    if isinstance(error, cattrs.ForbiddenExtraKeysError):
        names = [field.name for field in attrs.fields(error.cl)] if attrs.has(error.cl) else []
        for key in sorted(error.extra_fields):
            yield FieldError(_join(path, key), unknown_name("field", key, names))
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


#: The classes whose values are checked beyond their types once structured.
_CHECKS: dict[type, Callable[[Any], Any]] = {NewOrder: validate_new_order, Coupon: validate_coupon}


def structure(data: Any, cls: type[T]) -> T:
    """Build a *cls* from JSON-like *data*, or raise :class:`ValidationError` naming every bad field.

    Every field: a field of the wrong type does not hide a bad value elsewhere (a quantity
    of ``"2"`` and an invalid email are both reported).
    """
    try:
        value = converter.structure(data, cls)
    except (cattrs.BaseValidationError, cattrs.ForbiddenExtraKeysError) as error:
        errors = list(_field_errors(error, ""))
        raise ValidationError([*errors, *_checks_beside(data, cls, errors)]) from None
    except (TypeError, ValueError) as error:
        raise ValidationError.single("", str(error)) from None
    check = _CHECKS.get(cls)
    return check(value) if check is not None else value


# -- every field at once ------------------------------------------------------------------
#
# When some fields have the wrong type there is no value to check the others on. So the bad
# fields are replaced by placeholders of the right type (dropped, when unknown), the copy is
# structured and checked, and the checks' errors are kept for the fields that were not bad.

_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")
_REPAIRS = 8
_PLACEHOLDERS: dict[Any, Any] = {
    str: "",
    int: 1,
    bool: False,
    Decimal: "0",
    datetime: "2000-01-01T00:00:00+00:00",
}


def _checks_beside(data: Any, cls: type, bad: list[FieldError]) -> list[FieldError]:
    """The value checks' errors on the fields of *data* that are not among *bad*."""
    check = _CHECKS.get(cls)
    if check is None or not isinstance(data, Mapping) or any(not error.path for error in bad):
        return []
    patched = _thawed(data)
    value: Any = None
    for _ in range(_REPAIRS):  # a placeholder object may need its own required fields next
        try:
            value = converter.structure(patched, cls)
            break
        except (cattrs.BaseValidationError, cattrs.ForbiddenExtraKeysError) as error:
            if not all(_patch(patched, cls, found) for found in _field_errors(error, "")):
                return []
        except (TypeError, ValueError):
            return []
    else:
        return []
    bad_paths = [error.path for error in bad]
    try:
        check(value)
    except ValidationError as error:
        return [found for found in error.errors if not _under(found.path, bad_paths)]
    return []


def _thawed(data: Any) -> Any:
    """A deep, mutable copy of JSON-like *data* (tuples become lists)."""
    if isinstance(data, Mapping):
        return {key: _thawed(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_thawed(value) for value in data]
    return data


def _under(path: str, bad_paths: list[str]) -> bool:
    return any(path == bad or path.startswith((f"{bad}.", f"{bad}[")) for bad in bad_paths)


def _patch(data: Any, cls: type, error: FieldError) -> bool:
    """Put a placeholder at *error*'s path in *data* (or drop an unknown field); False if it cannot."""
    steps = _STEP.findall(error.path)
    if not steps:
        return False
    container, kind = data, cls
    for name, index in steps[:-1]:
        kind = _child_type(container, kind, name, index)
        if kind is None:
            return False
        container = container.get(name) if name else container[int(index)]
    name, index = steps[-1]
    kind = _child_type(container, kind, name, index)
    if name and error.message.startswith("is not a known field") and isinstance(container, dict):
        container.pop(name, None)
    elif kind is None:
        return False
    else:
        container[name if name else int(index)] = _placeholder(kind)
    return True


def _child_type(container: Any, kind: Any, name: str, index: str) -> Any:
    """The type of *container*'s field *name* (or item *index*); None when there is no such place."""
    if name:
        if not isinstance(container, dict) or not attrs.has(_required(kind)):
            return None
        return _field_types(_required(kind)).get(name)
    if not isinstance(container, list) or int(index) >= len(container):
        return None
    return _element_type(kind)


@functools.cache
def _field_types(cls: type) -> dict[str, Any]:
    return {field.name: field.type for field in attrs.fields(attrs.resolve_types(cls))}


def _required(kind: Any) -> Any:
    """``X`` for ``X | None``."""
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        others = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return others[0] if len(others) == 1 else kind
    return kind


def _element_type(kind: Any) -> Any:
    args = typing.get_args(_required(kind))
    return args[0] if args else Any


def _placeholder(kind: Any) -> Any:
    """A JSON-like value that structures as *kind* (None for an optional field)."""
    if _required(kind) is not kind:
        return None
    if typing.get_origin(kind) in {tuple, list, Sequence}:
        return []
    if attrs.has(kind):
        return {}
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return next(iter(kind)).value
    return _PLACEHOLDERS.get(kind)


def unstructure(value: object) -> Any:
    """Turn a value object into JSON-ready data (Decimals and datetimes as strings)."""
    return converter.unstructure(value)
