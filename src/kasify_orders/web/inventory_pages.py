"""The Inventory pages: every tracked SKU, a low-stock filter, a SKU's stock history and its forms.

A merchant with ``manage_inventory`` sets a count ("recount") or adds and removes units ("sold
at market"), each with a reason; starts and stops tracking a SKU; names it and gives it its
own low-stock threshold. Every change lands in the SKU's stock history with who did it. A bad
input is named beside its field and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from kasify_orders.errors import FieldError, ValidationError
from kasify_orders.i18n import N_, gettext
from kasify_orders.registry.backoffice import MANAGE_INVENTORY
from kasify_orders.service.inventory import text_problems
from kasify_orders.stock import DEFAULT_LOW_STOCK_AT
from kasify_orders.web.pages import MerchantPages, Page, Redirect
from kasify_orders.web.routes import PageRequest, Route

__all__ = ["ROUTES"]

#: The sidebar section these pages belong to.
SECTION = "inventory"
_WHOLE = re.compile(r"[+-]?\d{1,10}")
_FIELDS = ("sku", "name", "quantity", "delta", "low_stock_at", "reason")


@attrs.frozen
class Form:
    """One form of a page as drawn: what was typed, each field's errors, an error for the form."""

    values: Mapping[str, str] = attrs.field(factory=dict)
    errors: Mapping[str, list[str]] = attrs.field(factory=dict)
    error: str | None = None


def _number(
    form: Mapping[str, str], field: str, bad: list[FieldError], *, signed: bool = False
) -> int | None:
    """The whole number typed in *field*, or None (with an error in *bad* naming the field)."""
    text = form.get(field, "").strip()
    if not text:
        bad.append(FieldError.of(field, "must not be blank"))
        return None
    if not _WHOLE.fullmatch(text) or (not signed and text.startswith(("+", "-"))):
        template = (
            N_("must be a whole number such as -3 or 5, got “%(given)s”")
            if signed
            else N_("must be a whole number such as 0 or 12, got “%(given)s”")
        )
        bad.append(FieldError.of(field, template, given=text[:20]))
        return None
    return int(text)


def _failed(error: ValidationError, form: Mapping[str, str]) -> Form:
    errors: dict[str, list[str]] = {}
    for problem in error.errors:
        field = problem.path if problem.path in _FIELDS else ""
        errors.setdefault(field, []).append(problem.translated())
    general = "; ".join(errors.pop("", [])) or None
    return Form(dict(form), errors, general)


def _check(bad: list[FieldError], form: Mapping[str, str], *texts: str) -> None:
    """Raise the numbers' problems in *bad*, with those of the form's text fields *texts* beside them."""
    if bad:
        values = {name: form.get(name, "") for name in texts}
        problems = [*bad, *text_problems(**values)]
        raise ValidationError(sorted(problems, key=lambda p: _FIELDS.index(p.path)))


# -- the list ---------------------------------------------------------------------------------


def inventory_list(pages: MerchantPages, request: PageRequest) -> Page:
    """Every tracked SKU with its stock; ``?low=1`` shows only those at or below their threshold."""
    if not request.authorize(MANAGE_INVENTORY, None):
        return pages.refused()
    low_only = request.args.get("low", "") not in {"", "0"}
    everything = pages.orders.inventory.items()
    low = [item for item in everything if item.low]
    return Page(
        "inventory_list.html",
        {
            "section": SECTION,
            "items": low if low_only else everything,
            "low_only": low_only,
            "count_all": len(everything),
            "count_low": len(low),
            "all_url": pages.urls.url("inventory"),
            "low_url": pages.urls.url("inventory", query={"low": "1"}),
            # Off where another system owns stock (the Saleor App): kasify checks no order then.
            "checked": pages.orders.settings.manage_inventory,
        },
    )


# -- starting to track a SKU ------------------------------------------------------------------


def inventory_new(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """Start tracking a SKU: its SKU, product name, units on hand, low-stock threshold, a reason."""
    if not request.authorize(MANAGE_INVENTORY, None):
        return pages.refused()
    form = request.form
    if not form:
        values = {"sku": request.args.get("sku", ""), "low_stock_at": str(DEFAULT_LOW_STOCK_AT)}
        return _new_page(Form(values))
    bad: list[FieldError] = []
    quantity = _number(form, "quantity", bad)
    low_stock_at = _number(form, "low_stock_at", bad)
    try:
        _check(bad, form, "sku", "name", "reason")
        assert quantity is not None and low_stock_at is not None
        move = pages.orders.inventory.track(
            form.get("sku", ""),
            quantity,
            name=form.get("name", ""),
            low_stock_at=low_stock_at,
            reason=form.get("reason", ""),
            actor=request.actor,
        )
    except ValidationError as error:
        return _new_page(_failed(error, form), 400)
    return Redirect(pages.urls.url("inventory_sku", sku=move.sku), _now_tracking(move.sku, move.quantity))


def _new_page(form: Form, status: int = 200) -> Page:
    return Page("inventory_new.html", {"section": SECTION, "form": form}, status)


# -- one SKU ----------------------------------------------------------------------------------


def inventory_sku(pages: MerchantPages, request: PageRequest) -> Page:
    """A SKU: its stock, the forms that change it, and its stock history (kept after tracking stops)."""
    if not request.authorize(MANAGE_INVENTORY, None):
        return pages.refused()
    return _sku_page(pages, request.params["sku"])


def _sku_page(
    pages: MerchantPages, sku: str, *, failed: str | None = None, form: Form | None = None, status: int = 200
) -> Page:
    inventory = pages.orders.inventory
    item = inventory.find(sku)
    history = inventory.history(sku)
    if item is None and not history:
        return pages.not_found()
    forms = {name: Form() for name in ("set", "adjust", "details", "track")}
    if item is not None:
        forms["details"] = Form({"name": item.name or "", "low_stock_at": str(item.low_stock_at)})
    if failed is not None and form is not None:
        forms[failed] = form
        status = 400
    return Page(
        "inventory_sku.html",
        {
            "section": SECTION,
            "sku": sku,
            "item": item,
            "history": history,
            "forms": forms,
            "order_urls": {
                move.order_id: pages.urls.order(move.order_id) for move in history if move.order_id
            },
        },
        status,
    )


def inventory_adjust(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """Set the count (``mode=set``, ``quantity``) or add / remove units (``mode=adjust``, ``delta``)."""
    if not request.authorize(MANAGE_INVENTORY, None):
        return pages.refused()
    sku, form = request.params["sku"], request.form
    mode = form.get("mode", "")
    if mode not in {"set", "adjust"}:
        problem = Form(dict(form), error=gettext("Choose to set the stock or to add or remove units."))
        return _sku_page(pages, sku, failed="set", form=problem)
    bad: list[FieldError] = []
    number = _number(form, "quantity" if mode == "set" else "delta", bad, signed=mode == "adjust")
    inventory = pages.orders.inventory
    try:
        _check(bad, form, "reason")
        assert number is not None
        if mode == "set":
            move = inventory.set_stock(sku, number, reason=form.get("reason", ""), actor=request.actor)
        else:
            move = inventory.adjust(sku, number, reason=form.get("reason", ""), actor=request.actor)
    except ValidationError as error:
        return _sku_page(pages, sku, failed=mode, form=_failed(error, form))
    change = f"{move.delta:+d}" if move.delta else gettext("no change")
    notice = gettext("%(sku)s: %(quantity)d in stock (%(change)s).")
    return Redirect(
        pages.urls.url("inventory_sku", sku=sku),
        notice % {"sku": sku, "quantity": move.quantity, "change": change},
    )


def inventory_details(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """Change a SKU's product name and low-stock threshold (not its count)."""
    if not request.authorize(MANAGE_INVENTORY, None):
        return pages.refused()
    sku, form = request.params["sku"], request.form
    bad: list[FieldError] = []
    low_stock_at = _number(form, "low_stock_at", bad)
    try:
        _check(bad, form, "name")
        assert low_stock_at is not None
        item = pages.orders.inventory.describe(sku, name=form.get("name", ""), low_stock_at=low_stock_at)
    except ValidationError as error:
        return _sku_page(pages, sku, failed="details", form=_failed(error, form))
    return Redirect(
        pages.urls.url("inventory_sku", sku=sku), gettext("Saved %(item)s.") % {"item": item.title}
    )


def inventory_track(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """Stop tracking a SKU (``tracking=stop``) or start again (``tracking=start``, ``quantity``)."""
    if not request.authorize(MANAGE_INVENTORY, None):
        return pages.refused()
    sku, form = request.params["sku"], request.form
    inventory = pages.orders.inventory
    reason = form.get("reason", "")
    here = pages.urls.url("inventory_sku", sku=sku)
    try:
        if form.get("tracking") == "stop":
            if inventory.untrack(sku, reason=reason, actor=request.actor) is None:
                untracked = Form(dict(form), error=gettext("%(sku)s is not tracked.") % {"sku": sku})
                return _sku_page(pages, sku, failed="track", form=untracked)
            stopped = gettext("Stopped tracking %(sku)s: orders for it are no longer checked.") % {"sku": sku}
            return Redirect(here, stopped)
        if form.get("tracking") != "start":
            return _sku_page(
                pages, sku, failed="track", form=Form(dict(form), error=gettext("Choose start or stop."))
            )
        bad: list[FieldError] = []
        quantity = _number(form, "quantity", bad)
        _check(bad, form, "reason")
        assert quantity is not None
        move = inventory.track(sku, quantity, reason=reason, actor=request.actor)
    except ValidationError as error:
        return _sku_page(pages, sku, failed="track", form=_failed(error, form))
    return Redirect(here, _now_tracking(sku, move.quantity))


def _now_tracking(sku: str, quantity: int | None) -> str:
    return gettext("Now tracking %(sku)s: %(quantity)s in stock.") % {"sku": sku, "quantity": quantity}


ROUTES: tuple[Route, ...] = (
    Route("inventory", "inventory", inventory_list),
    Route("inventory_new", "inventory/new", inventory_new, methods=("GET", "POST")),
    Route("inventory_sku", "inventory/<sku>", inventory_sku),
    Route("inventory_adjust", "inventory/<sku>/adjust", inventory_adjust, methods=("POST",)),
    Route("inventory_details", "inventory/<sku>/details", inventory_details, methods=("POST",)),
    Route("inventory_track", "inventory/<sku>/track", inventory_track, methods=("POST",)),
)
