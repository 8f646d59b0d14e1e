"""Realistic orders in every status, so the demo's merchant pages have something to show."""

from __future__ import annotations

from decimal import Decimal

from kasify_orders.demo.catalogue import CATALOGUE
from kasify_orders.model import Address, Coupon, Customer, NewLine, NewOrder
from kasify_orders.service import Orders

__all__ = ["seed"]

_PEOPLE = [
    ("Ada Lovelace", "ada@example.com", Address("12 St James's Sq", "London", "SW1Y 4JH", "GB")),
    ("Grace Hopper", "grace@example.com", Address("1 Navy Way", "Arlington", "22202", "US", region="VA")),
    ("Alan Turing", "alan@example.org", Address("78 High St", "Wilmslow", "SK9 1AA", "GB")),
    (
        "Katherine Johnson",
        "kj@example.net",
        Address("400 Langley Blvd", "Hampton", "23681", "US", region="VA"),
    ),
    (
        "Margaret Hamilton",
        "margaret@example.com",
        Address("55 Tech Sq", "Cambridge", "02139", "US", region="MA"),
    ),
    ("Hedy Lamarr", "hedy@example.at", Address("Ringstraße 3", "Wien", "1010", "AT")),
    ("Tim Berners-Lee", "tim@example.ch", Address("Esplanade des Particules 1", "Meyrin", "1217", "CH")),
    ("Radia Perlman", "radia@example.com", Address("9 Bridge Rd", "Seattle", "98101", "US", region="WA")),
]

_NOTES = ["", "Gift wrap please — it's a birthday present", "", "Leave with the neighbour at no. 14", ""]


def _cart(index: int) -> list[NewLine]:
    products = list(CATALOGUE.values())
    first = products[index % len(products)]
    lines = [
        NewLine(first.sku, first.name, quantity=1 + index % 2, unit_price=first.price, variant=first.variant)
    ]
    if index % 3 == 0:
        second = products[(index + 2) % len(products)]
        lines.append(
            NewLine(second.sku, second.name, quantity=1, unit_price=second.price, variant=second.variant)
        )
    return lines


def seed(orders: Orders) -> int:
    """Place and move demo orders through every status; does nothing on a store that has orders.

    Returns how many orders it placed.
    """
    if sum(orders.count_by_status().values()):
        return 0
    orders.coupons.create(Coupon.percentage("SAVE20", 20, minimum_order=Decimal(50)))
    orders.coupons.create(Coupon.fixed("TENOFF", Decimal(10)))
    orders.coupons.create(Coupon.free_shipping("SHIPFREE"))
    # What happens to each order, in placing order (the last one placed shows first).
    plan = [
        "delivered",
        "refunded",
        "delivered_partly_refunded",
        "cancelled",
        "shipped",
        "shipped",
        "processing",
        "on_hold",
        "processing",
        "pending",
        "pending",
        "pending",
    ]
    coupons = [None, "SAVE20", None, "TENOFF", None, "SHIPFREE"]
    for index, fate in enumerate(plan):
        name, mail, address = _PEOPLE[index % len(_PEOPLE)]
        order = orders.place(
            NewOrder(
                customer=Customer(name, mail),
                shipping_address=address,
                lines=_cart(index),
                currency="USD",
                shipping_cost=Decimal("5.00"),
                coupon_code=coupons[index % len(coupons)] if index % 2 else None,
                customer_note=_NOTES[index % len(_NOTES)],
            ),
            idempotency_key=f"demo-seed-{index}",
        )
        if fate == "pending":
            continue
        if fate == "cancelled":
            orders.cancel(order.id, reason="customer changed their mind", actor="staff:demo")
            continue
        orders.confirm_payment(order.id, actor="staff:demo")
        if fate == "on_hold":
            orders.hold(order.id, reason="address check: the flat number is missing", actor="staff:demo")
        if fate in {"processing", "on_hold"}:
            continue
        orders.mark_shipped(
            order.id, tracking_number=f"1Z999AA1012345{6780 + index}", carrier="ups", actor="staff:demo"
        )
        if fate == "shipped":
            continue
        orders.mark_delivered(order.id, actor="staff:demo")
        if fate == "refunded":
            orders.refund(order.id, note="arrived damaged", actor="staff:demo")
        elif fate == "delivered_partly_refunded":
            orders.refund(order.id, Decimal("5.00"), note="late delivery goodwill", actor="staff:demo")
    return len(plan)
