"""The CSV export streams plain rows in keyset batches and writes exactly the orders there are."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import attrs

import kasify_orders as ko
from kasify_orders import export
from kasify_orders.storage.queries import OrderFilter
from tests.helpers import new_order


def _shop(orders: ko.Orders) -> list[ko.Order]:
    """Orders in several states: paid, shipped, refunded in part, with a coupon, in yen."""
    orders.coupons.create(ko.Coupon.percentage("SAVE20", 20))
    placed = [orders.place(new_order(email=f"c{i}@example.com", name=f"Customer, “{i}”")) for i in range(7)]
    placed.append(orders.place(new_order(coupon_code="SAVE20")))
    placed.append(orders.place(new_order(currency="JPY", unit_price="1200", shipping="500")))
    for order in placed[:5]:
        orders.confirm_payment(order.id)
    orders.mark_shipped(placed[0].id, tracking_number="1Z999AA10123456784", carrier="ups")
    orders.refund(placed[1].id, Decimal("1.05"))
    orders.cancel(placed[2].id, reason="asked", refund=True)
    return [orders.get(order.id) for order in placed]


def test_the_csv_export_writes_every_order_as_it_is(orders: ko.Orders) -> None:
    stored = _shop(orders)
    out = io.StringIO()
    assert export.export_csv(orders.store, OrderFilter(), out, batch_size=4) == len(stored)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [int(row["number"]) for row in rows] == [order.number for order in stored]
    for row, order in zip(rows, stored, strict=True):
        assert row["id"] == order.id and row["status"] == order.status.value
        assert row["payment_status"] == order.payment_status.value
        assert (row["customer_name"], row["customer_email"]) == (order.customer.name, order.customer.email)
        assert (
            Decimal(row["total"]) == order.totals.total and Decimal(row["refunded"]) == order.totals.refunded
        )
        assert row["subtotal"] == str(order.totals.subtotal) and row["discount"] == str(order.totals.discount)
        assert row["created_at"] == order.created_at.isoformat()
        assert row["paid_at"] == (order.paid_at.isoformat() if order.paid_at else "")
        assert row["tracking_number"] == (order.shipment.tracking_number if order.shipment else "")
        assert row["coupon_code"] == (order.coupon_code or "")
    assert rows[-1]["total"] == "2900" and rows[-1]["currency"] == "JPY"


def test_the_csv_export_matches_the_summaries_writer_and_filters(orders: ko.Orders) -> None:
    """The same bytes as :func:`export.write_csv` of the store's summaries, with or without a filter."""
    _shop(orders)
    for where in (OrderFilter(), OrderFilter(status=ko.Status.PROCESSING), OrderFilter(search="customer")):
        fast, summaries = io.StringIO(), io.StringIO()
        written = export.export_csv(orders.store, where, fast, batch_size=3)
        assert written == export.write_csv(orders.store.iter_summaries(where), summaries)
        assert fast.getvalue() == summaries.getvalue()
    processing = io.StringIO()
    assert export.export_csv(orders.store, OrderFilter(status=ko.Status.PROCESSING), processing) == 3


def test_the_export_reports_progress_per_batch(orders: ko.Orders) -> None:
    _shop(orders)
    seen: list[int] = []
    export.export_csv(orders.store, OrderFilter(), io.StringIO(), progress=seen.append, batch_size=4)
    assert seen == [4, 4, 1]


def test_times_sqlite_holds_as_text_are_written_as_isoformat() -> None:
    from datetime import UTC, datetime

    from kasify_orders.export import _sqlite_time_text

    for moment in (datetime(2026, 5, 1, 14, 3, tzinfo=UTC), datetime(2026, 5, 1, 14, 3, 7, 120, tzinfo=UTC)):
        stored = moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        assert _sqlite_time_text(stored) == moment.isoformat()
        assert _sqlite_time_text(moment.replace(tzinfo=None)) == moment.isoformat()
    assert _sqlite_time_text("2026-05-01 14:03:07") == "2026-05-01T14:03:07+00:00"


def test_the_csv_export_has_the_tax_and_whether_prices_include_it(orders: ko.Orders) -> None:
    cart = new_order()
    taxed = orders.place(
        attrs.evolve(
            cart, lines=[attrs.evolve(cart.lines[0], tax=Decimal("9.50"))], shipping_tax=Decimal("0.95")
        )
    )
    included = orders.place(
        attrs.evolve(
            cart,
            lines=[attrs.evolve(cart.lines[0], tax=Decimal("7.98"))],
            shipping_tax=Decimal("0.80"),
            prices_include_tax=True,
        )
    )
    untaxed = orders.place(cart)
    out = io.StringIO()
    export.export_csv(orders.store, OrderFilter(), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(row["tax"], row["prices_include_tax"], row["total"]) for row in rows] == [
        ("10.45", "false", "65.45"),
        ("8.78", "true", "55.00"),
        ("0.00", "false", "55.00"),
    ]
    summaries = io.StringIO()  # the writer of other stores' summaries says the same
    export.write_csv(orders.store.iter_summaries(OrderFilter()), summaries)
    assert summaries.getvalue() == out.getvalue()
    assert [row["number"] for row in rows] == [str(o.number) for o in (taxed, included, untaxed)]
