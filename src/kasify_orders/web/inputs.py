"""The JSON API's request bodies, made from the action registry's fields.

Each action's body is an attrs class (``MarkShippedInput``, ``CancelInput``…) built from its
:class:`~kasify_orders.registry.Field` s, so :func:`kasify_orders.structure` checks types,
required fields and unknown keys, and the OpenAPI document describes the very same class.
"""

from __future__ import annotations

from typing import Any

import attrs

from kasify_orders.lifecycle import Action
from kasify_orders.registry import MERCHANT_ACTIONS, ActionSpec, Inputs

__all__ = ["body_class", "class_name", "inputs_of"]

#: The attribute every versioned action's body has besides its fields.
EXPECTED_VERSION = "expected_version"
_CLASSES: dict[Action, type] = {}


def class_name(spec: ActionSpec) -> str:
    """``mark_shipped`` -> ``"MarkShippedInput"``."""
    return "".join(part.capitalize() for part in spec.action.value.split("_")) + "Input"


def body_class(spec: ActionSpec) -> type:
    """The attrs class of *spec*'s request body (``POST …/{order_id}/<api_path>``), made once."""
    made = _CLASSES.get(spec.action)
    if made is None:
        made = _CLASSES[spec.action] = _make(spec)
    return made


def _make(spec: ActionSpec) -> type:
    attributes: dict[str, Any] = {}
    for field in spec.fields:
        if field.required:
            attributes[field.name] = attrs.field(type=field.python_type)
        else:
            attributes[field.name] = attrs.field(type=field.python_type, default=field.default)
    if spec.versioned:
        # The order's ``version`` as the caller read it; a stale one is refused with 409.
        attributes[EXPECTED_VERSION] = attrs.field(type=int | None, default=None)  # type: ignore[arg-type]
    cls = attrs.make_class(class_name(spec), attributes, frozen=True, kw_only=True)
    cls.__doc__ = f"``POST …/{{order_id}}/{spec.api_path}``: {spec.summary}." + (
        f" {spec.description}" if spec.description else ""
    )
    cls.__module__ = __name__
    return cls


def inputs_of(spec: ActionSpec, body: object) -> tuple[Inputs, int | None]:
    """The action's inputs in a structured *body*, and its ``expected_version``."""
    inputs = {field.name: getattr(body, field.name) for field in spec.fields}
    return inputs, getattr(body, EXPECTED_VERSION, None)


#: ``{"MarkShippedInput": <class>, …}``: every action's body class by name.
BODIES: dict[str, type] = {class_name(spec): body_class(spec) for spec in MERCHANT_ACTIONS}
