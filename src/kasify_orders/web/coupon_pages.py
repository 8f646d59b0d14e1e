"""The back office's Coupons section: the list, a coupon's page with the orders that used it, its form.

Every page and action needs the ``manage_coupons`` permission (``authorize("manage_coupons",
None)``). Creating and editing go through :mod:`kasify_orders.web.coupon_forms` and the
service's :class:`~kasify_orders.service.Coupons`, so a page refuses exactly what the Python
API refuses, with the reason beside the field; a refused form stores nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from kasify_orders.errors import ValidationError
from kasify_orders.i18n import N_, gettext
from kasify_orders.model import Coupon, CouponKind
from kasify_orders.registry.backoffice import MANAGE_COUPONS
from kasify_orders.web.coupon_forms import (
    KIND_LABELS,
    RULES_SEEN,
    blank_form,
    coupon_state,
    form_values,
    read_coupon_form,
    rules_seen,
)
from kasify_orders.web.formatting import money_label, when
from kasify_orders.web.pages import MerchantPages, Page, Redirect

if TYPE_CHECKING:
    from kasify_orders.web.routes import PageRequest, Route

__all__ = ["MANAGE_COUPONS", "CouponRow", "coupon_row", "routes"]

#: The sidebar section these pages belong to.
_SECTION = "coupon_list"


@attrs.frozen
class CouponRow:
    """A coupon as the list and its page show it: every column already in words."""

    code: str
    url: str
    kind: str
    value: str
    minimum: str
    uses: str
    dates: str
    #: Active, Disabled, Scheduled, Expired or Used up.
    state: str
    active: bool
    toggle_url: str


def _number(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _amount(value: Decimal, currency: str | None, locale: str) -> str:
    return money_label(value, currency, locale) if currency else f"{_number(value)} (any currency)"


def _state(coupon: Coupon, now: datetime) -> str:
    if not coupon.active:
        return N_("Disabled")  # translated where shown
    if coupon.ends_at is not None and now >= coupon.ends_at:
        return N_("Expired")
    if coupon.starts_at is not None and now < coupon.starts_at:
        return N_("Scheduled")
    if coupon.usage_limit is not None and coupon.times_used >= coupon.usage_limit:
        return N_("Used up")
    return N_("Active")


def _dates(coupon: Coupon) -> str:
    if coupon.starts_at and coupon.ends_at:
        return gettext("%(start)s to %(end)s") % {
            "start": when(coupon.starts_at),
            "end": when(coupon.ends_at),
        }
    if coupon.starts_at:
        return gettext("From %(start)s") % {"start": when(coupon.starts_at)}
    if coupon.ends_at:
        return gettext("Until %(end)s") % {"end": when(coupon.ends_at)}
    return gettext("Always")


def coupon_row(pages: MerchantPages, coupon: Coupon) -> CouponRow:
    """*coupon*'s columns, in the merchant's words."""
    if coupon.kind is CouponKind.PERCENTAGE:
        assert coupon.value is not None
        value = f"{_number(coupon.value)}%"
    elif coupon.kind is CouponKind.FIXED:
        assert coupon.value is not None
        value = _amount(coupon.value, coupon.currency, pages.locale)
    else:
        value = gettext("Shipping")
    minimum = (
        "—" if coupon.minimum_order is None else _amount(coupon.minimum_order, coupon.currency, pages.locale)
    )
    limit = gettext("no limit") if coupon.usage_limit is None else str(coupon.usage_limit)
    return CouponRow(
        code=coupon.code,
        url=pages.urls.url("coupon_detail", code=coupon.code),
        kind=KIND_LABELS[coupon.kind],
        value=value,
        minimum=minimum,
        uses=f"{coupon.times_used} / {limit}"
        + (" · " + gettext("once per customer") if coupon.once_per_customer else ""),
        dates=_dates(coupon),
        state=_state(coupon, pages.clock()),
        active=coupon.active,
        toggle_url=pages.urls.url("coupon_toggle", code=coupon.code),
    )


def _may(request: PageRequest) -> bool:
    return request.authorize(MANAGE_COUPONS, None)


def _not_found(code: str) -> Page:
    return Page("coupon_not_found.html", {"section": _SECTION, "code": code}, 404)


def _lookup(pages: MerchantPages, code: str) -> Coupon | None:
    try:
        return pages.orders.coupons.get(code)
    except ValidationError:
        return None


# -- the views ------------------------------------------------------------------------------


def coupon_list(pages: MerchantPages, request: PageRequest) -> Page:
    """Every coupon: code, type, value, minimum, uses of its limit, dates, and whether it is on."""
    if not _may(request):
        return pages.refused()
    rows = [coupon_row(pages, coupon) for coupon in pages.orders.coupons.all()]
    return Page("coupon_list.html", {"section": _SECTION, "coupons": rows})


def _form_page(
    pages: MerchantPages,
    *,
    values: Mapping[str, str],
    errors: ValidationError | None = None,
    coupon: Coupon | None = None,
    changed_meanwhile: bool = False,
) -> Page:
    state = coupon_state(values, errors.errors if errors else ())
    action = pages.urls.url("coupon_edit", code=coupon.code) if coupon else pages.urls.url("coupon_new")
    context = {
        "section": _SECTION,
        "form": state,
        "kinds": [(kind.value, label) for kind, label in KIND_LABELS.items()],
        "action_url": action,
        "coupon": coupon_row(pages, coupon) if coupon else None,
        "times_used": coupon.times_used if coupon else 0,
        "rules_field": RULES_SEEN,
        "rules_seen": rules_seen(coupon) if coupon else "",
        "changed_meanwhile": changed_meanwhile,
        "cancel_url": pages.urls.url("coupon_detail", code=coupon.code)
        if coupon
        else pages.urls.url("coupon_list"),
    }
    return Page("coupon_form.html", context, 409 if changed_meanwhile else 400 if errors else 200)


def coupon_new(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """The new coupon's form (GET), and its creation (POST)."""
    if not _may(request):
        return pages.refused()
    if not request.form:
        return _form_page(pages, values=blank_form())
    try:
        coupon = pages.orders.coupons.create(read_coupon_form(request.form))
    except ValidationError as error:
        return _form_page(pages, values=request.form, errors=error)
    return Redirect(
        pages.urls.url("coupon_detail", code=coupon.code),
        gettext("Coupon %(code)s created.") % {"code": coupon.code},
    )


def coupon_detail(pages: MerchantPages, request: PageRequest) -> Page:
    """A coupon's rules, its switch, and the orders placed with it (newest first, a page at a time)."""
    if not _may(request):
        return pages.refused()
    coupon = _lookup(pages, request.params["code"])
    if coupon is None:
        return _not_found(request.params["code"])
    return _detail(pages, coupon, cursor=request.args.get("cursor") or None)


def _detail(pages: MerchantPages, coupon: Coupon, *, cursor: str | None, problem: str | None = None) -> Page:
    try:
        placed = pages.orders.list(coupon_code=coupon.code, limit=pages.page_size, cursor=cursor)
    except ValidationError:
        problem = gettext("That page link is out of date; showing the newest orders.")
        placed = pages.orders.list(coupon_code=coupon.code, limit=pages.page_size)
    here = pages.urls.url("coupon_detail", code=coupon.code)
    next_url = None
    if placed.next_cursor:
        next_url = pages.urls.url("coupon_detail", query={"cursor": placed.next_cursor}, code=coupon.code)
    return Page(
        "coupon_detail.html",
        {
            "section": _SECTION,
            "coupon": coupon_row(pages, coupon),
            "times_used": coupon.times_used,
            "orders": placed.items,
            "next_url": next_url,
            "first_url": here if cursor else None,
            "edit_url": pages.urls.url("coupon_edit", code=coupon.code),
            "problem": problem,
        },
        400 if problem else 200,
    )


def coupon_edit(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """A coupon's form with its rules (GET), and the change (POST; its usage count is kept)."""
    if not _may(request):
        return pages.refused()
    coupon = _lookup(pages, request.params["code"])
    if coupon is None:
        return _not_found(request.params["code"])
    if not request.form:
        return _form_page(pages, values=form_values(coupon), coupon=coupon)
    seen = request.form.get(RULES_SEEN)
    if seen is not None and seen != rules_seen(coupon):
        # Someone saved this coupon after this form was shown: show what was typed, the rules
        # as they are now, and a fresh fingerprint, so a second Save is the merchant's choice.
        return _form_page(pages, values=request.form, coupon=coupon, changed_meanwhile=True)
    try:
        changed = pages.orders.coupons.update(read_coupon_form(request.form), code=coupon.code)
    except ValidationError as error:
        return _form_page(pages, values=request.form, errors=error, coupon=coupon)
    notice = gettext("Coupon %(code)s saved.") % {"code": changed.code}
    if changed.code != coupon.code:
        notice = gettext("Coupon %(code)s saved (was %(old)s).") % {"code": changed.code, "old": coupon.code}
    return Redirect(pages.urls.url("coupon_detail", code=changed.code), notice)


def coupon_toggle(pages: MerchantPages, request: PageRequest) -> Page | Redirect:
    """Disable or enable a coupon: ``active=0`` or ``1`` (a repeated click changes nothing more)."""
    if not _may(request):
        return pages.refused()
    coupon = _lookup(pages, request.params["code"])
    if coupon is None:
        return _not_found(request.params["code"])
    wanted = request.form.get("active", "")
    if wanted not in {"0", "1"}:
        problem = gettext("Use the Disable or Enable button on this page: nothing was changed.")
        return _detail(pages, coupon, cursor=None, problem=problem)
    back = (
        pages.urls.url("coupon_list")
        if request.form.get("back") == "list"
        else pages.urls.url("coupon_detail", code=coupon.code)
    )
    if wanted == "1":
        pages.orders.coupons.enable(coupon.code)
        return Redirect(
            back, gettext("Coupon %(code)s enabled: customers can use it again.") % {"code": coupon.code}
        )
    pages.orders.coupons.disable(coupon.code)
    return Redirect(
        back, gettext("Coupon %(code)s disabled: customers can no longer use it.") % {"code": coupon.code}
    )


@functools.cache
def routes() -> tuple[Route, ...]:
    """The Coupons section's pages (``coupons/new`` before ``coupons/<code>``), for ``ALL_ROUTES``.

    A function, made once: :mod:`kasify_orders.web.routes` gathers every section's pages while it
    is being imported, so this module must not need it at import time (whichever comes first).
    """
    from kasify_orders.web.routes import Route  # noqa: PLC0415 - see above

    return (
        Route("coupon_list", "coupons", coupon_list),
        Route("coupon_new", "coupons/new", coupon_new, ("GET", "POST")),
        Route("coupon_detail", "coupons/<code>", coupon_detail),
        Route("coupon_edit", "coupons/<code>/edit", coupon_edit, ("GET", "POST")),
        Route("coupon_toggle", "coupons/<code>/toggle", coupon_toggle, ("POST",)),
    )
