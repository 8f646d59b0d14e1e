"""The "Edit order" page: the address, a quantity per line, remove checkboxes, a line to add, a note.

``GET edit-order/<order_id>``: the form, filled in with the order as it is. ``POST``: one
``Orders.edit`` (CSRF checked by the host, the host's ``authorize("edit_order", order)``); its
errors are shown beside their fields with what was typed kept, and success goes back to the
order page. Offered while nothing has shipped (:func:`kasify_orders.edit_actions.is_editable`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from kasify_orders.edit_actions import check_edit, is_editable
from kasify_orders.errors import ConcurrentUpdate, FieldError, InvalidTransition, OutOfStock, ValidationError
from kasify_orders.i18n import gettext
from kasify_orders.model import Address, NewLine, Order
from kasify_orders.web.edit_api import EDIT_ORDER
from kasify_orders.web.formatting import sentence
from kasify_orders.web.inventory_pages import Form
from kasify_orders.web.pages import MerchantPages, Page, Redirect
from kasify_orders.web.routes import PageRequest, Route

__all__ = ["ROUTES", "order_edit"]

_SECTION = "order_list"
_ADDRESS = ("line1", "line2", "city", "region", "postal_code", "country")
_ADD = ("sku", "name", "variant", "quantity", "unit_price")
_QUANTITY = re.compile(r"set_quantity\[(\d+)\]")
_REMOVE = re.compile(r"remove_lines\[(\d+)\]")
_ADDED = re.compile(r"add_lines\[0\]\.(\w+)")
_SHIP = re.compile(r"shipping_address\.(\w+)")


def _values(order: Order) -> dict[str, str]:
    values = {f"ship_{name}": str(getattr(order.shipping_address, name)) for name in _ADDRESS}
    values.update({f"quantity_{line.id}": str(line.quantity) for line in order.lines})
    values["expected_version"] = str(order.version)
    values["add_quantity"] = "1"
    return values


def _page(pages: MerchantPages, order: Order, form: Form, status: int = 200) -> Page:
    return Page(
        "order_edit.html",
        {
            "section": _SECTION,
            "order": order,
            "form": form,
            "action_url": pages.urls.url("order_edit", order_id=order.id),
            "order_url": pages.urls.order(order.id),
        },
        status,
    )


def order_edit(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """The form (GET) or the edit (POST); nothing changes unless every field is right."""
    order = pages._viewable(request.params["order_id"], request.authorize)
    if isinstance(order, Page):
        return order
    if not request.authorize(EDIT_ORDER, order):
        return pages.refused()
    if not is_editable(order):
        error = gettext("This order can no longer be edited: a parcel has shipped, or it is closed.")
        return _page(pages, order, Form(_values(order), {}, error), 409)
    if not request.form:
        return _page(pages, order, Form(_values(order)))
    return _submit(pages, request, order)


def _submit(pages: MerchantPages, request: PageRequest, order: Order) -> Page | Redirect:
    """Run the posted edit: back to the order page, or the form again with its errors."""
    form = request.form
    removed = [line.id for line in order.lines if form.get(f"remove_{line.id}")]
    typed: list[FieldError] = []
    added = _added(form, order.currency, typed)
    changes: dict[str, Any] = {
        "shipping_address": Address(**{name: form.get(f"ship_{name}", "") for name in _ADDRESS}),
        "set_quantity": {
            str(line.id): _whole(form.get(f"quantity_{line.id}", ""))
            for line in order.lines
            if line.id not in removed and form.get(f"quantity_{line.id}", "").strip() != str(line.quantity)
        },
        "add_lines": added,
        "remove_lines": removed,
        "note": form.get("note", ""),
    }
    try:
        if typed:  # what could not be read, with the core's word on the rest, all at once
            try:
                check_edit(order, **changes)
            except ValidationError as error:
                typed.extend(error.errors)
            raise ValidationError(typed)
        done = pages.orders.edit(
            order.id,
            **changes,
            actor=request.actor,
            expected_version=_version(form.get("expected_version", "")),
        )
    except ValidationError as error:
        return _page(pages, order, _failed(error, form, removed), 400)
    except (OutOfStock, InvalidTransition, ConcurrentUpdate) as error:
        return _page(pages, order, Form(dict(form), {}, sentence(str(error))), 409)
    return Redirect(pages.urls.order(done.id), gettext("Order edited: the customer is told what changed."))


def _whole(text: str) -> Any:
    """The digits as a number; anything else as typed (the core names it)."""
    text = text.strip()
    return int(text) if text.isdigit() else text


def _version(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def _added(form: Mapping[str, str], currency: str, typed: list[FieldError]) -> list[NewLine]:
    """The line to add, when any of its fields is filled in (its quantity alone does not count)."""
    values = {name: form.get(f"add_{name}", "").strip() for name in _ADD}
    if not any(values[name] for name in ("sku", "name", "unit_price")):
        return []
    quantity = values["quantity"] or "1"
    if not quantity.isdigit():
        typed.append(FieldError("add_lines[0].quantity", f"must be a whole number, got “{quantity[:20]}”"))
    try:
        price = Decimal(values["unit_price"])
        if not price.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        typed.append(FieldError("add_lines[0].unit_price", f"must be an amount in {currency}, such as 12.50"))
        price = Decimal(0)
    return [
        NewLine(
            sku=values["sku"],
            name=values["name"],
            variant=values["variant"],
            quantity=int(quantity) if quantity.isdigit() else 1,
            unit_price=price,
        )
    ]


def _field(path: str, removed: list[int]) -> str:
    """The form field an error of the core names (``""``: the form's own error)."""
    if match := _QUANTITY.fullmatch(path):
        return f"quantity_{match[1]}"
    if (match := _REMOVE.fullmatch(path)) and int(match[1]) < len(removed):
        return f"remove_{removed[int(match[1])]}"
    if match := _ADDED.fullmatch(path):
        return f"add_{match[1]}"
    if match := _SHIP.fullmatch(path):
        return f"ship_{match[1]}"
    return "note" if path == "note" else ""


def _failed(error: ValidationError, form: Mapping[str, str], removed: list[int]) -> Form:
    errors: dict[str, list[str]] = {}
    for problem in error.errors:
        field = _field(problem.path, removed)
        message = sentence(problem.translated())
        errors.setdefault(field, []).append(message)
    general = " ".join(errors.pop("", [])) or None
    return Form(dict(form), errors, general)


ROUTES: tuple[Route, ...] = (Route("order_edit", "edit-order/<order_id>", order_edit, ("GET", "POST")),)
