"""The order page's Returns section: each return with its lines and the buttons its status allows.

Receiving, refunding and closing are registry actions placed ``"return"``: one small form per
return that its status allows, carrying the return's id (hidden), so a merchant acts on the
return beside which the button sits. Opening a return is the section's own form (``"returns"``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs

from kasify_orders.model import Order
from kasify_orders.registry import ActionSpec, Money
from kasify_orders.registry.returns import offered_for
from kasify_orders.return_model import Return
from kasify_orders.web.forms import ActionForm, Failure, form_for

__all__ = ["ReturnRow", "return_rows"]


@attrs.frozen
class ReturnRow:
    """One return as the page lists it."""

    found: Return
    #: ``[(line name, units)]`` of what comes back.
    lines: Sequence[tuple[str, int]]
    forms: Sequence[ActionForm]


def return_rows(
    order: Order,
    specs: Sequence[ActionSpec],
    *,
    url: Callable[[str], str],
    may: Callable[[str], bool],
    amount: Money,
    failed: ActionSpec | None,
    failure: Failure | None,
    sent: Mapping[str, str] | None,
) -> list[ReturnRow]:
    """The order's returns, newest first, each with the forms of the *specs* its status allows."""
    names = {line.id: line.name for line in order.lines}
    rows = []
    for found in reversed(order.returns):
        forms = []
        for spec in specs:
            if not offered_for(spec, found):
                continue
            mine = spec is failed and sent is not None and sent.get("return_id") == found.id
            typed = dict(sent) if mine and sent is not None else None
            form = form_for(
                spec,
                order,
                url=url(spec.action.value),
                may=may,
                amount=amount,
                failure=failure if mine else None,
                sent=typed,
            )
            values = {**form.values, "return_id": found.id}
            fields = [attrs.evolve(f, value=found.id) if f.name == "return_id" else f for f in form.fields]
            # Its own name on the page, so each return's fields have ids of their own.
            name = f"{spec.action.value}-{found.id}"
            forms.append(attrs.evolve(form, action=name, values=values, fields=fields))
        lines = [(names.get(line_id, f"#{line_id}"), units) for line_id, units in found.lines.items()]
        rows.append(ReturnRow(found, lines, forms))
    return rows
