"""The bulk-ship pages on every host: upload, preview (nothing changes), apply once, refusals.

Subclassed beside each adapter's ``site`` fixture (tests/adapters/flask/test_bulk_ship.py,
tests/adapters/django/test_bulk_ship.py), so Flask and Django serve the same pages.
"""

from __future__ import annotations

import re

import kasify_orders as ko
from tests.adapters.contract import Answer, MerchantSite
from tests.helpers import new_order

HEADER = "Order number,Carrier,Tracking number\n"


def paid(orders: ko.Orders, count: int) -> list[ko.Order]:
    made = []
    for _ in range(count):
        order = orders.place(new_order())
        made.append(orders.confirm_payment(order.id))
    return made


def upload(site: MerchantSite, text: str, *, csrf: bool = True) -> Answer:
    return site.post(site.page_url("bulk-ship"), {}, csrf=csrf, files={"file": ("ship.csv", text.encode())})


def carried(preview: Answer) -> dict[str, str]:
    """The preview's apply form, as the browser would post it."""
    content = re.search(r'name="content" value="([^"]+)"', preview.raw)
    assert content is not None, preview.text
    return {"content": content.group(1), "filename": "ship.csv"}


def shipped_entries(orders: ko.Orders, order: ko.Order) -> int:
    return sum(1 for event in orders.get(order.id).timeline if event.kind == "shipped")


class BulkShipPagesContract:
    """Subclass it as ``Test...`` beside a ``site`` fixture."""

    def test_the_upload_form_names_the_columns(self, site: MerchantSite, orders: ko.Orders) -> None:
        answer = site.get(site.page_url("bulk-ship"))
        assert answer.status == 200
        assert "Order number, Carrier, Tracking number" in answer.text
        assert (
            'enctype="multipart/form-data"' in answer.raw
            and 'type="file" accept=".csv,text/csv"' in answer.raw
        )
        listed = site.get(site.list_url()).raw  # the order list leads here
        assert "Mark orders shipped from a CSV file" in listed

    def test_the_preview_names_every_problem_and_changes_nothing(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        ready, other = paid(orders, 2)
        pending = orders.place(new_order())
        before = [orders.get(o.id) for o in (ready, other, pending)]
        text = (
            HEADER
            + f"{ready.number},UPS,1Z999AA10123456784\n"
            + f"{pending.number},UPS,1Z999AA10123456785\n"
            + f"{other.number},,1Z\n"
        )

        preview = upload(site, text)

        assert preview.status == 200
        assert "1 to ship, 0 with nothing to do, 2 with problems (skipped)." in preview.text
        assert f"order #{pending.number} is not paid yet: confirm its payment first" in preview.text
        assert "Carrier: must not be blank" in preview.text
        assert "Tracking number: must be 4-64 letters, digits, spaces or dashes" in preview.text
        assert re.search(r'data-line="4"', preview.raw)
        assert "Ship 1 order" in preview.text
        assert [orders.get(o.id) for o in (ready, other, pending)] == before

    def test_applying_ships_each_row_once_even_when_submitted_twice(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        first, second = paid(orders, 2)
        text = HEADER + f"{first.number},UPS,1Z999AA10123456784\n{second.number},Evri,H01HYA0012345678\n"
        form = carried(upload(site, text))

        result = site.post(site.page_url("bulk-ship/apply"), form)

        assert result.status == 200
        assert "2 shipped, 0 with nothing to do, 0 skipped, 0 failed." in result.text
        parcel = orders.get(second.id).shipment
        assert parcel is not None  # the whole order in one parcel
        assert parcel.lines == {line.id: line.quantity for line in orders.get(second.id).lines}
        assert parcel == ko.Shipment(
            parcel.id, parcel.lines, "Evri", "H01HYA0012345678", None, parcel.shipped_at
        )
        again = site.post(site.page_url("bulk-ship/apply"), form)  # a double submit, a rerun
        assert "0 shipped, 2 with nothing to do, 0 skipped, 0 failed." in again.text
        assert "Already shipped with this tracking number: nothing to do." in again.text
        assert "0 to ship, 2 with nothing to do" in upload(site, text).text  # the same file again
        assert [shipped_entries(orders, o) for o in (first, second)] == [1, 1]

    def test_a_file_that_cannot_be_read_is_explained_beside_the_field(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        missing = upload(site, "order,tracking\n1,1Z999AA10123456784\n")
        assert missing.status == 400
        assert "Line 1, Carrier: no Carrier column in the header." in missing.text
        assert 'aria-invalid="true"' in missing.raw
        none = site.post(site.page_url("bulk-ship"), {"x": "1"})
        assert none.status == 400 and "Choose a CSV file to upload." in none.text
        stale = site.post(site.page_url("bulk-ship/apply"), {"content": "not base64!"})
        assert stale.status == 400 and "upload the file again" in stale.text

    def test_whom_authorize_refuses_gets_403_and_nothing_ships(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        (order,) = paid(orders, 1)
        text = HEADER + f"{order.number},UPS,1Z999AA10123456784\n"
        form = carried(upload(site, text))
        nobody = site.refusing()

        assert nobody.get(nobody.page_url("bulk-ship")).status == 403
        assert upload(nobody, text).status == 403
        assert nobody.post(nobody.page_url("bulk-ship/apply"), form).status == 403
        assert orders.get(order.id) == order

    def test_a_form_without_its_csrf_token_ships_nothing(self, site: MerchantSite, orders: ko.Orders) -> None:
        (order,) = paid(orders, 1)
        text = HEADER + f"{order.number},UPS,1Z999AA10123456784\n"
        form = carried(upload(site, text))

        assert upload(site, text, csrf=False).status in {400, 403}
        assert site.post(site.page_url("bulk-ship/apply"), form, csrf=False).status in {400, 403}
        assert orders.get(order.id) == order
