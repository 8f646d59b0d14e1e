"""The order page's forms written in Python (``web/form_html.py``) are the macros' markup, byte for byte.

Each order is a real one on each database, in the states whose forms differ: pending, paid,
shipped in two parcels, refunded by line, edited, cancelled, shipped with a return open; and the
page after a failed action (its errors beside the fields, what was typed kept). Each form the page offers is
rendered through ``_macros.html``'s ``action_fields`` and through :func:`action_fields`, in
English and German.
"""

from __future__ import annotations

import flask
import pytest

import kasify_orders as ko
from kasify_orders import i18n
from kasify_orders.registry import MERCHANT_ACTIONS
from kasify_orders.web.form_html import action_fields, hidden_inputs
from kasify_orders.web.forms import FORM_KEY, Failure
from kasify_orders.web.pages import MerchantPages, Page
from kasify_orders.web.render import environment
from tests.adapters.flask.conftest import ADMIN
from tests.helpers import new_order, tee_and_mug

UPS = "1Z999AA10123456784"


def orders_in_every_state(orders: ko.Orders) -> list[ko.Order]:
    """Orders whose pages offer every kind of form: lines, choices, checkboxes, amounts, keys."""
    pending = orders.place(tee_and_mug(note="Gift wrap, please"))
    paid = orders.confirm_payment(orders.place(tee_and_mug()).id)
    parcels = orders.confirm_payment(orders.place(tee_and_mug()).id)
    orders.mark_shipped(parcels.id, tracking_number=UPS, carrier="ups", lines={1: 1})
    parcels = orders.mark_shipped(parcels.id, tracking_number="JD014600006281230613", carrier="Evri")
    by_line = orders.confirm_payment(orders.place(tee_and_mug()).id)
    orders.refund(by_line.id, lines={1: 1}, shipping=True, restock=True, note="torn seam")
    edited = orders.confirm_payment(orders.place(tee_and_mug()).id)
    orders.edit(edited.id, set_quantity={1: 1}, note="customer called")
    cancelled = orders.cancel(orders.place(new_order(quantity=1)).id)
    returned = orders.confirm_payment(orders.place(tee_and_mug()).id)
    orders.mark_shipped(returned.id, tracking_number=UPS, carrier="ups")
    orders.returns.open(returned.id, lines={1: 1}, reason="too small")
    orders.add_note(paid.id, "Called the customer <b>twice</b> & left a message")
    return [orders.get(o.id) for o in (pending, paid, parcels, by_line, edited, cancelled, returned)]


def _page(pages: MerchantPages, order: ko.Order) -> Page:
    return pages.order_detail(order.id, lambda action, order: True)


def _forms(page: Page) -> list[object]:
    return [
        *page.context["action_forms"],
        *page.context["timeline_forms"],
        *(f for item in page.context["timeline"] for f in item.forms),
        *page.context["returns_forms"],
        *(f for row in page.context["returns"] for f in row.forms),
    ]


def _macro_fields(locale: str, form: object) -> str:
    template = environment(locale).from_string(
        '{% from "_macros.html" import action_fields with context %}{{ action_fields(form) }}'
    )
    with i18n.activate(locale):
        return template.render(form=form, form_key=FORM_KEY)


@pytest.mark.parametrize("locale", ["en", "de"])
def test_every_form_of_the_page_is_the_macros_markup(
    app: flask.Flask, orders: ko.Orders, locale: str
) -> None:
    every = orders_in_every_state(orders)
    with app.test_request_context(f"{ADMIN}/"):
        pages = app.extensions["kasify_orders"].pages
        failed = {"line-1": "9", "pick-line-1": "on", "amount": "", "note": "typed <here>"}
        seen = set()
        for order in every:
            with i18n.activate(locale):
                shown = [*_forms(_page(pages, order))]
                # After a failed refund: the errors beside its fields, what was typed kept.
                if order.payment_status.was_paid:
                    sent = pages.act(
                        order.id,
                        "refund",
                        {**failed, "version": str(order.version)},
                        actor="staff:7",
                        authorize=lambda action, order: True,
                    )
                    assert isinstance(sent, Page)
                    shown += _forms(sent)
            for form in shown:
                seen.add(form.action)
                with i18n.activate(locale):
                    written = action_fields(form, i18n.translations(locale).gettext)
                assert str(written) == _macro_fields(locale, form), form.action
    # The forms of every widget: lines with picks, a select with "Other…", checkboxes, text.
    assert {"refund", "mark_shipped", "update_tracking", "add_note", "email_customer", "cancel"} <= seen
    assert "open_return" in seen and any(action.startswith("receive_return-") for action in seen)


def test_an_error_beside_a_field_is_written_as_the_macro_writes_it(
    app: flask.Flask, orders: ko.Orders
) -> None:
    paid = orders.confirm_payment(orders.place(tee_and_mug()).id)
    with app.test_request_context(f"{ADMIN}/"):
        pages = app.extensions["kasify_orders"].pages
        page = pages._detail(  # the page as a failed action leaves it
            paid,
            lambda action, order: True,
            failed=MERCHANT_ACTIONS.find("mark_shipped"),
            failure=Failure(
                400, {"tracking_number": ["Enter a <tracking> number."], "carrier": ["Pick one."]}
            ),
            form={"tracking_number": "", "carrier": "other", "carrier_other": "Evri & Co"},
        )
    forms = {f.action: f for f in _forms(page)}
    written = str(action_fields(forms["mark_shipped"], i18n.translations("en").gettext))
    assert written == _macro_fields("en", forms["mark_shipped"])
    assert "Enter a &lt;tracking&gt; number." in written
    assert 'value="Evri &amp; Co"' in written


def test_the_hidden_inputs_are_the_macros(orders: ko.Orders) -> None:
    template = environment("en").from_string(
        '{% from "_macros.html" import hidden with context %}{{ hidden(none, order) }}'
    )
    order = orders.place(new_order())
    expected = template.render(order=order, csrf_token='t"<ok>', csrf_field="csrf_token")
    assert str(hidden_inputs("csrf_token", 't"<ok>', order.version)) == expected
