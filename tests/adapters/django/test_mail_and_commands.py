"""Emails through ``django.core.mail`` (the locmem backend records them), and the management commands."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core import mail
from django.core.management import call_command
from django.test import override_settings

import kasify_orders as ko
from kasify_orders.adapters.django import get_orders
from tests.adapters.django.conftest import BASE_KASIFY
from tests.helpers import new_order


def test_emails_go_through_djangos_mail_with_kasifys_headers(orders: ko.Orders) -> None:
    order = orders.place(new_order())
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"Ada Lovelace <ada@example.com>", "owner@shop.example"}
    confirmation = by_recipient["Ada Lovelace <ada@example.com>"]
    assert confirmation.from_email == "Django Test Shop <orders@shop.example>"  # DEFAULT_FROM_EMAIL
    assert f"#{order.number}" in confirmation.subject
    assert "Ada" in confirmation.body
    [(html, kind)] = confirmation.alternatives  # type: ignore[attr-defined]
    assert kind == "text/html" and "<html" in html.lower()
    sent = confirmation.message()
    recorded = {
        e.data["to"]: e.data["message_id"] for e in orders.get(order.id).timeline if e.kind == "email_sent"
    }
    assert sent["Message-ID"] == recorded["ada@example.com"]
    assert sent["Auto-Submitted"] == "auto-generated"


def test_the_deliver_command_sends_what_workers_are_left_to_send(host: str, capsys: object) -> None:
    settings = {**BASE_KASIFY["SETTINGS"], "deliver_inline": False}  # type: ignore[dict-item]
    with override_settings(KASIFY_ORDERS={**BASE_KASIFY, "DATABASE": host, "SETTINGS": settings}):
        orders = get_orders()
        orders.place(new_order())
        assert mail.outbox == []

        out = io.StringIO()
        call_command("kasify_deliver", stdout=out)
        assert out.getvalue().strip() == "Delivered 1 events"
        assert len(mail.outbox) == 2

        out = io.StringIO()
        call_command("kasify_deliver", stdout=out)
        assert out.getvalue().strip() == "Delivered 0 events"
        assert len(mail.outbox) == 2


def test_export_writes_a_csv_row_per_order(orders: ko.Orders, tmp_path: Path) -> None:
    first = orders.place(new_order(name="Grace Hopper", email="grace@example.com"))
    second = orders.place(new_order(name="Alan Turing", email="alan@example.com"))
    orders.confirm_payment(second.id)

    out, err = io.StringIO(), io.StringIO()
    call_command("kasify_export_orders", stdout=out, stderr=err)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(row["number"], row["customer_name"], row["status"]) for row in rows] == [
        (str(first.number), "Grace Hopper", "pending"),
        (str(second.number), "Alan Turing", "processing"),
    ]
    assert rows[0]["total"] == "55.00"
    assert "Exported 2 orders" in err.getvalue()

    target = tmp_path / "processing.csv"
    call_command(
        "kasify_export_orders", "--status", "processing", "--output", str(target), stderr=io.StringIO()
    )
    with target.open(newline="", encoding="utf-8") as file:
        assert [row["customer_name"] for row in csv.DictReader(file)] == ["Alan Turing"]
