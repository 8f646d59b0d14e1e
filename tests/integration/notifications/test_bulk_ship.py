"""Bulk ship from a CSV file on every database: the preview's checks, one action and email per row, once."""

from __future__ import annotations

from decimal import Decimal

import kasify_orders as ko
from kasify_orders.bulk_ship import Column, Outcome, file_digest, read_csv
from kasify_orders.web.bulk_ship_apply import Done, check_file, ship_rows
from tests.helpers import new_order
from tests.integration.notifications.conftest import SmtpServer

HEADER = b"Order number,Carrier,Tracking number\n"


def money(amount: Decimal, currency: str) -> str:
    return f"{amount} {currency}"


def processing(orders: ko.Orders, count: int, **options: str) -> list[ko.Order]:
    made = []
    for index in range(count):
        order = orders.place(new_order(email=f"buyer{index}@example.com", **options))
        made.append(orders.confirm_payment(order.id))
    return made


def csv_for(orders: list[ko.Order]) -> bytes:
    lines = [f"{order.number},UPS,1Z999AA1{order.number:010d}\n" for order in orders]
    return HEADER + "".join(lines).encode()


def apply(orders: ko.Orders, content: bytes) -> list[Done]:
    read = read_csv(content)
    results = ship_rows(
        orders,
        read.rows,
        digest=file_digest(content),
        actor="staff:bulk",
        may_ship=lambda _o: True,
        money=money,
    )
    return [result.done for result in results]


def shipping_emails(smtp: SmtpServer) -> list[str]:
    return [
        str(r.message["Subject"]) for r in smtp.inbox.received if "has shipped" in str(r.message["Subject"])
    ]


def test_fifty_orders_shipped_from_a_file_get_fifty_emails_once(shop: ko.Orders, smtp: SmtpServer) -> None:
    fifty = processing(shop, 50)
    content = csv_for(fifty)
    before = len(smtp.inbox.received)

    assert apply(shop, content) == [Done.SHIPPED] * 50
    subjects = shipping_emails(smtp)
    assert len(subjects) == 50
    assert len(set(subjects)) == 50  # one per order, each its own
    assert len(smtp.inbox.received) - before == 50
    for order in fifty:
        now = shop.get(order.id)
        assert now.status is ko.Status.SHIPPED
        assert now.shipment is not None and now.shipment.tracking_number == f"1Z999AA1{order.number:010d}"
        assert [e.actor for e in now.timeline if e.kind == "shipped"] == ["staff:bulk"]

    # The same file again (a rerun, a double submit): nothing to do, no email, no timeline entry.
    assert apply(shop, content) == [Done.NOTHING] * 50
    assert len(shipping_emails(smtp)) == 50
    assert all(len([e for e in shop.get(o.id).timeline if e.kind == "shipped"]) == 1 for o in fifty)


def test_the_preview_names_each_rows_problem_and_changes_nothing(shop: ko.Orders, smtp: SmtpServer) -> None:
    ready, shipped, other = processing(shop, 3)
    pending = shop.place(new_order())
    held = shop.hold(processing(shop, 1)[0].id, reason="address check")
    shop.mark_shipped(shipped.id, tracking_number="1Z999AA10000000001", carrier="ups")
    content = (
        HEADER
        + (
            f"{ready.number},ups,1Z999AA10000000009\n"
            f"{shipped.number},UPS,1Z999AA10000000001\n"  # a rerun: nothing to do
            f"{other.number},Evri,H01HYA0012345678\n"
            f"{other.number},Evri,H01HYA0012345678\n"  # repeated exactly
            f"{pending.number},UPS,1Z999AA10000000002\n"
            f"{held.number},UPS,1Z999AA10000000003\n"
            "99999,UPS,1Z999AA10000000004\n"
            "abc,,x\n"
        ).encode()
    )
    emails = len(smtp.inbox.received)
    versions = {o.id: shop.get(o.id).version for o in (ready, shipped, other, pending, held)}

    checked = check_file(shop, read_csv(content).rows, lambda _o: True)

    assert [c.outcome for c in checked] == [
        Outcome.SHIP,
        Outcome.NOTHING,
        Outcome.SHIP,
        Outcome.NOTHING,
        Outcome.PROBLEM,
        Outcome.PROBLEM,
        Outcome.PROBLEM,
        Outcome.PROBLEM,
    ]
    assert checked[2].carrier == "Evri" and not checked[2].known_carrier
    assert checked[0].carrier == "ups" and checked[0].known_carrier
    not_paid = f"order #{pending.number} is not paid yet: confirm its payment first"
    assert [str(p) for p in checked[4].problems] == [
        f"line 6, Order number: {not_paid}; only Processing orders can be shipped"
    ]
    assert "is on hold: release it first" in str(checked[5].problems[0])
    assert [str(p) for p in checked[6].problems] == ["line 8, Order number: there is no order #99999"]
    assert [(p.line, p.column) for p in checked[7].problems] == [
        (9, Column.ORDER_NUMBER),
        (9, Column.CARRIER),
        (9, Column.TRACKING_NUMBER),
    ]
    assert {o.id: shop.get(o.id).version for o in (ready, shipped, other, pending, held)} == versions
    assert len(smtp.inbox.received) == emails

    assert apply(shop, content) == [
        Done.SHIPPED,
        Done.NOTHING,
        Done.SHIPPED,
        Done.NOTHING,
        Done.SKIPPED,
        Done.SKIPPED,
        Done.SKIPPED,
        Done.SKIPPED,
    ]
    assert len(smtp.inbox.received) == emails + 2
    assert shop.get(pending.id).version == versions[pending.id]


def test_two_tracking_numbers_for_one_order_are_both_refused(shop: ko.Orders) -> None:
    (order,) = processing(shop, 1)
    content = (
        HEADER + f"{order.number},UPS,1Z999AA10000000001\n{order.number},UPS,1Z999AA10000000002\n".encode()
    )
    checked = check_file(shop, read_csv(content).rows, lambda _o: True)
    assert [str(c.problems[0]) for c in checked] == [
        f"line 2, Tracking number: order #{order.number} is also on line 3 with another tracking number",
        f"line 3, Tracking number: order #{order.number} is also on line 2 with another tracking number",
    ]
    assert apply(shop, content) == [Done.SKIPPED, Done.SKIPPED]
    assert shop.get(order.id).status is ko.Status.PROCESSING


def test_a_row_the_host_may_not_ship_is_refused_and_ships_nothing(shop: ko.Orders, smtp: SmtpServer) -> None:
    mine, theirs = processing(shop, 2)
    content = csv_for([mine, theirs])
    emails = len(smtp.inbox.received)
    read = read_csv(content)
    results = ship_rows(
        shop, read.rows, digest=read.digest, actor="staff:a", may_ship=lambda o: o.id == mine.id, money=money
    )
    assert [r.done for r in results] == [Done.SHIPPED, Done.SKIPPED]
    assert results[1].message == "You may not mark this order shipped."
    assert shop.get(theirs.id).status is ko.Status.PROCESSING
    assert len(smtp.inbox.received) == emails + 1


def test_an_order_shipped_with_another_number_is_not_shipped_again(shop: ko.Orders) -> None:
    (order,) = processing(shop, 1)
    shop.mark_shipped(order.id, tracking_number="1Z999AA10000000001", carrier="ups")
    content = HEADER + f"{order.number},UPS,1Z999AA10000000002\n".encode()
    (checked,) = check_file(shop, read_csv(content).rows, lambda _o: True)
    assert checked.outcome is Outcome.PROBLEM
    assert "already shipped with tracking number 1Z999AA10000000001" in checked.problems[0].message
