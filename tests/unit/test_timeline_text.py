"""The order page's timeline words: written again from each entry's data, as the record says them."""

from datetime import UTC, datetime
from decimal import Decimal

import attrs

from kasify_orders import actions
from kasify_orders.i18n import activate
from kasify_orders.model import Order, TimelineEvent
from kasify_orders.validation import validate_new_order
from kasify_orders.web.timeline_text import entry_text
from tests.helpers import new_order

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def walked() -> Order:
    """An order through every kind of entry kasify writes: parcels, a correction, refunds, a hold."""
    cart = validate_new_order(new_order(quantity=3))
    order = actions.place(cart, None, order_id="a" * 32, at=T0, actor="customer").order
    steps = [
        lambda o: actions.confirm_payment(o, at=T0, actor="staff:1"),
        lambda o: actions.hold(o, reason="address check", at=T0, actor="staff:1"),
        lambda o: actions.release(o, at=T0, actor="staff:1"),
        lambda o: actions.mark_shipped(
            o, carrier="ups", tracking_number="1Z999AA10123456784", lines={1: 1}, at=T0, actor=None
        ),
        lambda o: actions.mark_shipped(o, carrier="dhl", tracking_number="JD0146000000", at=T0, actor=None),
        lambda o: actions.update_tracking(
            o,
            carrier="ups",
            tracking_number="1Z999AA10123456791",
            shipment_id=o.shipments[0].id,
            at=T0,
            actor=None,
        ),
        lambda o: actions.mark_delivered(o, shipment_id=o.shipments[0].id, at=T0, actor=None),
        lambda o: actions.mark_delivered(o, at=T0, actor=None),
        lambda o: actions.request_refund(
            o, amount=Decimal("7.50"), note="scratch", refund_id="r1", at=T0, actor="staff:1"
        ),
        lambda o: actions.fail_refund(o, "r1", reason="card expired", at=T0),
        lambda o: actions.refund(o, amount=Decimal(10), note="", refund_id="r2", at=T0, actor="staff:1"),
        lambda o: actions.request_refund(
            o, amount=None, note="", refund_id="r3", at=T0, actor="staff:1", lines={1: 1}
        ),
        lambda o: actions.refund(
            o, amount=None, note="", refund_id="r4", at=T0, actor="staff:1", lines={1: 1}, shipping=True
        ),
    ]
    for step in steps:
        order = step(order).order
    return order


def test_in_english_the_page_says_what_the_record_says_with_the_pages_money() -> None:
    order = walked()
    assert len(order.timeline) == 14
    for entry in order.timeline:
        expected = entry.message.replace("7.50 USD", "$7.50").replace("10.00 USD", "$10.00")
        expected = expected.replace("80.00 USD", "$80.00").replace("25.00 USD", "$25.00")
        expected = expected.replace("30.00 USD", "$30.00")
        assert entry_text(order, entry) == expected, entry.kind


def test_in_german_every_entry_kasify_writes_is_german() -> None:
    order = walked()
    with activate("de"):
        texts = [entry_text(order, entry) for entry in order.timeline]
    assert texts == [
        "Bestellung aufgegeben: 3 Artikel, Summe 80,00\xa0$",
        "Zahlung bestätigt",
        "Angehalten: address check",
        "Freigegeben",
        (
            "Paket 1 versandt über UPS, Sendungsnummer 1Z999AA10123456784: 1 x T-shirt"
            " (1 von 3 Artikeln versandt)"
        ),
        "Paket 2 versandt über DHL, Sendungsnummer JD0146000000: 2 x T-shirt (3 von 3 Artikeln versandt)",
        "Sendungsverfolgung geändert von UPS 1Z999AA10123456784 auf UPS 1Z999AA10123456791 (Paket 1)",
        "Paket 1 zugestellt",
        "Paket 2 zugestellt: alle Pakete sind angekommen",
        "Erstattung von 7,50\xa0$ beim Zahlungsanbieter angefordert — Notiz: scratch",
        "Erstattung von 7,50\xa0$ fehlgeschlagen: card expired",
        "10,00\xa0$ erstattet",
        "Erstattung von 25,00\xa0$ für 1 x T-shirt beim Zahlungsanbieter angefordert",
        "30,00\xa0$ für 1 x T-shirt, Versand erstattet",
    ]


def test_a_plugins_entry_or_an_older_one_without_the_data_reads_as_stored() -> None:
    order = walked()
    plugin = TimelineEvent("saleor", T0, None, "Confirmed in Saleor", {})
    older = TimelineEvent("refunded", T0, None, "Refunded 5.00 USD", {})  # written before its data was
    order = attrs.evolve(order, timeline=(*order.timeline, plugin, older))
    with activate("de"):
        assert entry_text(order, plugin) == "Confirmed in Saleor"
        assert entry_text(order, older) == "Refunded 5.00 USD"
