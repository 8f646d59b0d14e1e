"""Schemathesis against the served OpenAPI document: no server error, every response as documented.

Most generated requests are pointed at real orders in every status (so the actions run and
fail in every way they can); the rest keep their generated ids and must be clean 404s.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")

import flask  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

import kasify_orders as ko  # noqa: E402
from kasify_orders.web.api import ROUTES  # noqa: E402
from tests.adapters.flask.conftest import API, make_app  # noqa: E402
from tests.helpers import new_order  # noqa: E402
from tests.integration.notifications.conftest import SmtpServer  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[flask.Flask, list[str]]]:
    """A host with orders in every status, shared by the generated requests."""
    database = Path(tmp_path_factory.mktemp("schema")) / "k.sqlite3"
    mail = SmtpServer()  # a real SMTP sink on loopback: "Email customer" and "Resend" send
    mail.start()
    settings = ko.Settings(smtp_url=mail.url, from_email="orders@shop.example")
    with ko.Orders.connect(f"sqlite:///{database}", settings=settings, load_entrypoints=False) as orders:
        orders.coupons.create(ko.Coupon.fixed("TENOFF", "10"))
        ids = []
        for step in range(12):
            order = orders.place(new_order(coupon_code="TENOFF" if step % 3 == 0 else None, note="Gift"))
            if step % 6 >= 1:
                order = orders.confirm_payment(order.id)
            if step % 6 >= 2:
                order = orders.mark_shipped(order.id, tracking_number="1Z999AA10123456784", carrier="ups")
            if step % 6 >= 3:
                order = orders.mark_delivered(order.id)
            if step % 6 == 4:
                order = orders.refund(order.id, Decimal("5.00"))
            if step % 6 == 5:
                order = orders.refund(order.id)
            ids.append(order.id)
        yield make_app(orders, authorize=lambda action, order: True), ids
    mail.stop()


OPERATIONS = [route.operation_id for route in ROUTES]


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_the_api_does_what_its_document_says(operation_id: str, shop: tuple[flask.Flask, list[str]]) -> None:
    app, ids = shop
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    operation = schema.find_operation_by_id(operation_id)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def call(case: schemathesis.Case) -> None:
        if case.path_parameters and "order_id" in case.path_parameters:
            generated = str(case.path_parameters["order_id"])
            pick = zlib.crc32(generated.encode("utf-8", "surrogatepass")) % (len(ids) + 2)
            if pick < len(ids):
                case.path_parameters["order_id"] = ids[pick]
        case.call_and_validate(checks=CHECKS)

    call()
