"""The demo's first start: coupons of each kind, tracked stock (some low) and two weeks of orders.

So that a fresh demo's pages show something real: every status tab, a "Needs attention" count
(orders paid days ago and still not shipped), orders on every day of the last two weeks for
the date filter, several countries, coupons used, SKUs running low. :func:`seed` does nothing
on a store that already has orders or coupons, so a second start adds nothing.

Each order is placed and moved at the time its story says ("placed nine days ago, paid an
hour later"): the seeds run the ``Orders``' actions with their clock set back, so every
timestamp, the timeline and the needs-attention rule see the same past a real shop would have.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs

from kasify_orders.demo.catalogue import CATALOGUE
from kasify_orders.model import Address, Coupon, Customer, NewLine, NewOrder
from kasify_orders.service import Orders

__all__ = ["COUPONS", "PLAN", "STOCK", "seed"]

STAFF = "staff:demo"

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
    ("Marie Curie", "marie@example.fr", Address("11 Rue Pierre et Marie Curie", "Paris", "75005", "FR")),
]

_NOTES = ["", "Gift wrap please — it's a birthday present", "", "Leave with the neighbour at no. 14", ""]


def _coupons(now: datetime) -> list[Coupon]:
    return [
        Coupon.percentage("SAVE20", 20, minimum_order=Decimal(50)),
        Coupon.percentage("WELCOME10", 10, once_per_customer=True),
        Coupon.percentage(
            "WINTER15", 15, starts_at=now - timedelta(days=7), ends_at=now + timedelta(days=30)
        ),
        Coupon.percentage("SUMMER30", 30, ends_at=now - timedelta(days=60), active=False),
        Coupon.fixed("TENOFF", Decimal(10)),
        Coupon.fixed("FIVER", Decimal(5), usage_limit=100),
        Coupon.fixed("BIGBASKET", Decimal(25), minimum_order=Decimal(100), currency="USD"),
        Coupon.free_shipping("SHIPFREE"),
        Coupon.free_shipping("FREESHIP40", minimum_order=Decimal(40)),
        Coupon.free_shipping("FRIENDS", usage_limit=20, once_per_customer=True),
    ]


#: The coupons a fresh demo has, by code (each of the three kinds, with limits and dates).
COUPONS = tuple(coupon.code for coupon in _coupons(datetime(2026, 1, 1, tzinfo=UTC)))

#: Units on hand per SKU once the orders are placed: two run low.
STOCK = {
    "TEE-RED-M": 42,
    "TEE-BLU-L": 3,
    "MUG-ENAMEL": 60,
    "TOTE-CANVAS": 25,
    "CAP-WOOL": 2,
    "NOTE-A5": 120,
}


@attrs.frozen
class Story:
    """One seeded order: placed *days_ago* days and *hours_ago* hours back, and what became of it."""

    days_ago: int
    fate: str
    hours_ago: int = 0
    coupon: str | None = None


#: Every seeded order, oldest first; "late" orders are paid and unshipped for days (needs attention).
PLAN: tuple[Story, ...] = (
    Story(13, "delivered"),
    Story(13, "delivered", 5, "TENOFF"),
    Story(12, "delivered_partly_refunded"),
    Story(11, "late", 2, "SHIPFREE"),
    Story(11, "delivered"),
    Story(10, "refunded", 4),
    Story(9, "delivered", 0, "SAVE20"),
    Story(9, "pending", 6),
    Story(8, "late"),
    Story(8, "delivered", 3, "FIVER"),
    Story(7, "cancelled"),
    Story(7, "shipped", 2),
    Story(6, "late", 1, "TENOFF"),
    Story(6, "shipped"),
    Story(5, "on_hold", 3),
    Story(5, "shipped", 0, "SHIPFREE"),
    Story(4, "late", 5),
    Story(4, "shipped"),
    Story(3, "cancelled", 2),
    Story(3, "shipped", 1, "TENOFF"),
    Story(3, "pending", 7),
    Story(2, "shipped"),
    Story(2, "processing", 4, "FIVER"),
    Story(1, "processing"),
    Story(1, "pending", 3, "SAVE20"),
    Story(0, "processing", 5),
    Story(0, "pending", 2),
    Story(0, "pending", 1, "SHIPFREE"),
)


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


class _Past:
    """The seeds' clock: the time each step of a story happens, never later than now."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.moment = now

    def at(self, moment: datetime) -> None:
        self.moment = min(moment, self.now - timedelta(minutes=1))

    def __call__(self) -> datetime:
        return self.moment


@contextmanager
def _in_the_past(orders: Orders, past: _Past) -> Iterator[None]:
    """Run *orders*' actions at the times *past* says (the outbox keeps the real clock)."""
    writer = orders._writer  # the demo writes history: no public clock to set back
    real = writer.clock
    writer.clock = past
    try:
        yield
    finally:
        writer.clock = real


def _fresh(orders: Orders) -> bool:
    return not sum(orders.count_by_status().values()) and not orders.coupons.all()


def _coupon_fits(code: str | None, lines: list[NewLine]) -> str | None:
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    return None if code == "SAVE20" and subtotal < 50 else code


def _live(orders: Orders, past: _Past, index: int, story: Story) -> None:
    """Place order *index* and take it where its story ends, each step at its own time."""
    name, mail, address = _PEOPLE[index % len(_PEOPLE)]
    lines = _cart(index)
    placed = past.now - timedelta(days=story.days_ago, hours=story.hours_ago + 1)
    with _in_the_past(orders, past):
        past.at(placed)
        order = orders.place(
            NewOrder(
                customer=Customer(name, mail),
                shipping_address=address,
                lines=lines,
                currency="USD",
                shipping_cost=Decimal("5.00"),
                coupon_code=_coupon_fits(story.coupon, lines),
                customer_note=_NOTES[index % len(_NOTES)],
            ),
            idempotency_key=f"demo-seed-{index}",
        )
        fate = story.fate
        if fate == "pending":
            return
        past.at(placed + timedelta(hours=1))
        if fate == "cancelled":
            orders.cancel(order.id, reason="customer changed their mind", actor=STAFF)
            return
        orders.confirm_payment(order.id, actor=STAFF)
        if fate == "on_hold":
            orders.hold(order.id, reason="address check: the flat number is missing", actor=STAFF)
        if fate in {"processing", "late", "on_hold"}:
            return
        past.at(placed + timedelta(days=1))
        orders.mark_shipped(
            order.id, tracking_number=f"1Z999AA1012345{6780 + index}", carrier="ups", actor=STAFF
        )
        if fate == "shipped":
            return
        past.at(placed + timedelta(days=3))
        orders.mark_delivered(order.id, actor=STAFF)
        past.at(placed + timedelta(days=4))
        if fate == "refunded":
            orders.refund(order.id, note="arrived damaged", actor=STAFF)
        elif fate == "delivered_partly_refunded":
            orders.refund(order.id, Decimal("5.00"), note="late delivery goodwill", actor=STAFF)


def seed(orders: Orders) -> int:
    """Seed a fresh store (no orders, no coupons) with the demo's coupons, stock and orders.

    Returns how many orders it placed: 0 when the store was not fresh (nothing is added).
    """
    if not _fresh(orders):
        return 0
    now = orders.clock()
    for coupon in _coupons(now):
        orders.coupons.create(coupon)
    past = _Past(now)
    for index, story in enumerate(PLAN):
        _live(orders, past, index, story)
    for sku, quantity in STOCK.items():  # tracked from now on: the seeded orders took none of it
        orders.inventory.set_stock(sku, quantity)
    return len(PLAN)
