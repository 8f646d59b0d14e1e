"""The Edit order page, on every host: the form, errors beside their fields, the edit, Amount due.

Subclassed beside each adapter's ``site`` fixture (tests/adapters/flask/test_edit_pages.py,
tests/adapters/django/test_edit_pages.py), so Flask and Django serve the same page.
"""

from __future__ import annotations

import re
from decimal import Decimal

import kasify_orders as ko
from tests.adapters.contract import MerchantSite
from tests.helpers import tee_and_mug


def paid_order(orders: ko.Orders) -> ko.Order:
    """A paid order of 2 T-shirts (line 1) and a mug (line 2): 63.00 with shipping."""
    return orders.confirm_payment(orders.place(tee_and_mug()).id)


def form_of(order: ko.Order, **changes: str) -> dict[str, str]:
    """The edit form as the page fills it in, with *changes*."""
    address = order.shipping_address
    values = {
        f"ship_{name}": getattr(address, name)
        for name in ("line1", "line2", "city", "region", "postal_code", "country")
    }
    values.update({f"quantity_{line.id}": str(line.quantity) for line in order.lines})
    values.update({"expected_version": str(order.version), "add_quantity": "1"})
    return {**values, **changes}


class EditPagesContract:
    """Subclass it as ``Test...`` beside a ``site`` fixture."""

    def test_the_order_page_links_to_the_form_filled_in_with_the_order(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = paid_order(orders)
        page = site.get(site.order_url(order.id))
        assert 'data-field="edit-order"' in page.raw and "Edit order" in page.text
        form = site.get(site.page_url(f"edit-order/{order.id}"))
        assert form.status == 200
        assert 'name="quantity_1" value="2"' in form.raw and 'name="remove_2"' in form.raw
        assert f'value="{order.shipping_address.city}"' in form.raw and 'name="add_sku"' in form.raw

    def test_posting_the_form_edits_and_the_order_page_shows_the_amount_due(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = paid_order(orders)
        answer = site.post(
            site.page_url(f"edit-order/{order.id}"),
            form_of(
                order,
                quantity_1="3",
                remove_2="1",
                add_sku="CAP",
                add_name="Cap",
                add_unit_price="12.00",
                ship_city="York",
                note="customer called",
            ),
        )
        assert answer.status in {302, 303}, answer.text
        edited = orders.get(order.id)
        assert [(line.id, line.quantity) for line in edited.lines] == [(1, 3), (3, 1)]
        assert edited.shipping_address.city == "York" and edited.totals.amount_due == Decimal("29.00")
        # The edit's entry (a host sending the email adds its own after it).
        assert [e.kind for e in edited.timeline].count(ko.TimelineKind.EDITED) == 1
        page = site.get(site.order_url(order.id))
        assert re.search(r'data-field="amount-due">[^<]*29\.00', page.raw)
        assert "Quantity of T-shirt: 2 → 3" in page.text
        assert "Order placed: 3 items, total $63.00" in page.text  # what was placed, not what is now

    def test_errors_are_shown_beside_their_fields_and_nothing_changes(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = paid_order(orders)
        answer = site.post(
            site.page_url(f"edit-order/{order.id}"),
            form_of(
                order, quantity_1="0", add_sku="CAP", add_name="Cap", add_unit_price="lots", ship_country="XX"
            ),
        )
        assert answer.status == 400
        assert re.search(
            r'id="edit-quantity_1-error">[^<]*at least|id="edit-quantity_1-error">[^<]*1 to', answer.raw
        )
        assert 'id="edit-add_unit_price-error"' in answer.raw
        assert 'value="lots"' in answer.raw  # what was typed is kept
        assert orders.get(order.id) == order
        nothing = site.post(site.page_url(f"edit-order/{order.id}"), form_of(order))
        assert nothing.status == 400 and "nothing to change" in nothing.text.lower()

    def test_a_shipped_order_and_a_refused_user_change_nothing(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        order = paid_order(orders)
        nobody = site.refusing()
        refused = nobody.post(site.page_url(f"edit-order/{order.id}"), form_of(order, quantity_1="3"))
        assert refused.status in {302, 403}
        no_csrf = site.post(
            site.page_url(f"edit-order/{order.id}"), form_of(order, quantity_1="3"), csrf=False
        )
        assert no_csrf.status in {400, 403}
        assert orders.get(order.id) == order
        orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
        assert 'data-field="edit-order"' not in site.get(site.order_url(order.id)).raw
        late = site.post(site.page_url(f"edit-order/{order.id}"), form_of(order, quantity_1="3"))
        assert late.status == 409 and "can no longer be edited" in late.text
