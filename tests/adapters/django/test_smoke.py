from django.test import Client

import kasify_orders as ko
from tests.adapters.django.conftest import ADMIN, page_text, post_action
from tests.helpers import new_order


def test_smoke(staff_client: Client, orders: ko.Orders) -> None:
    order = orders.place(new_order())
    r = staff_client.get(f"{ADMIN}/")
    assert r.status_code == 200, r.content
    print(page_text(r)[:500])
    r = post_action(staff_client, order, "confirm_payment")
    assert r.status_code == 302, r.content
    r = staff_client.get(r["Location"])
    print(page_text(r)[:800])
    assert "Payment confirmed" in page_text(r)
