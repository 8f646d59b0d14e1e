"""The one jinja2 environment for the merchant's pages, shared by every adapter."""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import jinja2
import jinja2.nodes
from markupsafe import Markup, escape

from kasify_orders import i18n
from kasify_orders.addresses import address_lines
from kasify_orders.lifecycle import FulfilmentStatus, PaymentStatus, Status
from kasify_orders.model import OrderSummary
from kasify_orders.web import form_html, formatting
from kasify_orders.web.forms import ActionForm
from kasify_orders.web.pages import Page, Urls

__all__ = ["ORIGINAL", "environment", "render"]


#: The prefix under which kasify's own templates stay reachable when a host overrides them.
ORIGINAL = "original"


@functools.cache
def environment(
    locale: str = "en", template_dirs: tuple[str, ...] = (), timezone: str = "UTC"
) -> jinja2.Environment:
    """Templates from ``kasify_orders/web/templates``, autoescaped, with our formatting filters.

    A template of the same name in one of *template_dirs* (a host's) is used instead, and
    kasify's own stays reachable as ``original/<name>`` (``{% extends "original/order_list.html" %}``).
    """
    package = jinja2.PackageLoader("kasify_orders.web", "templates")
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(template_dirs), package, jinja2.PrefixLoader({ORIGINAL: package})]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Every template's text goes through gettext: ``{{ _("Orders") }}``, ``{% trans %}``.
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals["_"] = _words(i18n.translations(locale).gettext)

    def money(amount: Decimal, currency: str) -> str:
        return formatting.money_label(amount, currency, locale)

    def order_rows(orders: Sequence[OrderSummary], urls: Urls) -> Markup:
        return _order_rows(orders, urls, locale, timezone)

    def when(moment: datetime) -> str:
        return formatting.when(moment, timezone)

    gettext = i18n.translations(locale).gettext

    def action_fields(form: ActionForm) -> Markup:
        return form_html.action_fields(form, gettext)

    env.filters.update(
        money=money,
        when=when,
        iso=formatting.iso,
        address_lines=address_lines,
        actor=formatting.actor_label,
        carrier=formatting.carrier_label,
        label=formatting.status_label,
        order_rows=order_rows,
        action_fields=action_fields,
    )
    return env


#: The most words :func:`_words` keeps (a page's ``_(f.label)`` may be a label made for its order).
_WORDS_KEPT = 4096


def _words(gettext: Callable[[str], str]) -> Callable[..., str]:
    """The templates' ``_()``: jinja's newstyle gettext, each fixed text translated once per language.

    The same markup as jinja's ``_`` (the translation as markup, always formatted with its
    values escaped into it, so ``%%`` is ``%``); a page's forty ``_("Items ordered")`` were a
    good part of its time through jinja's two calls and formatting for each.
    """
    kept: dict[str, Markup] = {}

    @jinja2.pass_eval_context
    def _(eval_ctx: jinja2.nodes.EvalContext, message: str, **values: Any) -> str:
        if values or not eval_ctx.autoescape:
            text = Markup(gettext(message)) if eval_ctx.autoescape else gettext(message)
            return text % values
        found = kept.get(message)
        if found is None:
            found = Markup(gettext(message)) % {}
            if len(kept) < _WORDS_KEPT:
                kept[message] = found
        return found

    return _


def render(
    page: Page,
    request_context: Mapping[str, Any],
    *,
    locale: str = "en",
    template_dirs: Sequence[str] = (),
    timezone: str = "UTC",
) -> str:
    """Render *page* with what the adapter adds per request.

    *request_context* must hold ``urls`` (a :class:`~kasify_orders.web.pages.Urls`),
    ``csrf_token`` (str), ``store_name`` (str) and ``notices`` (a list of str).
    *template_dirs*: the host's folders whose templates override kasify's of the same name.
    *locale* chooses the language and the money format, *timezone* the clock dates are shown on.
    """
    template = environment(locale, tuple(template_dirs), timezone).get_template(page.template)
    context = {"lang": locale.replace("_", "-"), **request_context, **page.context}
    if "urls" in context:
        context["urls"] = _OrderUrls(context["urls"])
    if page.reuse is None or request_context.get("notices"):
        return _render(template, context, locale, timezone)
    # A kept page (web/page_reuse.py): rendered once per frame with a stand-in for the CSRF
    # token, which each response replaces with its own.
    frame = _frame(page, request_context, template, (locale, tuple(template_dirs), timezone))
    kept = {**context, "csrf_token": _CSRF_STANDIN}
    html = page.reuse.html(frame, lambda: _render(template, kept, locale, timezone))
    return html.replace(_CSRF_STANDIN, str(escape(request_context.get("csrf_token", ""))))


def _render(template: jinja2.Template, context: Mapping[str, Any], locale: str, timezone: str) -> str:
    with i18n.activate(locale, timezone):
        return template.render(context)


#: Written where the CSRF token goes in a page rendered to be kept: plain letters and digits,
#: which escaping leaves as they are, and found nowhere else.
_CSRF_STANDIN = f"kasifycsrf{secrets.token_hex(16)}"
#: What the frame of a kept page leaves out: the token (replaced), the URLs (compared by their root).
_NOT_FRAME = frozenset({"csrf_token", "urls"})


def _frame(
    page: Page, request_context: Mapping[str, Any], template: jinja2.Template, env: tuple[object, ...]
) -> object:
    """All a kept page's HTML depends on besides its kept context, compared by equality.

    The template (a reloaded one is another object), the environment's language, folders
    and time zone, the adapter's request context but for the CSRF token, where the pages
    live (the order list's URL), and the page's own values the kept context lacks (the
    sidebar's count).
    """
    assert page.reuse is not None
    kept = page.reuse.context
    urls = request_context.get("urls")
    return (
        template,
        env,
        page.template,
        page.status,
        None if urls is None else (type(urls), urls.order_list()),
        tuple((k, v) for k, v in request_context.items() if k not in _NOT_FRAME),
        tuple((k, v) for k, v in page.context.items() if k not in kept or kept[k] is not v),
    )


#: Stands for an order id while an order's URL is built once per render.
_PLACEHOLDER = "KASIFYORDERID0"
#: An order id that appears in a URL as it is (no percent-encoding): kasify's own hex ids.
_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]+")


class _OrderUrls:
    """The adapter's :class:`~kasify_orders.web.pages.Urls`, building ``order(id)`` once per render.

    A list page links 50 orders; the host's router (``flask.url_for``, Django's ``reverse``)
    costs more per link than the rest of the row. The URL is built once for a placeholder id
    and each order's is that URL with its id in the placeholder's place; an id that a router
    would encode, or a URL the placeholder does not appear in once, goes to the router.
    """

    def __init__(self, urls: Urls) -> None:
        self._urls = urls
        self._parts: tuple[str, str] | None = None
        self._built = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._urls, name)

    def order(self, order_id: str) -> str:
        """The order's detail page."""
        if not self._built:
            self._built = True
            url = self._urls.order(_PLACEHOLDER)
            if url.count(_PLACEHOLDER) == 1:
                before, _, after = url.partition(_PLACEHOLDER)
                self._parts = (before, after)
        if self._parts is None or not _PLAIN_ID.fullmatch(order_id):
            return self._urls.order(order_id)
        return f"{self._parts[0]}{order_id}{self._parts[1]}"


def _row_words(locale: str) -> dict[str, str]:
    """The fixed words of a list row in *locale*, escaped (``{number}`` left for the row to fill)."""
    with i18n.activate(locale):
        words = {
            "select": i18n.gettext("Select order #%(number)s") % {"number": "{number}"},
            "order": i18n.gettext("Order"),
            "date": i18n.gettext("Date"),
            "customer": i18n.gettext("Customer"),
            "status": i18n.gettext("Status"),
            "payment": i18n.gettext("Payment"),
            "total": i18n.gettext("Total"),
            "status_is": i18n.gettext("Status:"),
            "payment_is": i18n.gettext("Payment:"),
            "left_note": i18n.gettext("The customer left a note"),
            "note": i18n.gettext("Note"),
            "partial": i18n.gettext("Partially shipped"),
            "incl_tax": i18n.gettext("incl. tax"),
        }
    return {key: str(escape(text)) for key, text in words.items()}


@functools.cache
def _row_parts(locale: str) -> tuple[str, str, str, str]:
    """One row of the order list in *locale*, its note badge, partly-shipped badge and tax note.

    The tax note goes under a taxed order's total ("incl. tax": the total holds the tax, whether
    the prices included it or it was added). The row's every ``{}`` is filled with escaped text
    by :func:`_order_rows`.
    """
    w = _row_words(locale)
    row = (
        '<tr>\n      <td class="pick"><input type="checkbox" name="order" value="{id}" '
        f'aria-label="{w["select"]}"></td>\n'
        f'      <td data-label="{w["order"]}"><a href="{{url}}">#{{number}}</a>{{note}}</td>\n'
        f'      <td data-label="{w["date"]}"><time datetime="{{iso}}">{{when}}</time></td>\n'
        f'      <td data-label="{w["customer"]}">{{name}}<br><small>{{email}}</small></td>\n'
        # A screen reader reads "Status: Refunded" and "Payment: Refunded", not "Refunded" twice.
        f'      <td data-label="{w["status"]}"><span class="status status-{{status}}">'
        f'<span class="visually-hidden">{w["status_is"]} </span>'
        "{status_label}</span>{partial}</td>\n"
        f'      <td data-label="{w["payment"]}"><span class="pay pay-{{pay}}">'
        f'<span class="visually-hidden">{w["payment_is"]} </span>'
        "{pay_label}</span></td>\n"
        f'      <td class="num" data-label="{w["total"]}">{{total}}{{tax}}</td>\n    </tr>\n'
    )
    note = f' <span class="badge note-badge" title="{w["left_note"]}">{w["note"]}</span>'
    #: Beside a Processing order's status while some of its units are in parcels and some are not.
    partial = f' <span class="status status-partially_shipped">{w["partial"]}</span>'
    tax = f'<br><small class="tax">{w["incl_tax"]} {{tax}}</small>'
    return row, note, partial, tax


def _tax_note(part: str, order: OrderSummary, locale: str) -> str:
    """The list row's "incl. tax" note for a taxed *order*."""
    return part.format(tax=escape(formatting.money_label(order.totals.tax, order.currency, locale)))


_LABELS = {
    member: (str(escape(member.value)), str(escape(formatting.status_label(member))))
    for member in (*Status, *PaymentStatus)
}


@functools.cache
def _translated_labels(locale: str) -> dict[Status | PaymentStatus, tuple[str, str]]:
    """:data:`_LABELS` in *locale*'s words (the catalog's translations of the status labels)."""
    with i18n.activate(locale):
        return {
            member: (value, str(escape(formatting.status_label(member))))
            for member, (value, _) in _LABELS.items()
        }


def _order_rows(orders: Sequence[OrderSummary], urls: Urls, locale: str, timezone: str = "UTC") -> Markup:
    """The list's table rows, written in one pass (``{{ orders|order_rows(urls) }}``).

    The same markup a loop in the template writes, at a fraction of its cost per row: the
    list page is the merchant's most visited, and its 50 rows were most of its time.
    """
    rows = []
    labels = _LABELS if locale.startswith("en") else _translated_labels(locale)
    row, note_badge, partial_badge, tax_part = _row_parts(locale)
    for order in orders:
        status, status_label = labels[order.status]
        pay, pay_label = labels[order.payment_status]
        iso = formatting.iso(order.created_at)
        rows.append(
            row.format(
                id=escape(order.id),
                url=escape(urls.order(order.id)),
                number=order.number,
                note=note_badge if order.customer_note else "",
                iso=iso,
                when=(  # formatting.when, without a second strftime in UTC
                    f"{iso[:10]} {iso[11:16]} UTC"
                    if timezone == "UTC"
                    else formatting.when(order.created_at, timezone)
                ),
                name=escape(order.customer.name),
                email=escape(order.customer.email),
                status=status,
                status_label=status_label,
                partial=partial_badge
                if order.fulfilment_status is FulfilmentStatus.PARTIALLY_SHIPPED
                else "",
                pay=pay,
                pay_label=pay_label,
                total=escape(formatting.money_label(order.totals.total, order.currency, locale)),
                tax=tax_part.format(
                    tax=escape(formatting.money_label(order.totals.tax, order.currency, locale))
                )
                if order.totals.tax
                else "",
            )
        )
    return Markup("".join(rows))
